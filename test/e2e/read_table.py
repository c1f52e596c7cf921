"""Reads an Iceberg table through the catalog spark-submit configured and writes its rows as JSON
lines (the e2e suite's own look at what the job wrote, through the same metastore and S3).

Usage: spark-submit ... read_table.py TABLE OUT_FILE
"""

import json
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def main() -> int:
    table, out = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.appName("e2e-read-table").getOrCreate()
    # the period as text in the session time zone (the job's sparkConf: UTC), not as a Python
    # datetime in this machine's zone
    frame = spark.table(table).orderBy("pickup_ts")
    rows = frame.withColumn("pickup_ts", F.date_format("pickup_ts", "yyyy-MM-dd'T'HH:mm:ss")).collect()
    with open(out, "w") as f:
        for row in rows:
            f.write(json.dumps(row.asDict(), default=str) + "\n")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
