"""Streamlit glue: Streamlit's own interface in French, and the accessibility fixes its frontend needs.

Streamlit (1.67) hard-codes its interface strings in English in its frontend bundle (the file uploader's
« Drag and drop a file here », « Upload », « 200MB per file », the « Page not found » dialog, the sidebar's
« App pages », « Collapse sidebar »…) and has no locale setting. Its sidebar navigation with sections is an
invalid list (`<ul>` › `<div>` › `<li>`: axe-core's `list` and `listitem` rules, WCAG 1.3.1).

`apply()` mounts, once per script run, an invisible `st.components.v2` component (no iframe: its script
runs in the app's page) that
- translates Streamlit's default strings, in text and in `aria-label` / `title` / `placeholder` /
  `data-title` attributes, now and whenever Streamlit draws them (a MutationObserver), from the exact
  table `TEXTS` / `PATTERNS` / `ATTRIBUTES` below;
- gives the navigation sections list semantics (each section a labelled list of its links) and the page
  `lang="fr"`;
and adds the shared CSS: a visible focus ring on every focusable element (WCAG 2.4.7) and text colours with
a contrast of at least 4.5:1.

The page's own words (titles, labels, messages) are French in the page files; this module only deals with
what Streamlit writes itself. tests/test_browser_accessibility.py checks every page for the English strings
of `ENGLISH_DEFAULTS` and runs axe-core on it.
"""

from __future__ import annotations

import json

import streamlit as st

# Exact text of a text node (after trimming) → French.
TEXTS: dict[str, str] = {
    # file uploader
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop directories here": "Glissez-déposez des dossiers ici",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir un dossier",
    "Browse files": "Parcourir",
    # page not found, errors, dialogs
    "Page not found": "Page introuvable",
    "Close": "Fermer",
    "Cancel": "Annuler",
    "Copy": "Copier",
    "Try again": "Réessayer",
    "Traceback:": "Trace :",
    "An error has occurred, please try again.": "Une erreur est survenue, veuillez réessayer.",
    "Script execution error": "Erreur d'exécution",
    # navigation and menus
    "View less": "Voir moins",
    "Skip to main content": "Aller au contenu principal",
    "Rerun": "Relancer",
    "Print": "Imprimer",
    "Clear cache": "Vider le cache",
    "Clear caches": "Vider les caches",
    "About": "À propos",
    "Settings": "Paramètres",
    "Record a screencast": "Enregistrer l'écran",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    # selects, tables
    "No results": "Aucun résultat",
    "No data": "Aucune donnée",
    "No content": "Aucun contenu",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "Select...": "Choisir…",
    "Select all": "Tout sélectionner",
    "Clear selection": "Effacer la sélection",
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer le formulaire",
}

# Regular expressions (JavaScript syntax, whole trimmed text) → French replacement ($1… groups).
PATTERNS: list[tuple[str, str]] = [
    (r"^([\d.,]+)\s?KB per file$", "$1 Ko par fichier"),
    (r"^([\d.,]+)\s?MB per file$", "$1 Mo par fichier"),
    (r"^([\d.,]+)\s?GB per file$", "$1 Go par fichier"),
    (r"^([\d.,]+)\s?B per file$", "$1 octets par fichier"),
    (r"^View (\d+) more$", "Voir $1 de plus"),
    (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
     "La page demandée n'existe pas. Voici la page d'accueil de l'application."),
    (r"^You have requested page (/\S*), but no corresponding file was found in the app's pages/ directory\. "
     r"Running the app's main page\.$",
     "La page $1 n'existe pas. Voici la page d'accueil de l'application."),
    (r"^Press Enter to (.+)$", "Appuyez sur Entrée pour valider"),
]

