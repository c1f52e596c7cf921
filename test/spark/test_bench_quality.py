"""The quality benchmark (bench_quality.py, run by scripts/bench-quality.sh) is not a test, but it
must keep working: this runs it end to end on tiny data in its own process and checks that it
prints every figure it promises, and that its metrics compute what they say on a hand-made table.
Run with scripts/test-spark.sh."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import bench_quality

HERE = Path(__file__).resolve().parent
ROWS = (30_000, 60_000)
MONTHS = ("2020-09", "2020-10", "2020-11")


def test_quality_benchmark_prints_every_figure_for_every_run(tmp_path):
    result = subprocess.run(
        [sys.executable, str(HERE / "bench_quality.py"), "--rows", *map(str, ROWS), "--seeds", "1", "2",
         "--scenario", "quality", "random", "--months", *MONTHS, "--n-estimators", "20", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert re.search(r"^Spark 4\.1\.\d+, local\[2\]; scenario quality random, months 2020-09 2020-10 2020-11; "
                     r"contamination 0.005, 20 trees", out, re.M), out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:5] == ["scenario", "seed", "rows", "features", "k"])
    columns = ["scenario", "seed", "rows", "features", "k", "p@k", "flagged", "inj", "recall", "echo",
               "hk", "hprec", "hrec", "days", "shown", "false", *bench_quality.KINDS]
    assert lines[header].split() == columns
    runs = [line.split() for line in lines[header + 1:header + 17]]
    assert [tuple(r[:4]) for r in runs] == [
        (scenario, seed, f"{rows:,}", features)
        for scenario in ("quality", "random") for seed in ("1", "2") for rows in ROWS for features in ("new", "previous")]
    for r in runs:
        assert len(r) == len(columns)
        k, precision, flagged, injected, recall, echo = int(r[4]), float(r[5]), int(r[6]), int(r[7]), float(r[8]), int(r[9])
        assert k > 0 and 0 <= precision <= 1 and 0 <= injected <= flagged and echo >= 0
        assert recall == round(injected / k, 2)
        assert int(r[10]) > 0 and 0 <= float(r[12]) <= 1
        if r[3] == "new":  # the whole anomalous days of the scenario, those shown, the normal days shown
            days, shown, false = int(r[13]), int(r[14]), int(r[15])
            assert days > 0 and 0 <= shown <= days and false >= 0
        else:  # the previous features have no day outcome
            assert r[13:16] == ["-", "-", "-"]
    stability = lines.index(next(line for line in lines if line.startswith("stability of the flagged set")))
    assert lines[stability + 1].split() == ["scenario", "seed", "features", "flagged", "per", "size", "in", "all", "identical"]
    assert [line.split()[:3] for line in lines[stability + 2:stability + 10]] == [
        [scenario, seed, features] for scenario in ("quality", "random") for seed in ("1", "2") for features in ("new", "previous")]
    assert re.search(r"^     new: lowest p@k collapses/surges \d\.\d\d, subtler shapes (\d\.\d\d|-); echo flags \d+; "
                     r"identical flagged sets \d of 4 runs; anomalous days shown \d+ of \d+, normal days shown \d+ "
                     r"-> (met|NOT met)$", out, re.M), out
    assert re.search(r"^previous: lowest p@k .*; no day outcome -> NOT met$", out, re.M)
    assert not any(tmp_path.glob("data-*")), "the benchmark must remove its data sets"


def test_seeds_as_a_list_or_a_count():
    assert bench_quality.parse_args(["--seed-count", "20"]).seeds == list(range(1, 21))
    assert bench_quality.parse_args(["--seeds", "20"]).seeds == [20]
    assert bench_quality.parse_args(["--seeds", "5", "9"]).seeds == [5, 9]
    assert bench_quality.parse_args([]).seeds == [1, 2, 3]
    assert bench_quality.parse_args(["--scenario", "days", "random"]).scenario == ["days", "random"]


def test_evaluate_counts_precision_ties_echoes_and_kinds():
    start = pd.Timestamp("2020-09-02").value // 1000
    period_us = start + np.arange(200, dtype=np.int64) * 30 * 60 * 1_000_000
    t = [dt.datetime(2020, 9, 2) + dt.timedelta(minutes=30 * i) for i in range(200)]
    injected = {t[10]: "collapse", t[20]: "surge", t[30]: "rush", dt.datetime(2020, 9, 1, 5): "surge"}  # last: warm-up
    score = np.full(200, 0.3)
    score[[10, 20]] = [0.9, 0.8]
    score[10 + 48] = 0.7  # the day after the collapse: flagged, an echo
    pred = np.where(score > 0.5, -1, 1)
    figures = bench_quality.evaluate(pd.DataFrame({"period_us": period_us, "score": score, "pred": pred}), injected)
    assert figures["k"] == 3
    # top 3: the two injected, then the echo; the rush period ties with the normal ones: not found
    assert figures["precision"] == 2 / 3
    assert figures["flagged_injected"] == 2 and figures["recall"] == 2 / 3
    assert figures["echoes"] == {pd.Timestamp(t[58])}
    assert figures["per_kind"] == {"collapse": 1.0, "surge": 1.0, "rush": 0.0}


def test_evaluate_counts_days_shown_and_normal_days_shown():
    start = pd.Timestamp("2020-09-02").value // 1000
    period_us = start + np.arange(4 * 48, dtype=np.int64) * 30 * 60 * 1_000_000
    day_pred = np.ones(4 * 48, dtype=np.int32)
    day_pred[48:96] = -1  # 2020-09-03: a whole anomalous day, shown
    day_pred[144:] = -1  # 2020-09-05: a normal day, shown
    scored = pd.DataFrame({"period_us": period_us, "score": 0.3, "pred": 1, "day_pred": day_pred})
    t = [dt.datetime(2020, 9, 2) + dt.timedelta(minutes=30 * i) for i in range(4 * 48)]
    injected = {**{t[i]: "quieter-day" for i in range(48, 96)}, **{t[i]: "busier-day" for i in range(96, 144)},
                t[10]: "collapse"}
    days = {dt.date(2020, 9, 3): "quieter-day", dt.date(2020, 9, 4): "busier-day", dt.date(2020, 9, 1): "busier-day"}
    figures = bench_quality.evaluate(scored, injected, days)
    # 2020-09-01 lies before the table (the warm-up): not counted
    assert figures["days"] == {"anomalous": 2, "shown": 1, "false": {pd.Timestamp("2020-09-05")}}
    assert figures["half_hour_k"] == 1
    assert bench_quality.evaluate(scored.drop(columns="day_pred"), injected, days)["days"] is None
