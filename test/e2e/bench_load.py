"""Load on the dashboard's data path, a benchmark (scripts/bench-load.sh), not a CI test: after the
e2e session's hops (test_e2e.py) built the real path, CLIENTS concurrent clients, each logged in to
Superset as the admin with its own session, load the dashboard again and again for SECONDS: every
chart's queries through Superset's chart data API as the dashboard page sends them (`force: false`:
Superset's cache decides; the chart has no cache configured, so each request reaches Trino), i.e.
Superset -> Trino (HTTPS, password) -> OPA (a decision per access) -> the Iceberg metastore and
MinIO. Prints throughput, latency percentiles and errors per chart request and per dashboard load.

CLIENTS = 20 by default: the audience of a demo is a workshop or a team, about 20 people who open
the dashboard at the same moment when the presenter says so; it is also the Superset pod's thread
count (gunicorn gthread, 20 threads, superset-operator 26.7.0 statefulset.rs), so 20 clients keep
every thread busy without queueing at the socket.
"""

from __future__ import annotations

import json
import os
import threading
import time

from chart_api import chart_queries
from harness import World, report
from programs import superset_api

CLIENTS = int(os.environ.get("E2E_LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("E2E_LOAD_SECONDS", "60"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def test_load_clients_load_the_dashboard_through_superset_trino_and_opa(world: World):
    url, creds = next(iter(world.state["superset_url"].items()))
    admin_api = world.state["superset_api"]
    dataset_id = world.state["dashboard_state"]["dataset"][0][1]
    charts = admin_api.get("/api/v1/chart/", params={"q": "(page_size:100,columns:!(id,slice_name,params))"})["result"]
    bodies = [{"datasource": {"id": dataset_id, "type": "table"}, "force": False, "result_format": "json", "result_type": "full",
               "queries": chart_queries(json.loads(c["params"]))} for c in charts]
    apis = [superset_api(world, creds) for _ in range(CLIENTS)]  # each its own login and session
    requests: list[float] = []
    loads: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    end = start + SECONDS

    def client(api) -> None:
        while time.monotonic() < end:
            began = time.monotonic()
            ok = True
            for body in bodies:
                t = time.monotonic()
                try:
                    result = api.post("/api/v1/chart/data", body)["result"]
                    assert result and all(r.get("error") is None and r["rowcount"] > 0 for r in result), str(result)[:200]
                    with lock:
                        requests.append(time.monotonic() - t)
                except AssertionError as e:
                    ok = False
                    with lock:
                        errors.append(str(e)[:200])
            if ok:
                with lock:
                    loads.append(time.monotonic() - began)

    threads = [threading.Thread(target=client, args=(api,), daemon=True) for api in apis]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 600)
    elapsed = time.monotonic() - start
    ms = lambda values, p: f"{percentile(values, p) * 1000:.0f}"  # noqa: E731
    line = (f"{CLIENTS} clients for {SECONDS:.0f}s ({elapsed:.0f}s with the last requests), {len(charts)} charts per dashboard: "
            f"{len(requests)} chart requests ({len(requests) / elapsed:.1f}/s), latency ms p50 {ms(requests, 50)} "
            f"p95 {ms(requests, 95)} p99 {ms(requests, 99)} max {ms(requests, 100)}; {len(loads)} dashboard loads "
            f"({len(loads) / elapsed:.2f}/s), ms p50 {ms(loads, 50)} p95 {ms(loads, 95)} p99 {ms(loads, 99)}; "
            f"errors {len(errors)}{' (first: ' + errors[0] + ')' if errors else ''}")
    report("load", line)
    out = os.environ.get("E2E_LOAD_REPORT")
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")
    assert requests, "no chart request answered"
