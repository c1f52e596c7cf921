"""The streaming job of demos/data-lakehouse-iceberg-trino-spark (ingest_into_lakehouse.py), its
per-batch steps in local Spark with the cluster's Iceberg runtime: records shaped as Spark's Kafka
source delivers them (partition, offset, value) are turned into the table's columns (`records`) and
merged (`merge_batch`) into the table as the job creates it (`TABLES`), in the suite's Iceberg
catalog `prediction` (hadoop type; the job's is `hive`, which the e2e suite runs with a metastore).
The streaming path itself (Kafka over TLS, checkpoints on S3, a restart) runs in the e2e suite.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import pytest

from local_spark import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "demos" / "data-lakehouse-iceberg-trino-spark"))
import ingest_into_lakehouse as job  # noqa: E402

CATALOG = "prediction"
STREAMS = {s.topic: s for s in job.STREAMS}


@pytest.fixture()
def table(spark, request):
    """A fresh table of the job's definition for the stream `request.param` (a topic)."""
    stream = STREAMS[request.param]
    schema = stream.table.split(".")[0]
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{schema}")
    spark.sql(f"DROP TABLE IF EXISTS {CATALOG}.{stream.table}")
    spark.sql(f"CREATE TABLE {CATALOG}.{stream.table} {job.TABLES[stream.table]} {job.TABLE_PROPERTIES}")
    yield stream
    spark.sql(f"DROP TABLE IF EXISTS {CATALOG}.{stream.table}")


def kafka_batch(spark, values: list, first_offset: int = 0, partition: int = 0):
    """A DataFrame as Spark's Kafka source gives it (value as binary), one record per value (a dict is sent as JSON)."""
    rows = [(partition, first_offset + i, (json.dumps(v) if not isinstance(v, str) else v).encode()) for i, v in enumerate(values)]
    return spark.createDataFrame(rows, "partition INT, offset LONG, value BINARY")


def merge(spark, stream, values: list, first_offset: int = 0) -> None:
    job.merge_batch(job.records(kafka_batch(spark, values, first_offset), stream), stream, CATALOG)


def rows(spark, stream, order: str) -> list[tuple]:
    return [tuple(r) for r in spark.sql(f"SELECT * FROM {CATALOG}.{stream.table} ORDER BY {order}").collect()]


def station(uuid: str, longname: str, water: str = "RHEIN") -> dict:
    """A record of PEGELONLINE's stations.json, as NiFi publishes it."""
    return {"uuid": uuid, "number": "2730010", "shortname": longname[:8], "longname": longname, "km": 1.5, "agency": "WSA",
            "longitude": 7.6, "latitude": 47.6, "water": {"shortname": water, "longname": water}}


@pytest.mark.parametrize("table", ["water_levels_stations"], indirect=True)
def test_stations_keep_the_newest_record_of_each_station_and_a_replayed_batch_changes_nothing(spark, table):
    merge(spark, table, [station("a", "BASEL"), station("b", "MAXAU"), station("a", "BASEL-NEU")])
    expected = [("a", 2730010, "BASEL-NE", "BASEL-NEU", 1.5, "WSA", 47.6, 7.6, "RHEIN", "RHEIN"),
                ("b", 2730010, "MAXAU", "MAXAU", 1.5, "WSA", 47.6, 7.6, "RHEIN", "RHEIN")]
    assert rows(spark, table, "station_uuid") == expected
    # The same batch again (a replay after a crash before the checkpoint commit): nothing changes.
    merge(spark, table, [station("a", "BASEL"), station("b", "MAXAU"), station("a", "BASEL-NEU")])
    assert rows(spark, table, "station_uuid") == expected
    # A later batch updates a station's row.
    merge(spark, table, [station("b", "MAXAU-2")], first_offset=3)
    assert rows(spark, table, "station_uuid")[1][3] == "MAXAU-2"


@pytest.mark.parametrize("table", ["water_levels_measurements"], indirect=True)
def test_measurements_insert_each_station_and_time_once_and_skip_records_without_a_key(spark, table):
    batch = [
        {"timestamp": "2026-12-01T10:00:00+01:00", "value": 312.0, "station_uuid": "a"},
        {"timestamp": "2026-12-01T10:15:00+01:00", "value": 313.0, "station_uuid": "a"},
        {"timestamp": "2026-12-01T10:00:00+01:00", "value": 999.0, "station_uuid": "a"},  # same key: the first stays
        {"timestamp": "2026-12-01T10:00:00+01:00", "value": 120.0, "station_uuid": "b"},
        {"value": 1.0, "station_uuid": "c"},  # no timestamp
        "not json",
    ]
    merge(spark, table, batch)
    merge(spark, table, batch)  # replayed
    got = rows(spark, table, "station_uuid, timestamp")
    assert [(r[0], r[1].astimezone(timezone.utc), r[2]) for r in got] == [
        ("a", datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc), 312.0),
        ("a", datetime(2026, 12, 1, 9, 15, tzinfo=timezone.utc), 313.0),
        ("b", datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc), 120.0),
    ]


