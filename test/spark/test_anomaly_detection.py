"""Tests of the PySpark job demos/spark-k8s-anomaly-detection-taxi-data/anomaly_detection.py in local Spark with Iceberg.

Unit tests of the pure parts (argument validation, period arithmetic, lag, the deviation features)
and end-to-end tests on synthetic trips: the table matches the contract iforest-table.json, holds
one row per 30-minute period after the lag warm-up with the right aggregates, ranks the injected
anomalies highest and flags exactly them (no echo), and is the same after a second run; bad input
files (corrupt Parquet, another TLC kind) fail the job naming each of them and leave the previous
table as it was; and the script itself, run by spark-submit. Run with scripts/test-spark.sh.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import StandardScaler

import anomaly_detection as ad
import fhvhv_generator
import local_spark
from conftest import MONTHS
from local_spark import JOB_DIR, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "test" / "demos"))
import yellow_generator  # noqa: E402

CONTRACT = json.loads((JOB_DIR / "iforest-table.json").read_text())["columns"]
HALF_HOUR = pd.Timedelta(minutes=30)


# --- arguments --------------------------------------------------------------------------------

def test_defaults_are_the_cluster_values():
    args = ad.parse_args([])
    assert vars(args) == {
        "input": "s3a://demo/ny-taxi-data/raw/", "output_table": "prediction.ad.iforest",
        "namespace_location": "s3a://prediction/ad", "contamination": 0.005, "n_estimators": 200,
        "max_samples": 0.7, "random_state": 42,
    }


def test_max_samples_takes_a_fraction_or_a_count():
    assert ad.parse_args(["--max-samples", "1.0"]).max_samples == 1.0
    assert ad.parse_args(["--max-samples", "256"]).max_samples == 256


@pytest.mark.parametrize("argv, message", [
    (["--contamination", "0"], "contamination must be in (0, 0.5]"),
    (["--contamination", "0.6"], "contamination must be in (0, 0.5]"),
    (["--contamination", "auto"], "contamination must be a number"),
    (["--contamination", "nan"], "contamination must be finite"),
    (["--n-estimators", "0"], "n-estimators must be >= 1"),
    (["--n-estimators", "2.5"], "n-estimators must be an integer"),
    (["--max-samples", "0"], "max-samples as a count must be >= 2"),
    (["--max-samples", "1.5"], "max-samples as a fraction must be in (0, 1]"),
    (["--random-state", "-1"], "random-state must be >= 0"),
    (["--output-table", "prediction.iforest"], "output-table must be catalog.namespace.table"),
    (["--output-table", "prediction.ad.if-orest"], "output-table must be catalog.namespace.table"),
    (["--namespace-location", "s3a://x/'y"], "namespace-location must not contain quotes"),
    (["--input", " "], "--input must not be empty"),
    (["--unknown"], "unrecognized arguments"),
])
def test_invalid_arguments_exit_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ad.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


# --- pure functions ---------------------------------------------------------------------------

def _period_starts(spark, values: list[dt.datetime], session_tz: str = "UTC") -> list[dt.datetime]:
    frame = spark.createDataFrame([(v,) for v in values], T.StructType([T.StructField("t", T.TimestampNTZType())]))
    spark.conf.set("spark.sql.session.timeZone", session_tz)
    try:
        with ad.job_session_conf(spark):
            rows = frame.select(ad.period_start_us(F.col("t")).alias("us")).collect()
        assert spark.conf.get("spark.sql.session.timeZone") == session_tz  # restored
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    return [dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=r.us) for r in rows]


BUCKET_CASES = [
    (dt.datetime(2020, 9, 1, 23, 59, 59, 999999), dt.datetime(2020, 9, 1, 23, 30)),
    (dt.datetime(2020, 9, 2, 0, 0), dt.datetime(2020, 9, 2, 0, 0)),
    (dt.datetime(2020, 9, 2, 0, 29, 59), dt.datetime(2020, 9, 2, 0, 0)),
    (dt.datetime(2020, 9, 2, 0, 30), dt.datetime(2020, 9, 2, 0, 30)),
    (dt.datetime(2020, 12, 31, 23, 45), dt.datetime(2020, 12, 31, 23, 30)),
    (dt.datetime(1969, 12, 31, 23, 45, 1), dt.datetime(1969, 12, 31, 23, 30)),  # before the epoch
    # New York wall-clock times that do not exist / exist twice (DST): never shifted
    (dt.datetime(2021, 3, 14, 2, 15), dt.datetime(2021, 3, 14, 2, 0)),
    (dt.datetime(2021, 11, 7, 1, 45), dt.datetime(2021, 11, 7, 1, 30)),
]


@pytest.mark.parametrize("session_tz", ["UTC", "America/New_York", "Asia/Kathmandu"])
def test_period_start_is_arithmetic_and_ignores_the_session_time_zone(spark, session_tz):
    values = [v for v, _ in BUCKET_CASES]
    assert _period_starts(spark, values, session_tz) == [expected for _, expected in BUCKET_CASES]


def test_aggregate_periods_counts_sums_and_time_parts(spark):
    trips = [(dt.datetime(2020, 9, 5, 23, 59), 10.004), (dt.datetime(2020, 9, 5, 23, 31, 10), 5.0),
             (dt.datetime(2020, 9, 6, 0, 0), 1.1), (dt.datetime(2020, 9, 6, 0, 10), 2.3),
             (dt.datetime(2020, 9, 6, 0, 29, 59), None), (dt.datetime(2020, 9, 6, 1, 5), None)]
    frame = spark.createDataFrame(trips, "pickup_datetime timestamp_ntz, driver_pay double")
    with ad.job_session_conf(spark):
        rows = ad.collect_periods(frame)
    assert rows["period_us"].tolist() == [
        int(pd.Timestamp(t).value // 1000) for t in ["2020-09-05 23:30", "2020-09-06 00:00", "2020-09-06 01:00"]]
    assert rows["norides"].tolist() == [2, 3, 1]  # a null driver_pay still is a ride
    assert rows["total_bill"].tolist()[:2] == [15.0, 3.4]
    assert rows["avg_bill"].tolist()[:2] == [7.5, 1.7]  # the average of the reported pays
    assert rows[["total_bill", "avg_bill"]].iloc[2].isna().all()  # no pay reported at all
    assert rows["pickup_minute_group"].tolist() == ["30", "00", "00"]
    assert rows["pickup_hour"].tolist() == [23, 0, 1]
    assert rows["pickup_dayofmonth"].tolist() == [5, 6, 6]
    assert rows["pickup_dayofweek"].tolist() == [7, 1, 1]  # Saturday, Sunday (Spark: 1 = Sunday)
    assert rows[["pickup_year", "pickup_month"]].drop_duplicates().values.tolist() == [[2020, 9]]


def test_null_pickup_times_are_no_period(spark):
    trips = [(dt.datetime(2020, 9, 6, 0, 10), 2.0), (None, 7.0), (None, None), (dt.datetime(2020, 9, 6, 0, 20), 3.0)]
    frame = spark.createDataFrame(trips, "pickup_datetime timestamp_ntz, driver_pay double")
    with ad.job_session_conf(spark):
        rows = ad.collect_periods(frame)
    assert rows["period_us"].tolist() == [int(pd.Timestamp("2020-09-06 00:00").value // 1000)]
    assert rows["norides"].tolist() == [2] and rows["total_bill"].tolist() == [5.0]


def test_period_numbers_are_dense_and_cover_the_timestamp_range(spark):
    """period_number floors by one division from PERIOD_ORIGIN: consecutive half hours get
    consecutive numbers, and the first and last instants Spark's TIMESTAMP holds (0001, 9999) are
    bucketed like any other, time parts included."""
    values = [dt.datetime(2020, 9, 1, 0, 0), dt.datetime(2020, 9, 1, 0, 30), dt.datetime(2020, 9, 1, 1, 0),
              dt.datetime(1, 1, 1, 0, 29, 59), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)]
    frame = spark.createDataFrame([(v,) for v in values], T.StructType([T.StructField("t", T.TimestampNTZType())]))
    with ad.job_session_conf(spark):
        rows = frame.select(ad.period_number(F.col("t")).alias("n"), ad.period_start_us(F.col("t")).alias("us")).collect()
    numbers = [r.n for r in rows]
    assert numbers[1] - numbers[0] == numbers[2] - numbers[1] == 1
    assert min(numbers) >= 0
    starts = [dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=r.us) for r in rows]
    assert starts[3:] == [dt.datetime(1, 1, 1, 0, 0), dt.datetime(9999, 12, 31, 23, 30)]
    parts = ad.add_time_parts(pd.DataFrame({"period_us": [rows[3].us, rows[4].us]}))
    assert parts["pickup_year"].tolist() == [1, 9999] and parts["pickup_month"].tolist() == [1, 12]
    assert parts["pickup_dayofmonth"].tolist() == [1, 31] and parts["pickup_hour"].tolist() == [0, 23]
    assert parts["pickup_minute_group"].tolist() == ["00", "30"]
    assert parts["pickup_dayofweek"].tolist() == [2, 6]  # 0001-01-01 a Monday, 9999-12-31 a Friday


def test_add_lag_uses_the_same_half_hour_one_day_earlier_and_drops_the_warm_up():
    start = pd.Timestamp("2020-09-01 10:00")
    slots = [start + HALF_HOUR * i for i in [0, 1, 2, 48, 49, 50, 96]]  # day 0, day 1 (10:00-11:00), day 2
    periods = pd.DataFrame({"period_us": [t.value // 1000 for t in slots], "norides": [5, 6, 7, 8, 9, 10, 11]})
    periods = periods.iloc[::-1]  # order must not matter
    lagged = ad.add_lag(periods.drop(index=1))  # day 0, 10:30 has no rides
    assert lagged["period_us"].tolist() == [t.value // 1000 for t in slots[3:]]
    assert lagged["norides_lag"].tolist() == [5, 0, 7, 8]
    assert lagged["norides_lag"].dtype == np.int64


def test_labels_are_sklearns_for_the_contamination():
    """score_periods scores once and sets the label threshold itself: the labels and scores must be
    those of sklearn's IsolationForest fitted with the contamination (predict / score_samples)."""
    rng = np.random.default_rng(3)
    periods = pd.DataFrame({"day_deviation": rng.normal(0, 0.1, 400), "period_deviation": rng.normal(0, 0.3, 400)})
    args = ad.parse_args(["--contamination", "0.02", "--n-estimators", "50"])
    scored = ad.score_periods(periods, args)
    features = StandardScaler().fit_transform(periods[ad.FEATURES].to_numpy(dtype="float64"))
    forest = IsolationForest(n_estimators=50, max_samples=0.7, contamination=0.02, random_state=42).fit(features)
    assert scored["pred"].tolist() == forest.predict(features).tolist()
    assert np.allclose(scored["score"], -forest.score_samples(features), rtol=1e-12)
    assert (scored["pred"] == -1).sum() == 8  # 2 % of 400


