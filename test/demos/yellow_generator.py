"""Synthetic NYC TLC yellow taxi trip records, for the trino-taxi-data example's tests.

Writes one ``yellow_tripdata_YYYY-MM.parquet`` file per month with the 19 columns of the TLC's
yellow trip records. The nine the example reads have the Parquet types that Stackable's table
definition declares for them (stackabletech/demos release-26.7,
demos/trino-taxi-data/create-table-in-trino.yaml: VendorID and payment_type BIGINT, the two
tpep_* datetimes TIMESTAMP, the rest DOUBLE), with the TLC's mixed-case names (``VendorID``), which
readers match by name, case-insensitively; the payment type codes are those of the TLC data
dictionary (1 credit card ... 6 voided trip). The other columns only make the files look like the
real ones; nothing reads them. (No real TLC file could be read here: no internet at test time.)

Trips are drawn from a seeded ``numpy.random.Generator`` per month, so the same arguments always
give the same files; a few trips lie outside their month (as in the real files), which the
example's view filters out. ``expected(path)`` gives what the example's view and dashboard must
show for a file, computed here with pyarrow, independently of Trino.

CLI:   python yellow_generator.py --months 2020-01 2020-02 --rows-per-month 20000 --out DIR [--seed 7]
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_TS = pa.timestamp("us")

#: The published yellow schema, in file order.
SCHEMA = pa.schema([
    ("VendorID", pa.int64()),
    ("tpep_pickup_datetime", _TS),
    ("tpep_dropoff_datetime", _TS),
    ("passenger_count", pa.float64()),
    ("trip_distance", pa.float64()),
    ("RatecodeID", pa.float64()),
    ("store_and_fwd_flag", pa.string()),
    ("PULocationID", pa.int64()),
    ("DOLocationID", pa.int64()),
    ("payment_type", pa.int64()),
    ("fare_amount", pa.float64()),
    ("extra", pa.float64()),
    ("mta_tax", pa.float64()),
    ("tip_amount", pa.float64()),
    ("tolls_amount", pa.float64()),
    ("improvement_surcharge", pa.float64()),
    ("total_amount", pa.float64()),
    ("congestion_surcharge", pa.float64()),
    ("airport_fee", pa.float64()),
])

#: Payment type codes of the TLC data dictionary and their share of the trips here.
PAYMENT_SHARES = {1: 0.70, 2: 0.25, 3: 0.02, 4: 0.02, 5: 0.01}

#: Trips per month whose pickup lies outside the month (bad clocks in the real data).
OUTLIERS_PER_MONTH = 3


def month_table(month: str, rows: int, seed: int) -> pa.Table:
    year, mon = (int(p) for p in month.split("-"))
    rng = np.random.default_rng([seed, year, mon])
    start = dt.datetime(year, mon, 1)
    seconds = calendar.monthrange(year, mon)[1] * 86400
    pickup_s = np.sort(rng.integers(0, seconds, rows))
    pickup_us = (pickup_s * 1_000_000).astype("int64")
    # A few trips far outside the month (e.g. 2008, 2090), as in the real files.
    bad = rng.choice(rows, OUTLIERS_PER_MONTH, replace=False)
    pickup_us[bad] += np.array([-12, 70, -3], dtype="int64")[: len(bad)] * 365 * 86400 * 1_000_000
    duration_s = rng.gamma(2.0, 420.0, rows).astype("int64") + 60
    base = int((start - dt.datetime(1970, 1, 1)).total_seconds() * 1_000_000)
    pickup = pa.array(pickup_us + base, _TS)
    dropoff = pa.array(pickup_us + base + duration_s * 1_000_000, _TS)
    distance = np.round(rng.gamma(1.6, 1.8, rows), 2)
    fare = np.round(2.5 + distance * 2.5 + duration_s / 60 * 0.5, 2)
    codes = np.array(list(PAYMENT_SHARES))
    payment = rng.choice(codes, rows, p=np.array(list(PAYMENT_SHARES.values())))
    tip = np.where(payment == 1, np.round(fare * rng.uniform(0.1, 0.25, rows), 2), 0.0)
    extra, mta, surcharge, congestion = 0.5, 0.5, 0.3, 2.5
    total = np.round(fare + tip + extra + mta + surcharge + congestion, 2)
    columns = {
        "VendorID": pa.array(rng.integers(1, 3, rows), pa.int64()),
        "tpep_pickup_datetime": pickup,
        "tpep_dropoff_datetime": dropoff,
        "passenger_count": pa.array(rng.integers(1, 5, rows).astype("float64")),
        "trip_distance": pa.array(distance),
        "RatecodeID": pa.array(np.ones(rows)),
        "store_and_fwd_flag": pa.array(np.where(rng.random(rows) < 0.01, "Y", "N")),
        "PULocationID": pa.array(rng.integers(1, 264, rows), pa.int64()),
        "DOLocationID": pa.array(rng.integers(1, 264, rows), pa.int64()),
        "payment_type": pa.array(payment, pa.int64()),
        "fare_amount": pa.array(fare),
        "extra": pa.array(np.full(rows, extra)),
        "mta_tax": pa.array(np.full(rows, mta)),
        "tip_amount": pa.array(tip),
        "tolls_amount": pa.array(np.zeros(rows)),
        "improvement_surcharge": pa.array(np.full(rows, surcharge)),
        "total_amount": pa.array(total),
        "congestion_surcharge": pa.array(np.full(rows, congestion)),
        "airport_fee": pa.array(np.zeros(rows)),
    }
    return pa.table(columns, schema=SCHEMA)


def write_months(months: list[str], rows_per_month: int, out_dir: Path, seed: int = 7) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for month in months:
        path = out_dir / f"yellow_tripdata_{month}.parquet"
        pq.write_table(month_table(month, rows_per_month, seed), path, row_group_size=max(1, rows_per_month // 4))
        paths.append(path)
    return paths


def expected(paths: list[Path], months: list[str]) -> dict:
    """What the example's view over these files holds: trips picked up within the months, their
    count, total income, trips per payment name, computed with pyarrow."""
    table = pa.concat_tables(pq.read_table(p) for p in paths)
    first = dt.datetime.strptime(months[0], "%Y-%m")
    last = dt.datetime.strptime(sorted(months)[-1], "%Y-%m")
    end = dt.datetime(last.year + (last.month == 12), last.month % 12 + 1, 1)
    pickup = table["tpep_pickup_datetime"]
    inside = pc.and_(pc.greater_equal(pickup, pa.scalar(first, _TS)), pc.less(pickup, pa.scalar(end, _TS)))
    view = table.filter(inside)
    names = {1: "Credit card", 2: "Cash", 3: "No charge", 4: "Dispute", 6: "Voided trip"}
    payments: dict[str, int] = {}
    for code, count in zip(*np.unique(view["payment_type"].to_numpy(), return_counts=True)):
        payments[names.get(int(code), "Unknown")] = payments.get(names.get(int(code), "Unknown"), 0) + int(count)
    return {
        "raw_rows": table.num_rows,
        "rows": view.num_rows,
        "total_income": round(float(pc.sum(view["total_amount"]).as_py()), 2),
        "payments": payments,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", nargs="+", required=True)
    parser.add_argument("--rows-per-month", type=int, default=20000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for path in write_months(args.months, args.rows_per_month, args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
