"""What the store raises: problems the user can act on, with French messages (the only text of the store that a user
reads), and how a DuckDB or PostgreSQL error becomes one line of French."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """A problem with the database that the user can act on (message in French)."""


class ConcurrentWriteError(StoreError):
    """Another process kept the database busy longer than the bounded wait."""


class UndeclaredWriteError(RuntimeError):
    """A write transaction changed a table it did not declare (a programming error, found by `LIT_CHECK_WRITES`)."""


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def open_error_message(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "not a valid DuckDB database" in text:
        return f"Le fichier {path} n'est pas une base DuckDB."
    if is_disk_full(exc):
        return disk_full_message(path)
    if "could not read enough bytes" in text.lower() or "corrupt" in text.lower() or "checksum" in text.lower():
        return (f"La base {path} est incomplète ou endommagée (fichier tronqué ?) : rien n'a été modifié. "
                "Restaurez la dernière sauvegarde (python -m lit_analytics restore) ou reconstruisez la base.")
    if "lock" in text.lower():
        return (f"La base {path} est déjà ouverte en écriture par un autre processus "
                "(l'application ou une autre commande) : réessayez quand il est arrêté.")
    return f"Impossible d'ouvrir la base {path} : {first_line(exc)}"


def busy_message(display: str, timeout: float, *, who: str = " (l'application ou une commande)") -> str:
    return (f"La base {display} est occupée par une écriture d'un autre processus{who} depuis plus de "
            f"{timeout:g} s : rien n'a été écrit, réessayez.")


def sql_literal(text: str) -> str:
    return text.replace("'", "''")


def is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no space left" in text or "disk is full" in text or "disk full" in text


def disk_full_message(path) -> str:
    return (f"Le disque de la base {path} est plein : l'écriture a été annulée, rien n'a été enregistré à moitié. "
            "Libérez de la place, puis réessayez.")
