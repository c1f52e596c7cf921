"""Synthetic NYC TLC "High Volume For-Hire Vehicle" (HVFHV) trip data for tests and benchmarks.

Writes one ``fhvhv_tripdata_YYYY-MM.parquet`` file per month with the same 24 column names,
order and Parquet types as the files the TLC publishes (the schema republished in 2022):
license/base numbers as strings, the four datetimes as timestamps without time zone in
microseconds, location IDs and trip_time as int64, money and miles as doubles and five Y/N flags.

The pickups follow a realistic rhythm (night lows, weekday rush hours, late weekend nights) with
Poisson-like noise, and *known* anomalies are injected (``anomalies()``), chosen by a scenario:
  * ``default``: in every month a near-total collapse of rides and a surge, one half hour each
    (``ANOMALY_TEMPLATE``);
  * ``quality`` (the quality benchmark, test/spark/bench_quality.py): the default ones plus, by
    position in the list of months, a shifted morning rush hour (first month), a whole anomalous
    day (second month), a quiet holiday-like day (third month), a surge in the first half hour of
    every month but the first (month boundaries), and a collapse in the repeated / the first hour
    after the skipped hour of a US daylight-saving change (DST boundaries) in the months that
    have one. See ``QUALITY_SHAPES``.
  * ``days``: the default ones plus whole days of several sizes, quieter and busier, on weekdays
    and weekends (``DAY_SHAPES``: two a month, in turn);
  * ``random``: shapes, positions and factors drawn from the seed (``random_anomalies()``): in
    every month one to three collapses or surges of one or two half hours and one or two whole
    days, quieter or busier, each on a day of its own. So the features are not only measured on a
    fixed list of shapes.
The half hours an anomaly touches are its *injected periods* (``injected_periods()``). Everything
is drawn from a seeded ``numpy.random.Generator`` per month, so the same arguments always produce
the same files; the day-to-day variation is drawn first, so it is the same for every number of
rows (only the sampling noise of the trips changes with the size). Generation is vectorised (numpy + pyarrow) and written in row groups of
``row_group_size`` rows, so Spark can split a file between tasks as it does with the real files.

CLI:   python fhvhv_generator.py --months 2020-09 2020-10 --rows-per-month 200000 --out DIR [--seed 42]
                                [--scenario default|quality|days|random]
Python: write_months(["2020-09"], rows_per_month=200_000, out_dir=path, seed=42) -> [Path, ...]
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

_TS = pa.timestamp("us")  # timestamp without time zone, microseconds (as in the TLC files)

#: The published HVFHV schema, in file order.
SCHEMA = pa.schema(
    [
        ("hvfhs_license_num", pa.string()),
        ("dispatching_base_num", pa.string()),
        ("originating_base_num", pa.string()),
        ("request_datetime", _TS),
        ("on_scene_datetime", _TS),
        ("pickup_datetime", _TS),
        ("dropoff_datetime", _TS),
        ("PULocationID", pa.int64()),
        ("DOLocationID", pa.int64()),
        ("trip_miles", pa.float64()),
        ("trip_time", pa.int64()),
        ("base_passenger_fare", pa.float64()),
        ("tolls", pa.float64()),
        ("bcf", pa.float64()),
        ("sales_tax", pa.float64()),
        ("congestion_surcharge", pa.float64()),
        ("airport_fee", pa.float64()),
        ("tips", pa.float64()),
        ("driver_pay", pa.float64()),
        ("shared_request_flag", pa.string()),
        ("shared_match_flag", pa.string()),
        ("access_a_ride_flag", pa.string()),
        ("wav_request_flag", pa.string()),
        ("wav_match_flag", pa.string()),
    ]
)

# Relative pickup intensity per hour of day (index 0..23); the rate is interpolated per minute.
_WEEKDAY = np.array([0.42, 0.28, 0.20, 0.17, 0.19, 0.28, 0.50, 0.78, 0.88, 0.80, 0.72, 0.74,
                     0.78, 0.80, 0.86, 0.92, 0.98, 1.05, 1.06, 0.96, 0.88, 0.84, 0.80, 0.62])
_WEEKEND = np.array([0.80, 0.72, 0.60, 0.48, 0.36, 0.26, 0.22, 0.26, 0.36, 0.48, 0.62, 0.72,
                     0.80, 0.86, 0.88, 0.90, 0.92, 0.94, 0.97, 0.96, 0.92, 0.90, 0.92, 0.90])

# Base licence numbers: (hvfhs_license_num, share of trips, dispatching bases, has originating base).
_LICENSES = [
    ("HV0003", 0.72, ["B02764", "B02765", "B02869", "B02871", "B02872", "B02875", "B02877", "B02879"], True),
    ("HV0005", 0.27, ["B02510"], False),
    ("HV0004", 0.01, ["B02800"], False),
]

_MINUTE_US = 60 * 1_000_000


@dataclass(frozen=True)
class Anomaly:
    """An injected anomaly: pickups in [start, start + minutes) are scaled by factor."""

    start: dt.datetime
    factor: float
    kind: str
    minutes: int = 30


#: Anomalies injected in every generated month: (day of month, hour, minute, factor, kind).
#: Day 1 is avoided on purpose: the first day of the data is the job's lag warm-up.
ANOMALY_TEMPLATE = [
    (10, 17, 30, 0.03, "collapse"),
    (20, 8, 0, 4.0, "surge"),
]

#: Scenarios of anomalies() (see the module docstring).
SCENARIOS = ("default", "quality", "days", "random")

#: Kind of every anomaly that changes a whole day (its 48 half hours) in any scenario: what the
#: job's day_pred should show (day_anomalies()).
DAY_KINDS = ("day", "holiday", "quieter-day", "busier-day")

#: Whole days of the ``days`` scenario, two a month in turn (a third month gets the fifth and sixth,
#: ...): (kind, weekday with Monday = 0, first day of the month it may fall on, factor). Quieter and
#: busier, weekdays and weekends, each size at least a third away from 1 (a storm at half the rides,
#: a busy weekend at twice them).
DAY_SHAPES = (
    ("quieter-day", 1, 13, 0.5),   # a Tuesday at half the rides (a storm)
    ("busier-day", 5, 23, 1.4),    # a Saturday 40 % busier
    ("quieter-day", 6, 13, 0.65),  # a quiet Sunday
    ("busier-day", 2, 23, 1.5),    # a Wednesday with an event
    ("busier-day", 4, 13, 2.0),    # a Friday at twice the rides
    ("quieter-day", 3, 23, 0.7),   # a quieter Thursday
    ("quieter-day", 5, 13, 0.55),  # a stormy Saturday
    ("busier-day", 0, 23, 1.7),    # a busy Monday
)

#: Shapes the ``quality`` scenario adds, with their factors. Every half hour they touch is changed
#: by at least a third, so each one is an anomaly, not noise; the subtle part is their shape
#: (several neighbouring half hours, a whole day, the edges of the calendar).
QUALITY_SHAPES = {
    # the morning rush comes late (a weekday, the first Tuesday from the 13th of the first month):
    # 06:30-08:00 at half the rides, 09:00-10:30 at 1.5 times
    "rush": ((6, 30, 90, 0.5), (9, 0, 90, 1.5)),
    # a whole day at 1.7 times the rides (an event; the first Saturday from the 13th of the 2nd month)
    "day": ((0, 0, 24 * 60, 1.7),),
    # a quiet holiday-like day (the fourth Thursday of the third month): 60 % of the rides of a day
    # that keeps its own rhythm, and the morning commute (06:00-10:00) halved once more
    "holiday": ((0, 0, 24 * 60, 0.6), (6, 0, 240, 0.5)),
    # month boundaries: a surge in the first half hour of every month but the first
    "month-start": ((0, 0, 30, 2.5),),
    # DST boundaries (US rules since 2007): a collapse in the repeated hour 01:00-02:00 of the
    # first Sunday of November, and in the hour after the skipped one (03:00) of the second
    # Sunday of March
    "dst": ((1, 30, 30, 0.25),),
}


def parse_month(text: str) -> tuple[int, int]:
    """'2020-09' -> (2020, 9), with a clear error for anything else."""
    try:
        year, month = (int(p) for p in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"month must look like YYYY-MM, got {text!r}") from None
    return year, month


def _weekday_from(year: int, month: int, first_day: int, weekday: int) -> dt.date:
    """The first date of the month on or after first_day that falls on weekday (Monday = 0)."""
    date = dt.date(year, month, first_day)
    return date + dt.timedelta(days=(weekday - date.weekday()) % 7)


def _shape(kind: str, date: dt.date, hour: int = 0, minute: int = 0) -> list[Anomaly]:
    """The anomalies of one QUALITY_SHAPES shape on a date (segment times are offsets from hour:minute)."""
    start = dt.datetime(date.year, date.month, date.day, hour, minute)
    return [Anomaly(start + dt.timedelta(hours=h, minutes=m), factor, kind, minutes)
            for h, m, minutes, factor in QUALITY_SHAPES[kind]]


def random_anomalies(months: list[str], seed: int) -> list[Anomaly]:
    """The ``random`` scenario: per month, one to three collapses (factor 0.02-0.3) or surges
    (2.5-5) of one or two half hours, at a random half hour of the day, and one or two whole days,
    quieter (0.4-0.7) or busier (1.4-2.2): sizes clearly outside the normal day-to-day variation,
    at random positions. Each anomaly has a day of its own, never the first day of the data (the
    job's one-day warm-up). The same months and seed always give the same anomalies."""
    rng = np.random.default_rng([seed, 21])
    out = []
    for position, text in enumerate(months):
        year, month = parse_month(text)
        days = np.arange(2 if position == 0 else 1, calendar.monthrange(year, month)[1] + 1)
        periods, whole_days = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        chosen = rng.choice(days, size=periods + whole_days, replace=False)
        for day in chosen[:periods]:
            slot = int(rng.integers(0, 47))
            start = dt.datetime(year, month, int(day)) + dt.timedelta(minutes=30 * slot)
            minutes = 30 * int(rng.integers(1, 3))
            if rng.random() < 0.5:
                out.append(Anomaly(start, round(float(rng.uniform(0.02, 0.3)), 3), "collapse", minutes))
            else:
                out.append(Anomaly(start, round(float(rng.uniform(2.5, 5.0)), 3), "surge", minutes))
        for day in chosen[periods:]:
            start = dt.datetime(year, month, int(day))
            if rng.random() < 0.5:
                out.append(Anomaly(start, round(float(rng.uniform(0.4, 0.7)), 3), "quieter-day", 24 * 60))
            else:
                out.append(Anomaly(start, round(float(rng.uniform(1.4, 2.2)), 3), "busier-day", 24 * 60))
    return out


def anomalies(months: list[str], scenario: str = "default", seed: int = 42) -> list[Anomaly]:
    """The anomalies that write_months() injects for these months, in this scenario (only the
    ``random`` one depends on the seed)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    if scenario == "random":
        return random_anomalies(months, seed)
    out = []
    for position, text in enumerate(months):
        year, month = parse_month(text)
        days = calendar.monthrange(year, month)[1]
        for day, hour, minute, factor, kind in ANOMALY_TEMPLATE:
            if day <= days:
                out.append(Anomaly(dt.datetime(year, month, day, hour, minute), factor, kind))
        if scenario == "days":
            for kind, weekday, first_day, factor in (DAY_SHAPES * len(months))[2 * position:2 * position + 2]:
                date = _weekday_from(year, month, first_day, weekday)
                out.append(Anomaly(dt.datetime(date.year, date.month, date.day), factor, kind, 24 * 60))
        if scenario != "quality":
            continue
        if position == 0:
            out += _shape("rush", _weekday_from(year, month, 13, 1))
        elif position == 1:
            out += _shape("day", _weekday_from(year, month, 13, 5))
        elif position == 2:
            out += _shape("holiday", _weekday_from(year, month, 22, 3))
        if position > 0:
            out += _shape("month-start", dt.date(year, month, 1))
        if month == 11:
            out += _shape("dst", _weekday_from(year, month, 1, 6))
        elif month == 3:
            out += _shape("dst", _weekday_from(year, month, 8, 6), hour=1, minute=30)
    return out


def injected_periods(months: list[str], scenario: str = "default", seed: int = 42) -> dict[dt.datetime, str]:
    """Start of every half hour an anomaly of anomalies() touches -> the anomaly's kind (the
    first one listed where two overlap)."""
    periods: dict[dt.datetime, str] = {}
    for anomaly in anomalies(months, scenario, seed):
        first = anomaly.start.replace(minute=anomaly.start.minute // 30 * 30, second=0, microsecond=0)
        end = anomaly.start + dt.timedelta(minutes=anomaly.minutes)
        while first < end:
            periods.setdefault(first, anomaly.kind)
            first += dt.timedelta(minutes=30)
    return periods


def day_anomalies(months: list[str], scenario: str = "default", seed: int = 42) -> dict[dt.date, str]:
    """Date of every anomaly of anomalies() that changes a whole day (DAY_KINDS) -> its kind."""
    return {a.start.date(): a.kind for a in anomalies(months, scenario, seed) if a.kind in DAY_KINDS}


def _epoch_us(value: dt.datetime) -> int:
    return int(np.datetime64(value, "us").astype(np.int64))


def _minute_weights(year: int, month: int, rng: np.random.Generator,
                    injected: list[Anomaly] | None = None) -> np.ndarray:
    """Relative pickup rate of every minute of the month (daily/weekly rhythm, the injected
    anomalies, by default the ``default`` scenario's of this month)."""
    days = calendar.monthrange(year, month)[1]
    hours = np.arange(24 * 60) / 60.0
    # Interpolate hourly levels at the middle of each hour, wrapping around midnight.
    xs = np.arange(-1, 25) + 0.5
    wk = np.interp(hours, xs, np.concatenate([[_WEEKDAY[-1]], _WEEKDAY, [_WEEKDAY[0]]]))
    we = np.interp(hours, xs, np.concatenate([[_WEEKEND[-1]], _WEEKEND, [_WEEKEND[0]]]))
    per_day = []
    for day in range(1, days + 1):
        weekday = dt.date(year, month, day).weekday()  # Monday = 0
        curve = we if weekday >= 5 else wk.copy()
        if weekday == 4:  # Friday evenings run late
            curve = curve * np.where(hours >= 19, 1.12, 1.0)
        if weekday == 6:  # Sunday evenings are quiet
            curve = curve * np.where(hours >= 20, 0.85, 1.0)
        per_day.append(curve * rng.lognormal(0.0, 0.04))  # day-to-day variation (weather, events)
    weights = np.concatenate(per_day)
    if injected is None:
        injected = anomalies([f"{year:04d}-{month:02d}"])
    for anomaly in injected:
        if (anomaly.start.year, anomaly.start.month) != (year, month):
            continue
        first = ((anomaly.start.day - 1) * 24 + anomaly.start.hour) * 60 + anomaly.start.minute
        weights[first:first + anomaly.minutes] *= anomaly.factor
    return weights


def _strings(values: list[str], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Plain (not dictionary) string array values[index], null where mask is True."""
    return pa.array(values, pa.string()).take(pa.array(index, pa.int32(), mask=mask))


def _flag(rng: np.random.Generator, n: int, p_yes: float) -> pa.Array:
    return _strings(["N", "Y"], (rng.random(n) < p_yes).astype(np.int32))


def _trips(rng: np.random.Generator, pickup_us: np.ndarray, zone_p: np.ndarray) -> pa.RecordBatch:
    """All 24 columns for the given (sorted) pickup times."""
    n = len(pickup_us)
    hour = (pickup_us // 3_600_000_000) % 24

    lic = rng.choice(len(_LICENSES), size=n, p=[lic[1] for lic in _LICENSES])
    base_names, base_first, base_count = [], [], []
    for _, _, bases, _ in _LICENSES:
        base_first.append(len(base_names))
        base_count.append(len(bases))
        base_names.extend(bases)
    first, count = np.array(base_first)[lic], np.array(base_count)[lic]
    base = first + (rng.random(n) * count).astype(np.int64)
    has_origin = np.array([lic[3] for lic in _LICENSES])[lic]

    wait_s = 30 + rng.gamma(2.0, 120.0, n).astype(np.int64)
    on_scene_s = rng.integers(0, 180, n)
    miles = np.round(np.clip(rng.lognormal(np.log(3.0), 0.8, n), 0.1, 60.0), 3)
    mph = np.where((hour >= 22) | (hour < 6), 19.0, 11.5) * rng.lognormal(0.0, 0.25, n)
    trip_time = (miles / mph * 3600 + 60).astype(np.int64)
    minutes = trip_time / 60.0
    fare = np.round(np.maximum(7.0, (2.5 + 1.15 * miles + 0.42 * minutes) * rng.lognormal(0.0, 0.15, n)), 2)
    tolls = np.where(rng.random(n) < 0.06, rng.choice([6.12, 6.55, 11.52], n), 0.0)
    tips = np.where(rng.random(n) < 0.2, np.round(0.5 + rng.gamma(2.0, 1.5, n), 2), 0.0)
    driver_pay = np.round(fare * np.clip(rng.normal(0.76, 0.06, n), 0.4, 1.0), 2)
    shared_request = rng.random(n) < 0.02

    def ts(micros: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return pa.array(micros.astype(np.int64), pa.int64(), mask=mask).cast(_TS)

    columns = [
        _strings([lic[0] for lic in _LICENSES], lic),
        _strings(base_names, base),
        _strings(base_names, base, mask=~has_origin),
        ts(pickup_us - wait_s * 1_000_000),
        ts(pickup_us - on_scene_s * 1_000_000, mask=~has_origin),
        ts(pickup_us),
        ts(pickup_us + trip_time * 1_000_000),
        pa.array(rng.choice(len(zone_p), n, p=zone_p) + 1, pa.int64()),
        pa.array(rng.choice(len(zone_p), n, p=zone_p) + 1, pa.int64()),
        pa.array(miles),
        pa.array(trip_time),
        pa.array(fare),
        pa.array(tolls),
        pa.array(np.round(fare * 0.025, 2)),
        pa.array(np.round(fare * 0.08875, 2)),
        pa.array(np.where(rng.random(n) < 0.35, 2.75, 0.0)),
        pa.array(np.where(rng.random(n) < 0.04, 2.5, 0.0)),
        pa.array(tips),
        pa.array(driver_pay),
        _strings(["N", "Y"], shared_request.astype(np.int32)),
        _strings(["N", "Y"], (shared_request & (rng.random(n) < 0.4)).astype(np.int32)),
        _flag(rng, n, 0.001),
        _flag(rng, n, 0.002),
        _flag(rng, n, 0.07),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)


def write_month(month: str, rows: int, out_dir: Path, seed: int = 42,
                row_group_size: int = 1_000_000, injected: list[Anomaly] | None = None) -> Path:
    """Write fhvhv_tripdata_YYYY-MM.parquet with `rows` trips picked up in that month, with the
    anomalies of `injected` that fall in it (default: the ``default`` scenario's)."""
    year, mon = parse_month(month)
    if rows < 1:
        raise ValueError(f"rows must be >= 1, got {rows}")
    rng = np.random.default_rng([seed, year, mon])
    weights = _minute_weights(year, mon, rng, injected)
    per_minute = rng.multinomial(rows, weights / weights.sum())
    start_us = _epoch_us(dt.datetime(year, mon, 1))
    minute_us = start_us + np.arange(len(weights), dtype=np.int64) * _MINUTE_US
    # Whole seconds, as in the published files.
    pickup_us = np.repeat(minute_us, per_minute) + rng.integers(0, 60, rows) * 1_000_000
    zone_p = rng.gamma(0.6, 1.0, 265)
    zone_p /= zone_p.sum()

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"fhvhv_tripdata_{year:04d}-{mon:02d}.parquet"
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, SCHEMA, compression="snappy") as writer:
        for first in range(0, rows, row_group_size):
            batch = _trips(rng, pickup_us[first:first + row_group_size], zone_p)
            writer.write_batch(batch, row_group_size=row_group_size)
    tmp.replace(path)
    return path


def write_months(months: list[str], rows_per_month: int, out_dir: Path | str, seed: int = 42,
                 row_group_size: int = 1_000_000, scenario: str = "default") -> list[Path]:
    """Write one file per month into out_dir with the anomalies(months, scenario); returns the paths."""
    injected = anomalies(months, scenario, seed)
    return [write_month(m, rows_per_month, Path(out_dir), seed, row_group_size, injected) for m in months]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", nargs="+", required=True, help="months to generate, YYYY-MM")
    parser.add_argument("--rows-per-month", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--row-group-size", type=int, default=1_000_000)
    parser.add_argument("--scenario", choices=SCENARIOS, default="default", help="injected anomalies")
    args = parser.parse_args(argv)
    try:
        paths = write_months(args.months, args.rows_per_month, args.out, args.seed, args.row_group_size,
                             args.scenario)
    except ValueError as err:
        parser.error(str(err))
    for path in paths:
        print(f"wrote {path} ({args.rows_per_month} rows)")
    for anomaly in anomalies(args.months, args.scenario, args.seed):
        print(f"anomaly {anomaly.kind:8s} x{anomaly.factor:<5} at {anomaly.start:%Y-%m-%d %H:%M} "
              f"for {anomaly.minutes} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
