-- The journal without its primary-key index. Its ids are given one at a time under the write lock by the one module
-- that writes it (`audit.record`: the largest plus one), so the index checked nothing, and on the embedded file it
-- cost at every audited write: DuckDB writes a table's index again whole at each checkpoint (a write's end), ~70 ms
-- more per sign-in, export or publication at 400 000 lines, years of use (docs/benchmarks.md « Écritures »). Every
-- row is kept, in the same columns.
CREATE TABLE audit_log_012 (
    event_id    INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    target      VARCHAR,
    outcome     VARCHAR NOT NULL,
    detail      VARCHAR,
    os_user     VARCHAR
);
INSERT INTO audit_log_012 (event_id, occurred_at, actor, action, target, outcome, detail, os_user)
    SELECT event_id, occurred_at, actor, action, target, outcome, detail, os_user FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_012 RENAME TO audit_log;
