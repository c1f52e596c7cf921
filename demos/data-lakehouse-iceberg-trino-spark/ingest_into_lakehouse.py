"""Streams the feeds' Kafka topics into Iceberg tables (Spark structured streaming).

One streaming query per topic reads the topic over TLS with a client certificate and merges each
micro-batch into its table with MERGE INTO, keyed as the table's rows are: a record delivered twice
(a batch replayed after a crash between the table commit and the checkpoint commit, or the same
reading published twice) merges into the row it already made. Each query's offsets are checkpointed
under `<warehouse>/checkpoints/<topic>`, so a restarted job continues where the last committed batch
ended. Every N minutes the main thread expires old snapshots and compacts the tables; it also ends
the job with an error when a query failed (the submit Job then runs it again from the checkpoints),
except for a failure of Spark 4.1's Kafka source after a committed batch, where it runs that query
again itself (`is_kafka_metrics_npe`).

Topics and records are those of Stackable's demo data-lakehouse-iceberg-trino-spark (its NiFi flow
publishes one JSON object per record; demos release-26.7 create-spark-ingestion-job.yaml): the
table definitions and the columns taken from each record are the reference's. Where this job
differs from it (a record's latest version chosen by Kafka offset, not by timestamp alone, so that
two versions with one timestamp do not fail the MERGE; a failed query ends the job) is said in the
demo's README.

Usage: spark-submit ingest_into_lakehouse.py --bootstrap-servers HOST:PORT --tls-dir DIR
         --tls-password PASSWORD --warehouse s3a://BUCKET/ [--catalog lakehouse]
         [--trigger-seconds 120] [--maintenance-minutes 30] [--run-seconds 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import col, from_json
from pyspark.sql.types import (ArrayType, BooleanType, DoubleType, FloatType, ShortType, StringType, StructField, StructType,
                               TimestampType)

#: Schemas (Iceberg namespaces) and their locations below the warehouse, as in the reference.
SCHEMAS = {"water_levels": "water-levels/", "smart_city": "smart-city/"}

#: Table definitions (Spark SQL column lists and clauses after the name), as in the reference.
TABLES = {
    "water_levels.measurements": "(station_uuid string, timestamp timestamp, value float) USING iceberg PARTITIONED BY (days(timestamp))",
    "water_levels.stations": "(station_uuid string, number bigint, short_name string, long_name string, km float, agency string, latitude double, "
                             "longitude double, water_short_name string, water_long_name string) USING iceberg",
    "smart_city.shared_bikes_bike_status": "(bike_id string, vehicle_type_id string, latitude double, longitude double, is_reserved boolean, "
                                           "is_disabled boolean, last_reported timestamp) USING iceberg PARTITIONED BY (days(last_reported))",
    "smart_city.shared_bikes_station_information": "(station_id string, name string, latitude double, longitude double) USING iceberg",
    "smart_city.shared_bikes_station_status": "(station_id string, num_bikes_available short, is_installed boolean, is_renting boolean, "
                                              "is_returning boolean, last_reported timestamp) USING iceberg PARTITIONED BY (days(last_reported))",
}
TABLE_PROPERTIES = "TBLPROPERTIES ('format-version' = 2, format = 'PARQUET')"


def field(name: str, kind) -> StructField:
    return StructField(name, kind, True)


class Stream:
    """A topic, the JSON schema of its records, the columns its table takes from them, and how a micro-batch merges.

    `key`: the table's key columns; `latest`: keep only a key's newest record (by Kafka offset) and
    update the row (else the first record of a key is inserted and later ones of that key ignored);
    `where`: a filter on the records."""

    def __init__(self, topic: str, table: str, schema: StructType, columns: list[str], key: list[str], latest: bool, where: str = "true"):
        self.topic, self.table, self.schema, self.columns, self.key, self.latest, self.where = topic, table, schema, columns, key, latest, where


STREAMS = [
    Stream("water_levels_stations", "water_levels.stations",
           StructType([field("uuid", StringType()), field("number", StringType()), field("shortname", StringType()), field("longname", StringType()),
                       field("km", FloatType()), field("agency", StringType()), field("latitude", DoubleType()), field("longitude", DoubleType()),
                       field("water", StructType([field("shortname", StringType()), field("longname", StringType())]))]),
           ["json.uuid as station_uuid", "cast(json.number as bigint) as number", "json.shortname as short_name", "json.longname as long_name",
            "json.km", "json.agency", "json.latitude", "json.longitude", "json.water.shortname as water_short_name",
            "json.water.longname as water_long_name"],
           key=["station_uuid"], latest=True),
    Stream("water_levels_measurements", "water_levels.measurements",
           StructType([field("station_uuid", StringType()), field("timestamp", TimestampType()), field("value", FloatType())]),
           ["json.station_uuid", "json.timestamp", "json.value"],
           key=["station_uuid", "timestamp"], latest=False),
    # Station ids shorter than 5 characters are duplicates in the feed (the reference's filter).
    Stream("shared_bikes_station_information", "smart_city.shared_bikes_station_information",
           StructType([field("station_id", StringType()), field("lat", DoubleType()), field("lon", DoubleType()), field("name", StringType())]),
           ["json.station_id", "json.name as name", "json.lat as latitude", "json.lon as longitude"],
           key=["station_id"], latest=True, where="length(station_id) >= 5"),
    Stream("shared_bikes_station_status", "smart_city.shared_bikes_station_status",
           StructType([field("station_id", StringType()), field("is_installed", BooleanType()), field("last_reported", TimestampType()),
                       field("num_bikes_available", ShortType()), field("is_renting", BooleanType()), field("is_returning", BooleanType()),
                       field("vehicle_types_available", ArrayType(StructType([field("count", ShortType()), field("vehicle_type_id", StringType())])))]),
           ["json.station_id", "json.num_bikes_available", "json.is_installed", "json.is_renting", "json.is_returning", "json.last_reported"],
           key=["station_id", "last_reported"], latest=False, where="length(station_id) >= 5"),
    Stream("shared_bikes_bike_status", "smart_city.shared_bikes_bike_status",
           StructType([field("lat", DoubleType()), field("lon", DoubleType()), field("bike_id", StringType()), field("is_reserved", BooleanType()),
                       field("is_disabled", BooleanType()), field("vehicle_type_id", StringType()), field("last_reported", TimestampType())]),
           ["json.bike_id", "json.vehicle_type_id", "json.lat as latitude", "json.lon as longitude", "json.is_reserved", "json.is_disabled",
            "json.last_reported"],
           key=["bike_id", "last_reported"], latest=False),
]

#: Compaction of each table in the maintenance run (the reference's strategies).
COMPACTION = {
    "water_levels.measurements": ", strategy => 'sort', sort_order => 'timestamp DESC NULLS LAST,station_uuid ASC NULLS LAST'",
    "smart_city.shared_bikes_station_status": ", strategy => 'sort', sort_order => 'last_reported DESC NULLS LAST,station_id ASC NULLS LAST'",
}


def merge_statement(stream: Stream, catalog: str, view: str) -> str:
    """The MERGE of one micro-batch (registered as `view`, with the Kafka `partition` and `offset`) into the stream's table."""
    names = [c.split(" as ")[-1].split(".")[-1] for c in stream.columns]
    key = ", ".join(stream.key)
    # One record per key: the newest by (partition, offset) where a key's rows are updated, the first otherwise.
    order = "kafka_partition DESC, kafka_offset DESC" if stream.latest else "kafka_partition, kafka_offset"
    source = (f"SELECT {', '.join(names)} FROM (SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY {order}) AS n "
              f"FROM {view} WHERE {stream.where} AND {' AND '.join(f'{k} IS NOT NULL' for k in stream.key)}) WHERE n = 1")
    on = " AND ".join(f"u.{k} = t.{k}" for k in stream.key)
    matched = "WHEN MATCHED THEN UPDATE SET * " if stream.latest else ""
    return f"MERGE INTO {catalog}.{stream.table} AS t USING ({source}) AS u ON {on} {matched}WHEN NOT MATCHED THEN INSERT *"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap-servers", required=True, help="Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]")
    p.add_argument("--tls-dir", required=True, help="folder with truststore.p12 and keystore.p12 (a secret-operator volume in tls-pkcs12 format)")
    p.add_argument("--tls-password", required=True, help="the PKCS12 files' password (the volume's tls-pkcs12 password)")
    p.add_argument("--warehouse", required=True, help="s3a://BUCKET/ of the schemas and the checkpoints")
    p.add_argument("--catalog", default="lakehouse", help="the Iceberg catalog (default: lakehouse)")
    p.add_argument("--trigger-seconds", type=int, default=120, help="micro-batch interval (default: 120, the reference's)")
    p.add_argument("--maintenance-minutes", type=int, default=30, help="interval of snapshot expiry and compaction; 0: none (default: 30)")
    p.add_argument("--run-seconds", type=int, default=0, help="stop the queries after this long; 0: run until stopped (default: 0)")
    a = p.parse_args(argv)
    if not a.warehouse.startswith("s3a://") or not a.warehouse.endswith("/"):
        p.error(f"--warehouse {a.warehouse!r} must be an s3a:// URL ending in '/'")
    if a.trigger_seconds < 1 or a.maintenance_minutes < 0 or a.run_seconds < 0:
        p.error("--trigger-seconds must be at least 1, --maintenance-minutes and --run-seconds at least 0")
    return a


