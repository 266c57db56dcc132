"""Loading the reference data shipped in `data/reference/` (regions, labs) into the store."""

from __future__ import annotations

from pathlib import Path

from lit_analytics.config import REFERENCE_DIR
from lit_analytics.store import Store

REGION_COLUMNS = {"region_code": "VARCHAR", "name": "VARCHAR", "is_overseas": "BOOLEAN", "source": "VARCHAR"}
LAB_COLUMNS = {
    "lab_id": "VARCHAR", "name": "VARCHAR", "region_code": "VARCHAR", "city": "VARCHAR",
    "latitude": "DOUBLE", "longitude": "DOUBLE", "lead_administration": "VARCHAR", "cohort": "VARCHAR",
    "opened_on": "DATE", "closed_on": "DATE", "themes": "VARCHAR", "budget_eur": "DECIMAL(14,2)",
    "identified": "BOOLEAN", "source": "VARCHAR", "assumptions": "VARCHAR",
}


def _read_csv_sql(path: Path, columns: dict[str, str]) -> str:
    cols = ", ".join(f"'{name}': '{typ}'" for name, typ in columns.items())
    literal = str(path).replace("'", "''")
    return f"read_csv('{literal}', header = true, delim = ',', quote = '\"', columns = {{{cols}}})"


def load_reference(store: Store, directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Replace regions and labs with the CSV files' contents, in one transaction."""
    with store.transaction() as cur:
        cur.execute("DELETE FROM labs")
        cur.execute("DELETE FROM regions")
        cur.execute("INSERT INTO regions SELECT region_code, name, is_overseas FROM "
                    + _read_csv_sql(directory / "regions.csv", REGION_COLUMNS))
        names = ", ".join(LAB_COLUMNS)
        cur.execute(f"INSERT INTO labs ({names}) SELECT {names} FROM "
                    + _read_csv_sql(directory / "labs.csv", LAB_COLUMNS))
        store.set_meta(cur, "reference_loaded", "true")
    return {"regions": store.scalar("SELECT count(*) FROM regions"),
            "labs": store.scalar("SELECT count(*) FROM labs")}
