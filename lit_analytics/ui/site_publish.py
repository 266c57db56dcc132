"""The administrators' button that regenerates the public static site (`lit_analytics.site.refresh`)."""

from __future__ import annotations

import streamlit as st

from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.ui.cache import get_store


def publish_site_button(actor: Actor) -> None:
    """Under an expander, for administrators only: publish the site now (after a publication or a registry change;
    cron does it too with `publish-site --if-changed`)."""
    if not actor.is_admin:
        return
    from lit_analytics.site import builder, refresh
    from lit_analytics.site.assets import AssetsMissing
    with st.expander("Site public"):
        st.caption("Le site public statique montre les rapports publiés, le registre et les données ouvertes. "
                   "Régénérez-le après une publication ou un changement du registre (il est remplacé d'un coup ; "
                   "le précédent est conservé).")
        if st.button("Régénérer le site public", key="site_public_publier"):
            with st.spinner("Construction du site public…"):
                try:
                    report = refresh.publish_for(get_store(), actor)
                except (builder.PublishRefused, AssetsMissing, PermissionDenied, OSError) as exc:
                    st.error(str(exc))
                    return
            st.success(f"Site public publié : {report.pages} pages, {report.charts} graphiques.")
