#!/usr/bin/env bash
# Set up (if needed) and run the dashboard on http://localhost:8501. With no database at $LIT_DB or
# data/lit.duckdb, the app builds the demo database on first start. Chromium is installed for exports.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser
exec .venv/bin/streamlit run app.py "$@"
