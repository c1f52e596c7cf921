"""A PySpark structured-streaming query for the Kafka session (test_kafka_path.py): Spark's Kafka
source on `topic` with the options of a JSON file (the bootstrap servers and the SSL settings with
their passwords: kept out of argv), from the earliest offsets, into a Parquet sink with a
checkpoint, `availableNow` (everything there is, then stop). Run again with the same checkpoint,
it reads only what came since. Prints one line: `kafka_stream: {read, total, distinct, batches}`
(rows this run read, rows in the sink, distinct (partition, offset) in the sink, micro-batches)."""

import json
import sys

from pyspark.sql import SparkSession

options_file, topic, checkpoint, output = sys.argv[1:5]
with open(options_file) as f:
    options = json.load(f)
spark = SparkSession.builder.getOrCreate()
spark.sparkContext.setLogLevel("WARN")
source = (spark.readStream.format("kafka").options(**options).option("subscribe", topic)
          .option("startingOffsets", "earliest").load())
query = (source.selectExpr("partition", "offset", "CAST(value AS STRING) AS value").writeStream.format("parquet")
         .option("path", output).option("checkpointLocation", checkpoint).trigger(availableNow=True).start())
query.awaitTermination()
progress = query.recentProgress
rows = spark.read.parquet(output)
print("kafka_stream:", json.dumps({"read": sum(p["numInputRows"] for p in progress), "total": rows.count(),
                                   "distinct": rows.select("partition", "offset").distinct().count(),
                                   "batches": len([p for p in progress if p["numInputRows"] > 0])}), flush=True)
spark.stop()
