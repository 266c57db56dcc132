#!/usr/bin/env bash
# Prepare a fresh machine: a virtualenv in .venv with the pinned requirements (re-installed only when
# requirements.txt changes); with --browser, Debian's chromium (image exports, browser tests); with --tests,
# what the test suite needs besides (the OpenID Connect provider of the sign-in tests, Debian's PostgreSQL for the
# tests on a PostgreSQL store, Debian's HAProxy for the replicas test and `bench-load`).
set -euo pipefail
cd "$(dirname "$0")/.."

BROWSER=no; TESTS=no
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=yes ;;
    --tests) TESTS=yes ;;
    *) echo "option inconnue : $arg" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi

if [ "$BROWSER" = yes ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installation de chromium (paquet Debian)…"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The browser tests of the sign-in run a real OpenID Connect provider on localhost (npm `oidc-provider`,
# pinned in tests/oidc/package-lock.json), installed once from the npm registry (again only when the lock changes).
if [ "$TESTS" = yes ]; then
  # A throwaway PostgreSQL cluster is started by the tests themselves (initdb/pg_ctl in a temporary directory);
  # the package's own cluster is not used. HAProxy runs in the foreground from the tests and the benchmark.
  missing=""
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
  if [ -n "$missing" ]; then
    echo "Installation de$missing (paquets Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installation de nodejs et npm (paquets Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  oidc_stamp=tests/oidc/node_modules/.package-lock.sha256
  oidc_want=$(sha256sum tests/oidc/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$oidc_stamp" 2>/dev/null)" != "$oidc_want" ]; then
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
    echo "$oidc_want" > "$oidc_stamp"
  fi
fi
