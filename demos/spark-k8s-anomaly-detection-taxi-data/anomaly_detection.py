"""Anomaly detection on NYC for-hire-vehicle trips: 30-minute periods scored by an IsolationForest.

Runs as the PySpark job of the demo's SparkApplication (Spark 4.1, Iceberg catalog ``prediction``)
and, unchanged, in local Spark for the tests and the benchmark. Every location and model parameter
is a command-line argument whose default is the cluster's value; the Iceberg catalog itself is
configured by the caller through Spark conf (``spark.sql.catalog.<name>.*``).

What it does
  1. Checks, then reads the raw trip Parquet files (only ``pickup_datetime`` and ``driver_pay``,
     as TIMESTAMP and DOUBLE). The files are those Spark reads under ``--input`` (its own
     listing: the data load's ``_SUCCESS`` marker and names starting with ``_`` or ``.`` are not
     input). Before anything is read or written, the schema of every file is read (one small
     Spark job each, a few at a time); if any file is unusable, the job fails with ONE message
     naming every bad file and why, and the existing table is left as it was:
       input s3a://demo/ny-taxi-data/raw/ has 2 bad file(s) of 5; nothing written, prediction.ad.iforest unchanged:
         s3a://demo/ny-taxi-data/raw/fhvhv_tripdata_2020-11.parquet: unreadable Parquet (<Parquet's reason>)
         s3a://demo/ny-taxi-data/raw/yellow_tripdata_2020-11.parquet: lacks column(s) ['driver_pay', 'pickup_datetime']
     Unusable: not readable as Parquet (corrupt, truncated, empty, not Parquet at all), lacking
     a column, or a column of a type Spark cannot read as the job's (``column driver_pay has
     type bigint, expected double, float, int, smallint or tinyint``; see TRIP_COLUMN_TYPES).
     Failing rather than skipping: a table silently missing a month would be published as if
     complete. Also fails (before writing) if there is no data file at all.
  2. Numbers every pickup's 30-minute period by one integer division of the timestamp
     (microseconds, counted from an origin before year 1 so that the division floors) and
     aggregates on that single, dense integer key: rides, total driver pay and average driver
     pay (both rounded to cents). Consecutive period numbers spread evenly over Spark's
     aggregation hash map; period starts in microseconds (multiples of 2^9) would not.
  3. Collects the periods (about 48 per day, small) to the driver and derives, in pandas/numpy,
     their calendar parts (hour, day, weekday...), the model features (add_features) and the
     table column ``norides_lag`` = rides of the same half hour one day earlier (0 if that
     period had no rides; shown for comparison, not a feature). Periods in the first 24 hours
     of the data have no earlier day: this warm-up is dropped from the table (the features
     use it).
  4. Fits a scikit-learn IsolationForest on the standardised features and scores all periods
     once, vectorised: ``pred`` is the label (-1 outlier, 1 inlier; outlier if the score is
     below the ``contamination``-percentile, sklearn's rule), ``score`` the negated
     ``score_samples`` (higher = more anomalous). ``day_pred`` is the day's own outcome: -1 on
     every period of a day whose day deviation lies outside its normal band, 1 otherwise.

Features: how a period deviates from what is normal for it, robust to the anomalies themselves
  The rides of a period are compared, as log(1 + rides), with a baseline: the median of the
  same half hour on the 8 nearest days of the same day type (Monday-Thursday, Friday, Saturday,
  Sunday), before and after it. A median of 8 is not moved by one anomalous reference day, so
  an anomaly does not make the periods after it look anomalous (the earlier ``norides_lag``
  feature, the rides a day earlier, did: the normal day after an anomaly was flagged as well).
  The difference is split into
    * ``day_deviation``: the median difference over the day's half hours (a whole day busier or
      quieter: an event, a storm, a holiday), and
    * ``period_deviation``: what is left for the half hour itself (a collapse, a surge, a
      shifted rush hour).
  Each keeps its value (a log ratio: 0.69 = twice the usual rides, -0.69 = half) only outside a
  normal band of 5 robust standard deviations (1.4826 x median absolute deviation: of the day
  deviations over all days; of the period deviations per half hour of the day, pooled with the
  two half hours on each side, at least the Poisson noise of the rides the period is expected
  to have: its baseline moved by its day's deviation), and is 0 inside it. So normal
  variation is not a feature at all: every period inside both bands gets (0, 0), they share the
  lowest score, and only periods outside a band can be labelled outliers: at most the
  ``contamination`` share, fewer when fewer periods are anomalous (sklearn's rule flags none of a
  group of equal scores that straddles the percentile). An anomaly's features are about the
  same for any amount of data, so the flagged set does not change with the data size. Pay is
  not a feature. test/spark/bench_quality.py measures what these features find.

Anomalous days: ``day_pred``, not ``pred``
  A whole day that deviates (half the rides in a storm, a holiday, an event) moves all its 48
  half hours by the same day deviation: they get one feature value and one score, and as a group
  of 48 equal scores it straddles the contamination percentile (0.005 of four months is about 29
  periods), so sklearn's rule labels none of them. Such a day is therefore reported by its own
  column: ``day_pred`` = -1 on every period of a day whose day deviation is outside the normal
  band (the day feature is not 0), 1 otherwise. The alternatives were worse:
    * labelling the day's periods in ``pred`` (or raising ``contamination`` until they fit) would
      spend the outlier budget on 48 periods a day: one storm would use more labels than all the
      half-hour anomalies of four months, and ``pred`` would mix two questions (which half hour,
      which day), so precision and the flagged set of the half-hour anomalies would change;
    * another labelling rule (e.g. "every period outside a band is an outlier") would drop the
      forest from the outcome altogether and change ``pred`` for the half hours as well.
  ``day_pred`` is decided by the same robust band as the feature (5 robust standard deviations of
  the day deviations over all days), so it needs no fitting and leaves ``pred`` and ``score``
  exactly as they were. The band widens with the sampling noise of small data: in the quality
  benchmark every anomalous day (0.5-0.7 or 1.4-2.2 times the rides) is shown from 1 million trips
  in four months on, and no normal day is; with 200,000 trips some days at 0.7 or 1.4 times stay
  inside the band.
  5. Creates the namespace if missing and writes the table with create-or-replace, so running
     the job again leaves the same table (no duplicates). Columns, types and order are the
     contract in ``iforest-table.json``. Prints a short summary to stdout, with the seconds
     spent in each step.

Timestamps: the TLC files hold timestamps without time zone (wall-clock New York time). While it
runs, the job sets ``spark.sql.session.timeZone=UTC`` and reads them as plain TIMESTAMP values
(its read schema; ``spark.sql.parquet.inferTimestampNTZ.enabled=false`` for the schemas the check
infers), so wall-clock values are never shifted
(no DST gaps or doubled hours, whatever the cluster's time zone) and ``pickup_ts`` holds the
period's wall-clock start as UTC. The caller's conf is restored afterwards.

Arguments (defaults are the cluster's values)
  --input PATH                 raw trip Parquet files        [s3a://demo/ny-taxi-data/raw/]
  --output-table C.NS.TABLE    Iceberg table to (re)create   [prediction.ad.iforest]
  --namespace-location URI     location of the namespace when it is created; '' creates it
                               without one (e.g. Iceberg ``hadoop`` catalogs, which reject
                               namespace properties)      [s3a://prediction/ad]
  --contamination F            expected share of outliers, 0 < F <= 0.5       [0.005]
  --n-estimators N             number of trees, >= 1                           [200]
  --max-samples X              samples per tree: a fraction 0 < X <= 1 (e.g. 0.7) or a count
                               >= 2 written as an integer (e.g. 256)          [0.7]
  --random-state N             seed of the forest, >= 0                        [42]

Needs pyspark 4.1, scikit-learn, pandas, pyarrow and numpy on the driver.
Run locally:  spark-submit --conf spark.sql.catalog.prediction=... anomaly_detection.py --input DIR
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from sklearn.ensemble import IsolationForest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

PERIOD_US = 30 * 60 * 1_000_000
DAY_US = 24 * 60 * 60 * 1_000_000
#: Period numbers count from this many periods before 1970-01-01 (1996 years: before 0001-01-01,
#: the start of Spark's TIMESTAMP range), so every valid timestamp gets a non-negative number
#: and plain integer division (which truncates towards zero) floors it.
PERIOD_ORIGIN = 35_000_000

#: Columns of the output table, in order, with their Spark SQL types (see iforest-table.json).
OUTPUT_COLUMNS: list[tuple[str, str]] = [
    ("pickup_ts", "timestamp"),
    ("pickup_minute_group", "string"),
    ("pickup_hour", "int"),
    ("pickup_year", "int"),
    ("pickup_month", "int"),
    ("pickup_dayofmonth", "int"),
    ("pickup_dayofweek", "int"),
    ("norides", "bigint"),
    ("total_bill", "double"),
    ("avg_bill", "double"),
    ("norides_lag", "bigint"),
    ("pred", "int"),
    ("score", "double"),
    ("day_pred", "int"),
]

#: Model features, computed from the aggregated periods by add_features (see the module docstring).
FEATURES = ["day_deviation", "period_deviation"]
#: Number of reference days of a day: the nearest days of the same day type (REFERENCE_DAY_TYPES).
REFERENCE_DAYS = 8
#: Day type of each weekday (Monday = 0): Monday-Thursday, Friday, Saturday, Sunday.
REFERENCE_DAY_TYPES = np.array([0, 0, 0, 0, 1, 2, 3])
#: Half width of the normal band, in robust standard deviations (1.4826 x median absolute deviation).
NORMAL_BAND = 5.0
PERIODS_PER_DAY = DAY_US // PERIOD_US

#: What the job reads of every trip file, given to Spark so that it never infers a schema from
#: whichever file it happens to open first.
TRIP_SCHEMA = "pickup_datetime TIMESTAMP, driver_pay DOUBLE"
#: Spark SQL types (as the job's session infers them from one file) that a trip file may have for
#: each column of TRIP_SCHEMA: those Spark 4.1's Parquet reader reads as the TRIP_SCHEMA type.
#: Measured, not assumed: a Parquet INT64 or DECIMAL column read as DOUBLE fails the read
#: (FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH); TIMESTAMP_NTZ (a Spark-written file) is
#: read as TIMESTAMP with its wall-clock value, like the TLC files.
TRIP_COLUMN_TYPES = {
    "pickup_datetime": ("timestamp", "timestamp_ntz"),
    "driver_pay": ("double", "float", "int", "smallint", "tinyint"),
}
#: Files whose schema is read at the same time (one small Spark job each).
SCHEMA_READ_THREADS = 8

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------

def _contamination(text: str) -> float:
    value = _float(text, "contamination")
    if not 0.0 < value <= 0.5:
        raise argparse.ArgumentTypeError(f"contamination must be in (0, 0.5], got {text}")
    return value


def _n_estimators(text: str) -> int:
    value = _int(text, "n-estimators")
    if value < 1:
        raise argparse.ArgumentTypeError(f"n-estimators must be >= 1, got {text}")
    return value


def _max_samples(text: str) -> float | int:
    if re.fullmatch(r"\s*\d+\s*", text):
        value = int(text)
        if value < 2:
            raise argparse.ArgumentTypeError(
                f"max-samples as a count must be >= 2 (use a fraction such as 0.7 otherwise), got {text}")
        return value
    value = _float(text, "max-samples")
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"max-samples as a fraction must be in (0, 1], got {text}")
    return value


def _random_state(text: str) -> int:
    value = _int(text, "random-state")
    if value < 0:
        raise argparse.ArgumentTypeError(f"random-state must be >= 0, got {text}")
    return value


def _table_name(text: str) -> str:
    parts = text.split(".")
    if len(parts) != 3 or not all(_IDENTIFIER.match(p) for p in parts):
        raise argparse.ArgumentTypeError(
            f"output-table must be catalog.namespace.table (letters, digits, _), got {text!r}")
    return text


def _location(text: str) -> str:
    if "'" in text or "\\" in text:
        raise argparse.ArgumentTypeError(f"namespace-location must not contain quotes or backslashes: {text!r}")
    return text


def _float(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"{name} must be finite, got {text!r}")
    return value


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}") from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and validate the command line (exits with status 2 and a message on bad input)."""
    parser = argparse.ArgumentParser(
        prog="anomaly_detection.py",
        description="Aggregate taxi trips into 30-minute periods, score them with an IsolationForest "
                    "and write an Iceberg table.")
    parser.add_argument("--input", default="s3a://demo/ny-taxi-data/raw/",
                        help="raw trip Parquet files (default: %(default)s)")
    parser.add_argument("--output-table", type=_table_name, default="prediction.ad.iforest",
                        help="catalog.namespace.table to create or replace (default: %(default)s)")
    parser.add_argument("--namespace-location", type=_location, default="s3a://prediction/ad",
                        help="location of the namespace if it must be created; '' for none "
                             "(default: %(default)s)")
    parser.add_argument("--contamination", type=_contamination, default=0.005,
                        help="expected share of outliers, in (0, 0.5] (default: %(default)s)")
    parser.add_argument("--n-estimators", type=_n_estimators, default=200,
                        help="number of trees (default: %(default)s)")
    parser.add_argument("--max-samples", type=_max_samples, default=0.7,
                        help="samples per tree: fraction in (0, 1] or integer count (default: %(default)s)")
    parser.add_argument("--random-state", type=_random_state, default=42,
                        help="seed of the forest (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.input.strip():
        parser.error("--input must not be empty")
    return args


# ---------------------------------------------------------------------------------------------
# Input check: every file, before anything is read or written
# ---------------------------------------------------------------------------------------------

class BadInputError(ValueError):
    """The input holds files the job cannot use (raised before anything is written)."""


def read_trips(spark: SparkSession, path: str) -> DataFrame:
    """The trip files under `path` with just the job's columns (TRIP_SCHEMA).

    The files are listed once, here: Spark's file index keeps the listing, so the check
    (input_files) and the aggregation see the same files, even if files arrive meanwhile."""
    return spark.read.schema(TRIP_SCHEMA).parquet(path)


def input_files(trips: DataFrame) -> list[str]:
    """The files a scan of `trips` (read_trips) reads, as paths, sorted. Spark's own listing, with
    Spark 4.1's rules: DataFrame.inputFiles() lists what InMemoryFileIndex found, without names
    starting with `.`, or with `_` unless they hold `=` or start with `_metadata`/`_common_metadata`,
    nor names ending in `._COPYING_` (HadoopFSUtils.shouldFilterOutPathName, applied to files and
    folders), and without files in subfolders unless these are partitions (`key=value`); the scan
    then drops by name what is not data (PartitioningAwareFileIndex.listFiles: isDataPath, i.e.
    also `_metadata`/`_common_metadata`), done here too (_is_data_file). So the data load's
    `_SUCCESS` marker and hidden files are not input. The scan also skips empty files silently;
    they stay here, so that an empty month file is reported rather than skipped. inputFiles()
    gives URIs (a space is `%20`): unquoted back to paths."""
    return sorted(path for path in map(unquote, trips.inputFiles()) if _is_data_file(path))


def _is_data_file(path: str) -> bool:
    """Spark 4.1 PartitioningAwareFileIndex.isDataPath: not `_...` (unless it holds `=`), not `.`..."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return not ((name.startswith("_") and "=" not in name) or name.startswith("."))


def _reason(error: Exception) -> str:
    """The innermost message of a Spark/Java error, without stack frames and class names."""
    lines = [line.strip() for line in str(error).splitlines()]
    lines = [line for line in lines if line and not line.startswith(("at ", "..."))]
    causes = [line[len("Caused by: "):] for line in lines if line.startswith("Caused by: ")]
    text = (causes or lines or [type(error).__name__])[-1]
    text = re.sub(r"^(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*: ", "", text)  # java.io.IOException: ...
    text = re.sub(r"^An error occurred while calling [\w.]+\. ?", "", text)
    return text if len(text) <= 300 else text[:297] + "..."


def _one_of(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def file_problem(spark: SparkSession, path: str) -> str | None:
    """Why the job cannot use the trip file `path` (None if it can): unreadable, a column of
    TRIP_COLUMN_TYPES missing, or of another type. Reads the file's schema as the job's session
    infers it (one small Spark job reading the Parquet footer); column names match as Spark's
    reader matches them (case-insensitively unless spark.sql.caseSensitive)."""
    try:
        schema = spark.read.parquet(path).schema
    except Exception as error:  # noqa: BLE001 - any failure to read it is the answer
        return f"unreadable Parquet ({_reason(error)})"
    fold = (lambda name: name) if spark.conf.get("spark.sql.caseSensitive") == "true" else str.lower
    types = {fold(field.name): field.dataType.simpleString() for field in schema}
    missing = [name for name in TRIP_COLUMN_TYPES if fold(name) not in types]
    problems = [f"lacks column(s) {sorted(missing)}"] if missing else []
    for name, accepted in TRIP_COLUMN_TYPES.items():
        found = types.get(fold(name))
        if found is not None and found not in accepted:
            problems.append(f"column {name} has type {found}, expected {_one_of(accepted)}")
    return "; ".join(problems) or None


def check_input(spark: SparkSession, source: str, files: Sequence[str], table: str) -> None:
    """Raise BadInputError, naming every bad file and why, unless each of `files` (the input
    under `source`) is a trip file the job can use; also if there is none. The schemas are read
    a few files at a time (SCHEMA_READ_THREADS)."""
    if not files:
        raise BadInputError(f"input {source} holds no data files (names starting with _ or . are not input); "
                            f"nothing written, {table} unchanged")
    with ThreadPoolExecutor(max_workers=min(SCHEMA_READ_THREADS, len(files))) as pool:
        problems = list(pool.map(lambda path: file_problem(spark, path), files))
    bad = [f"  {path}: {problem}" for path, problem in zip(files, problems) if problem]
    if bad:
        raise BadInputError(f"input {source} has {len(bad)} bad file(s) of {len(files)}; "
                            f"nothing written, {table} unchanged:\n" + "\n".join(bad))


# ---------------------------------------------------------------------------------------------
# Spark part: bucketing and aggregation
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def job_session_conf(spark: SparkSession) -> Iterator[None]:
    """Run with the job's session conf, restoring the caller's afterwards:
    * spark.sql.session.timeZone=UTC: wall-clock timestamps are never shifted;
    * spark.sql.parquet.inferTimestampNTZ.enabled=false: Parquet timestamps without time zone are
      inferred as TIMESTAMP (the check's per-file schemas), as the job reads them (TRIP_SCHEMA):
      with their stored value (wall clock as UTC, exact in a UTC session), so the period
      arithmetic needs no per-row time-zone conversion (a cast from TIMESTAMP_NTZ costs about as
      much as the whole aggregation);
    * spark.sql.execution.arrow.pyspark.enabled=true: driver <-> JVM transfers go through Arrow."""
    wanted = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    previous = {key: spark.conf.get(key, None) for key in wanted}
    for key, value in wanted.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def period_number(pickup: Column) -> Column:
    """Number of the 30-minute period of a timestamp, counted from PERIOD_ORIGIN (a BIGINT).

    One integer division of the microseconds since the origin. A TIMESTAMP_NTZ column is cast to
    TIMESTAMP first (wall clock as UTC, which needs the UTC session of job_session_conf); for a
    TIMESTAMP column, as read by the job, the cast is a no-op. NULL for a NULL timestamp, and
    (try_add) instead of an overflow error for a corrupt one beyond Spark's TIMESTAMP range.
    """
    micros = F.unix_micros(pickup.cast("timestamp"))
    since_origin = F.try_add(micros, F.lit(PERIOD_ORIGIN * PERIOD_US))
    return F.call_function("div", since_origin, F.lit(PERIOD_US))


def period_start_from_number(number: Column) -> Column:
    """Start of a numbered period, as microseconds since 1970-01-01 (UTC wall clock)."""
    return (number - F.lit(PERIOD_ORIGIN)) * F.lit(PERIOD_US)


def period_start_us(pickup: Column) -> Column:
    """Start of the 30-minute period of a timestamp, as microseconds since 1970-01-01 (UTC wall clock).
    Pure integer arithmetic (see period_number), right before 1970 too."""
    return period_start_from_number(period_number(pickup))


def aggregate_periods(trips: DataFrame) -> DataFrame:
    """One row per 30-minute period that has pickups: period_us, norides, total_bill, avg_bill.

    Aggregates on the single dense integer key period_number. Trips without a pickup time are
    dropped by the filter on the key, which Spark's optimizer moves below the aggregation (a
    per-row null check). Only what needs the trips runs in Spark: the calendar parts of the few
    periods are added on the driver (add_time_parts)."""
    return (
        trips.groupBy(period_number(F.col("pickup_datetime")).alias("period"))
        .agg(F.count(F.lit(1)).alias("norides"),
             F.sum("driver_pay").alias("total_pay"),
             F.count("driver_pay").alias("paid_rides"))
        .where(F.col("period").isNotNull())
        .select(period_start_from_number(F.col("period")).alias("period_us"),
                "norides",
                F.round("total_pay", 2).alias("total_bill"),
                F.round(F.try_divide("total_pay", "paid_rides"), 2).alias("avg_bill"))  # = avg(driver_pay)
    )


def add_time_parts(periods: pd.DataFrame) -> pd.DataFrame:
    """Add the calendar parts of each period start (period_us, UTC wall clock), as Spark's
    minute/hour/year/month/dayofmonth/dayofweek would compute them; microsecond datetimes, so any
    year of Spark's TIMESTAMP range works (nanosecond pandas timestamps end in 2262)."""
    start = pd.Series(periods["period_us"].to_numpy(dtype="int64").astype("datetime64[us]"), index=periods.index)
    return periods.assign(
        pickup_minute_group=np.where(start.dt.minute == 0, "00", "30"),
        pickup_hour=start.dt.hour.astype("int32"),
        pickup_year=start.dt.year.astype("int32"),
        pickup_month=start.dt.month.astype("int32"),
        pickup_dayofmonth=start.dt.day.astype("int32"),
        pickup_dayofweek=((start.dt.dayofweek + 1) % 7 + 1).astype("int32"),  # pandas Monday = 0 -> Sunday = 1
    )


def collect_periods(trips: DataFrame) -> pd.DataFrame:
    """The periods of aggregate_periods on the driver, sorted by period_us, with their time parts."""
    periods = aggregate_periods(trips).toPandas().sort_values("period_us", ignore_index=True)
    return add_time_parts(periods)


# ---------------------------------------------------------------------------------------------
# Driver part: features, lag column and model (pandas/numpy, vectorised)
# ---------------------------------------------------------------------------------------------

def add_lag(periods: pd.DataFrame) -> pd.DataFrame:
    """Add norides_lag (rides of period_us - 1 day, 0 if that period had none) and drop the
    lag warm-up: periods less than one day after the first period of the data."""
    periods = periods.sort_values("period_us", ignore_index=True)
    if periods.empty:
        return periods.assign(norides_lag=pd.Series(dtype="int64"))
    rides = pd.Series(periods["norides"].to_numpy(), index=periods["period_us"].to_numpy())
    earlier = periods["period_us"] - DAY_US
    lagged = periods.assign(norides_lag=earlier.map(rides).fillna(0).astype("int64"))
    return lagged[earlier >= periods["period_us"].iloc[0]].reset_index(drop=True)


def _nearest_of_same_kind(kinds: np.ndarray, count: int) -> np.ndarray:
    """For each item of a sorted sequence, the indices of the `count` nearest other items (by
    position) of the same kind: a window centred on the item, shifted inwards at the ends.
    Shape (len(kinds), count); -1 where a kind has fewer than count + 1 items."""
    nearest = np.full((len(kinds), count), -1, dtype=np.int64)
    for kind in np.unique(kinds):
        members = np.flatnonzero(kinds == kind)
        n = len(members)
        k = min(count, n - 1)
        if k < 1:
            continue
        position = np.arange(n)
        start = np.clip(position - k // 2, 0, n - k - 1)
        window = start[:, None] + np.arange(k + 1)  # k + 1 positions, the item's own among them
        others = window[window != position[:, None]].reshape(n, k)
        nearest[members, :k] = members[others]
    return nearest


def _robust_sd(values: np.ndarray, axis=None) -> np.ndarray:
    """1.4826 x the median absolute deviation from the median (= the standard deviation for
    normally distributed values), ignoring NaN."""
    centre = np.nanmedian(values, axis=axis, keepdims=True)
    return 1.4826 * np.nanmedian(np.abs(values - centre), axis=axis)


def add_features(periods: pd.DataFrame) -> pd.DataFrame:
    """Add the model features: how far a period's rides are from what is normal for its half hour
    of the day, split into the deviation of its whole day and the period's own on top of it.

    Per calendar day with data and half hour of the day, v = log(1 + rides) (0 rides where a day
    with data has none in a half hour; NaN before the first and after the last period of the data).
    * baseline: per day and half hour, the median of v over the day's REFERENCE_DAYS reference days
      (the nearest days of the same day type, earlier and later; any day type if its type has only
      one day). A median of 8: one anomalous day among the references barely moves it, and the
      day after an anomaly is compared with the same baseline as every other day (no echo).
    * r = v - baseline; day deviation d = median of r over the day's half hours (the whole day
      busier or quieter: events, weather, holidays); period deviation p = r - d.
    * normal band: NORMAL_BAND robust standard deviations of d over all days, and of p per half
      hour of the day (pooled with the two half hours on each side; per period at least the
      Poisson noise 1 / sqrt(1 + expected rides), expected rides = exp(baseline + d) - 1: a
      weekend morning or a quiet day has fewer rides, so more noise, than the same half hour on
      most days). Inside the band a deviation is normal variation.
    Features: day_deviation = d and period_deviation = p where they lie outside their band, else 0.
    They are log ratios (0.69 = twice the usual rides, -0.69 = half), so an anomaly gets about the
    same values whatever the amount of data. Periods inside both bands all get (0, 0): the forest
    cannot tell them apart, they share the lowest score, and only periods outside a band can be
    labelled outliers. Vectorised numpy on days x 48 half hours."""
    periods = periods.sort_values("period_us", ignore_index=True)
    if periods.empty:
        return periods.assign(**{name: pd.Series(dtype="float64") for name in FEATURES})
    period_us = periods["period_us"].to_numpy(dtype="int64")
    day_number = period_us // DAY_US  # floors, also before 1970
    slot = (period_us - day_number * DAY_US) // PERIOD_US
    days, row = np.unique(day_number, return_inverse=True)
    values = np.zeros((len(days), PERIODS_PER_DAY))
    values[row, slot] = np.log1p(periods["norides"].to_numpy(dtype="float64"))
    values[0, :slot[0]] = np.nan  # before the first period of the data
    values[-1, slot[-1] + 1:] = np.nan  # after the last one

    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    references = _nearest_of_same_kind(REFERENCE_DAY_TYPES[weekday], REFERENCE_DAYS)
    lonely = references[:, 0] < 0
    if lonely.any():
        references[lonely] = _nearest_of_same_kind(np.zeros(len(days)), REFERENCE_DAYS)[lonely]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: no reference, no data
        gathered = np.where((references >= 0)[:, :, None], values[references], np.nan)
        baseline = np.nanmedian(gathered, axis=1)
        residual = values - baseline
        day_deviation = np.nanmedian(residual, axis=1)
        period_deviation = residual - day_deviation[:, None]

        day_band = NORMAL_BAND * np.nan_to_num(_robust_sd(day_deviation), nan=0.0)
        spread = np.abs(period_deviation - np.nanmedian(period_deviation, axis=0))
        pooled = np.stack([np.roll(spread, shift, axis=1) for shift in (-2, -1, 0, 1, 2)])
        slot_sd = 1.4826 * np.nanmedian(pooled, axis=(0, 1))
        # the Poisson noise of the rides this period is expected to have: its baseline moved by its
        # day's deviation (a weekend morning or a quiet day has fewer rides, so more noise, than
        # the same half hour on most days)
        poisson_sd = 1.0 / np.sqrt(1.0 + np.expm1(np.fmax(baseline + day_deviation[:, None], 0.0)))
        period_band = NORMAL_BAND * np.fmax(np.nan_to_num(slot_sd, nan=0.0)[None, :], np.nan_to_num(poisson_sd, nan=1.0))

    day_feature = np.where(np.abs(day_deviation) > day_band, day_deviation, 0.0)
    period_feature = np.where(np.abs(period_deviation) > period_band, period_deviation, 0.0)
    return periods.assign(day_deviation=np.nan_to_num(day_feature[row], nan=0.0),
                          period_deviation=np.nan_to_num(period_feature[row, slot], nan=0.0))


def score_features(features: np.ndarray, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Fit StandardScaler + IsolationForest on the feature rows and score them all once:
    (pred: -1 outlier / 1 inlier, score: negated score_samples, higher = more anomalous)."""
    # contamination="auto": fit builds the same trees (same random_state) but does not score the
    # training set to set offset_; the one pass below does, with sklearn's own rule
    # (scikit-learn 1.7.2 sklearn/ensemble/_iforest.py: fit sets offset_ = np.percentile(
    # score_samples(X), 100 * contamination), predict labels -1 where score_samples - offset_ < 0;
    # strictly below, so equal scores at the percentile, e.g. all in-band periods, stay inliers).
    model = make_pipeline(
        StandardScaler(),
        IsolationForest(n_estimators=args.n_estimators, max_samples=args.max_samples,
                        contamination="auto", random_state=args.random_state),
    )
    model.fit(features)
    raw = model.score_samples(features)  # lower = more abnormal
    offset = np.percentile(raw, 100.0 * args.contamination)
    return np.where(raw < offset, -1, 1).astype("int32"), -raw


def score_periods(periods: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """Score the periods (which carry the FEATURES columns of add_features) once; day_pred: -1
    where the period's day deviation is outside its normal band (its day feature is not 0)."""
    pred, score = score_features(periods[FEATURES].to_numpy(dtype="float64"), args)
    day_pred = np.where(periods["day_deviation"].to_numpy() != 0.0, -1, 1).astype("int32")
    return periods.assign(pred=pred, score=score, day_pred=day_pred)


def score_table(periods: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The model step of the job: features (over all periods), norides_lag and the one-day
    warm-up, then fit and score. Raises ValueError with fewer than 2 periods after the warm-up."""
    lagged = add_lag(add_features(periods))
    if len(lagged) < 2:
        raise ValueError(
            f"need at least 2 periods after the one-day lag warm-up, got {len(lagged)} "
            f"({len(periods)} periods in the input): does {args.input} hold more than a day of trips?")
    return score_periods(lagged, args)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

#: Arrow type of each Spark SQL type of the contract (TIMESTAMP: UTC instants, as Spark stores them).
_ARROW_TYPES = {"timestamp": pa.timestamp("us", tz="UTC"), "string": pa.string(), "int": pa.int32(),
                "bigint": pa.int64(), "double": pa.float64()}


def to_output(spark: SparkSession, scored: pd.DataFrame) -> DataFrame:
    """The scored periods as a Spark DataFrame with exactly the contract's columns and types,
    handed to Spark as one Arrow table already in those types (NaN -> NULL); one partition."""
    columns = [
        pa.array(scored["period_us"].to_numpy(dtype="int64")).cast(_ARROW_TYPES[kind]) if name == "pickup_ts"
        else pa.Array.from_pandas(scored[name], type=_ARROW_TYPES[kind])
        for name, kind in OUTPUT_COLUMNS
    ]
    table = pa.Table.from_arrays(columns, names=[name for name, _ in OUTPUT_COLUMNS])
    return spark.createDataFrame(table).coalesce(1)


def write_table(spark: SparkSession, frame: DataFrame, table: str, namespace_location: str) -> None:
    """Create the namespace if missing, then create or replace the table (idempotent)."""
    catalog, namespace, name = table.split(".")
    create = f"CREATE NAMESPACE IF NOT EXISTS `{catalog}`.`{namespace}`"
    if namespace_location:
        create += f" LOCATION '{namespace_location}'"
    spark.sql(create)
    frame.writeTo(f"`{catalog}`.`{namespace}`.`{name}`").using("iceberg").createOrReplace()


def run(spark: SparkSession, args: argparse.Namespace) -> dict[str, int | float]:
    """The whole job on an existing session; returns the summary it prints: counts, and the wall
    seconds of its steps (aggregate_s: read + aggregate + collect the periods, model_s: features,
    lag + fit + score, write_s: namespace + table, total_s)."""
    start = time.perf_counter()
    with job_session_conf(spark):
        trips = read_trips(spark, args.input)
        check_input(spark, args.input, input_files(trips), args.output_table)
        periods = collect_periods(trips)
        aggregated = time.perf_counter()
        scored = score_table(periods, args)
        modelled = time.perf_counter()
        write_table(spark, to_output(spark, scored), args.output_table, args.namespace_location)
    end = time.perf_counter()
    summary = {
        "rows_read": int(periods["norides"].sum()),
        "periods": len(periods),
        "periods_scored": len(scored),
        "outliers": int((scored["pred"] == -1).sum()),
        "anomalous_days": int(scored.loc[scored["day_pred"] == -1, "period_us"].floordiv(DAY_US).nunique()),
        "aggregate_s": aggregated - start,
        "model_s": modelled - aggregated,
        "write_s": end - modelled,
        "total_s": end - start,
    }
    print(f"anomaly_detection: read {summary['rows_read']} trips in {summary['periods']} 30-minute periods; "
          f"scored {summary['periods_scored']} after the one-day lag warm-up; "
          f"{summary['outliers']} outliers, {summary['anomalous_days']} anomalous days; wrote {args.output_table}; "
          f"{summary['total_s']:.1f} s (aggregate {summary['aggregate_s']:.1f} s, model {summary['model_s']:.1f} s, "
          f"write {summary['write_s']:.1f} s)", flush=True)
    return summary


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> int:
    """Entry point. Creates (and stops) its own SparkSession unless one is given."""
    args = parse_args(argv)
    own = spark is None
    if own:
        spark = SparkSession.builder.appName("anomaly-detection").getOrCreate()
    try:
        run(spark, args)
    finally:
        if own:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
