-- Accounts, the labs a lab lead is attached to, and the audit log of who did what.
CREATE TABLE users (
    email           VARCHAR PRIMARY KEY,       -- lower-case
    display_name    VARCHAR,
    role            VARCHAR NOT NULL CHECK (role IN ('admin', 'analyste', 'porteur')),
    password_hash   VARCHAR,                   -- argon2id hash; NULL for accounts that sign in through OIDC only
    disabled        BOOLEAN NOT NULL DEFAULT false,
    is_demo         BOOLEAN NOT NULL DEFAULT false,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL
);

CREATE TABLE user_labs (
    email  VARCHAR NOT NULL,
    lab_id VARCHAR NOT NULL,
    PRIMARY KEY (email, lab_id)
);

CREATE TABLE audit_log (
    event_id INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor    VARCHAR NOT NULL,                 -- e-mail, or 'système'
    action   VARCHAR NOT NULL,                 -- 'connexion', 'échec de connexion', 'dépôt', 'publication', ...
    target   VARCHAR,                          -- what it was about (lab, quarter, kind, file, account...)
    outcome  VARCHAR NOT NULL,                 -- 'succès' | 'refus' | 'échec'
    detail   VARCHAR
);
