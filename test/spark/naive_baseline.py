"""Naive baseline of the anomaly-detection job, for the benchmark only (scripts/bench-spark.sh).

It computes the same table as demos/spark-k8s-anomaly-detection-taxi-data/anomaly_detection.py the way the upstream demo's
script does it, to measure what the job's design saves:
  * the 30-minute period is built by formatting every pickup as a string ("yyyy-MM-dd HH:"),
    concatenating the minute group and parsing it back with to_timestamp;
  * the aggregation groups by seven columns (period, minute group, hour, year, month, day, weekday);
  * the lag comes from a window function partitioned by half hour of day;
  * the model is broadcast and every period is scored by row-at-a-time Python UDFs.
The model (features, StandardScaler + IsolationForest, parameters) is the job's, so the two
differ only in how the data is processed: the periods are collected (as the reference collects
them to fit its model), the job's add_features computes the features on the driver, and they are
joined back to the periods in Spark by period start. Not part of the deployed demo.

Usage (same arguments as the job):  run(spark, anomaly_detection.parse_args([...]))
"""

from __future__ import annotations

import argparse

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import StandardScaler

import anomaly_detection as ad

FEATURES = ad.FEATURES


def run(spark: SparkSession, args: argparse.Namespace) -> int:
    """Run the baseline; writes args.output_table (create or replace) and returns its row count."""
    trips = spark.read.parquet(args.input)
    trips = (
        trips.withColumn("pickup_minute_group",
                         F.when(F.minute("pickup_datetime") < 30, F.lit("00")).otherwise(F.lit("30")))
        .withColumn("pickup_ts", F.to_timestamp(F.concat(
            F.date_format("pickup_datetime", "yyyy-MM-dd HH:"), F.col("pickup_minute_group"), F.lit(":00")),
            "yyyy-MM-dd HH:mm:ss"))
        .withColumn("pickup_hour", F.hour("pickup_datetime"))
        .withColumn("pickup_year", F.year("pickup_datetime"))
        .withColumn("pickup_month", F.month("pickup_datetime"))
        .withColumn("pickup_dayofmonth", F.dayofmonth("pickup_datetime"))
        .withColumn("pickup_dayofweek", F.dayofweek("pickup_datetime"))
    )
    keys = ["pickup_ts", "pickup_minute_group", "pickup_hour", "pickup_year", "pickup_month",
            "pickup_dayofmonth", "pickup_dayofweek"]
    periods = trips.groupBy(*keys).agg(
        F.count("*").alias("norides"),
        F.round(F.sum("driver_pay"), 2).alias("total_bill"),
        F.round(F.avg("driver_pay"), 2).alias("avg_bill"),
    ).cache()  # read twice: for the features and for the table
    aggregated = periods
    # the features need every period (the warm-up day too): computed on the driver, joined back
    collected = periods.select(F.unix_micros("pickup_ts").alias("period_us"), "norides").toPandas()
    features = spark.createDataFrame(ad.add_features(collected)[["period_us", *FEATURES]])
    same_slot = Window.partitionBy("pickup_hour", "pickup_minute_group").orderBy("pickup_ts")
    periods = (periods.withColumn("norides_lag", F.lag("norides", 1).over(same_slot))
               .where(F.col("norides_lag").isNotNull())
               .join(features, F.unix_micros("pickup_ts") == features["period_us"])
               .drop("period_us")
               .orderBy("pickup_ts")
               .cache())

    rows = periods.select(*FEATURES).collect()
    data = [[float(v) for v in row] for row in rows]
    scaler = StandardScaler().fit(data)
    forest = IsolationForest(n_estimators=args.n_estimators, max_samples=args.max_samples,
                             contamination=args.contamination, random_state=args.random_state)
    forest.fit(scaler.transform(data))
    model = spark.sparkContext.broadcast((scaler, forest))

    @F.udf(T.StructType([T.StructField("pred", T.IntegerType()), T.StructField("score", T.DoubleType())]))
    def score(*features):
        scaler_, forest_ = model.value
        x = scaler_.transform([[float(v) for v in features]])
        raw = float(forest_.score_samples(x)[0])
        return (-1 if raw < forest_.offset_ else 1), -raw  # what forest_.predict(x) decides

    scored = periods.withColumn("scored", score(*FEATURES)).select("*", "scored.pred", "scored.score")
    out = scored.select(*keys, "norides", "total_bill", "avg_bill",
                        F.col("norides_lag").cast("bigint"), "pred", "score")
    catalog, namespace, _ = args.output_table.split(".")
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{namespace}")
    out.writeTo(args.output_table).using("iceberg").createOrReplace()
    periods.unpersist()
    aggregated.unpersist()
    model.destroy()
    return len(rows)
