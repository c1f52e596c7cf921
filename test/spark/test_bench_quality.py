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
         "--months", *MONTHS, "--n-estimators", "20", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert re.search(r"^Spark 4\.1\.\d+, local\[2\]; scenario quality, months 2020-09 2020-10 2020-11; contamination 0.005, "
                     r"20 trees", out, re.M), out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:4] == ["seed", "rows", "features", "k"])
    assert lines[header].split()[-7:] == list(bench_quality.KINDS)
    runs = [line.split() for line in lines[header + 1:header + 9]]
    assert [(r[0], r[1], r[2]) for r in runs] == [
        (seed, f"{rows:,}", features) for seed in ("1", "2") for rows in ROWS for features in ("new", "previous")]
    for r in runs:
        k, precision, flagged, injected, recall, echo = int(r[3]), float(r[4]), int(r[5]), int(r[6]), float(r[7]), int(r[8])
        assert k > 0 and 0 <= precision <= 1 and 0 <= injected <= flagged and echo >= 0
        assert recall == round(injected / k, 2)
        assert len(r) == 9 + len(bench_quality.KINDS)
    stability = lines.index(next(line for line in lines if line.startswith("stability of the flagged set")))
    assert lines[stability + 1].split() == ["seed", "features", "flagged", "per", "size", "in", "all", "identical"]
    assert [line.split()[:2] for line in lines[stability + 2:stability + 6]] == [
        ["1", "new"], ["1", "previous"], ["2", "new"], ["2", "previous"]]
    assert re.search(r"^     new: lowest p@k collapses/surges \d\.\d\d, subtler shapes (\d\.\d\d|-); echo flags \d+; "
                     r"identical flagged sets \d of 2 seeds -> (met|NOT met)$", out, re.M), out
    assert re.search(r"^previous: lowest p@k", out, re.M)
    assert not any(tmp_path.glob("data-*")), "the benchmark must remove its data sets"


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