def test_tied_periods_straddling_the_threshold_are_all_inliers():
    """sklearn's rule (outlier if score_samples < the contamination-percentile) with ties: when
    the percentile falls inside a group of equal scores, none of them is an outlier. add_features
    relies on it: periods inside the normal band all have the features (0, 0)."""
    features = np.zeros((400, 2))
    features[:3] = [[0.0, -3.0], [0.0, 2.0], [0.5, 0.0]]  # 3 outliers, fewer than 2 % of 400
    pred, score = ad.score_features(features, ad.parse_args(["--contamination", "0.02", "--n-estimators", "50"]))
    assert pred[:3].tolist() == [-1, -1, -1] and (pred[3:] == 1).all()
    assert len(set(score[3:])) == 1 and score[:3].min() > score[3]
    scaled = StandardScaler().fit_transform(features)
    forest = IsolationForest(n_estimators=50, max_samples=0.7, contamination=0.02, random_state=42).fit(scaled)
    assert pred.tolist() == forest.predict(scaled).tolist()  # sklearn's own predict does the same


def _synthetic_days(days: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Periods of `days` days from Monday 2020-09-07: a daily rhythm of about 100-600 rides per half
    hour, 3 % day-to-day variation and Poisson noise; also the expected rides (days x 48)."""
    rng = np.random.default_rng(seed)
    rhythm = 350 + 250 * np.sin(np.linspace(0, 2 * np.pi, 48, endpoint=False) - 2.0)
    expected = rhythm[None, :] * rng.lognormal(0, 0.03, (days, 1))
    start = pd.Timestamp("2020-09-07").value // 1000
    period_us = start + np.arange(days * 48, dtype=np.int64) * ad.PERIOD_US
    return pd.DataFrame({"period_us": period_us}), expected


def _with_rides(frame: pd.DataFrame, expected: np.ndarray, seed: int = 1) -> pd.DataFrame:
    return frame.assign(norides=np.random.default_rng(seed).poisson(expected.ravel()))


def test_features_are_zero_for_normal_periods_and_the_day_after_an_anomaly():
    frame, expected = _synthetic_days(42)
    collapse, surge_day = (20, 35), 27  # a Sunday 17:30; a Sunday
    expected[collapse] *= 0.05
    expected[surge_day] *= 1.8
    features = ad.add_features(_with_rides(frame, expected))
    day_feature = features["day_deviation"].to_numpy().reshape(42, 48)
    period_feature = features["period_deviation"].to_numpy().reshape(42, 48)
    assert period_feature[collapse] == pytest.approx(np.log(0.05), abs=0.3)
    assert (day_feature[surge_day] == pytest.approx(np.log(1.8), abs=0.05))
    assert (period_feature[surge_day] == 0).all()
    # everything else is normal, in particular the same half hour a day (and a week) after the
    # collapse and the day after the whole anomalous day: no echo
    day_feature[surge_day] = period_feature[collapse] = 0
    assert not day_feature.any() and not period_feature.any()


def test_day_pred_shows_whole_anomalous_days_that_pred_cannot_label():
    frame, expected = _synthetic_days(42)
    storm, busy, quiet = 15, 26, 34  # a Tuesday at half the rides, a Saturday at 1.5 times, a Sunday at 0.7
    expected[storm] *= 0.5
    expected[busy] *= 1.5
    expected[quiet] *= 0.7
    expected[20, 35] *= 0.05  # and a collapse in a half hour of a normal day
    periods = ad.add_time_parts(_with_rides(frame, expected).assign(total_bill=0.0, avg_bill=0.0))
    scored = ad.score_table(periods, ad.parse_args(["--contamination", "0.005", "--n-estimators", "50"]))
    day = (scored["period_us"] - frame["period_us"].iloc[0]) // ad.DAY_US
    shown = set(day[scored["day_pred"] == -1])
    assert shown == {storm, busy, quiet}
    assert set(scored["day_pred"]) == {-1, 1} and scored["day_pred"].dtype == np.int32
    assert (scored.groupby(day)["day_pred"].nunique() == 1).all()  # one outcome per day
    # the half-hour labels are the forest's alone: the collapse, none of the anomalous days' periods
    # (48 equal scores each, more than the contamination allows: sklearn's rule labels none of them)
    assert set(day[scored["pred"] == -1]) == {20}
    pred, score = ad.score_features(scored[ad.FEATURES].to_numpy(), ad.parse_args(["--contamination", "0.005",
                                                                                    "--n-estimators", "50"]))
    assert (scored["pred"].to_numpy() == pred).all() and np.allclose(scored["score"], score)


def _periods_of(trips_dir: Path) -> pd.DataFrame:
    """The periods of generated files, aggregated with pyarrow (the job's Spark pass is tested
    elsewhere), with their time parts."""
    micros = (pq.read_table(trips_dir, columns=["pickup_datetime"]).column("pickup_datetime")
              .cast(pa.timestamp("us")).cast(pa.int64()).to_numpy())
    starts, counts = np.unique(micros // ad.PERIOD_US * ad.PERIOD_US, return_counts=True)
    return ad.add_time_parts(pd.DataFrame({"period_us": starts, "norides": counts, "total_bill": 0.0, "avg_bill": 0.0}))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_scenarios_show_every_anomalous_day_and_flag_only_injected_half_hours(tmp_path, seed):
    """Shapes, positions and factors drawn from the seed (the generator's ``random`` scenario), so
    the features are not only tested on the fixed shapes of the quality benchmark."""
    months = ["2020-09", "2020-10", "2020-11"]
    fhvhv_generator.write_months(months, 400_000, tmp_path, seed=seed, scenario="random")
    scored = ad.score_table(_periods_of(tmp_path), ad.parse_args([]))
    starts = pd.to_datetime(scored["period_us"], unit="us")
    shown = set(starts[scored["day_pred"] == -1].dt.date)
    assert shown == set(fhvhv_generator.day_anomalies(months, "random", seed))
    injected = fhvhv_generator.injected_periods(months, "random", seed)
    half_hours = {pd.Timestamp(t) for t, kind in injected.items() if kind not in fhvhv_generator.DAY_KINDS}
    flagged = set(starts[scored["pred"] == -1])
    outside_days = {t for t in flagged if t.date() not in shown}
    assert outside_days <= half_hours, f"flagged, not injected: {sorted(outside_days - half_hours)}"
    assert outside_days, "no half-hour anomaly flagged"


def test_quiet_weekend_mornings_and_quiet_days_are_not_period_anomalies():
    """The Poisson part of the period band is that of the rides the period is expected to have: on
    weekend mornings (here a tenth of the weekday rides) and on a quiet day, the noise is larger
    than on most days at that half hour (found by the random scenarios: a false flag at 07:00 on
    a Saturday)."""
    frame, expected = _synthetic_days(56)
    weekend = np.isin(np.arange(56) % 7, (5, 6))  # day 0 is a Monday
    expected[np.ix_(weekend, np.arange(10, 20))] *= 0.1  # 05:00-10:00
    expected[30] *= 0.3  # a quiet Wednesday
    for seed in range(1, 6):
        features = ad.add_features(_with_rides(frame, expected, seed))
        period_feature = features["period_deviation"].to_numpy().reshape(56, 48)
        assert not period_feature.any(), f"seed {seed}: {np.argwhere(period_feature)}"
        assert (features["day_deviation"].to_numpy().reshape(56, 48)[30] == pytest.approx(np.log(0.3), abs=0.1))


def test_features_do_not_depend_on_row_order_nor_on_far_away_days():
    frame, expected = _synthetic_days(21)
    expected[10, 20] *= 3
    periods = _with_rides(frame, expected)
    features = ad.add_features(periods)
    shuffled = ad.add_features(periods.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(features, shuffled)
    # one trip in year 1 and one in 9999 (corrupt timestamps): two more days, no dense calendar
    odd = pd.DataFrame({"period_us": [pd.Timestamp("2020-01-01").value // 1000 - 2019 * 365 * ad.DAY_US,
                                      253402300800000000 - ad.PERIOD_US], "norides": [1, 1]})
    widened = ad.add_features(pd.concat([periods, odd]))
    normal = widened[widened["period_us"].isin(periods["period_us"])].reset_index(drop=True)
    assert (normal["period_deviation"] != 0).sum() == 1
    assert normal.loc[10 * 48 + 20, "period_deviation"] == pytest.approx(np.log(3), abs=0.15)


def test_features_with_two_days_of_data_compare_them_with_each_other():
    frame, expected = _synthetic_days(2)
    features = ad.add_features(_with_rides(frame, expected))
    assert len(features) == 96 and np.isfinite(features[ad.FEATURES].to_numpy()).all()


def test_reference_days_are_the_nearest_of_the_same_type():
    kinds = np.array([0, 1, 0, 0, 1, 0, 0, 0, 2])
    nearest = ad._nearest_of_same_kind(kinds, 2)
    assert nearest[0].tolist() == [2, 3]  # at the start: the next two
    assert nearest[3].tolist() == [2, 5]  # in the middle: one on each side
    assert nearest[7].tolist() == [5, 6]  # at the end: the previous two
    assert nearest[1].tolist() == [4, -1]  # only one other of its kind
    assert nearest[8].tolist() == [-1, -1]  # none


# --- the job end to end -----------------------------------------------------------------------

def _reference_periods(trips_dir) -> pd.DataFrame:
    """Rides and pay per half hour computed with pyarrow/pandas alone, independently of Spark."""
    table = pq.read_table(trips_dir, columns=["pickup_datetime", "driver_pay"]).to_pandas()
    grouped = table.groupby(table["pickup_datetime"].dt.floor("30min"))["driver_pay"]
    return pd.DataFrame({"norides": grouped.size(), "total_bill": grouped.sum().round(2)})


def test_table_matches_the_contract(spark, job_run):
    schema = spark.table("prediction.ad.iforest").schema
    assert [(f.name, f.dataType.simpleString()) for f in schema] == [(c["name"], c["type"]) for c in CONTRACT]


def test_one_row_per_period_after_the_lag_warm_up(job_run, trips_dir):
    summary, table = job_run
    reference = _reference_periods(trips_dir)
    first = reference.index.min()
    expected = reference[reference.index >= first + pd.Timedelta(days=1)]
    assert len(table) == len(expected) == summary["periods_scored"]
    assert table["pickup_ts"].is_unique
    assert table["pickup_ts"].tolist() == expected.index.tolist()
    assert table["norides"].tolist() == expected["norides"].tolist()
    assert np.allclose(table["total_bill"], expected["total_bill"], atol=0.011)
    assert summary["rows_read"] == reference["norides"].sum() == 2 * 200_000
    assert summary["periods"] == len(reference)
    steps = [summary["aggregate_s"], summary["model_s"], summary["write_s"]]
    assert min(steps) > 0 and summary["total_s"] == pytest.approx(sum(steps))


def test_derived_columns(job_run):
    _, table = job_run
    ts = table["pickup_ts"]
    assert (table["pickup_minute_group"] == np.where(ts.dt.minute == 0, "00", "30")).all()
    assert (table["pickup_hour"] == ts.dt.hour).all()
    assert (table["pickup_year"] == ts.dt.year).all()
    assert (table["pickup_month"] == ts.dt.month).all()
    assert (table["pickup_dayofmonth"] == ts.dt.day).all()
    assert (table["pickup_dayofweek"] == (ts.dt.dayofweek + 1) % 7 + 1).all()  # pandas: Monday = 0
    assert np.allclose(table["avg_bill"], (table["total_bill"] / table["norides"]).round(2), atol=0.011)
    rides = dict(zip(table["pickup_ts"], table["norides"]))
    for _, row in table.iterrows():
        earlier = row["pickup_ts"] - pd.Timedelta(days=1)
        if earlier in rides:
            assert row["norides_lag"] == rides[earlier]


def test_injected_anomalies_are_the_top_k_and_the_only_flags(job_run):
    _, table = job_run
    starts = set(fhvhv_generator.injected_periods(MONTHS))
    assert len(starts) == 4
    # the k = 4 injected half-hours are the four highest scores of the whole table, strictly
    top = table.sort_values("score", ascending=False)
    assert set(top["pickup_ts"][:4]) == starts and top["score"].iloc[3] > top["score"].iloc[4]
    # and exactly they are flagged: no echo (the same half hour a day later or earlier), no noise
    flagged = set(table.loc[table["pred"] == -1, "pickup_ts"])
    assert flagged == starts
    echoes = {t + pd.Timedelta(days=d) for t in starts for d in (-1, 1)}
    assert not flagged & echoes


def test_no_day_is_anomalous_without_a_whole_day_anomaly(job_run):
    _, table = job_run
    assert (table["day_pred"] == 1).all()  # the default scenario changes half hours only


def test_labels_follow_the_score_and_the_contamination(job_run):
    _, table = job_run
    assert set(table["pred"]) == {-1, 1}
    outliers, inliers = table[table["pred"] == -1], table[table["pred"] == 1]
    assert outliers["score"].min() > inliers["score"].max()
    assert len(outliers) <= 0.005 * len(table)  # at most the contamination: fewer periods lie outside the band


def test_score_is_continuous_outside_the_normal_band(job_run):
    _, table = job_run
    assert table["score"].dtype == np.float64
    assert 0 < table["score"].min() < table["score"].max() <= 1  # negated sklearn score_samples
    # periods inside the normal band share the lowest score; the others are above it, all distinct
    normal = table["score"] == table["score"].min()
    assert normal.mean() > 0.95
    assert table.loc[~normal, "score"].is_unique


def test_second_run_leaves_the_same_table(spark, job_run, job_args, capsys):
    _, first = job_run
    assert ad.main(job_args, spark=spark) == 0
    out = capsys.readouterr().out
    assert f"read {2 * 200_000} trips" in out and "outliers" in out
    assert re.search(r"; \d+\.\d s \(aggregate \d+\.\d s, model \d+\.\d s, write \d+\.\d s\)$", out.strip())
    second = spark.table("prediction.ad.iforest").orderBy("pickup_ts").toPandas()
    pd.testing.assert_frame_equal(first, second)
    assert spark.table("prediction.ad.iforest").count() == len(first)


def test_session_time_zone_does_not_shift_periods(spark, job_run, job_args):
    _, utc_table = job_run
    spark.conf.set("spark.sql.session.timeZone", "Asia/Kathmandu")  # UTC+05:45
    try:
        ad.run(spark, ad.parse_args(job_args[:-1] + ["prediction.ad.iforest_tz"]))
        assert spark.conf.get("spark.sql.session.timeZone") == "Asia/Kathmandu"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    table = spark.table("prediction.ad.iforest_tz").orderBy("pickup_ts").toPandas()
    pd.testing.assert_frame_equal(utc_table, table)


def test_fails_clearly_on_missing_columns(spark, tmp_path):
    pq.write_table(pa.table({"pickup_datetime": pa.array([dt.datetime(2020, 9, 1)], pa.timestamp("us"))}),
                   tmp_path / "trips.parquet")
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['driver_pay'\]"):
        ad.run(spark, ad.parse_args(["--input", str(tmp_path), "--namespace-location", ""]))


def test_fails_clearly_with_less_than_a_day_of_data(spark, trips_dir, tmp_path):
    day = pq.read_table(trips_dir / "fhvhv_tripdata_2020-09.parquet")
    day = day.filter(pc.less(day["pickup_datetime"], pa.scalar(dt.datetime(2020, 9, 2), pa.timestamp("us"))))
    pq.write_table(day, tmp_path / "trips.parquet")
    with pytest.raises(ValueError, match="need at least 2 periods after the one-day lag warm-up"):
        ad.run(spark, ad.parse_args(["--input", str(tmp_path), "--namespace-location", "",
                                     "--output-table", "prediction.ad.never_written"]))
    assert not spark.catalog.tableExists("prediction.ad.never_written")


# --- bad input files: the job fails before writing, naming each bad file ------------------------

@pytest.fixture(scope="module")
def good_months(tmp_path_factory) -> list[Path]:
    """Two small FHVHV months (20k trips each): enough for a table, quick to run on."""
    return fhvhv_generator.write_months(MONTHS, 20_000, tmp_path_factory.mktemp("good"), seed=11)


def _raw_prefix(folder: Path, good_months: list[Path]) -> Path:
    """A raw prefix as the data load leaves it: the months and the `_SUCCESS` marker listing them."""
    folder.mkdir()
    for month in good_months:
        (folder / month.name).write_bytes(month.read_bytes())
    (folder / "_SUCCESS").write_text("".join(f"{m.name}\n" for m in good_months))
    return folder


def _job(folder: Path, table: str) -> list[str]:
    return ["--input", str(folder), "--namespace-location", "", "--output-table", table]


def _table_state(spark, table: str) -> tuple[pd.DataFrame, list[int]]:
    """The table's rows (sorted) and its snapshot ids, oldest first."""
    rows = spark.table(table).orderBy("pickup_ts").toPandas()
    snapshots = [r.snapshot_id for r in spark.sql(f"SELECT snapshot_id FROM {table}.snapshots ORDER BY committed_at").collect()]
    return rows, snapshots


def _good_run_then_bad_run(spark, raw: Path, table: str, add_bad_files) -> tuple[str, tuple, tuple]:
    """Run the job on the good prefix, add the bad files, run again: (error message of the second
    run, table state after the first run, table state after the second)."""
    ad.run(spark, ad.parse_args(_job(raw, table)))
    before = _table_state(spark, table)
    add_bad_files(raw)
    with pytest.raises(ad.BadInputError) as failure:
        ad.run(spark, ad.parse_args(_job(raw, table)))
    return str(failure.value), before, _table_state(spark, table)


def _assert_unchanged(before, after):
    (rows_before, snapshots_before), (rows_after, snapshots_after) = before, after
    assert len(rows_before) > 0 and len(snapshots_before) == 1
    pd.testing.assert_frame_equal(rows_before, rows_after)
    assert snapshots_after == snapshots_before  # no new snapshot: nothing was written


def _corrupt(raw: Path) -> Path:
    """A month cut in half (no Parquet footer), named like a good one."""
    path = raw / "fhvhv_tripdata_2020-11.parquet"
    data = (raw / "fhvhv_tripdata_2020-10.parquet").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _yellow(raw: Path) -> Path:
    """A yellow-taxi month: a valid TLC file of another kind (tpep_pickup_datetime, no driver_pay)."""
    return yellow_generator.write_months(["2020-11"], 2_000, raw)[0]


def test_corrupt_file_fails_the_job_naming_it_and_the_table_stays(spark, good_months, tmp_path):
    raw = _raw_prefix(tmp_path / "raw", good_months)
    message, before, after = _good_run_then_bad_run(spark, raw, "prediction.bad.corrupt", _corrupt)
    assert message.startswith(f"input {raw} has 1 bad file(s) of 3; nothing written, prediction.bad.corrupt unchanged:\n")
    [line] = message.splitlines()[1:]
    assert re.fullmatch(rf"  file://{raw}/fhvhv_tripdata_2020-11\.parquet: unreadable Parquet \(.+\)", line)
    _assert_unchanged(before, after)


def test_yellow_taxi_file_fails_the_job_naming_it_and_its_missing_columns(spark, good_months, tmp_path):
    raw = _raw_prefix(tmp_path / "raw", good_months)
    message, before, after = _good_run_then_bad_run(spark, raw, "prediction.bad.yellow", _yellow)
    assert message.splitlines()[1:] == [
        f"  file://{raw}/yellow_tripdata_2020-11.parquet: lacks column(s) ['driver_pay', 'pickup_datetime']"]
    _assert_unchanged(before, after)


def test_both_bad_files_are_named_in_one_message(spark, good_months, tmp_path):
    raw = _raw_prefix(tmp_path / "raw", good_months)
    message, before, after = _good_run_then_bad_run(spark, raw, "prediction.bad.both",
                                                     lambda folder: (_corrupt(folder), _yellow(folder)))
    lines = message.splitlines()
    assert "has 2 bad file(s) of 4" in lines[0]
    assert [line.split(": ", 1)[0].rsplit("/", 1)[1] for line in lines[1:]] == [
        "fhvhv_tripdata_2020-11.parquet", "yellow_tripdata_2020-11.parquet"]
    assert "unreadable Parquet" in lines[1] and "lacks column(s)" in lines[2]
    _assert_unchanged(before, after)


def test_success_marker_and_hidden_files_are_not_input(spark, good_months, tmp_path):
    raw = _raw_prefix(tmp_path / "raw", good_months)
    (raw / ".fhvhv_tripdata_2020-11.parquet.crc").write_bytes(b"not parquet")  # hidden: names starting with .
    (raw / ".upload").mkdir()
    (raw / ".upload" / "fhvhv_tripdata_2020-12.parquet").write_bytes(b"half an upload")
    (raw / "_temporary").mkdir()
    (raw / "_temporary" / "part-0.parquet").write_bytes(b"also not parquet")
    (raw / "_common_metadata").write_bytes(b"a Parquet summary file: listed by Spark, not scanned")
    trips = ad.read_trips(spark, str(raw))
    assert [Path(f).name for f in ad.input_files(trips)] == [m.name for m in good_months]
    summary = ad.run(spark, ad.parse_args(_job(raw, "prediction.bad.markers")))
    assert summary["rows_read"] == 2 * 20_000
    clean = _raw_prefix(tmp_path / "clean", good_months)
    (clean / "_SUCCESS").unlink()
    ad.run(spark, ad.parse_args(_job(clean, "prediction.bad.clean")))
    pd.testing.assert_frame_equal(_table_state(spark, "prediction.bad.markers")[0],
                                  _table_state(spark, "prediction.bad.clean")[0])


def test_empty_file_is_bad_input_although_spark_would_skip_it(spark, good_months, tmp_path):
    """Spark's scan skips empty files silently; an empty month file is a failed upload, so it is named."""
    raw = _raw_prefix(tmp_path / "raw", good_months)
    (raw / "fhvhv_tripdata_2020-11.parquet").write_bytes(b"")
    with pytest.raises(ad.BadInputError) as failure:
        ad.check_input(spark, str(raw), ad.input_files(ad.read_trips(spark, str(raw))), "prediction.bad.empty")
    assert f"file://{raw}/fhvhv_tripdata_2020-11.parquet: unreadable Parquet (" in str(failure.value)
    assert "has 1 bad file(s) of 3" in str(failure.value)


def test_input_with_only_the_marker_fails_before_writing(spark, tmp_path):
    (tmp_path / "_SUCCESS").write_text("")
    with pytest.raises(ad.BadInputError, match=r"holds no data files"):
        ad.run(spark, ad.parse_args(_job(tmp_path, "prediction.bad.never_written")))
    assert not spark.catalog.tableExists("prediction.bad.never_written")


_TS = dt.datetime(2020, 9, 1, 10, 30)
_TS_US = int(_TS.replace(tzinfo=dt.timezone.utc).timestamp()) * 1_000_000  # its wall clock as UTC


def _read_micros(spark, path) -> list[int]:
    """Both columns as the job reads them; pickup_datetime as microseconds (no Python time zone)."""
    rows = ad.read_trips(spark, str(path)).select(F.unix_micros("pickup_datetime"), "driver_pay").collect()
    return [row[0] for row in rows]


@pytest.mark.parametrize("column, values, accepted", [
    ("pickup_datetime", pa.array([_TS], pa.timestamp("us")), True),  # the TLC files
    ("pickup_datetime", pa.array([_TS], pa.timestamp("ms")), True),
    ("pickup_datetime", pa.array([_TS], pa.timestamp("us", tz="UTC")), True),
    ("pickup_datetime", pa.array([_TS], pa.timestamp("ns")), False),  # Spark cannot read it
    ("pickup_datetime", pa.array([_TS.date()]), False),
    ("pickup_datetime", pa.array([str(_TS)]), False),
    ("driver_pay", pa.array([12.5], pa.float64()), True),  # the TLC files
    ("driver_pay", pa.array([12.5], pa.float32()), True),
    ("driver_pay", pa.array([12], pa.int32()), True),
    ("driver_pay", pa.array([12], pa.int16()), True),
    ("driver_pay", pa.array([12], pa.int64()), False),
    ("driver_pay", pa.array([12], pa.decimal128(10, 2)), False),
    ("driver_pay", pa.array(["12.5"]), False),
])
def test_accepted_column_types_are_those_spark_reads_as_the_trip_schema(spark, tmp_path, column, values, accepted):
    """file_problem accepts a type exactly when Spark's reader can read it as TRIP_SCHEMA."""
    other = {"pickup_datetime": pa.array([_TS], pa.timestamp("us")), "driver_pay": pa.array([12.5])}
    path = tmp_path / "trips.parquet"
    pq.write_table(pa.table({**other, column: values}), path)
    with ad.job_session_conf(spark):
        problem = ad.file_problem(spark, str(path))
        try:
            micros = _read_micros(spark, path)
            readable = True
        except Exception:  # noqa: BLE001
            micros, readable = None, False
    assert (problem is None) == accepted == readable, problem
    if accepted:
        assert micros == [_TS_US]
    else:
        assert re.fullmatch(rf"(column {column} has type \S+, expected .+|unreadable Parquet \(.+\))", problem)


def test_spark_written_timestamp_ntz_is_accepted(spark, tmp_path):
    """A Spark-written TIMESTAMP_NTZ column (Spark's own schema in the footer) is inferred as
    timestamp_ntz even with inferTimestampNTZ=false; the job reads its wall-clock value."""
    spark.sql("SELECT TIMESTAMP_NTZ'2020-09-01 10:30:00' AS pickup_datetime, 12.5D AS driver_pay") \
        .write.parquet(str(tmp_path / "ntz"))
    [path] = ad.input_files(ad.read_trips(spark, str(tmp_path / "ntz")))
    with ad.job_session_conf(spark):
        assert spark.read.parquet(path).schema["pickup_datetime"].dataType.simpleString() == "timestamp_ntz"
        assert ad.file_problem(spark, path) is None
        assert _read_micros(spark, path) == [_TS_US]


# --- the real entry point, as the SparkApplication runs it -------------------------------------

def _spark_submit_env() -> dict[str, str]:
    return {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}


def test_script_rejects_bad_arguments_before_starting_spark():
    result = subprocess.run([sys.executable, str(JOB_DIR / "anomaly_detection.py"), "--contamination", "0.9"],
                            capture_output=True, text=True, timeout=120, env=_spark_submit_env())
    assert result.returncode == 2
    assert "contamination must be in (0, 0.5], got 0.9" in result.stderr


def test_spark_submit_runs_the_unchanged_script(spark, job_run, trips_dir):
    """spark-submit with the catalog given as --conf only, like the SparkApplication does (there:
    type hive with the metastore URI; here: type hadoop in the tests' warehouse folder)."""
    _, expected = job_run
    warehouse = spark.conf.get("spark.sql.catalog.prediction.warehouse")
    submit = Path(sys.executable).parent / "spark-submit"
    jars = ["--jars", os.environ["ICEBERG_JAR"]] if os.environ.get("ICEBERG_JAR") else \
        ["--packages", local_spark.ICEBERG_PACKAGE]
    command = [
        str(submit), "--master", "local[2]", *jars,
        "--conf", "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "--conf", "spark.sql.catalog.prediction=org.apache.iceberg.spark.SparkCatalog",
        "--conf", "spark.sql.catalog.prediction.type=hadoop",
        "--conf", f"spark.sql.catalog.prediction.warehouse={warehouse}",
        "--conf", "spark.sql.shuffle.partitions=4", "--conf", "spark.ui.enabled=false",
        str(JOB_DIR / "anomaly_detection.py"),
        "--input", str(trips_dir), "--output-table", "prediction.submitted.iforest", "--namespace-location", "",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=_spark_submit_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"read {2 * 200_000} trips" in result.stdout
    table = spark.table("prediction.submitted.iforest").orderBy("pickup_ts").toPandas()
    pd.testing.assert_frame_equal(expected, table)
