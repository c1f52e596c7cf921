"""Tests of the synthetic HVFHV trip generator (fhvhv_generator.py): schema, reproducibility,
plausible values, daily/weekly rhythm and the injected anomalies. Run with scripts/test-spark.sh."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import fhvhv_generator
from conftest import MONTHS, ROWS_PER_MONTH

# The published TLC HVFHV schema (data dictionary, 2022 republication), written out on its own
# here rather than imported, so that the generator is checked against it.
TLC_HVFHV_SCHEMA = [
    ("hvfhs_license_num", pa.string()), ("dispatching_base_num", pa.string()),
    ("originating_base_num", pa.string()), ("request_datetime", pa.timestamp("us")),
    ("on_scene_datetime", pa.timestamp("us")), ("pickup_datetime", pa.timestamp("us")),
    ("dropoff_datetime", pa.timestamp("us")), ("PULocationID", pa.int64()), ("DOLocationID", pa.int64()),
    ("trip_miles", pa.float64()), ("trip_time", pa.int64()), ("base_passenger_fare", pa.float64()),
    ("tolls", pa.float64()), ("bcf", pa.float64()), ("sales_tax", pa.float64()),
    ("congestion_surcharge", pa.float64()), ("airport_fee", pa.float64()), ("tips", pa.float64()),
    ("driver_pay", pa.float64()), ("shared_request_flag", pa.string()), ("shared_match_flag", pa.string()),
    ("access_a_ride_flag", pa.string()), ("wav_request_flag", pa.string()), ("wav_match_flag", pa.string()),
]
FLAGS = ["shared_request_flag", "shared_match_flag", "access_a_ride_flag", "wav_request_flag", "wav_match_flag"]


@pytest.fixture(scope="module")
def september(trips_dir) -> pa.Table:
    return pq.read_table(trips_dir / "fhvhv_tripdata_2020-09.parquet")


def test_one_file_per_month_named_like_tlc(trips_dir):
    assert sorted(p.name for p in trips_dir.iterdir()) == [f"fhvhv_tripdata_{m}.parquet" for m in MONTHS]


def test_schema_is_the_published_one(trips_dir):
    for path in trips_dir.iterdir():
        schema = pq.read_schema(path)
        assert [(f.name, f.type) for f in schema] == TLC_HVFHV_SCHEMA
        parquet = pq.ParquetFile(path).schema
        for i, (name, _) in enumerate(TLC_HVFHV_SCHEMA):
            if name.endswith("_datetime"):
                # timestamp without time zone (isAdjustedToUTC=false), microseconds
                assert parquet.column(i).logical_type.to_json() == \
                    '{"Type": "Timestamp", "isAdjustedToUTC": false, "timeUnit": "microseconds", ' \
                    '"is_from_converted_type": false, "force_set_converted_type": false}'


def test_row_count_and_row_groups(trips_dir):
    meta = pq.ParquetFile(trips_dir / "fhvhv_tripdata_2020-09.parquet").metadata
    assert meta.num_rows == ROWS_PER_MONTH
    assert meta.num_row_groups == ROWS_PER_MONTH // 50_000


def test_values_are_plausible(september):
    t = september
    pickup = t["pickup_datetime"]
    assert pc.min(pickup).as_py() >= dt.datetime(2020, 9, 1)
    assert pc.max(pickup).as_py() < dt.datetime(2020, 10, 1)
    assert pc.all(pc.less_equal(t["request_datetime"], pickup)).as_py()
    assert pc.all(pc.greater(t["dropoff_datetime"], pickup)).as_py()
    trip_s = pc.divide(pc.cast(pc.subtract(t["dropoff_datetime"], pickup), pa.int64()), 1_000_000)
    assert pc.all(pc.equal(trip_s, t["trip_time"])).as_py()
    for col in ["PULocationID", "DOLocationID"]:
        assert pc.min(t[col]).as_py() >= 1 and pc.max(t[col]).as_py() <= 265
    pay, fare = t["driver_pay"].to_numpy(), t["base_passenger_fare"].to_numpy()
    assert (pay > 0).all() and (pay <= fare).all()
    assert 8 < np.median(pay) < 25
    assert np.array_equal(pay, np.round(pay, 2))  # cents
    for flag in FLAGS:
        assert set(pc.unique(t[flag]).to_pylist()) <= {"Y", "N"}
    assert set(pc.unique(t["hvfhs_license_num"]).to_pylist()) == {"HV0003", "HV0004", "HV0005"}
    # Uber (HV0003) reports originating base and on-scene time, the others leave them empty
    uber = pc.equal(t["hvfhs_license_num"], "HV0003")
    assert pc.all(pc.is_valid(pc.filter(t["originating_base_num"], uber))).as_py()
    assert pc.all(pc.is_null(pc.filter(t["on_scene_datetime"], pc.invert(uber)))).as_py()


def _per_half_hour(table: pa.Table) -> dict[dt.datetime, int]:
    us = pc.cast(table["pickup_datetime"], pa.int64()).to_numpy()
    starts, counts = np.unique(us - us % 1_800_000_000, return_counts=True)
    return {dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(s)): int(c) for s, c in zip(starts, counts)}


def test_daily_and_weekly_rhythm(september):
    counts = _per_half_hour(september)

    def mean(weekdays, hours):
        values = [c for t, c in counts.items() if t.weekday() in weekdays and t.hour in hours]
        return np.mean(values)

    workdays, weekend = range(0, 4), (5, 6)  # Monday-Thursday; Saturday, Sunday
    assert mean(workdays, [17, 18]) > 4 * mean(workdays, [3, 4])  # rush hour vs night
    assert mean(workdays, [8]) > 1.5 * mean(weekend, [8])  # weekday morning commute
    assert mean(weekend, [1, 2]) > 2 * mean(workdays, [1, 2])  # weekend nights


def test_injected_anomalies(september):
    counts = _per_half_hour(september)
    found = [a for a in fhvhv_generator.anomalies(MONTHS) if a.start.month == 9]
    assert [(a.start, a.kind) for a in found] == [
        (dt.datetime(2020, 9, 10, 17, 30), "collapse"), (dt.datetime(2020, 9, 20, 8, 0), "surge")]
    for anomaly in found:
        same_slot = [c for t, c in counts.items()
                     if t.time() == anomaly.start.time() and (t.weekday() >= 5) == (anomaly.start.weekday() >= 5)
                     and t.date() != anomaly.start.date()]
        ratio = counts.get(anomaly.start, 0) / np.mean(same_slot)
        if anomaly.kind == "collapse":
            assert ratio < 0.1, anomaly
        else:
            assert ratio > 2.5, anomaly


def test_reproducible_with_seed(tmp_path):
    a = fhvhv_generator.write_months(["2021-02"], 5_000, tmp_path / "a", seed=1)[0]
    b = fhvhv_generator.write_months(["2021-02"], 5_000, tmp_path / "b", seed=1)[0]
    c = fhvhv_generator.write_months(["2021-02"], 5_000, tmp_path / "c", seed=2)[0]
    assert pq.read_table(a).equals(pq.read_table(b))
    assert not pq.read_table(a).equals(pq.read_table(c))


def test_cli(tmp_path, capsys):
    code = fhvhv_generator.main(["--months", "2019-02", "2019-03", "--rows-per-month", "3000",
                                 "--out", str(tmp_path), "--seed", "5"])
    assert code == 0
    assert pq.read_metadata(tmp_path / "fhvhv_tripdata_2019-02.parquet").num_rows == 3000
    assert pq.read_metadata(tmp_path / "fhvhv_tripdata_2019-03.parquet").num_rows == 3000
    out = capsys.readouterr().out
    assert "anomaly collapse" in out and "2019-03-20 08:00" in out


@pytest.mark.parametrize("argv", [["--months", "2020-13", "--out", "x"], ["--months", "sept", "--out", "x"],
                                  ["--months", "2020-09", "--rows-per-month", "0", "--out", "x"]])
def test_cli_rejects_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        fhvhv_generator.main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


QUALITY_MONTHS = ["2020-09", "2020-10", "2020-11", "2020-12"]


def test_quality_scenario_places_every_shape():
    found = {(a.kind, a.start, a.minutes, a.factor) for a in fhvhv_generator.anomalies(QUALITY_MONTHS, "quality")}
    default = {(a.kind, a.start, a.minutes, a.factor) for a in fhvhv_generator.anomalies(QUALITY_MONTHS)}
    assert default < found
    assert found - default == {
        ("rush", dt.datetime(2020, 9, 15, 6, 30), 90, 0.5), ("rush", dt.datetime(2020, 9, 15, 9, 0), 90, 1.5),  # a Tuesday
        ("day", dt.datetime(2020, 10, 17), 1440, 1.7),  # a Saturday
        ("holiday", dt.datetime(2020, 11, 26), 1440, 0.6), ("holiday", dt.datetime(2020, 11, 26, 6), 240, 0.5),
        ("month-start", dt.datetime(2020, 10, 1), 30, 2.5), ("month-start", dt.datetime(2020, 11, 1), 30, 2.5),
        ("month-start", dt.datetime(2020, 12, 1), 30, 2.5),
        ("dst", dt.datetime(2020, 11, 1, 1, 30), 30, 0.25),  # first Sunday of November: 01:00-02:00 twice
    }
    march = fhvhv_generator.anomalies(["2021-02", "2021-03"], "quality")
    assert ("dst", dt.datetime(2021, 3, 14, 3, 0)) in {(a.kind, a.start) for a in march}  # second Sunday of March
    with pytest.raises(ValueError, match="scenario must be one of default, quality, days, random, got 'rare'"):
        fhvhv_generator.anomalies(QUALITY_MONTHS, "rare")


def test_injected_periods_are_every_half_hour_an_anomaly_touches():
    periods = fhvhv_generator.injected_periods(QUALITY_MONTHS, "quality")
    kinds = {kind: sum(1 for k in periods.values() if k == kind) for kind in set(periods.values())}
    # the holiday's commute segment lies inside its day, so the day's 48 half hours count once
    assert kinds == {"collapse": 4, "surge": 4, "rush": 6, "day": 48, "holiday": 48, "month-start": 3, "dst": 1}
    assert periods[dt.datetime(2020, 9, 15, 7, 30)] == "rush" and dt.datetime(2020, 9, 15, 8, 0) not in periods
    assert fhvhv_generator.injected_periods(["2020-09"]) == {
        dt.datetime(2020, 9, 10, 17, 30): "collapse", dt.datetime(2020, 9, 20, 8, 0): "surge"}


def test_quality_scenario_scales_the_rate_of_exactly_its_minutes():
    injected = fhvhv_generator.anomalies(QUALITY_MONTHS, "quality")
    plain = fhvhv_generator._minute_weights(2020, 11, np.random.default_rng(1), injected=[])
    shaped = fhvhv_generator._minute_weights(2020, 11, np.random.default_rng(1), injected=injected)
    factor = shaped / plain
    expected = np.ones_like(factor)
    for a in injected:
        if a.start.month == 11:
            first = ((a.start.day - 1) * 24 + a.start.hour) * 60 + a.start.minute
            expected[first:first + a.minutes] *= a.factor
    assert np.allclose(factor, expected)
    holiday_commute = ((26 - 1) * 24 + 7) * 60
    assert factor[holiday_commute] == pytest.approx(0.3)


def test_quality_scenario_data_has_the_anomalies(tmp_path):
    # October is the second month of the scenario: its whole anomalous day
    injected = fhvhv_generator.anomalies(["2020-09", "2020-10"], "quality")
    fhvhv_generator.write_month("2020-10", 100_000, tmp_path, seed=3, injected=injected)
    october = pq.read_table(tmp_path / "fhvhv_tripdata_2020-10.parquet", columns=["pickup_datetime"])
    days = pd.Series(october["pickup_datetime"].to_pandas().dt.date).value_counts()
    saturdays = [days[d] for d in days.index if d.weekday() == 5 and d != dt.date(2020, 10, 17)]
    assert days[dt.date(2020, 10, 17)] > 1.4 * np.mean(saturdays)  # the whole anomalous day


def test_days_scenario_has_whole_days_quieter_and_busier_on_weekdays_and_weekends():
    found = fhvhv_generator.anomalies(QUALITY_MONTHS, "days")
    days = [a for a in found if a.kind in fhvhv_generator.DAY_KINDS]
    assert len(days) == 8 and all(a.minutes == 1440 and a.start.hour == a.start.minute == 0 for a in days)
    assert {a.start.date() for a in days} == set(fhvhv_generator.day_anomalies(QUALITY_MONTHS, "days"))
    assert len({a.start.date() for a in days}) == 8
    for a in days:
        assert (a.kind == "quieter-day") == (a.factor < 1) and abs(np.log(a.factor)) >= np.log(1.4) - 1e-9
    # quieter and busier days, each on weekdays and on weekends, of several sizes
    assert {(a.kind, a.start.weekday() >= 5) for a in days} == {
        ("quieter-day", False), ("quieter-day", True), ("busier-day", False), ("busier-day", True)}
    assert len({a.factor for a in days}) == 8
    # the default collapses and surges are kept, on other days
    default = fhvhv_generator.anomalies(QUALITY_MONTHS)
    assert set(default) < set(found) and not {a.start.date() for a in default} & {a.start.date() for a in days}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_scenario_draws_shapes_positions_and_factors_from_the_seed(seed):
    found = fhvhv_generator.anomalies(QUALITY_MONTHS, "random", seed)
    assert found == fhvhv_generator.anomalies(QUALITY_MONTHS, "random", seed)  # reproducible
    assert found != fhvhv_generator.anomalies(QUALITY_MONTHS, "random", seed + 100)
    dates = [a.start.date() for a in found]
    assert len(dates) == len(set(dates)), "each anomaly has a day of its own"
    assert dt.date(2020, 9, 1) not in dates  # the first day of the data is the job's warm-up
    for month in range(9, 13):
        kinds = [a.kind for a in found if a.start.month == month]
        assert 1 <= sum(k in ("collapse", "surge") for k in kinds) <= 3
        assert 1 <= sum(k in fhvhv_generator.DAY_KINDS for k in kinds) <= 2
    for a in found:
        low, high = {"collapse": (0.02, 0.3), "surge": (2.5, 5.0), "quieter-day": (0.4, 0.7), "busier-day": (1.4, 2.2)}[a.kind]
        assert low <= a.factor <= high
        assert a.minutes == 1440 if a.kind in fhvhv_generator.DAY_KINDS else a.minutes in (30, 60)
        assert a.start.minute in (0, 30) and a.start + dt.timedelta(minutes=a.minutes) <= dt.datetime.combine(
            a.start.date() + dt.timedelta(days=1), dt.time())
