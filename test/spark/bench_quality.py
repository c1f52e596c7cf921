"""Quality benchmark of the anomaly-detection job (run it with scripts/bench-quality.sh): does it
flag the anomalous half hours, and only them? A script that prints, not a timed test.

For each scenario, seed and size it generates a scenario of fhvhv_generator (4 months by default;
``quality``, the default: collapses, surges, a shifted morning rush hour, a whole anomalous day, a
quiet holiday-like day, surges at month boundaries, a collapse in the repeated DST hour;
``days``: collapses, surges and whole days quieter and busier, of several sizes, on weekdays and
weekends; ``random``: collapses, surges and whole days of random sizes at random positions drawn
from the seed; ``default``: only a collapse and a surge a month: see the generator's docstring), runs the job's own aggregation pass in local Spark (collect_periods) and
scores the periods twice with the job's parameters (default: the cluster's):
  * ``new``      - the job's model step as it runs (anomaly_detection.score_table: deviation
                   features from a robust baseline, see add_features);
  * ``previous`` - the features the job used before (rides, total and average pay, norides_lag =
                   rides of the same half hour one day earlier, time of day, day of week), kept
                   here only, for comparison (previous_features), with the same forest and rule.
Per run it prints:
  * k          - the injected periods after the job's one-day warm-up (fhvhv_generator.injected_periods;
                 a period without any ride has no row and counts as missed);
  * p@k        - precision at k: the share of injected periods among the k highest scores. Ties are
                 broken against the injected periods (a period tied with normal ones is not found);
  * flagged    - periods labelled pred = -1; inj = of them injected; recall = inj / k;
  * echo       - flagged periods that are not injected but the same half hour one day before or
                 after an injected one;
  * hk, hprec, hrec - the same for the half-hour anomalies alone (injected periods of kinds that do
                 not change a whole day): hk of them; hprec = flagged half-hour periods / flagged
                 periods outside the anomalous days; hrec = flagged half-hour periods / hk;
  * per kind   - the share of each kind's injected periods among the k highest scores (p@k per shape);
  * days       - whole anomalous days of the scenario after the warm-up (fhvhv_generator.day_anomalies);
                 shown = of them, days the table shows as anomalous (day_pred = -1 on their periods);
                 false = days shown that have no whole-day anomaly (normal days shown: every
                 other day of the data is normal as a day). Only the job's features (``new``)
                 have day_pred; ``previous`` prints "-".
Then per scenario, seed and feature set, the stability of the flagged set across the sizes (same seed: same
day-to-day variation and anomalies, only the sampling noise of the trips differs), and the targets.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from local_spark import JOB_DIR, build_session  # noqa: E402

sys.path.insert(0, str(JOB_DIR))
import anomaly_detection as ad  # noqa: E402
import fhvhv_generator  # noqa: E402

#: The job's features before the deviation features (for comparison only; not in the job).
PREVIOUS_FEATURES = ["norides", "total_bill", "avg_bill", "norides_lag", "time_of_day", "pickup_dayofweek"]
FEATURE_SETS = ("new", "previous")
KINDS = ("collapse", "surge", "rush", "day", "holiday", "month-start", "dst", "quieter-day", "busier-day")
#: Kinds with target precision 1.0; the others (subtler shapes) 0.9.
SHARP_KINDS = ("collapse", "surge")


def previous_features(periods: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The previous model step: norides_lag and the warm-up (the job's add_lag), then the forest
    on PREVIOUS_FEATURES (missing pay -> 0), exactly as the job computed them before."""
    lagged = ad.add_lag(periods)
    features = lagged.assign(
        time_of_day=lagged["pickup_hour"] + (lagged["pickup_minute_group"] == "30") * 0.5
    )[PREVIOUS_FEATURES].fillna(0.0).to_numpy(dtype="float64")
    pred, score = ad.score_features(features, args)
    return lagged.assign(pred=pred, score=score)


def score(periods: pd.DataFrame, features: str, args: argparse.Namespace) -> pd.DataFrame:
    return ad.score_table(periods, args) if features == "new" else previous_features(periods, args)


