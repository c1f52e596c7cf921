"""The benchmark's naive baseline (naive_baseline.py) must compute the same table as the job, or the
speed-up that scripts/bench-spark.sh reports would compare different work. Run with scripts/test-spark.sh."""

from __future__ import annotations

import numpy as np
import pandas as pd

import anomaly_detection as ad
import naive_baseline


def test_baseline_computes_the_same_periods_labels_and_scores(spark, trips_dir):
    # one month and fewer trees than the default: the baseline scores row by row, slow by design
    september = trips_dir / "fhvhv_tripdata_2020-09.parquet"
    common = ["--input", str(september), "--namespace-location", "", "--n-estimators", "20"]
    ad.run(spark, ad.parse_args(common + ["--output-table", "prediction.cmp.job"]))
    rows = naive_baseline.run(spark, ad.parse_args(common + ["--output-table", "prediction.cmp.naive"]))
    job = spark.table("prediction.cmp.job").orderBy("pickup_ts").toPandas()
    naive = spark.table("prediction.cmp.naive").orderBy("pickup_ts").toPandas()
    assert rows == len(job) == len(naive)
    same = ["pickup_ts", "pickup_minute_group", "pickup_hour", "pickup_year", "pickup_month",
            "pickup_dayofmonth", "pickup_dayofweek", "norides", "norides_lag", "pred"]
    pd.testing.assert_frame_equal(job[same], naive[same], check_dtype=False)
    assert np.allclose(job["total_bill"], naive["total_bill"], atol=0.011)
    assert np.allclose(job["avg_bill"], naive["avg_bill"], atol=0.011)
    assert np.allclose(job["score"], naive["score"], rtol=1e-9)
    assert (job["pred"] == -1).sum() > 0
