-- E-mail reminders to lab leads (`python -m lit_analytics remind`, or « Relancer maintenant » on the page
-- « Suivi des dépôts »): one row per reminder sent, so the same reminder — lab, quarter, report kind and kind of
-- reminder (« bientôt dû » before the deadline, « en retard » after it) — is never sent twice.
CREATE TABLE reminders (
    lab_id        VARCHAR NOT NULL,
    quarter       VARCHAR NOT NULL,             -- '2026-T4'
    kind          VARCHAR NOT NULL CHECK (kind IN ('projets', 'sessions')),
    reminder_kind VARCHAR NOT NULL CHECK (reminder_kind IN ('bientôt dû', 'en retard')),
    sent_at       TIMESTAMP NOT NULL,
    sent_by       VARCHAR NOT NULL,             -- the account that asked for it, or « ligne de commande »
    recipients    VARCHAR NOT NULL,             -- the e-mail addresses, comma-separated
    PRIMARY KEY (lab_id, quarter, kind, reminder_kind)
);
