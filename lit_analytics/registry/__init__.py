"""The living registry (issue 21): labs, cohorts, funding sources and the public pages their facts come from,
managed in the running service by administrators — the page « Référentiel », `python -m lit_analytics
labs|cohorts|funding-sources|sources …`, and `reference sync` for what a release ships in `data/reference/`.

`values` checks what is typed (French messages), `labs` adds, corrects, closes and reopens labs with their history
(`lab_changes`), `catalog` keeps cohorts, funding sources and sources, `sync` applies the repository's files as a
reviewed diff. A use-case package, beside `accounts`: it reads and writes through the store only.
"""

from lit_analytics.registry.values import Citation, RegistryError

__all__ = ["Citation", "RegistryError"]
