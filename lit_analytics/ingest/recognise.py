"""The right report, recognised: a file whose header is that of the other lab report (a sessions file uploaded
as « Projets », the default choice) is told apart before validation, so the sender reads « Ce fichier ressemble à
un rapport de sessions » with a one-click switch instead of a list of missing and ignored columns."""

from __future__ import annotations

from lit_analytics.ingest.read import ReadError, read_table
from lit_analytics.ingest.schema import LAB_REPORT_KINDS, load_schema, normalise_header

KIND_NAMES = {"projets": "rapport de projets", "sessions": "rapport de sessions"}


def _matches(header: list[str], kind: str) -> tuple[int, int]:
    """(required columns of `kind` found in the header, columns of the header known to `kind`)."""
    schema = load_schema(kind)
    names = {normalise_header(n) for n in header}
    known = set()
    for f in schema.fields:
        known |= {normalise_header(f.name), normalise_header(f.title)}
    required = sum(1 for f in schema.fields if f.required
                   and ({normalise_header(f.name), normalise_header(f.title)} & names))
    return required, len(names & known)


def other_kind(data: bytes, file_name: str, kind: str) -> str | None:
    """The other lab report kind when the file's header has every required column of that kind and fewer
    columns of `kind` than of it; else None (also for unreadable files: validation will say why)."""
    if kind not in LAB_REPORT_KINDS:
        return None
    other = next(k for k in LAB_REPORT_KINDS if k != kind)
    expected = load_schema(kind).names + load_schema(other).names
    try:
        header = read_table(data, file_name, expected).header
    except ReadError:
        return None
    required_other, known_other = _matches(header, other)
    required_kind, known_kind = _matches(header, kind)
    all_required_other = sum(1 for f in load_schema(other).fields if f.required)
    all_required_kind = sum(1 for f in load_schema(kind).fields if f.required)
    if required_other == all_required_other and required_kind < all_required_kind and known_other > known_kind:
        return other
    return None


def message(other: str) -> str:
    """« Ce fichier ressemble à un rapport de sessions » and what to do."""
    return (f"Ce fichier ressemble à un {KIND_NAMES[other]} : ses colonnes sont celles du modèle « {other} ». "
            f"Vérifiez-le comme {KIND_NAMES[other]}, ou choisissez le bon fichier.")