# Attribute values (aria-label, title, placeholder, data-title) → French.
ATTRIBUTES: dict[str, str] = {
    "App pages": "Pages de l'application",
    "Add row": "Ajouter une ligne",
    "Delete row(s)": "Supprimer la ou les lignes",
    "Sidebar": "Panneau latéral",
    "Collapse sidebar": "Replier le panneau latéral",
    "Expand sidebar": "Déplier le panneau latéral",
    "Main menu": "Menu principal",
    "Navigate to home page": "Aller à la page d'accueil",
    "Running...": "Calcul en cours…",
    "Stop script": "Arrêter le calcul",
    "Notifications": "Notifications",
    "Close": "Fermer",
    "Open": "Ouvrir",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Clear entry": "Effacer",
    "Selected values": "Valeurs choisies",
    "Add files": "Ajouter des fichiers",
    "Link to heading": "Lien vers ce titre",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Next month": "Mois suivant",
    "Previous month": "Mois précédent",
    "Next page": "Page suivante",
    "Previous page": "Page précédente",
    "Pagination": "Pagination",
    "Dataframe column menu": "Menu de la colonne",
    "Scroll tabs left": "Faire défiler les onglets vers la gauche",
    "Scroll tabs right": "Faire défiler les onglets vers la droite",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Close Search": "Fermer la recherche",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Toggle fullscreen": "Plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Copy to clipboard": "Copier",
    "Select...": "Choisir…",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "No results": "Aucun résultat",
    # plotly's mode bar (tooltips)
    "Download plot as a png": "Télécharger le graphique en PNG",
    "Download plot as a PNG": "Télécharger le graphique en PNG",
    "Zoom": "Zoomer",
    "Pan": "Déplacer",
    "Box Select": "Sélection rectangulaire",
    "Lasso Select": "Sélection au lasso",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Autoscale": "Échelle automatique",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Reset": "Réinitialiser",
    "Produced with Plotly.js": "Réalisé avec Plotly.js",
}
ATTRIBUTE_PATTERNS: list[tuple[str, str]] = [
    (r"^Remove (.+)$", "Retirer $1"),
    (r"^Upload (.+)$", "Choisir $1"),
    (r"^Download as (\w+)$", "Télécharger en $1"),
]

# Streamlit's default English strings that must never be visible (checked by the browser tests on the
# text of every page).
ENGLISH_DEFAULTS: list[str] = [
    "Drag and drop", "per file", "Browse files", "Upload", "Page not found", "does not seem to exist",
    "Running the app's main page", "View less", "Skip to main content", "No results", "Choose an option",
    "Choose options", "Press Enter", "Select...", "Clear all", "App pages", "Collapse sidebar", "Expand sidebar",
    "Running...", "Stop script", "Main menu", "Download as CSV", "Show/hide columns", "Fullscreen", "No data",
    "Made with Streamlit", "Deploy", "Rerun", "Record a screencast", "Clear cache", "Traceback", "Try again",
]

CSS = """
/* Visible focus for keyboard users on every focusable element (WCAG 2.4.7). */
.stApp a:focus-visible, .stApp button:focus-visible, .stApp input:focus-visible, .stApp textarea:focus-visible,
.stApp [role="button"]:focus-visible, .stApp [role="tab"]:focus-visible, .stApp [role="option"]:focus-visible,
.stApp [role="radio"]:focus-visible, .stApp [role="checkbox"]:focus-visible, .stApp summary:focus-visible,
.stApp [tabindex]:focus-visible {
  outline: 3px solid #000091 !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #FFFFFF !important;
}
.stApp [data-baseweb="select"]:focus-within, .stApp [data-baseweb="input"]:focus-within {
  outline: 3px solid #000091; outline-offset: 2px;
}
/* Captions and secondary text: Streamlit draws them at 60 % opacity; solid #3A3A3A instead (10.9:1 on white,
   10.0:1 on the sidebar's #F6F6F6), whatever the theme's text colour. */
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stFileUploaderDropzoneInstructions"] span,
.stApp [data-testid="stMetricLabel"] p {
  color: #3A3A3A !important;
  opacity: 1 !important;
}
/* The locale component takes no room. */
.stApp .st-key-lit-locale, .stApp .st-key-lit-locale * { display: none !important; }
"""

