#!/usr/bin/env bash
# Set up (if needed, including the test tools of requirements-dev.txt, Debian's chromium and the test OIDC provider)
# and run the whole test suite, browser tests included.
# Screenshots and other artifacts land in test-artifacts/.
#
# The tests run with a throwaway home directory (and XDG folders): nothing a developer's home holds (DuckDB's
# ~/.duckdb extensions, caches, configuration) can make a test pass that would fail on a fresh server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser --tests
THROWAWAY_HOME=$(mktemp -d -t lit-test-home.XXXXXX)
trap 'rm -rf "$THROWAWAY_HOME"' EXIT
export HOME="$THROWAWAY_HOME"
export XDG_CACHE_HOME="$THROWAWAY_HOME/.cache" XDG_CONFIG_HOME="$THROWAWAY_HOME/.config"
export XDG_DATA_HOME="$THROWAWAY_HOME/.local/share" XDG_STATE_HOME="$THROWAWAY_HOME/.local/state"
.venv/bin/python -m pytest "$@"
