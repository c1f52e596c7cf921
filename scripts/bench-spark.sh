#!/usr/bin/env bash
# Benchmark (not a test) of the PySpark anomaly-detection job in local Spark: for each size it
# prints wall time, rows/s, the scan floor (reading just the job's two columns), job/floor, and the
# speed-up over a naive baseline (string bucketing + row-at-a-time UDF). See test/spark/bench_spark.py
# for exactly what is timed.
# Usage: scripts/bench-spark.sh [--rows 4000000 16000000] [--repeat 3] [--no-baseline] [--months ...]
#                               [--warmup-rows 1000000] [--cores 2] [--work DIR]
# Uses the same cached venv and Iceberg jar as scripts/test-spark.sh. Takes several minutes.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

exec_spark_python test/spark/bench_spark.py "$@"
