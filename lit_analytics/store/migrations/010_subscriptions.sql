-- Briefing subscriptions (issue 22): an account receives a preset's deck (national, a region, a lab) by e-mail,
-- monthly or each quarter once the reporting deadline has passed (`python -m lit_analytics send-subscriptions`).
CREATE TABLE subscriptions (
    subscription_id INTEGER PRIMARY KEY,
    email           VARCHAR NOT NULL,             -- the account (users.email), lower case
    scope_kind      VARCHAR NOT NULL CHECK (scope_kind IN ('national', 'region', 'lab')),
    scope_code      VARCHAR NOT NULL,             -- '' (national), the region's INSEE code, or the lab_id
    format          VARCHAR NOT NULL CHECK (format IN ('pdf', 'pptx')),
    frequency       VARCHAR NOT NULL CHECK (frequency IN ('monthly', 'quarterly')),
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,             -- the account that added it, or « ligne de commande »
    ended_at        TIMESTAMP,                    -- set when unsubscribed (from the app, the command line or the link)
    ended_by        VARCHAR
);
CREATE INDEX subscriptions_by_email ON subscriptions (email);

-- Every sending of a subscription for a period (« 2026-11 » for a monthly one, « 2026-T3 » for a quarterly one):
-- one row per (subscription, period), so a period is never sent twice; a failed sending is tried again at the next
-- run (its row is replaced). Each e-mail carries its own random unsubscribe token: only its SHA-256 is kept here,
-- and it ends that one subscription, from any e-mail ever sent for it.
CREATE TABLE subscription_sendings (
    subscription_id INTEGER NOT NULL,
    period          VARCHAR NOT NULL,
    sent_at         TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('envoyé', 'échec', 'refusé')),   -- refusé: no right today
    size_bytes      INTEGER NOT NULL,             -- the attachment's size (0 when left out or not built)
    detail          VARCHAR,                      -- French: the error, or why the attachment was left out
    token_hash      VARCHAR NOT NULL UNIQUE,      -- sha256 of the e-mail's unsubscribe token (never the token)
    PRIMARY KEY (subscription_id, period)
);
