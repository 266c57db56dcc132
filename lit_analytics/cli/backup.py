"""`python -m lit_analytics backup|restore`: a backup of the database (file or PostgreSQL) into a folder, and its
restoration into an empty database or, with `--force`, over an existing one (a dated copy of it kept first).

    python -m lit_analytics backup --db /srv/lit/lit.duckdb --out /var/backups/lit
    python -m lit_analytics restore --from /var/backups/lit/lit-sauvegarde-20261204-020000 --db /tmp/essai.duckdb

The format and its guarantees: `lit_analytics.store.backup`. Both are audited (`audit.Action.BACKUP`, in the
database backed up, once the backup is written; `audit.Action.BACKUP_RESTORED`, in the restored database).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lit_analytics.cli.common import CliError, existing_database
from lit_analytics.formats import fmt_int
from lit_analytics.store import locate


def backup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DOSSIER",
                   help="dossier de la sauvegarde, créé par la commande ; un dossier existant reçoit un "
                        "sous-dossier daté (lit-sauvegarde-AAAAMMJJ-HHMMSS)")


def restore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="source", required=True, metavar="DOSSIER",
                   help="dossier d'une sauvegarde (celui qui contient manifest.json)")
    p.add_argument("--force", action="store_true",
                   help="remplacer une base existante (une copie datée en est gardée d'abord)")


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} Mo".replace(".", ",") if n >= 1_048_576 else f"{max(1, n // 1024)} Ko"


def run_backup(args: argparse.Namespace) -> int:
    from lit_analytics import audit
    from lit_analytics.store import Store, latest_schema_version
    from lit_analytics.store.backup import take_backup

    location = existing_database(args)
    shown = getattr(location, "display", location)
    done = take_backup(location, Path(args.out))
    size = sum(int(t["bytes"]) for t in done.manifest["tables"])
    summary = (f"schéma {done.schema_version}, {len(done.manifest['tables'])} tables, "
               f"{fmt_int(done.total_rows)} lignes, {_size(size)}")
    print(f"Sauvegarde écrite : {done.folder}")
    print(f"Base : {shown} ({summary})")
    try:
        with Store(location, migrate=False) as store:
            if store.schema_version() != latest_schema_version():   # the journal of an older schema differs
                print("Journal : non écrit (base d'un schéma plus ancien, mise à jour à sa prochaine ouverture).")
                return 0
            audit.log(store, audit.COMMAND_LINE, audit.Action.BACKUP, audit.Outcome.SUCCESS, str(done.folder),
                      summary)
    except Exception as exc:
        raise CliError(f"sauvegarde écrite dans {done.folder}, mais le journal de la base n'a pas pu l'inscrire : "
                       f"{exc}") from exc
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from lit_analytics import audit
    from lit_analytics.store import Store
    from lit_analytics.store.backup import restore_backup

    location = locate(args.db)
    done = restore_backup(Path(args.source), location, force=args.force)
    taken = done.backup.taken_at.strftime("%d/%m/%Y %H:%M")
    source = done.backup.manifest["source"]
    kind = "PostgreSQL" if source["kind"] == "postgresql" else "fichier"
    detail = (f"sauvegarde du {taken} ({kind} {source['database']}), schéma {done.backup.schema_version}, "
              f"{fmt_int(done.backup.total_rows)} lignes")
    if done.previous:
        detail += f" ; ancienne base conservée : {done.previous}"
    with Store(location) as store:   # opening it applies the migrations an older backup lacks
        audit.log(store, audit.COMMAND_LINE, audit.Action.BACKUP_RESTORED, audit.Outcome.SUCCESS,
                  str(Path(args.source)), detail)
        version = store.schema_version()
    print(f"Sauvegarde restaurée dans {done.target} : {detail.split(' ; ')[0]}.")
    if version != done.backup.schema_version:
        print(f"Schéma mis à jour : {done.backup.schema_version} → {version}.")
    if done.previous:
        what = "Sauvegarde de l'ancienne base" if isinstance(done.previous, Path) and done.previous.is_dir() \
            else "Ancienne base conservée"
        print(f"{what} : {done.previous}")
    return 0