def create_tables(spark: SparkSession, catalog: str, warehouse: str) -> None:
    for schema, location in SCHEMAS.items():
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {catalog}.{schema} LOCATION '{warehouse}{location}'")
    for table, definition in TABLES.items():
        spark.sql(f"CREATE TABLE IF NOT EXISTS {catalog}.{table} {definition} {TABLE_PROPERTIES}")


def kafka_options(a: argparse.Namespace) -> dict[str, str]:
    return {
        "kafka.bootstrap.servers": a.bootstrap_servers,
        "kafka.security.protocol": "SSL",
        "kafka.ssl.truststore.location": f"{a.tls_dir}/truststore.p12",
        "kafka.ssl.truststore.password": a.tls_password,
        "kafka.ssl.truststore.type": "PKCS12",
        "kafka.ssl.keystore.location": f"{a.tls_dir}/keystore.p12",
        "kafka.ssl.keystore.password": a.tls_password,
        "kafka.ssl.keystore.type": "PKCS12",
    }


def records(kafka: DataFrame, stream: Stream) -> DataFrame:
    """The table's columns of each Kafka record (columns `partition`, `offset`, `value`), with its partition and offset."""
    return (kafka.select(col("partition").alias("kafka_partition"), col("offset").alias("kafka_offset"),
                         from_json(col("value").cast("string"), stream.schema).alias("json"))
            .selectExpr(*stream.columns, "kafka_partition", "kafka_offset"))


