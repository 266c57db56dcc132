-- The living registry (issue 21): cohorts and funding sources become tables (code, French label, dates,
-- description, public source) instead of CHECKs; labs gain a short name (charts, slides) and a history of changes.
-- DuckDB cannot drop a CHECK in place: `labs` and `funding_tranches` are copied aside, made again without it and
-- filled back, every row kept (tests/test_upgrades.py), on both stores (the view on funding_tranches is dropped
-- and made again around it: PostgreSQL refuses to drop a table a view reads).
CREATE TABLE cohorts (
    code         VARCHAR PRIMARY KEY,         -- 'laureat-2016', 'relance-2021-2022', ...
    label        VARCHAR NOT NULL,            -- French, as pickers and tables show it
    starts_on    DATE,
    ends_on      DATE,
    description  VARCHAR,
    source_title VARCHAR,                     -- the public page this cohort is known from
    published_on DATE,
    url          VARCHAR
);

CREATE TABLE funding_sources (
    code         VARCHAR PRIMARY KEY,         -- 'PIA', 'FTAP', 'relance', 'autre', ...
    label        VARCHAR NOT NULL,
    starts_on    DATE,
    ends_on      DATE,
    description  VARCHAR,
    source_title VARCHAR,
    published_on DATE,
    url          VARCHAR
);

INSERT INTO cohorts (code, label) VALUES
    ('laureat-2016', 'Lauréats 2016'),
    ('relance-2021-2022', 'Créés en 2021-2022 (relance)');
INSERT INTO cohorts (code, label)
    SELECT DISTINCT cohort, cohort FROM labs WHERE cohort NOT IN ('laureat-2016', 'relance-2021-2022');

INSERT INTO funding_sources (code, label) VALUES
    ('PIA', 'PIA'), ('FTAP', 'FTAP'), ('relance', 'relance'), ('autre', 'autre');
INSERT INTO funding_sources (code, label)
    SELECT DISTINCT source, source FROM funding_tranches WHERE source NOT IN ('PIA', 'FTAP', 'relance', 'autre');

-- Every change made to a lab after installation (registry page, command line, `reference sync`): one row per field.
CREATE TABLE lab_changes (
    change_id    INTEGER PRIMARY KEY,
    lab_id       VARCHAR NOT NULL,
    changed_at   TIMESTAMP NOT NULL,
    changed_by   VARCHAR NOT NULL,            -- an e-mail, or « ligne de commande » / « référentiel du dépôt »
    field        VARCHAR NOT NULL,            -- a column of `labs` ('name', 'closed_on'...), or 'création'
    before_value VARCHAR,
    after_value  VARCHAR,
    source_title VARCHAR,                     -- the public page the new value comes from, when given
    published_on DATE,
    url          VARCHAR
);

-- labs, without the CHECK on cohort, with short_name.
CREATE TABLE labs_before_008 AS SELECT * FROM labs;
DROP TABLE labs;
CREATE TABLE labs (
    lab_id              VARCHAR PRIMARY KEY,
    name                VARCHAR NOT NULL,
    region_code         VARCHAR REFERENCES regions (region_code),
    city                VARCHAR,
    latitude            DOUBLE,
    longitude           DOUBLE,
    lead_administration VARCHAR,
    cohort              VARCHAR NOT NULL,     -- cohorts.code (checked by the registry, French messages)
    opened_on           DATE,
    closed_on           DATE,
    themes              VARCHAR,
    budget_eur          DECIMAL(14, 2),
    identified          BOOLEAN NOT NULL,
    source              VARCHAR NOT NULL,
    assumptions         VARCHAR,
    short_name          VARCHAR               -- « Ti Lab », « LaBase »: what charts and slides show
);
INSERT INTO labs (lab_id, name, region_code, city, latitude, longitude, lead_administration, cohort, opened_on,
                  closed_on, themes, budget_eur, identified, source, assumptions)
    SELECT lab_id, name, region_code, city, latitude, longitude, lead_administration, cohort, opened_on,
           closed_on, themes, budget_eur, identified, source, assumptions FROM labs_before_008;
DROP TABLE labs_before_008;

-- funding_tranches, without the CHECK on source.
DROP VIEW current_funding_tranches;
CREATE TABLE funding_tranches_before_008 AS SELECT * FROM funding_tranches;
DROP TABLE funding_tranches;
CREATE TABLE funding_tranches (
    version_id   INTEGER NOT NULL,
    tranche_id   VARCHAR NOT NULL,
    lab_id       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,            -- funding_sources.code (checked when a ledger is verified)
    amount_eur   DECIMAL(14, 2) NOT NULL,
    committed_on DATE NOT NULL,
    paid_on      DATE,
    purpose      VARCHAR,
    PRIMARY KEY (version_id, tranche_id)
);
INSERT INTO funding_tranches (version_id, tranche_id, lab_id, source, amount_eur, committed_on, paid_on, purpose)
    SELECT version_id, tranche_id, lab_id, source, amount_eur, committed_on, paid_on, purpose
    FROM funding_tranches_before_008;
DROP TABLE funding_tranches_before_008;
CREATE VIEW current_funding_tranches AS
SELECT f.*, v.is_demo
FROM funding_tranches f JOIN report_versions v ON v.version_id = f.version_id
WHERE v.is_current;
