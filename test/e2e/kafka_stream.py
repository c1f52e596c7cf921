"""A PySpark structured-streaming query for the Kafka session (test_kafka_path.py): Spark's Kafka
source on `topic` with the options of a JSON file (the bootstrap servers and the SSL settings with
their passwords: kept out of argv), from the earliest offsets, `availableNow` (everything there is,
then stop), with a checkpoint; run again with the same checkpoint, it reads only what came since.
Sinks: `parquet:<path>` (the file sink, exactly once) or `merge:<table>` (foreachBatch MERGE INTO
an Iceberg table keyed by partition and offset, created if missing: the demo's pattern).
Prints one line: `kafka_stream: {read, total, distinct, batches}` (rows this run read, rows in
the sink, distinct (partition, offset) there, micro-batches with rows)."""

import json
import sys

from pyspark.sql import SparkSession

options_file, topic, checkpoint, sink = sys.argv[1:5]
kind, target = sink.split(":", 1)
with open(options_file) as f:
    options = json.load(f)
spark = SparkSession.builder.getOrCreate()
spark.sparkContext.setLogLevel("WARN")
source = (spark.readStream.format("kafka").options(**options).option("subscribe", topic)
          .option("startingOffsets", "earliest").load()
          .selectExpr("partition", "offset", "CAST(key AS STRING) AS key", "CAST(value AS STRING) AS value"))
writer = source.writeStream.option("checkpointLocation", checkpoint).trigger(availableNow=True)
if kind == "parquet":
    query = writer.format("parquet").option("path", target).start()
else:
    spark.sql(f"CREATE TABLE IF NOT EXISTS {target} (partition INT, offset BIGINT, key STRING, value STRING) USING iceberg")

    def merge(batch, batch_id):
        # MERGE reads its source twice (the matching files, then the rows): without persist() each
        # micro-batch would fetch its offsets from Kafka twice (and numInputRows count them twice).
        batch.persist()
        batch.createOrReplaceTempView("batch")
        batch.sparkSession.sql(f"MERGE INTO {target} t USING batch s ON t.partition = s.partition AND t.offset = s.offset "
                               "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *")
        batch.unpersist()

    query = writer.foreachBatch(merge).start()
query.awaitTermination()
progress = query.recentProgress
if kind != "parquet":
    # foreachBatch runs in a clone of this session, with catalogs of its own: this session's
    # (caching) catalog still holds the table as CREATE TABLE left it.
    spark.sql(f"REFRESH TABLE {target}")
rows = spark.read.parquet(target) if kind == "parquet" else spark.table(target)
print("kafka_stream:", json.dumps({"read": sum(p["numInputRows"] for p in progress), "total": rows.count(),
                                   "distinct": rows.select("partition", "offset").distinct().count(),
                                   "batches": len([p for p in progress if p["numInputRows"] > 0])}), flush=True)
spark.stop()
