"""The registry on the command line (issue 21), the same operations as the page « Référentiel »:

    python -m lit_analytics labs list|add|edit|close|reopen [--lab ID] [--set champ=valeur ...] --user ADMIN
    python -m lit_analytics cohorts list|add --code C --label L [--starts-on D] ... --user ADMIN
    python -m lit_analytics funding-sources list|add --code C --label L ... --user ADMIN
    python -m lit_analytics sources list|add --lab ID --fact F --statement S --source-title T ... --user ADMIN
    python -m lit_analytics reference sync [--dry-run] [--user ADMIN]

Writes are made in the name of an administrator (`--user`), checked and audited like in the app; every fact may
carry the public page it comes from (`--source-title`, `--source-date`, `--source-url`).
"""

from __future__ import annotations

import argparse

from lit_analytics.cli.common import CliError, acting_admin, existing_database


def _source_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source-title", help="page publique d'où vient le fait : éditeur et titre")
    p.add_argument("--source-date", help="date de la page (JJ/MM/AAAA ou AAAA-MM-JJ)")
    p.add_argument("--source-url", help="adresse de la page (http(s)://…)")
    p.add_argument("--user", metavar="ADMIN_EMAIL", help="administrateur qui fait la modification")


def labs_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("list", "add", "edit", "close", "reopen", "history"), metavar="action",
                   help="list, add (créer), edit (corriger), close (fermer), reopen (rouvrir), history (historique)")
    p.add_argument("--lab", metavar="LAB_ID", help="identifiant du laboratoire (lab-pei)")
    p.add_argument("--set", action="append", default=[], metavar="CHAMP=VALEUR",
                   help="un champ : name, short_name, region_code, city, latitude, longitude, lead_administration, "
                        "cohort, opened_on, closed_on, themes, budget_eur, identified, source, assumptions "
                        "(répéter l'option)")
    p.add_argument("--on", metavar="DATE", help="date de fermeture (close)")
    _source_arguments(p)


def catalog_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("list", "add"), metavar="action", help="list ou add")
    p.add_argument("--code", help="code court, sans accent (vague-2025)")
    p.add_argument("--label", help="libellé en français")
    p.add_argument("--starts-on", help="début (JJ/MM/AAAA)")
    p.add_argument("--ends-on", help="fin (JJ/MM/AAAA)")
    p.add_argument("--description", help="description")
    _source_arguments(p)


def sources_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("list", "add"), metavar="action", help="list ou add")
    p.add_argument("--lab", metavar="LAB_ID", help="laboratoire")
    p.add_argument("--fact", help="le fait que la page appuie : opened_on, city, name, activity…")
    p.add_argument("--statement", help="ce que dit la page, en français")
    _source_arguments(p)


def reference_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("sync",), metavar="action",
                   help="sync : appliquer data/reference/*.csv à la base (ajouts, corrections ; rien n'est supprimé)")
    p.add_argument("--dry-run", action="store_true", help="montrer les différences sans rien écrire")
    p.add_argument("--directory", default=None, help="dossier des fichiers (défaut : data/reference)")
    p.add_argument("--user", metavar="ADMIN_EMAIL", help="administrateur qui applique la synchronisation")


def _citation(args):
    from lit_analytics.registry import Citation
    return Citation.of(args.source_title, args.source_date, args.source_url)


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise CliError(f"--set « {item} » : attendu CHAMP=VALEUR (par exemple --set short_name=\"Lab Péï\").")
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _print(frame) -> None:
    import pandas as pd
    if frame.empty:
        print("(aucune ligne)")
        return
    from lit_analytics.formats import fmt_date
    shown = frame.astype(object).where(frame.notna(), "")
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            shown[column] = [fmt_date(v) if v != "" else "" for v in shown[column]]
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(shown.to_string(index=False))


def _run(args, body) -> int:
    from lit_analytics.permissions import PermissionDenied
    from lit_analytics.store import Store
    path = existing_database(args)
    try:
        with Store(path) as store:
            return int(body(store) or 0)
    except PermissionDenied as exc:
        raise CliError(str(exc)) from exc


def run_labs(args: argparse.Namespace) -> int:
    from lit_analytics.registry import labs

    def body(store):
        if args.action == "list":
            _print(labs.labs_table(store))
            return 0
        if not args.lab:
            raise CliError(f"Indiquez le laboratoire avec --lab pour « labs {args.action} ».")
        if args.action == "history":
            _print(labs.history(store, args.lab))
            return 0
        actor, citation = acting_admin(store, args), _citation(args)
        if args.action == "add":
            note = labs.add_lab(store, actor, args.lab, _pairs(args.set), citation)
            print(f"Laboratoire créé : {args.lab}." + (f" Coordonnées : {note}." if note else ""))
        elif args.action == "edit":
            changed = labs.edit_lab(store, actor, args.lab, _pairs(args.set), citation)
            print(f"Laboratoire {args.lab} : "
                  + (f"modifié ({', '.join(changed)})." if changed else "rien n'a changé."))
        elif args.action == "close":
            labs.close_lab(store, actor, args.lab, args.on, citation)
            print(f"Laboratoire {args.lab} : {labs.closed_text(labs.lab_row(store, args.lab)['closed_on'])}.")
        else:
            labs.reopen_lab(store, actor, args.lab, citation)
            print(f"Laboratoire {args.lab} : rouvert.")
        return 0
    return _run(args, body)


def _catalog_runner(table: str):
    def run(args: argparse.Namespace) -> int:
        from lit_analytics.registry import catalog

        def body(store):
            if args.action == "list":
                _print(catalog.entries(store, table))
                return 0
            catalog.add_entry(store, acting_admin(store, args), table, args.code, args.label, args.starts_on,
                              args.ends_on, args.description, _citation(args))
            print(f"Ajouté : {args.code} ({args.label}).")
            return 0
        return _run(args, body)
    return run


run_cohorts = _catalog_runner("cohorts")
run_funding_sources = _catalog_runner("funding_sources")


def run_sources(args: argparse.Namespace) -> int:
    from lit_analytics.registry import catalog

    def body(store):
        if args.action == "list":
            _print(catalog.sources(store, args.lab))
            return 0
        if not args.lab:
            raise CliError("Indiquez le laboratoire avec --lab.")
        catalog.add_source(store, acting_admin(store, args), args.lab, args.fact, args.statement, _citation(args))
        print(f"Source ajoutée à {args.lab}.")
        return 0
    return _run(args, body)


def run_reference(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lit_analytics.audit import COMMAND_LINE
    from lit_analytics.config import REFERENCE_DIR
    from lit_analytics.permissions import require_admin
    from lit_analytics.registry import sync

    def body(store):
        who = COMMAND_LINE
        if args.user:
            actor = acting_admin(store, args)
            require_admin(actor, "synchroniser le référentiel")
            who = actor.email
        directory = Path(args.directory) if args.directory else REFERENCE_DIR
        result = sync.apply(store, who, directory, dry_run=args.dry_run)
        print(result.text(dry_run=args.dry_run))
        if not args.dry_run and not result.empty:
            print("Appliqué.")
        return 0
    return _run(args, body)