@pytest.mark.parametrize("table", ["shared_bikes_station_status"], indirect=True)
def test_station_status_reads_gbfs_posix_times_and_drops_short_station_ids(spark, table):
    """GBFS `last_reported` is POSIX seconds (GBFS v2.3 station_status.json); the reference drops
    station ids shorter than 5 characters (duplicates in the feed)."""
    record = {"station_id": "deer-1001", "is_installed": True, "is_renting": True, "is_returning": False, "num_bikes_available": 4,
              "last_reported": 1764583200, "vehicle_types_available": [{"vehicle_type_id": "bike", "count": 4}]}
    merge(spark, table, [record, {**record, "station_id": "123"}, {**record, "last_reported": 1764583260, "num_bikes_available": 3}])
    got = rows(spark, table, "last_reported")
    assert [(r[0], r[1], r[5].astimezone(timezone.utc)) for r in got] == [
        ("deer-1001", 4, datetime(2025, 12, 1, 10, 0, tzinfo=timezone.utc)),
        ("deer-1001", 3, datetime(2025, 12, 1, 10, 1, tzinfo=timezone.utc)),
    ]


@pytest.mark.parametrize("table", ["shared_bikes_bike_status", "shared_bikes_station_information"], indirect=True)
def test_every_stream_merges_a_record_of_its_feed(spark, table):
    record = {
        "shared_bikes_bike_status": {"bike_id": "b1", "lat": 48.7, "lon": 9.1, "is_reserved": False, "is_disabled": False,
                                     "vehicle_type_id": "bike", "last_reported": 1764583200},
        "shared_bikes_station_information": {"station_id": "deer-1001", "name": "Hauptbahnhof", "lat": 48.7, "lon": 9.1},
    }[table.topic]
    merge(spark, table, [record, record])
    assert len(rows(spark, table, "1")) == 1


def test_the_merge_statement_names_the_table_key_and_the_newest_or_first_record():
    stations = job.merge_statement(STREAMS["water_levels_stations"], "lakehouse", "v")
    assert stations.startswith("MERGE INTO lakehouse.water_levels.stations AS t USING (")
    assert "ORDER BY kafka_partition DESC, kafka_offset DESC" in stations and "WHEN MATCHED THEN UPDATE SET *" in stations
    measurements = job.merge_statement(STREAMS["water_levels_measurements"], "lakehouse", "v")
    assert "ON u.station_uuid = t.station_uuid AND u.timestamp = t.timestamp" in measurements
    assert "WHEN MATCHED" not in measurements and "ORDER BY kafka_partition, kafka_offset)" in measurements


def test_arguments_are_checked():
    base = ["--bootstrap-servers", "k:9093", "--tls-dir", "/t", "--tls-password", "p"]
    assert job.parse_args([*base, "--warehouse", "s3a://lakehouse/"]).trigger_seconds == 120
    for bad in (["--warehouse", "s3a://lakehouse"], ["--warehouse", "/tmp/x/"], ["--warehouse", "s3a://l/", "--trigger-seconds", "0"]):
        with pytest.raises(SystemExit):
            job.parse_args([*base, *bad])


def test_only_the_kafka_sources_metrics_failure_is_run_again():
    """The JVM stack of the failure the e2e restart test met (Spark 4.1.2), and two that are not it."""
    npe = ("org.apache.spark.sql.streaming.StreamingQueryException: [STREAM_FAILED] Query [id = 1] terminated with exception: ...\n"
           "Caused by: java.lang.NullPointerException: Cannot invoke \"scala.collection.IterableOps.map(scala.Function1)\" because the "
           "return value of \"scala.Option.get()\" is null\n"
           "\tat org.apache.spark.sql.kafka010.KafkaMicroBatchStream$.metrics(KafkaMicroBatchStream.scala:520)\n"
           "\tat org.apache.spark.sql.kafka010.KafkaMicroBatchStream.metrics(KafkaMicroBatchStream.scala:363)\n")
    assert job.is_kafka_metrics_npe(npe)
    assert not job.is_kafka_metrics_npe(npe.replace("KafkaMicroBatchStream", "OtherStream"))
    assert not job.is_kafka_metrics_npe("org.apache.kafka.common.errors.SslAuthenticationException\n\tat org.apache.spark.sql.kafka010.KafkaMicroBatchStream.latestOffset")
