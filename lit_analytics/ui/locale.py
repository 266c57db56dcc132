"""Streamlit glue: Streamlit's own interface in French, and the accessibility fixes its frontend needs.

Streamlit (1.67) hard-codes its interface strings in English in its frontend bundle (the file uploader's
« Drag and drop a file here », « Upload », « 200MB per file », the « Page not found » dialog, the sidebar's
« App pages », « Collapse sidebar »…) and has no locale setting. Its sidebar navigation with sections is an
invalid list (`<ul>` › `<div>` › `<li>`: axe-core's `list` and `listitem` rules, WCAG 1.3.1).

`apply()` mounts, once per script run, an invisible `st.components.v2` component (no iframe: its script
runs in the app's page) that
- translates Streamlit's default strings, in text and in `aria-label` / `title` / `placeholder` /
  `data-title` attributes, now and whenever Streamlit draws them (a MutationObserver), from the exact
  tables `TEXTS` / `PATTERNS` / `ATTRIBUTES` (of `streamlit_compat`: Streamlit 1.67's own strings);
- gives the navigation sections list semantics (each section a labelled list of its links) and the page
  `lang="fr"`;
and adds the shared CSS: a visible focus ring on every focusable element (WCAG 2.4.7) and text colours with
a contrast of at least 4.5:1.

The page's own words (titles, labels, messages) are French in the page files; this module only deals with
what Streamlit writes itself. tests/test_browser_accessibility.py checks every page for the English strings
of `tests/support/streamlit_english.py` and runs axe-core on it.
"""

from __future__ import annotations

import json

import streamlit as st

from lit_analytics.ui import streamlit_compat

# What Streamlit 1.67's frontend writes in English (→ French) and the test ids queried below: streamlit_compat.
TEXTS, PATTERNS = streamlit_compat.TEXTS, streamlit_compat.PATTERNS
ATTRIBUTES, ATTRIBUTE_PATTERNS = streamlit_compat.ATTRIBUTES, streamlit_compat.ATTRIBUTE_PATTERNS
_IDS = streamlit_compat.TEST_IDS

CSS = ("""
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
.stApp [data-testid="__caption__"], .stApp [data-testid="__uploader_instructions__"] span,
.stApp [data-testid="__metric_label__"] p {
  color: #3A3A3A !important;
  opacity: 1 !important;
}
/* The locale component takes no room. */
.stApp .__key__lit-locale, .stApp .__key__lit-locale * { display: none !important; }
""".replace("__caption__", _IDS["caption"]).replace("__uploader_instructions__", _IDS["uploader_instructions"])
       .replace("__metric_label__", _IDS["metric_label"]).replace("__key__", streamlit_compat.KEY_CLASS_PREFIX))

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
    const ul = document.querySelector("[data-testid='__NAV_ITEMS__']");
    if (!ul) return;
    const sections = Array.from(ul.children).filter((c) => c.tagName === "DIV");
    if (!sections.length) return;
    if (ul.getAttribute("role") !== "none") ul.setAttribute("role", "none");
    for (const div of sections) {
      const header = div.querySelector("[data-testid='__NAV_SECTION_HEADER__']");
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
            .replace("__ATTR_PATTERNS__", json.dumps(ATTRIBUTE_PATTERNS, ensure_ascii=False))
            .replace("__NAV_ITEMS__", _IDS["nav_items"]).replace("__NAV_SECTION_HEADER__", _IDS["nav_section_header"]))


_component = st.components.v2.component("lit_locale", html="<span></span>", css=CSS, js=_script(),
                                        isolate_styles=False)


def apply() -> None:
    """Streamlit's interface in French and the accessibility fixes, for this page (call once per run)."""
    _component(key="lit-locale")
