"""Developer tooling, kept out of the runtime package `lit_analytics/`: the app never imports it.

* `devtools.bench` — the benchmarks behind `python -m lit_analytics bench`, `bench-import`, `bench-export`,
  `bench-load`, each rewriting its section of `docs/benchmarks.md`;
* `devtools.hostile_files` — hostile and broken upload files with the errors they must get (tests, `bench-import`);
* `devtools.servers` — throwaway servers on this machine: app replicas (`streamlit run`), Debian's HAProxy with the
  configuration committed as `deploy/haproxy.cfg`, and the one throwaway PostgreSQL cluster used by the tests and
  the benchmarks.

It needs the development requirements (`requirements-dev.txt`, installed by `./scripts/setup.sh --tests`:
Frictionless, the Debian packages `postgresql` and `haproxy`…). The command line imports it lazily, from the
repository root, and says in French what to install when it is missing (`lit_analytics/cli/bench.py`).
"""
