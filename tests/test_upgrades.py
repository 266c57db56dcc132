"""Upgrades in place, on both stores: a database made by an earlier release (the migrations up to each earlier schema
version, `Store(…, target_version=N)`, with rows in every table that exists at that version) opens with today's
code at the latest schema and keeps every row; a migration that fails leaves the old database as it was, with a
French error."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import pytest

from conftest import new_location
from lit_analytics.store import Store, StoreError, latest_schema_version, migrations
from lit_analytics.store import schema as store_schema

T = datetime(2021, 10, 4, 9, 30)

# One explicit row per table, with every column of today's schema; a database of an earlier version receives the
# columns its tables had then (a column added later by a migration is left out, and NULL after the upgrade).
ROWS: dict[str, dict] = {
    "meta": {"key": "reference_loaded", "value": "true"},
    "regions": {"region_code": "53", "name": "Bretagne", "is_overseas": False},
    "labs": {"lab_id": "lab-test", "name": "Laboratoire de test", "region_code": "53", "city": "Rennes",
             "latitude": 48.11, "longitude": -1.68, "lead_administration": "Préfecture", "cohort": "laureat-2016",
             "opened_on": date(2017, 3, 1), "closed_on": None, "themes": "numérique",
             "budget_eur": Decimal("450000.00"), "identified": True, "source": "test", "assumptions": None, "short_name": "Labo test"},
    "imports": {"import_id": 1, "kind": "sessions", "lab_id": "lab-test", "quarter": "2021-T3", "origin": "upload",
                "file_name": "sessions.csv", "sha256": "ab" * 32, "user_email": "porteur@lab.test",
                "received_at": T, "row_count": 1, "outcome": "publié", "detail": None, "error_count": 0,
                "warning_count": 1, "rows_added": 1, "rows_changed": 0, "rows_removed": 0},
    "report_versions": {"version_id": 1, "kind": "sessions", "lab_id": "lab-test", "quarter": "2021-T3",
                        "import_id": 1, "is_demo": False, "published_at": T, "published_by": "porteur@lab.test",
                        "is_current": True},
    "project_snapshots": {"version_id": 1, "lab_id": "lab-test", "quarter": "2021-T3", "project_id": "P1",
                          "title": "Accueil en mairie", "theme": "accueil", "status": "en cours",
                          "started_on": date(2021, 1, 4), "ended_on": None, "partner_types": "association",
                          "users_involved": 12, "agents_involved": 3, "budget_eur": Decimal("12000.50")},
    "training_sessions": {"version_id": 1, "lab_id": "lab-test", "quarter": "2021-T3", "session_id": "S1",
                          "held_on": date(2021, 9, 14), "title": "Atelier design", "format": "atelier",
                          "duration_hours": 3.5, "participants_agents": 14, "participants_others": 2},
    "funding_tranches": {"version_id": 1, "tranche_id": "F1", "lab_id": "lab-test", "source": "PIA",
                         "amount_eur": Decimal("150000.00"), "committed_on": date(2017, 2, 1),
                         "paid_on": date(2017, 6, 1), "purpose": "lancement"},
    "users": {"email": "porteur@lab.test", "display_name": "Porteuse", "role": "porteur", "password_hash": None,
              "disabled": False, "is_demo": False, "failed_attempts": 0, "locked_until": None, "created_at": T,
              "created_by": "test", "oidc_issuer": "https://idp.test", "oidc_subject": "sub-1"},
    "user_labs": {"email": "porteur@lab.test", "lab_id": "lab-test"},
    "audit_log": {"event_id": 1, "occurred_at": T, "actor": "porteur@lab.test", "action": "publication",
                  "target": "lab-test 2021-T3 sessions", "outcome": "succès", "detail": None, "os_user": "lit"},
    "import_errors": {"import_id": 1, "seq": 1, "severity": "avertissement", "line": 2, "column_name": "duree_heures",
                      "code": "type", "message": "durée arrondie", "value": "3,50"},
    "lab_sources": {"lab_id": "lab-test", "fact": "opened_on", "seq": 1, "value": "2017", "statement": "Ouvert en 2017",
                    "source_title": "Page de test", "published_on": date(2017, 3, 2), "url": "https://example.org"},
    "published_figures": {"seq": 1, "topic": "Laboratoires", "figure": "16 laboratoires", "statement": "16",
                          "source_title": "Page de test", "published_on": date(2020, 1, 1), "url": None,
                          "disagree": False},
    "sessions": {"session_id": "s-1", "token_hash": "cd" * 32, "handoff_hash": None, "handoff_until": None,
                 "email": "porteur@lab.test", "method": "password", "provider": None, "signed_in_at": T,
                 "last_seen": T, "ended_at": None, "ended_reason": None, "client": "127.0.0.1"},
    "sign_in_throttle": {"client": "192.0.2.1", "failures": 2, "window_start": T},
    "cohorts": {"code": "vague-2030", "label": "Vague 2030", "starts_on": date(2030, 1, 1), "ends_on": None,
                "description": "test", "source_title": "Page de test", "published_on": None, "url": None},
    "funding_sources": {"code": "fonds-test", "label": "Fonds de test", "starts_on": None, "ends_on": None,
                        "description": None, "source_title": None, "published_on": None, "url": "https://example.org"},
    "lab_changes": {"change_id": 1, "lab_id": "lab-test", "changed_at": T, "changed_by": "admin@lab.test",
                    "field": "name", "before_value": "Ancien", "after_value": "Laboratoire de test",
                    "source_title": "Page de test", "published_on": date(2021, 1, 1), "url": "https://example.org"},
    "reminders": {"lab_id": "lab-test", "quarter": "2021-T3", "kind": "sessions", "reminder_kind": "en retard",
                  "sent_at": T, "sent_by": "ligne de commande", "recipients": "porteur@lab.test"},
    "events": {"event_id": 100, "event_date": date(2021, 9, 1), "label": "Visite", "kind": "other",
               "lab_id": "lab-test", "source_title": None, "source_url": None, "created_by": "admin@test",
               "created_at": T, "updated_by": None, "updated_at": None},
    "alert_settings": {"setting": "test_setting", "value": 1.0, "updated_by": "admin@test", "updated_at": T},
    "subscriptions": {"subscription_id": 1, "email": "porteur@lab.test", "scope_kind": "lab", "scope_code": "lab-test",
                      "format": "pdf", "frequency": "quarterly", "created_at": T, "created_by": "porteur@lab.test",
                      "ended_at": None, "ended_by": None},
    "subscription_sendings": {"subscription_id": 1, "period": "2021-T3", "sent_at": T, "status": "envoyé",
                              "size_bytes": 123456, "detail": None, "token_hash": "ef" * 32},
    "meteo_reports": {"version_id": 1, "lab_id": "lab-test", "quarter": "2021-T3", "level": "nuage",
                      "highlights": "Lancement de l'accueil unique", "difficulties": "aucune",
                      "support_needs": "Un appui juridique", "file_name": "meteo.csv", "sha256": "ef" * 32,
                      "is_demo": False, "published_at": T, "published_by": "porteur@lab.test", "is_current": True,
                      "is_public": False},
    "meteo_comments": {"comment_id": 1, "lab_id": "lab-test", "quarter": "2021-T3", "version_id": 1,
                       "body": "Nous revenons vers vous.", "written_at": T, "written_by": "admin@ditp.test"},
}
# Tables a migration fills with today's values (008: the cohorts and funding sources the CHECKs allowed).
SEEDED = {"cohorts": ("laureat-2016", "relance-2021-2022"), "funding_sources": ("PIA", "FTAP", "relance", "autre")}
# Tables their migration fills with reference rows (011: the programme's milestones, the alerts' default thresholds).
SHIPPED = {"events", "alert_settings"}
BOOKKEEPING = ("store_version", "data_version", "schema", "instance", "table:")
EARLIER = [v for v, _, _ in migrations() if v < latest_schema_version()]


def columns(store: Store, table: str) -> list[str]:
    return [r[0] for r in store.query("SELECT column_name FROM information_schema.columns WHERE table_catalog = 'app' "
                                      "AND table_name = ? ORDER BY ordinal_position", [table])]


def tables(store: Store) -> list[str]:
    return [t for t in store.row_counts() if t != "schema_migrations"]


def contents(store: Store, only: dict[str, list[str]], version: int) -> dict[str, list[tuple]]:
    """Every row of the given tables, on the given columns, sorted; `meta` without the store's bookkeeping; the
    migrations up to `version`, as recorded."""
    out = {}
    for table, cols in only.items():
        rows = store.query(f'SELECT {", ".join(cols)} FROM "{table}"')
        if table == "meta":
            rows = [r for r in rows if not r[0].startswith(BOOKKEEPING)]
        out[table] = sorted(rows, key=repr)
    out["schema_migrations"] = store.query("SELECT version, name, applied_at FROM schema_migrations "
                                           "WHERE version <= ? ORDER BY 1", [version])
    return out


def build_release(location, version: int) -> tuple[dict[str, list[tuple]], dict[str, list[str]]]:
    """A database as release `version` left it: its schema, one explicit row in each of its tables. Returns what
    it holds and its tables' columns."""
    with Store(location, target_version=version) as store:
        assert store.schema_version() == version
        present = tables(store)
        assert set(present) <= set(ROWS), f"no rows written for {sorted(set(present) - set(ROWS))}: add them to ROWS"
        shape = {t: columns(store, t) for t in present}
        with store.transaction(writes=present) as cur:
            for table in [t for t in ROWS if t in present]:   # ROWS's order: a referenced row first
                row = {c: ROWS[table][c] for c in shape[table]}
                cur.execute(f'INSERT INTO "{table}" ({", ".join(row)}) VALUES ({", ".join("?" * len(row))})',
                            list(row.values()))
        held = contents(store, shape, version)
        assert all(held[t] for t in present), "every table of that release holds its row"
        return held, shape