_JS = """
export default function (component) {
  if (window.__litLocale) { window.__litLocale.sweep(document.body); return; }
  const TEXTS = __TEXTS__, PATTERNS = __PATTERNS__.map(([p, r]) => [new RegExp(p), r]);
  const ATTRS = __ATTRS__, ATTR_PATTERNS = __ATTR_PATTERNS__.map(([p, r]) => [new RegExp(p), r]);
  const NAMES = ["aria-label", "title", "placeholder", "data-title"];

  function french(value, exact, patterns) {
    const trimmed = value.trim();
    if (!trimmed) return null;
    if (Object.prototype.hasOwnProperty.call(exact, trimmed)) return value.replace(trimmed, exact[trimmed]);
    for (const [re, to] of patterns) if (re.test(trimmed)) return value.replace(trimmed, trimmed.replace(re, to));
    return null;
  }
  function text(node) {
    const fr = french(node.nodeValue, TEXTS, PATTERNS);
    if (fr !== null && fr !== node.nodeValue) node.nodeValue = fr;
  }
  function attrs(el) {
    for (const name of NAMES) {
      const value = el.getAttribute && el.getAttribute(name);
      if (!value) continue;
      const fr = french(value, ATTRS, ATTR_PATTERNS);
      if (fr !== null && fr !== value) el.setAttribute(name, fr);
    }
  }
  function navigation(root) {
    // Streamlit's sections: <ul> › <div> (header + <li>…) — give each section list semantics.
    const ul = document.querySelector("[data-testid='stSidebarNavItems']");
    if (!ul) return;
    const sections = Array.from(ul.children).filter((c) => c.tagName === "DIV");
    if (!sections.length) return;
    if (ul.getAttribute("role") !== "none") ul.setAttribute("role", "none");
    for (const div of sections) {
      const header = div.querySelector("[data-testid='stNavSectionHeader']");
      const name = header ? header.innerText.trim() : "";
      if (div.getAttribute("role") !== "list") div.setAttribute("role", "list");
      if (name && div.getAttribute("aria-label") !== name) div.setAttribute("aria-label", name);
      if (header && header.getAttribute("role") !== "none") {
        header.setAttribute("role", "none");
        header.setAttribute("aria-hidden", "true");
      }
    }
    for (const li of Array.from(ul.children).filter((c) => c.tagName === "LI"))
      if (li.getAttribute("role") !== "listitem") li.setAttribute("role", "listitem");
  }
  function sweep(root) {
    if (!root) return;
    if (root.nodeType === Node.TEXT_NODE) { text(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    attrs(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let node;
    while ((node = walker.nextNode())) node.nodeType === Node.TEXT_NODE ? text(node) : attrs(node);
  }
  function all() {
    document.documentElement.setAttribute("lang", "fr");
    sweep(document.body);
    navigation();
  }
  const observer = new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "characterData") text(m.target);
      else if (m.type === "attributes") attrs(m.target);
      else m.addedNodes.forEach(sweep);
    }
    navigation();
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: NAMES});
  window.__litLocale = {sweep: all};
  all();
}
"""


def _script() -> str:
    return (_JS.replace("__TEXTS__", json.dumps(TEXTS, ensure_ascii=False))
            .replace("__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False))
            .replace("__ATTRS__", json.dumps(ATTRIBUTES, ensure_ascii=False))
            .replace("__ATTR_PATTERNS__", json.dumps(ATTRIBUTE_PATTERNS, ensure_ascii=False)))


_component = st.components.v2.component("lit_locale", html="<span></span>", css=CSS, js=_script(),
                                        isolate_styles=False)


def apply() -> None:
    """Streamlit's interface in French and the accessibility fixes, for this page (call once per run)."""
    _component(key="lit-locale")