def merge_batch(batch: DataFrame, stream: Stream, catalog: str) -> None:
    """Merges one micro-batch of `records` into the stream's table. The batch is cached for the
    MERGE, which reads its source more than once (else each read fetches the batch from Kafka again)."""
    view = f"{stream.topic}_batch"
    batch.persist()
    try:
        batch.createOrReplaceTempView(view)
        batch.sparkSession.sql(merge_statement(stream, catalog, view))
    finally:
        batch.unpersist()


def start(spark: SparkSession, stream: Stream, a: argparse.Namespace):
    checkpoint = f"{a.warehouse}checkpoints/{stream.topic}"
    kafka = (spark.readStream.format("kafka").options(**kafka_options(a))
             .option("subscribe", stream.topic).option("startingOffsets", "earliest").load())
    return (records(kafka, stream)
            .writeStream.queryName(f"ingest {stream.topic}")
            .foreachBatch(lambda batch, _batch_id: merge_batch(batch, stream, a.catalog))
            .trigger(processingTime=f"{a.trigger_seconds} seconds")
            .option("checkpointLocation", checkpoint)
            .start())


def maintain(spark: SparkSession, catalog: str) -> None:
    expire_before = (datetime.now() - timedelta(hours=12)).strftime("%Y-%m-%d %H:%M:%S")
    for table in TABLES:
        name = f"{catalog}.{table}"
        print(f"[{name}] expiring snapshots older than 12 hours ({expire_before}), removing orphan files, compacting", flush=True)
        spark.sql(f"CALL {catalog}.system.expire_snapshots(table => '{name}', older_than => TIMESTAMP '{expire_before}', retain_last => 50, stream_results => true)")
        spark.sql(f"CALL {catalog}.system.remove_orphan_files(table => '{name}')")
        spark.sql(f"CALL {catalog}.system.rewrite_data_files(table => '{name}'{COMPACTION.get(table, '')})")


