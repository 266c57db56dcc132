-- Quarterly report uploads: every problem found in a received file (errors and warnings), with the line as the
-- sender's spreadsheet numbers it (header = line 1) and the column, as the DITP's PILOTE stores them; and the
-- counts of each upload (problems found, rows a publication added, changed or removed).
CREATE TABLE import_errors (
    import_id   INTEGER NOT NULL,             -- imports.import_id
    seq         INTEGER NOT NULL,             -- order within the import's report
    severity    VARCHAR NOT NULL CHECK (severity IN ('erreur', 'avertissement')),
    line        INTEGER,                      -- spreadsheet line (header = 1); NULL for a problem with the whole file
    column_name VARCHAR,                      -- the exchange-format column (French), NULL for the whole file
    code        VARCHAR NOT NULL,             -- kind of problem: 'type', 'required', 'enum', 'outside-quarter'...
    message     VARCHAR NOT NULL,             -- French: what is wrong and what is expected
    value       VARCHAR,                      -- the value as received
    PRIMARY KEY (import_id, seq)
);

ALTER TABLE imports ADD COLUMN error_count INTEGER;
ALTER TABLE imports ADD COLUMN warning_count INTEGER;
ALTER TABLE imports ADD COLUMN rows_added INTEGER;
ALTER TABLE imports ADD COLUMN rows_changed INTEGER;
ALTER TABLE imports ADD COLUMN rows_removed INTEGER;
