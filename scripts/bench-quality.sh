#!/usr/bin/env bash
# Quality benchmark (not a test) of the PySpark anomaly-detection job in local Spark: on generated
# trips with injected anomalies of several shapes, several seeds and sizes, it prints precision at
# k, recall, echo flags and the stability of the flagged set, for the job's features and, side by
# side, the previous ones. See test/spark/bench_quality.py for exactly what is measured.
# Usage: scripts/bench-quality.sh [--rows 4000000 16000000] [--seeds 1 2 3] [--months ...] [--scenario quality]
#                                 [--contamination 0.005] [--n-estimators 200] [--cores 2] [--work DIR]
# Uses the same cached venv and Iceberg jar as scripts/test-spark.sh. Takes a few minutes.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

venv="$(ensure_venv spark test/spark/requirements.txt)"
ICEBERG_JAR="$(ensure_maven_jar org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0)"
export ICEBERG_JAR DEMO_CACHE_DIR PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" test/spark/bench_quality.py "$@" 2> >(grep -v -E '^(WARNING|Using Spark|Setting default log level|To adjust logging|[0-9/]+ [0-9:]+ WARN )' >&2)