#: Restarts of one query after the Kafka source's progress-metrics failure (see `is_kafka_metrics_npe`) before the job gives up.
METRICS_NPE_RESTARTS = 3


def is_kafka_metrics_npe(failure: str) -> bool:
    """Whether a query failed in the Kafka source's progress metrics, after its batch was committed
    (`failure`: the JVM's stack trace of the query's exception, with its causes).

    Spark 4.1's Kafka source (since SPARK-54027) reads its latest partition offsets in `metrics()`,
    which Spark calls when it reports a batch's progress, after it wrote the batch's commit file;
    they are only set by `latestOffset()`, which Spark does not call when it runs an uncommitted
    batch again after a restart, so that batch ends in a NullPointerException in
    `KafkaMicroBatchStream.metrics` (apache/spark issue #55236, "Affects Version: 4.1.1", fixed
    upstream by SPARK-57438 / SPARK-55271; the e2e suite meets it with Spark 4.1.2 in its restart
    test). The batch itself ran and is committed: running the query again continues after it."""
    return ('NullPointerException' in failure and 'the return value of "scala.Option.get()" is null' in failure
            and "KafkaMicroBatchStream" in failure and ".metrics(" in failure)


def failure_text(spark: SparkSession, query) -> str:
    """The stack trace of a stopped query's exception as the JVM prints it (causes included), or ''."""
    failure = query._jsq.exception()
    if failure.isEmpty():
        return ""
    return str(spark._jvm.org.apache.commons.lang3.exception.ExceptionUtils.getStackTrace(failure.get()))


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    spark = SparkSession.builder.appName("ingest-into-lakehouse").getOrCreate()
    create_tables(spark, a.catalog, a.warehouse)
    queries = {s.topic: start(spark, s, a) for s in STREAMS}
    restarts = {s.topic: 0 for s in STREAMS}
    print(f"started {len(queries)} queries: {', '.join(queries)}", flush=True)
    deadline = time.monotonic() + a.run_seconds if a.run_seconds > 0 else None
    while True:
        wait = a.maintenance_minutes * 60 if a.maintenance_minutes > 0 else 3600
        if deadline is not None:
            wait = min(wait, max(deadline - time.monotonic(), 0))
        try:
            ended = spark.streams.awaitAnyTermination(wait)
        except Exception:  # a query failed (StreamingQueryException): decide per query below
            ended = True
        if ended:
            for stream in STREAMS:
                q = queries[stream.topic]
                if q.isActive:
                    continue
                error = q.exception()
                if error is not None and is_kafka_metrics_npe(failure_text(spark, q)) and restarts[stream.topic] < METRICS_NPE_RESTARTS:
                    restarts[stream.topic] += 1
                    print(f"query {q.name} failed in the Kafka source's progress metrics after its batch was committed "
                          f"(Spark 4.1, apache/spark issue #55236): running it again from its checkpoint", flush=True)
                    queries[stream.topic] = start(spark, stream, a)
                else:
                    print(f"query {q.name} stopped: {error}", file=sys.stderr, flush=True)
                    return 1
            spark.streams.resetTerminated()
            continue
        if deadline is not None and time.monotonic() >= deadline:
            for q in queries.values():
                q.stop()
            print(f"stopped after {a.run_seconds} s", flush=True)
            return 0
        if a.maintenance_minutes > 0:
            maintain(spark, a.catalog)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