def evaluate(scored: pd.DataFrame, injected: dict[dt.datetime, str],
             anomalous_days: dict[dt.date, str] | None = None) -> dict:
    """The figures of one run (see the module docstring) from a scored table, the injected periods
    and the whole anomalous days (day figures only if the table has day_pred)."""
    starts = pd.to_datetime(scored["period_us"].to_numpy(dtype="int64"), unit="us")
    first = starts.min()
    injected = {pd.Timestamp(t): kind for t, kind in injected.items() if pd.Timestamp(t) >= first}
    is_injected = starts.isin(list(injected))
    k = len(injected)
    # highest score first; among equal scores the normal periods first (ties count against us)
    order = np.lexsort((is_injected, -scored["score"].to_numpy()))
    top = set(starts[order[:k]])
    flagged = set(starts[scored["pred"].to_numpy() == -1])
    day = pd.Timedelta(days=1)
    echoes = {t for t in flagged - set(injected) if t - day in injected or t + day in injected}
    whole_day = {t for t, kind in injected.items() if kind in fhvhv_generator.DAY_KINDS}
    half_hours = set(injected) - whole_day
    outside_days = flagged - whole_day
    per_kind = {}
    for kind in KINDS:
        periods = [t for t, of in injected.items() if of == kind]
        if periods:
            per_kind[kind] = sum(t in top for t in periods) / len(periods)
    days = None
    if "day_pred" in scored:
        dates = pd.Series(starts.normalize(), index=scored.index)
        expected = {pd.Timestamp(d) for d in (anomalous_days or {}) if pd.Timestamp(d) >= first.normalize()}
        shown = set(dates[scored["day_pred"].to_numpy() == -1])
        days = {"anomalous": len(expected), "shown": len(shown & expected), "false": shown - expected}
    return {"k": k, "precision": len(top & set(injected)) / k if k else float("nan"), "days": days,
            "flagged": flagged, "flagged_injected": len(flagged & set(injected)),
            "recall": len(flagged & set(injected)) / k if k else float("nan"),
            "echoes": echoes, "per_kind": per_kind, "half_hour_k": len(half_hours),
            "half_hour_precision": len(outside_days & half_hours) / len(outside_days) if outside_days else float("nan"),
            "half_hour_recall": len(flagged & half_hours) / len(half_hours) if half_hours else float("nan")}


