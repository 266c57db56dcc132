"""Briefing exports: chart images (PNG/SVG/PDF through kaleido and the system Chromium), data tables
(CSV for French Excel, XLSX), and slide decks (PPTX, and the same deck as PDF).

Everything here takes data (charts from the catalogue, DataFrames) and returns bytes; nothing here queries
the database directly.
"""
