-- Activity: every file received, every published version of a (lab, quarter, kind) report,
-- and the rows those versions carry. Nothing is deleted: a newer version supersedes an older one
-- by flipping report_versions.is_current.

CREATE TABLE imports (
    import_id    INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL CHECK (kind IN ('projets', 'sessions', 'financements')),
    lab_id       VARCHAR,                    -- NULL for the funding ledger
    quarter      VARCHAR,                    -- '2021-T3'; NULL for the funding ledger
    origin       VARCHAR NOT NULL CHECK (origin IN ('demo', 'upload')),
    file_name    VARCHAR,
    sha256       VARCHAR,
    user_email   VARCHAR NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    row_count    INTEGER NOT NULL,
    outcome      VARCHAR NOT NULL,           -- 'publié', 'rejeté', 'vérifié', 'déjà publié'
    detail       VARCHAR
);

CREATE TABLE report_versions (
    version_id   INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL CHECK (kind IN ('projets', 'sessions', 'financements')),
    lab_id       VARCHAR,
    quarter      VARCHAR,
    import_id    INTEGER NOT NULL,
    is_demo      BOOLEAN NOT NULL,
    published_at TIMESTAMP NOT NULL,
    published_by VARCHAR NOT NULL,
    is_current   BOOLEAN NOT NULL
);

CREATE TABLE project_snapshots (
    version_id      INTEGER NOT NULL,
    lab_id          VARCHAR NOT NULL,
    quarter         VARCHAR NOT NULL,
    project_id      VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    theme           VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    started_on      DATE NOT NULL,
    ended_on        DATE,
    partner_types   VARCHAR,                 -- comma-separated, from a fixed list
    users_involved  INTEGER,
    agents_involved INTEGER,
    budget_eur      DECIMAL(14, 2),
    PRIMARY KEY (version_id, project_id)
);

CREATE TABLE training_sessions (
    version_id          INTEGER NOT NULL,
    lab_id              VARCHAR NOT NULL,
    quarter             VARCHAR NOT NULL,
    session_id          VARCHAR NOT NULL,
    held_on             DATE NOT NULL,
    title               VARCHAR NOT NULL,
    format              VARCHAR NOT NULL,
    duration_hours      DOUBLE NOT NULL,
    participants_agents INTEGER NOT NULL,
    participants_others INTEGER,
    PRIMARY KEY (version_id, session_id)
);

CREATE TABLE funding_tranches (
    version_id   INTEGER NOT NULL,
    tranche_id   VARCHAR NOT NULL,
    lab_id       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL CHECK (source IN ('PIA', 'FTAP', 'relance', 'autre')),
    amount_eur   DECIMAL(14, 2) NOT NULL,
    committed_on DATE NOT NULL,
    paid_on      DATE,
    purpose      VARCHAR,
    PRIMARY KEY (version_id, tranche_id)
);

-- What the dashboard reads: only rows of current versions.
CREATE VIEW current_project_snapshots AS
SELECT s.*, v.is_demo
FROM project_snapshots s JOIN report_versions v ON v.version_id = s.version_id
WHERE v.is_current;

CREATE VIEW current_training_sessions AS
SELECT s.*, v.is_demo
FROM training_sessions s JOIN report_versions v ON v.version_id = s.version_id
WHERE v.is_current;

CREATE VIEW current_funding_tranches AS
SELECT f.*, v.is_demo
FROM funding_tranches f JOIN report_versions v ON v.version_id = f.version_id
WHERE v.is_current;

-- The latest reported state of each project (its most recent current snapshot).
CREATE VIEW projects AS
SELECT version_id, lab_id, quarter, project_id, title, theme, status, started_on, ended_on,
       partner_types, users_involved, agents_involved, budget_eur, is_demo
FROM (
    SELECT s.*, row_number() OVER (PARTITION BY s.lab_id, s.project_id ORDER BY s.quarter DESC) AS rn
    FROM current_project_snapshots s
) latest
WHERE rn = 1;
