#!/usr/bin/env bash
# Benchmark (not a test) of the dashboard's data path under load: builds the seed demo's real path
# as the e2e suite does (scripts/test-e2e.sh: MinIO, the Jobs, PostgreSQL, the Hive metastores, the
# Spark job, OPA, Trino, Superset with the imported dashboard; test/e2e/test_e2e.py's hops), then
# CLIENTS concurrent clients load the dashboard's chart data through Superset -> Trino -> OPA for
# SECONDS (test/e2e/bench_load.py says what one load is and why 20 clients) and prints throughput,
# latency p50/p95/p99 and errors (the line starting "e2e load:").
# Usage: scripts/bench-load.sh [--clients 20] [--seconds 60] [--rows-per-month 700000]
# Uses the e2e suite's cached tools; takes about 5 minutes plus SECONDS.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

clients=20 seconds=60 rows=700000
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rows-per-month) rows="$2"; shift 2 ;;
    *) log "bench-load: unknown argument $1 (--clients N, --seconds S, --rows-per-month R)"; exit 2 ;;
  esac
done
case "$clients$seconds$rows" in *[!0-9]*) log "bench-load: --clients, --seconds and --rows-per-month take whole numbers"; exit 2 ;; esac
[ "$clients" -ge 1 ] || { log "bench-load: --clients must be at least 1"; exit 2; }

E2E_ONLY=demo E2E_DEMO_TESTS="test/e2e/test_e2e.py test/e2e/bench_load.py" \
  E2E_LOAD_CLIENTS="$clients" E2E_LOAD_SECONDS="$seconds" E2E_ROWS_PER_MONTH="$rows" \
  exec bash "$REPO_ROOT/scripts/test-e2e.sh"
