"""Superset's chart data API as its frontend calls it for the dashboard's time-series charts,
shared by the superset suite (against a stand-in for Trino) and the e2e suite (against Trino)."""

import datetime


def chart_query(params, suffix=""):
    """The query object Superset's frontend builds for a time-series chart (query A, or B with suffix _b)."""
    metrics = params[f"metrics{suffix}"]
    filters = [{"col": f["subject"], "op": f["operator"], "val": f["comparator"]}
               for f in params[f"adhoc_filters{suffix}"] if f["expressionType"] == "SIMPLE"]
    axis = {"columnType": "BASE_AXIS", "sqlExpression": params["x_axis"], "label": params["x_axis"], "expressionType": "SQL"}
    if params.get("time_grain_sqla"):
        axis["timeGrain"] = params["time_grain_sqla"]
    return {
        "columns": [axis],
        "metrics": metrics,
        "filters": filters,
        "extras": {"having": "", "where": "", "time_grain_sqla": params.get("time_grain_sqla")},
        "orderby": [[metrics[0], not params[f"order_desc{suffix}"]]],
        "row_limit": params[f"row_limit{suffix}"],
        "series_columns": [],
    }


def chart_queries(params):
    """The query objects of a chart: a big number's or a pie's metric (by its groupby), a
    time-series chart's query A, and B for a mixed time-series chart."""
    if params["viz_type"] in ("big_number_total", "pie"):
        return [{"metrics": [params["metric"]], "columns": params.get("groupby", []), "filters": [],
                 "extras": {"having": "", "where": ""}, "row_limit": 100}]
    return [chart_query(params)] + ([chart_query(params, "_b")] if params["viz_type"] == "mixed_timeseries" else [])


def run_chart(api, dataset_id, queries):
    """Runs a chart's queries through Superset's chart data API (Superset -> trino driver -> fake Trino)."""
    body = {"datasource": {"id": dataset_id, "type": "table"},
            "force": True, "queries": queries, "result_format": "json", "result_type": "full"}
    return api.post("/api/v1/chart/data", body)["result"]


def by_time(rows, label):
    return {datetime.datetime.fromtimestamp(r["pickup_ts"] / 1000, datetime.timezone.utc).replace(tzinfo=None): r[label]
            for r in rows}