@pytest.mark.parametrize("version", EARLIER)
def test_a_database_of_an_earlier_release_opens_and_keeps_every_row(store_kind, request, tmp_path, version):
    location = new_location(store_kind, request, tmp_path, f"release{version}")
    held, shape = build_release(location, version)
    with Store(location) as today:
        assert today.schema_version() == latest_schema_version()
        assert contents(today, shape, version) == held                   # table by table, column by column
        for table in tables(today):                              # and what the later migrations added is empty
            added = [c for c in columns(today, table) if c not in shape.get(table, [])]
            if table in SEEDED and table not in shape:                  # filled by their migration
                assert set(SEEDED[table]) <= {r[0] for r in today.query(f'SELECT code FROM "{table}"')}
            elif table not in shape:
                assert today.scalar(f'SELECT count(*) FROM "{table}"') == 0 or table == "meta" or table in SHIPPED
            elif added:
                nulls = today.scalar(f'SELECT count(*) FROM "{table}" WHERE '
                                     + " AND ".join(f"{c} IS NULL" for c in added))
                assert nulls == today.scalar(f'SELECT count(*) FROM "{table}"'), (table, added)
    with Store(location) as again:                                # opening it again changes nothing
        assert again.migrate() == []


@pytest.fixture
def broken_migrations(tmp_path, monkeypatch):
    """Today's migrations plus a next one that creates a table, adds a column, then fails."""
    folder = tmp_path / "migrations"
    shutil.copytree(store_schema.MIGRATIONS_DIR, folder)
    number = latest_schema_version() + 1
    (folder / f"{number:03d}_broken.sql").write_text(
        "CREATE TABLE extra (x INTEGER);\n"
        "ALTER TABLE regions ADD COLUMN broken INTEGER;\n"
        "INSERT INTO no_such_table VALUES (1);\n", encoding="utf-8")
    monkeypatch.setattr(store_schema, "MIGRATIONS_DIR", folder)
    monkeypatch.setattr(store_schema, "_VIEW_CACHE", {})
    return number


def test_a_failed_migration_leaves_the_old_database_untouched(store_kind, request, tmp_path, broken_migrations):
    location = new_location(store_kind, request, tmp_path, "broken")
    held, shape = build_release(location, 5)   # 6, 7 would apply, then the broken one fails: none of them stays
    with pytest.raises(StoreError) as failure:
        Store(location)
    message = str(failure.value)
    assert f"migration {broken_migrations:03d} broken" in message and "restée telle quelle (schéma 5)" in message
    with Store(location, migrate=False) as old:
        assert old.schema_version() == 5
        assert contents(old, shape, 5) == held
        assert set(tables(old)) == set(shape)                   # no `sessions` (6), `reminders` (7), `extra`
        assert "broken" not in columns(old, "regions")
