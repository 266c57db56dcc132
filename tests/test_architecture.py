"""The house's map, checked: every module of `lit_analytics` sits on a layer, and imports go down the layers only
(files → validation → store → queries → figures → page or export; nothing reaches back up); no circle; Streamlit
only in the UI glue; no runtime module over the size a newcomer can read; tooling outside the runtime package.

A new module must be placed in `LAYERS` (the test says which one is missing): that is where a newcomer reads where a
change goes (README « Layout » has the same map in words)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "lit_analytics"
MAX_LINES = 400

# Lowest first. A module may import modules of its own layer or of a lower one (and never in a circle).
LAYERS: list[tuple[str, ...]] = [
    ("config",),                                                        # settings, paths: imports nothing of ours
    ("store", "domain", "formats", "memo", "filters", "navigation",    # the database; vocabulary; page registry;
     "logs"),                                                           # JSON log lines
    ("audit", "permissions", "sessions", "reference", "geo",           # the journal, rights, sessions, registry files;
     "metrics"),                                                        # what /metrics exports (reads store.stats)
    ("lab_names",),                                                     # the one lab id → name look-up
    ("accounts", "registry", "auth", "ingest", "indicators", "demo",   # use cases and queries; French wording
     "demo_meteo", "presentation", "subscriptions", "events", "alerts"),   # subscriptions; events; data alerts
    ("charts", "map_chart", "event_marks"),                             # figure builders; events drawn on them
    ("catalogue", "glossary"),                                          # the chart registry (query + figure + table); « Définitions »
    ("export", "reminders", "bootstrap", "web", "site",                 # faces: exports, e-mails, set-up, HTTP routes, public site
     "subscription_mail"),                                              # the subscriptions' e-mails (issue 22)
    ("ui",),                                                            # the Streamlit glue
    ("cli", "__main__"),                                                # the command line
]


def layer_of(module: str) -> int | None:
    """`lit_analytics.ingest.read` → the layer of `ingest`."""
    parts = module.split(".")
    if parts[0] != "lit_analytics":
        return None
    head = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if head in names:
            return rank
    return None


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module imported anywhere in the file (top level or inside a function), with its line."""
    tree = ast.parse(path.read_text("utf-8"))
    here = module_name(path).split(".")
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append((prefix, node.lineno))
            found += [(f"{prefix}.{alias.name}", node.lineno) for alias in node.names]
    return found


def runtime_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer():
    unplaced = sorted({module_name(p) for p in runtime_files()
                       if module_name(p) != "lit_analytics" and layer_of(module_name(p)) is None})
    assert unplaced == [], f"place these modules in LAYERS: {unplaced}"


def test_imports_go_down_the_layers_only():
    upward = []
    for path in runtime_files():
        source = module_name(path)
        rank = layer_of(source)
        if rank is None:
            continue
        for target, line in imports_of(path):
            target_rank = layer_of(target)
            if target_rank is not None and target_rank > rank:
                upward.append(f"{path.relative_to(REPO)}:{line} {source} → {target}")
    assert upward == []


def _graph() -> dict[str, set[str]]:
    """Module → the modules of the package it imports (a package counts as its `__init__`)."""
    known = {module_name(p) for p in runtime_files()}
    graph: dict[str, set[str]] = {}
    for path in runtime_files():
        source = module_name(path)
        targets = set()
        for target, _ in imports_of(path):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != source and target != "lit_analytics":
                targets.add(target)
        graph[source] = targets
    return graph


def test_no_circle_between_modules():
    graph = _graph()
    # A package's `__init__` re-exporting its submodules is not a circle with them.
    for source, targets in graph.items():
        graph[source] = {t for t in targets if not source.startswith(t + ".") and not t.startswith(source + ".")}
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(" → ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} → {nxt}")
            elif state.get(nxt) is None:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    assert circles == []


def test_the_store_and_the_settings_import_nothing_above_them():
    for path in runtime_files():
        source = module_name(path)
        if source == "lit_analytics.config" or source.startswith("lit_analytics.store"):
            ours = {t for t, _ in imports_of(path) if t.startswith("lit_analytics")}
            allowed = {"lit_analytics", "lit_analytics.config"} if source != "lit_analytics.config" else set()
            assert {t for t in ours if not t.startswith("lit_analytics.store")} <= allowed, source


def test_streamlit_is_imported_by_the_ui_glue_only():
    outside = [f"{p.relative_to(REPO)}:{line}" for p in runtime_files() if not module_name(p).startswith("lit_analytics.ui")
               for target, line in imports_of(p) if target.split(".")[0] == "streamlit"]
    assert outside == []


def test_no_runtime_module_is_longer_than_a_newcomer_reads():
    long = {str(p.relative_to(REPO)): n for p in runtime_files()
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_tooling_stays_out_of_the_runtime_package():
    """Benchmarks, hostile fixtures and throwaway servers live in `devtools/`; only the CLI's bench commands reach
    them (lazily, with a French message when the dev requirements are missing)."""
    assert not (PACKAGE / "bench").exists()
    reaching = [f"{p.relative_to(REPO)}:{line}" for p in runtime_files() if not module_name(p).startswith("lit_analytics.cli")
                for target, line in imports_of(p) if target.split(".")[0] == "devtools"]
    assert reaching == []


def test_the_append_only_tables_are_only_added_to_by_their_one_writer():
    """The snapshot copies only the new rows of an append-only table (`store.snapshot.APPEND_ONLY`, the journal):
    that holds while no code of the app updates or deletes its rows and one module alone adds them."""
    import re
    from lit_analytics.store.snapshot import APPEND_ONLY
    writers = {"audit_log": "audit.py"}
    assert set(APPEND_ONLY) == set(writers)
    for table, writer in writers.items():
        statement = re.compile(rf"\b(UPDATE|DELETE\s+FROM|INSERT\s+INTO|TRUNCATE|COPY)\s+\"?{table}\b", re.I)
        found = [(p.relative_to(REPO).as_posix(), m.group(1).upper().split()[0])
                 for p in PACKAGE.rglob("*.py") for m in statement.finditer(p.read_text(encoding="utf-8"))]
        assert found and all(path == f"lit_analytics/{writer}" and kind == "INSERT" for path, kind in found), found
