"""Benchmark of the anomaly-detection job in local Spark (run it with scripts/bench-spark.sh).

For each size it generates synthetic HVFHV trips (fhvhv_generator, same months for every size so
that only the number of rows changes) and times, in ONE SparkSession (local[2]):
  * scan floor - read the two columns the job needs from the same files and count them
                 (count(pickup_datetime), count(driver_pay): decodes both columns; Parquet
                 aggregate push-down is off by default, so the values are really read);
  * agg pass   - the job's Spark part alone: read, bucket, aggregate, collect the periods
                 (shows how the job's time splits between the pass over the rows and fixed work);
  * grouped floor - the cheapest grouped aggregation Spark can run for the job: the same two
                 columns, ONE counter per period number (the job's key: count(driver_pay)),
                 collected; no sums, no features, nothing else;
  * commit floor  - the job's write_table() of a ONE-row table with the contract's columns: what
                 any Iceberg create-or-replace costs here, whatever the data;
  * job        - anomaly_detection.run() end to end: read, aggregate, model, Iceberg write;
                 its own step timings (summary: aggregate = read + aggregate + collect the
                 periods, model = lag + fit + score, write = namespace + Iceberg table) give
                 the breakdown table;
  * baseline   - naive_baseline.run(), the string-bucketing / row-UDF way, same model.
From these it prints a LOWER BOUND for any job with this contract on this machine: grouped floor
+ the job's own model step (fit + score with the cluster's parameters) + commit floor. These three
run one after the other (the model needs every period, the table needs the model), so no job that
groups in Spark, fits that forest and commits an Iceberg table can be faster; bound/floor shows the
best job/floor ratio reachable here, and job/bound how far the job is from it.
Before measuring, a warm-up runs them on a small data set (JVM start, jar loading, Python workers,
code generation and most JIT compilation are not measured). Every timed run builds a fresh
DataFrame from the files (nothing is cached by Spark: clearCache() before each run); the OS page
cache is warm for all alike, as the files were just written. Each figure is the median of --repeat
runs, the measurements interleaved. Data generation is timed separately, in no other figure.
The machine (CPUs) and the 1-minute load average before and after each size are printed: the
figures are wall times, so other work on the machine inflates them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from local_spark import JOB_DIR, build_session  # noqa: E402

sys.path.insert(0, str(JOB_DIR))
import anomaly_detection  # noqa: E402
import fhvhv_generator  # noqa: E402
import naive_baseline  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402


def scan_floor(spark, path: Path) -> int:
    row = (spark.read.parquet(str(path)).select("pickup_datetime", "driver_pay")
           .agg(F.count("pickup_datetime"), F.count("driver_pay")).collect()[0])
    return row[0]


def agg_pass(spark, path: Path) -> None:
    with anomaly_detection.job_session_conf(spark):
        anomaly_detection.collect_periods(spark.read.parquet(str(path)))


def grouped_floor(spark, path: Path) -> None:
    with anomaly_detection.job_session_conf(spark):
        (spark.read.parquet(str(path))
         .groupBy(anomaly_detection.period_number(F.col("pickup_datetime")).alias("period"))
         .agg(F.count("driver_pay")).collect())


def commit_floor(spark, path: Path) -> None:
    one_row = spark.sql("SELECT " + ", ".join(f"CAST(NULL AS {kind}) AS `{name}`"
                                               for name, kind in anomaly_detection.OUTPUT_COLUMNS))
    anomaly_detection.write_table(spark, one_row, "prediction.ad.commit_floor", "")


def job(spark, path: Path) -> dict:
    args = anomaly_detection.parse_args(["--input", str(path), "--namespace-location", ""])
    with contextlib.redirect_stdout(io.StringIO()):  # keep the job's summary line out of the table
        return anomaly_detection.run(spark, args)


def baseline(spark, path: Path) -> None:
    args = anomaly_detection.parse_args(["--input", str(path), "--namespace-location", "",
                                         "--output-table", "prediction.ad.iforest_naive"])
    naive_baseline.run(spark, args)


#: What is timed for each size, in this order and interleaved: result key, label, function.
MEASURED = (("floor", "floor", scan_floor), ("agg", "agg pass", agg_pass),
            ("grouped", "grouped floor", grouped_floor), ("commit", "commit floor", commit_floor),
            ("job", "job", job), ("baseline", "baseline", baseline))


def timed(spark, fn, path: Path):
    """(wall seconds, return value) of fn(spark, path)."""
    spark.catalog.clearCache()
    start = time.perf_counter()
    result = fn(spark, path)
    return time.perf_counter() - start, result


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return f"{os.cpu_count()} CPUs{f' ({model})' if model else ''}"


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the anomaly-detection job in local Spark.")
    parser.add_argument("--rows", type=int, nargs="+", default=[4_000_000, 16_000_000],
                        help="total trips per size (default: 4M 16M)")
    parser.add_argument("--months", nargs="+", default=["2020-09", "2020-10"],
                        help="months the rows are spread over (default: 2020-09 2020-10)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure, median (default: 3)")
    parser.add_argument("--warmup-rows", type=int, default=1_000_000,
                        help="total trips of the warm-up data set, not measured (default: 1M)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    parser.add_argument("--cores", type=int, default=2, help="local[N] (default: 2)")
    parser.add_argument("--shuffle-partitions", type=int, default=4,
                        help="spark.sql.shuffle.partitions (default: 4 = 2 x cores)")
    parser.add_argument("--work", type=Path, help="folder for data and warehouse (default: a temp dir, removed)")
    args = parser.parse_args(argv)
    if min(args.rows + [args.warmup_rows]) < len(args.months) or args.repeat < 1:
        parser.error("--rows and --warmup-rows must be >= the number of months and --repeat >= 1")

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    try:
        spark = build_session(work / "warehouse", app="anomaly-detection-bench", cores=args.cores,
                              shuffle_partitions=args.shuffle_partitions, driver_memory="4g")
        print(f"Spark {spark.version}, local[{args.cores}], shuffle partitions {args.shuffle_partitions}, "
              f"months {' '.join(args.months)}, median of {args.repeat}; machine: {machine()}", flush=True)

        warm = work / "data-warmup"
        fhvhv_generator.write_months(args.months, args.warmup_rows // len(args.months), warm,
                                     row_group_size=250_000)
        for _ in range(3):
            for key, _, fn in MEASURED:
                if key != "baseline":
                    fn(spark, warm)
        if not args.no_baseline:
            baseline(spark, warm)
        measured = [m for m in MEASURED if not (args.no_baseline and m[0] == "baseline")]

        results = []
        for rows in args.rows:
            data = work / f"data-{rows}"
            start = time.perf_counter()
            fhvhv_generator.write_months(args.months, rows // len(args.months), data)
            gen_s = time.perf_counter() - start
            times = {key: [] for key, _, _ in measured}
            summaries = []  # the job's own step timings
            load_before = load()
            for _ in range(args.repeat):
                for key, _, fn in measured:
                    elapsed, returned = timed(spark, fn, data)
                    times[key].append(elapsed)
                    if key == "job":
                        summaries.append(returned)
            result = {"rows": rows // len(args.months) * len(args.months), "gen": gen_s, "baseline": None,
                      **{key: statistics.median(t) for key, t in times.items()},
                      **{step: statistics.median(s[f"{step}_s"] for s in summaries)
                         for step in ("aggregate", "model", "write")}}
            results.append(result)
            runs = ", ".join(f"{label} {' '.join(f'{t:.2f}' for t in times[key])}" for key, label, _ in measured)
            print(f"  {result['rows']:,} rows, runs in s: {runs}; load average {load_before} -> {load()}",
                  flush=True)
            shutil.rmtree(data)

        print()
        header = f"{'rows':>12} {'generate s':>10} {'floor s':>8} {'agg pass s':>10} {'job s':>7} " \
                 f"{'job/floor':>9} {'job rows/s':>12} {'baseline s':>10} {'speedup':>8}"
        print(header)
        for r in results:
            base = f"{r['baseline']:10.2f} {r['baseline'] / r['job']:7.1f}x" if r["baseline"] else f"{'-':>10} {'-':>8}"
            print(f"{r['rows']:>12,} {r['gen']:10.1f} {r['floor']:8.2f} {r['agg']:10.2f} {r['job']:7.2f} "
                  f"{r['job'] / r['floor']:9.2f} {r['rows'] / r['job']:12,.0f} {base}")
        print(f"\njob breakdown (median s of its steps):\n{'rows':>12} {'aggregate':>10} {'model':>7} {'write':>7}"
              f" {'aggregate/floor':>16}")
        for r in results:
            print(f"{r['rows']:>12,} {r['aggregate']:10.2f} {r['model']:7.2f} {r['write']:7.2f} "
                  f"{r['aggregate'] / r['floor']:16.2f}")
        print(f"\nlower bound (grouped floor + model + commit floor; see the docstring):\n"
              f"{'rows':>12} {'grouped s':>9} {'model s':>7} {'commit s':>8} {'bound s':>7} {'bound/floor':>11} "
              f"{'job/floor':>9} {'job/bound':>9}")
        for r in results:
            bound = r["grouped"] + r["model"] + r["commit"]
            print(f"{r['rows']:>12,} {r['grouped']:9.2f} {r['model']:7.2f} {r['commit']:8.2f} {bound:7.2f} "
                  f"{bound / r['floor']:11.2f} {r['job'] / r['floor']:9.2f} {r['job'] / bound:9.2f}")
        if len(results) > 1:
            a, b = results[0], results[-1]

            def per_million(key: str) -> float:
                return (b[key] - a[key]) / (b["rows"] - a["rows"]) * 1e6

            print(f"\nscaling {a['rows']:,} -> {b['rows']:,} rows (x{b['rows'] / a['rows']:.1f}): "
                  f"job time x{b['job'] / a['job']:.2f}, floor x{b['floor'] / a['floor']:.2f}")
            print(f"marginal cost per million rows: floor {per_million('floor'):.3f} s, "
                  f"agg pass {per_million('agg'):.3f} s, grouped floor {per_million('grouped'):.3f} s, job {per_million('job'):.3f} s"
                  + (f", baseline {per_million('baseline'):.3f} s" if a["baseline"] else "") + "; "
                  f"fixed part of the job (intercept) ~{a['job'] - per_million('job') * a['rows'] / 1e6:.2f} s")
        spark.stop()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
