"""The public site: a static open-data site of the programme in the State's design system (DSFR), built from the
chart catalogue and showing only what is published (`python -m lit_analytics publish-site`).

`builder` (pages, atomic publication), `content` (page models read from the store), `charts` (the catalogue's
charts as SVG with their tables), `opendata` (the Frictionless data package), `assets` (the DSFR's files), `swap`
(the atomic swap); Jinja2 templates in `templates/`.
"""
