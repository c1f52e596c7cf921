#!/usr/bin/env bash
# Quality benchmark (not a test) of the PySpark anomaly-detection job in local Spark: on generated
# trips with injected anomalies of several shapes, several seeds and sizes, it prints precision at
# k, recall, echo flags, the stability of the flagged set and the anomalous days shown (and normal
# days shown), for the job's features and, side by side, the previous ones. See
# test/spark/bench_quality.py for exactly what is measured.
# Usage: scripts/bench-quality.sh [--rows 4000000 16000000] [--seeds 1 2 3 | --seed-count 20] [--months ...]
#                                 [--scenario quality days random default ...]
#                                 [--contamination 0.005] [--n-estimators 200] [--cores 2] [--work DIR]
# Uses the same cached venv and Iceberg jar as scripts/test-spark.sh. Takes a few minutes.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

exec_spark_python test/spark/bench_quality.py "$@"