def run_one(spark, data: Path, months: list[str], scenario: str, seed: int,
            args: argparse.Namespace) -> dict[str, dict]:
    """Aggregate the files once with the job's Spark pass, score with both feature sets."""
    job_args = ad.parse_args(["--input", str(data), "--contamination", str(args.contamination),
                              "--n-estimators", str(args.n_estimators), "--random-state", str(args.random_state)])
    with ad.job_session_conf(spark):
        periods = ad.collect_periods(spark.read.parquet(str(data)))
    injected = fhvhv_generator.injected_periods(months, scenario, seed)
    days = fhvhv_generator.day_anomalies(months, scenario, seed)
    return {features: evaluate(score(periods, features, job_args), injected, days) for features in FEATURE_SETS}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Quality benchmark of the anomaly-detection job.")
    parser.add_argument("--rows", type=int, nargs="+", default=[4_000_000, 16_000_000],
                        help="total trips per size (default: 4M 16M)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="generator seeds (default: 1 2 3)")
    parser.add_argument("--seed-count", type=int, metavar="N",
                        help="generator seeds 1 .. N instead of --seeds (e.g. --scenario random --seed-count 20)")
    parser.add_argument("--months", nargs="+", default=["2020-09", "2020-10", "2020-11", "2020-12"],
                        help="months of the data (default: 2020-09 .. 2020-12)")
    parser.add_argument("--scenario", choices=fhvhv_generator.SCENARIOS, nargs="+", default=["quality"],
                        help="injected anomalies, one or more scenarios (default: quality; default = a collapse "
                             "and a surge a month; days = whole days of several sizes; random = drawn from the seed)")
    parser.add_argument("--contamination", type=float, default=0.005)
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--random-state", type=int, default=42)
    parser.add_argument("--cores", type=int, default=2, help="local[N] (default: 2)")
    parser.add_argument("--work", type=Path, help="folder for data and warehouse (default: a temp dir, removed)")
    args = parser.parse_args(argv)
    if args.seed_count is not None:
        if args.seed_count < 1:
            parser.error(f"--seed-count must be >= 1, got {args.seed_count}")
        args.seeds = list(range(1, args.seed_count + 1))
    if min(args.rows) < len(args.months):
        parser.error("--rows must be >= the number of months")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-quality-"))
    start = time.perf_counter()
    try:
        spark = build_session(work / "warehouse", app="anomaly-detection-quality", cores=args.cores,
                              driver_memory="4g")
        print(f"Spark {spark.version}, local[{args.cores}]; scenario {' '.join(args.scenario)}, months {' '.join(args.months)}; "
              f"contamination {args.contamination}, {args.n_estimators} trees, max samples 0.7, "
              f"forest seed {args.random_state}; load average {os.getloadavg()[0]:.2f}", flush=True)
        results = {}  # (scenario, seed, rows) -> {features: figures}
        for scenario in args.scenario:
            for seed in args.seeds:
                for rows in args.rows:
                    data = work / f"data-{scenario}-{seed}-{rows}"
                    fhvhv_generator.write_months(args.months, rows // len(args.months), data, seed=seed,
                                                 scenario=scenario)
                    results[scenario, seed, rows] = run_one(spark, data, args.months, scenario, seed, args)
                    shutil.rmtree(data)
        spark.stop()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'scenario':>8} {'seed':>4} {'rows':>11} {'features':>8} {'k':>4} {'p@k':>5} {'flagged':>7} {'inj':>4} "
          f"{'recall':>6} {'echo':>4} {'hk':>3} {'hprec':>5} {'hrec':>5} {'days':>4} {'shown':>5} {'false':>5}  " + " ".join(f"{kind:>11}" for kind in KINDS))
    for (scenario, seed, rows), by_features in results.items():
        for features in FEATURE_SETS:
            r = by_features[features]
            kinds = " ".join(f"{r['per_kind'][kind]:11.2f}" if kind in r["per_kind"] else f"{'-':>11}"
                             for kind in KINDS)
            days = (f"{r['days']['anomalous']:>4} {r['days']['shown']:>5} {len(r['days']['false']):>5}" if r["days"]
                    else f"{'-':>4} {'-':>5} {'-':>5}")
            print(f"{scenario:>8} {seed:>4} {rows:>11,} {features:>8} {r['k']:>4} {r['precision']:5.2f} "
                  f"{len(r['flagged']):>7} {r['flagged_injected']:>4} {r['recall']:6.2f} {len(r['echoes']):>4} "
                  f"{r['half_hour_k']:>3} {r['half_hour_precision']:5.2f} {r['half_hour_recall']:5.2f} "
                  f"{days}  {kinds}")

    print(f"\nstability of the flagged set across sizes ({' '.join(f'{rows:,}' for rows in args.rows)} rows):")
    print(f"{'scenario':>8} {'seed':>4} {'features':>8} {'flagged per size':>18} {'in all':>6} {'identical':>9}")
    stable = {}
    for scenario in args.scenario:
        for seed in args.seeds:
            for features in FEATURE_SETS:
                sets = [results[scenario, seed, rows][features]["flagged"] for rows in args.rows]
                common = set.intersection(*sets)
                stable[scenario, seed, features] = all(s == sets[0] for s in sets)
                print(f"{scenario:>8} {seed:>4} {features:>8} {' '.join(str(len(s)) for s in sets):>18} {len(common):>6} "
                      f"{'yes' if stable[scenario, seed, features] else 'no':>9}")

    print("\ntargets (p@k of collapses and surges 1.0, of the subtler shapes >= 0.9, on every run; "
          "echo flags 0; flagged set identical across sizes; every anomalous day shown, no normal day):")
    for features in FEATURE_SETS:
        runs = [by_features[features] for by_features in results.values()]
        sharp = min((r["per_kind"][k] for r in runs for k in SHARP_KINDS if k in r["per_kind"]), default=float("nan"))
        subtle = min((r["per_kind"][k] for r in runs for k in KINDS if k not in SHARP_KINDS and k in r["per_kind"]),
                     default=float("nan"))
        echoes = sum(len(r["echoes"]) for r in runs)
        identical = sum(stable[key] for key in stable if key[2] == features)
        verdict = sharp == 1.0 and not subtle < 0.9 and echoes == 0 and identical == len(args.seeds) * len(args.scenario)
        days_text = "no day outcome"
        if all(r["days"] for r in runs):
            anomalous = sum(r["days"]["anomalous"] for r in runs)
            shown = sum(r["days"]["shown"] for r in runs)
            false = sum(len(r["days"]["false"]) for r in runs)
            days_text = f"anomalous days shown {shown} of {anomalous}, normal days shown {false}"
            verdict = verdict and shown == anomalous and false == 0
        else:
            verdict = False
        print(f"{features:>8}: lowest p@k collapses/surges {sharp:.2f}, subtler shapes "
              f"{'-' if np.isnan(subtle) else f'{subtle:.2f}'}; "
              f"echo flags {echoes}; identical flagged sets {identical} of {len(args.seeds) * len(args.scenario)} "
              f"runs; {days_text} -> {'met' if verdict else 'NOT met'}")
    print(f"\n{time.perf_counter() - start:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
