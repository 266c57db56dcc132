-- Reference data: the 18 regions and the funded labs, plus the store's own bookkeeping.
CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE regions (
    region_code VARCHAR PRIMARY KEY,          -- INSEE code, text with leading zero ('01', '84')
    name        VARCHAR NOT NULL,
    is_overseas BOOLEAN NOT NULL
);

CREATE TABLE labs (
    lab_id              VARCHAR PRIMARY KEY,  -- stable slug, e.g. 'lab-zero'
    name                VARCHAR NOT NULL,
    region_code         VARCHAR REFERENCES regions (region_code), -- NULL when not publicly known
    city                VARCHAR,
    latitude            DOUBLE,
    longitude           DOUBLE,
    lead_administration VARCHAR,
    cohort              VARCHAR NOT NULL CHECK (cohort IN ('laureat-2016', 'relance-2021-2022')),
    opened_on           DATE,
    closed_on           DATE,                 -- NULL while the lab is active
    themes              VARCHAR,
    budget_eur          DECIMAL(14, 2),       -- the lab project's budget (call rule: at most 500 000 €)
    identified          BOOLEAN NOT NULL,     -- false for the two 2016 laureates no public source names
    source              VARCHAR NOT NULL,     -- public source of the lab's facts, or 'démo'
    assumptions         VARCHAR               -- which values are demonstration assumptions, in French
);
