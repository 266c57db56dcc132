"""`python -m lit_analytics publish-site`: the public static site (HTML, CSS, SVG, open data), published atomically.

    python -m lit_analytics publish-site --out DIR [--base-url URL] [--demo] [--if-changed]

`--if-changed` (for cron) rebuilds only when the data version moved since the published site was built.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lit_analytics.cli.common import CliError, existing_database


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="dossier publié par le serveur web (remplacé d'un coup, l'ancien "
                                                "gardé en <dossier>.precedent)")
    p.add_argument("--base-url", default=None, help="adresse publique du site (plan du site XML, paquet de données)")
    p.add_argument("--demo", action="store_true", help="accepter une base de démonstration (chaque page le dit)")
    p.add_argument("--if-changed", action="store_true",
                   help="ne reconstruire que si les données ont changé depuis le site publié (pour cron)")


def run(args: argparse.Namespace) -> int:
    from lit_analytics.site import builder
    from lit_analytics.store import Store

    path = existing_database(args)
    out = Path(args.out).resolve()
    if out.exists() and not out.is_dir():
        raise CliError(f"{out} existe et n'est pas un dossier.")
    if args.base_url and not args.base_url.startswith(("https://", "http://")):
        raise CliError(f"Adresse du site invalide : {args.base_url} (attendu : https://…).")
    with Store(path, read_only=True) as store:
        if args.if_changed:
            version = store.scalar("SELECT value FROM meta WHERE key = 'data_version'")
            if builder.published_version(out) == str(version or "0"):
                print(f"Site à jour (version des données {version}) : rien à reconstruire.")
                return 0
        try:
            report = builder.publish(store, out, base_url=args.base_url, allow_demo=args.demo)
        except builder.PublishRefused as exc:
            raise CliError(str(exc)) from exc
        except builder.assets.AssetsMissing as exc:
            raise CliError(str(exc)) from exc
    print(f"Site publié : {report.out} ({report.pages} pages, {report.charts} graphiques, "
          f"{report.seconds:.1f} s{', démonstration' if report.demo else ''}).")
    print(f"Images : {report.rendered} dessinées, {report.reused} reprises du site précédent (inchangées).")
    from lit_analytics.site.sizes import page_weights
    heaviest = max(page_weights(report.out), key=lambda w: w.gzip)
    print(f"Page la plus lourde (hors DSFR) : {heaviest.page}, {heaviest.raw // 1024} Ko "
          f"({heaviest.gzip // 1024} Ko compressés).")
    if report.previous:
        print(f"Site précédent conservé : {report.previous}")
    return 0
