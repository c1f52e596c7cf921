"""The benchmark (bench_spark.py, run by scripts/bench-spark.sh) is not a test, but it must keep
working: this runs it end to end on tiny data in its own process (it creates and stops its own
SparkSession) and checks that it prints every figure it promises. Run with scripts/test-spark.sh."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = (20_000, 40_000)


def _table(output: str, start: str) -> list[list[str]]:
    """Data rows (split on whitespace) of the table that begins with the line starting with start
    (its title or header): the lines after it that start with a row count, up to a blank line."""
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith(start))
    rows = []
    for line in lines[first + 1:]:
        if not line.strip():
            break
        if re.match(r"\s*[\d,]+\s", line):
            rows.append(line.split())
    return rows


def _sizes(rows: list[list[str]]) -> list[int]:
    return [int(r[0].replace(",", "")) for r in rows]


def test_benchmark_prints_every_figure_for_every_size(tmp_path):
    result = subprocess.run(
        [sys.executable, str(HERE / "bench_spark.py"), "--rows", *map(str, ROWS), "--repeat", "1",
         "--warmup-rows", "10000", "--months", "2020-09", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert re.search(r"^Spark 4\.1\.\d+, local\[2\].*machine: \d+ CPUs", out, re.M), out

    header = next(line for line in out.splitlines() if line.lstrip().startswith("rows generate s"))
    assert header.split() == ["rows", "generate", "s", "floor", "s", "agg", "pass", "s", "job", "s", "job/floor",
                              "job", "rows/s", "baseline", "s", "speedup"]
    main_rows = _table(out, "rows generate s")
    assert _sizes(main_rows) == list(ROWS)
    for r in main_rows:
        floor, job, ratio, speedup = float(r[2]), float(r[4]), float(r[5]), float(r[8].rstrip("x"))
        assert 0 < floor and 0 < job and speedup > 0
        # the printed seconds are rounded to 0.01 s, the ratio is computed before rounding
        assert (job - 0.005) / (floor + 0.005) - 0.005 <= ratio <= (job + 0.005) / (floor - 0.005) + 0.005

    breakdown = _table(out, "job breakdown")
    bound = _table(out, "lower bound")
    assert _sizes(breakdown) == _sizes(bound) == list(ROWS)
    for r in bound:
        grouped, model, commit, total = map(float, r[1:5])
        assert min(grouped, model, commit) > 0 and abs(total - (grouped + model + commit)) <= 0.02
    assert re.search(r"^marginal cost per million rows: floor .* grouped floor .* baseline .*intercept", out, re.M)
    assert not any(tmp_path.glob("data-[0-9]*")), "the benchmark must remove its measured data sets"
