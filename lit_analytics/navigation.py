"""The one registry of the app's pages: what each page is called, where its script is, which group of the
navigation it sits in, which catalogue charts it shows and who may see it.

Read by `app.py` (which builds its `st.Page`s from it), by `catalogue` (the charts of each page), by the
benchmarks and by the tests. Plain data: importable without Streamlit.

    for page in pages_for("analyste"):
        page.title, page.script, page.url_path, page.charts
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNED_IN = frozenset({"admin", "analyste", "porteur"})   # every role of `permissions.ROLES`
ADMINS = frozenset({"admin"})

DASHBOARD = "Tableau de bord"
REPORTS = "Dépôts"             # quarterly uploads and reporting status (issue: dépôts trimestriels)
ADMINISTRATION = "Administration"   # accounts and audit log, administrators only (issue: contrôle d'accès)
GROUPS = (DASHBOARD, REPORTS, ADMINISTRATION)   # in navigation order


@dataclass(frozen=True)
class PageEntry:
    """One page of the app."""
    id: str                    # also the name pages and the catalogue use (`charts_for_page("carte")`)
    title: str                 # French, as the navigation shows it
    icon: str                  # a Material icon, Streamlit's `:material/name:` syntax
    script: str                # relative to the repository root
    url_path: str              # the page's address: /carte
    group: str | None          # its section of the navigation; None: never listed (the sign-in page)
    charts: tuple[str, ...] = ()        # catalogue chart ids it shows, in display order
    roles: frozenset[str] = SIGNED_IN   # who sees it in the navigation once signed in
    default: bool = False      # the page of "/"


PAGES: tuple[PageEntry, ...] = (
    PageEntry("accueil", "Vue d'ensemble", ":material/home:", "pages/accueil.py", "accueil", DASHBOARD,
              ("projets-par-etape", "evolution-activite", "reference-ditp"), default=True),
    PageEntry("carte", "Carte", ":material/map:", "pages/carte.py", "carte", DASHBOARD, ("carte",)),
    PageEntry("indicateurs", "Indicateurs d'impact", ":material/trending_up:", "pages/indicateurs.py",
              "indicateurs", DASHBOARD,
              ("projets-etapes-trimestre", "projets-par-theme", "partenaires", "sessions-trimestre",
               "participants-trimestre", "part-essaimage", "comparaison-laboratoires")),
    PageEntry("financements", "Financements", ":material/euro:", "pages/financements.py", "financements",
              DASHBOARD, ("financements-trimestre", "engage-verse", "financements-cumules",
                          "financements-laboratoires", "financements-regions", "regles-pia")),
    # the lab profile reuses charts with the lab as filter
    PageEntry("laboratoires", "Laboratoires", ":material/account_balance:", "pages/laboratoires.py",
              "laboratoires", DASHBOARD, ("projets-etapes-trimestre", "sessions-trimestre", "financements-cumules")),
    PageEntry("note", "Note de synthèse", ":material/description:", "pages/note.py", "note", DASHBOARD),
    PageEntry("definitions", "Définitions", ":material/menu_book:", "pages/definitions.py", "definitions",
              DASHBOARD),
    PageEntry("depot", "Dépôt trimestriel", ":material/upload_file:", "pages/depot.py", "depot", REPORTS),
    PageEntry("suivi_depots", "Suivi des dépôts", ":material/calendar_month:", "pages/suivi_depots.py",
              "suivi-depots", REPORTS),
    PageEntry("comptes", "Comptes", ":material/group:", "pages/comptes.py", "comptes", ADMINISTRATION,
              roles=ADMINS),
    PageEntry("referentiel", "Référentiel", ":material/database:", "pages/referentiel.py", "referentiel",
              ADMINISTRATION, roles=ADMINS),
    PageEntry("journal", "Journal d'audit", ":material/history:", "pages/journal.py", "journal", ADMINISTRATION,
              roles=ADMINS),
    PageEntry("evenements", "Événements", ":material/event:", "pages/evenements.py", "evenements",
              ADMINISTRATION, roles=ADMINS),
    # Signed out, every address shows the sign-in form (app.py's gate); signed in, /connexion says who is.
    PageEntry("connexion", "Connexion", ":material/login:", "pages/connexion.py", "connexion", None,
              roles=frozenset()),
)

BY_ID: dict[str, PageEntry] = {page.id: page for page in PAGES}
SIGN_IN = BY_ID["connexion"]


def page(page_id: str) -> PageEntry:
    return BY_ID[page_id]


def pages_for(role: str) -> list[PageEntry]:
    """The pages a role sees in the navigation, in order (groups in `GROUPS` order)."""
    return [p for group in GROUPS for p in PAGES if p.group == group and role in p.roles]


def sections_for(role: str) -> dict[str, list[PageEntry]]:
    """The navigation of a role: group → its pages, groups in order, empty groups left out."""
    sections: dict[str, list[PageEntry]] = {}
    for p in pages_for(role):
        sections.setdefault(p.group, []).append(p)
    return sections


def chart_pages() -> dict[str, str]:
    """Pages that show catalogue charts: id → French title, in navigation order."""
    return {p.id: p.title for p in PAGES if p.charts}


def page_charts() -> dict[str, list[str]]:
    """The catalogue charts of each page that has some, in display order."""
    return {p.id: list(p.charts) for p in PAGES if p.charts}
