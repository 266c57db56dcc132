"""The administrators' « Régénérer le site public »: the same publication as `publish-site`, to the folder of
`LIT_SITE_DIR`, checked (administrators only) and written to the audit log, success or failure."""

from __future__ import annotations

from pathlib import Path

from lit_analytics import audit, config
from lit_analytics.permissions import Actor, require_admin
from lit_analytics.site import builder
from lit_analytics.site.assets import AssetsMissing
from lit_analytics.store import Store


def publish_for(store: Store, actor: Actor, out: Path | None = None) -> builder.BuildReport:
    """Publish the site as `actor` (an administrator) to `out` or `LIT_SITE_DIR`; raises PermissionDenied,
    PublishRefused or AssetsMissing with a French message (a failure is audited too)."""
    try:
        require_admin(actor, "publier le site public")
    except Exception:
        audit.log(store, actor.email, audit.Action.SITE_PUBLISHED, audit.Outcome.REFUSED, detail="droits insuffisants")
        raise
    folder = out or (Path(config.site_dir()) if config.site_dir() else None)
    if folder is None:
        raise builder.PublishRefused("Dossier du site public non configuré : définissez LIT_SITE_DIR (par exemple "
                                     "/var/www/lit-site) dans l'environnement de l'application.")
    try:
        report = builder.publish(store, folder, base_url=config.site_base_url(),
                                 allow_demo=config.site_demo_allowed())
    except (builder.PublishRefused, AssetsMissing, OSError) as exc:
        audit.log(store, actor.email, audit.Action.SITE_PUBLISHED, audit.Outcome.FAILURE, target=str(folder),
                  detail=str(exc))
        raise
    audit.log(store, actor.email, audit.Action.SITE_PUBLISHED, audit.Outcome.SUCCESS, target=str(folder),
              detail=f"{report.pages} pages, {report.charts} graphiques, version des données {report.data_version}")
    return report
