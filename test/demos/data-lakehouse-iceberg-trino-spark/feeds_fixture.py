"""A fixed batch of the demo's feeds, served by a loopback mirror in two rounds, and what the tables
must hold after them (computed here from the records, independently of Spark and Trino).

The files have the shape of the real services' answers (PEGELONLINE REST API v2: `stations.json`, an
array of stations with a nested `water`; `stations/<uuid>/W/measurements.json`, an array of
`{timestamp, value}`; GBFS v2.3 as MobiData BW serves it: `{last_updated, ttl, version, data: {...}}`
with `data.stations` or `data.bikes`, `last_reported` in POSIX seconds). Round 2 is what the next
fetches would see: the same stations (information re-sent), measurements of the next 30 minutes
with the last of round 1 again (the window overlaps), new status reports, some of round 1 again.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

WATER_STATIONS = 12
MEASUREMENTS_PER_ROUND = 3  # 15 minutes apart; round 2 starts with round 1's last
BIKE_STATIONS = 10  # plus 2 with ids shorter than 5 characters, which the job drops
BIKES = 15
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
POSIX0 = int(T0.timestamp())


def _station(i: int) -> dict:
    return {"uuid": f"{i:08d}-aaaa-4bbb-8ccc-{i:012d}", "number": str(2700000 + i), "shortname": f"PEGEL {i}",
            "longname": f"PEGEL NUMMER {i}", "km": round(10.5 * i, 1), "agency": "WSA RHEIN" if i % 2 else "WSA ELBE",
            "longitude": 7.0 + i / 10, "latitude": 50.0 + i / 20, "water": {"shortname": "RHEIN" if i % 3 else "ELBE", "longname": "RHEIN" if i % 3 else "ELBE"}}


def _measurements(i: int, rnd: int) -> list[dict]:
    first = (rnd - 1) * (MEASUREMENTS_PER_ROUND - 1)
    return [{"timestamp": (T0 + timedelta(minutes=15 * k)).astimezone(timezone(timedelta(hours=1))).isoformat(), "value": 300.0 + i + k}
            for k in range(first, first + MEASUREMENTS_PER_ROUND)]


def _bike_stations() -> list[str]:
    return [f"deer:{i:04d}" for i in range(BIKE_STATIONS)] + ["12", "345"]


def _gbfs(key: str, items: list[dict], rnd: int) -> dict:
    return {"last_updated": POSIX0 + 600 * rnd, "ttl": 60, "version": "2.3", "data": {key: items}}


def write_round(root: Path, rnd: int) -> dict[str, list[dict]]:
    """Writes round `rnd` (1 or 2) of every feed under `root` (`pegelonline/...`, `gbfs/...`);
    returns the records NiFi's flow would publish per topic in this round."""
    stations = [_station(i) for i in range(WATER_STATIONS)]
    pegel = root / "pegelonline"
    (pegel / "stations").mkdir(parents=True, exist_ok=True)
    (pegel / "stations.json").write_text(json.dumps(stations))
    published: dict[str, list[dict]] = {"water_levels_stations": stations, "water_levels_measurements": []}
    for i, s in enumerate(stations):
        d = pegel / "stations" / s["uuid"] / "W"
        d.mkdir(parents=True, exist_ok=True)
        ms = _measurements(i, rnd)
        (d / "measurements.json").write_text(json.dumps(ms))
        published["water_levels_measurements"] += [{**m, "station_uuid": s["uuid"]} for m in ms]
    ids = _bike_stations()
    information = [{"station_id": sid, "name": f"Station {sid}", "lat": 48.7 + n / 100, "lon": 9.1 + n / 100, "capacity": 8}
                   for n, sid in enumerate(ids)]
    # Each station reports once per round; in round 2 the first three report what they reported in round 1 (unchanged).
    status = [{"station_id": sid, "num_bikes_available": (n + rnd) % 7, "num_docks_available": 3, "is_installed": True, "is_renting": n % 4 != 0,
               "is_returning": True, "last_reported": POSIX0 + 60 * n + (600 * (rnd - 1) if rnd == 1 or n >= 3 else 0),
               "vehicle_types_available": [{"vehicle_type_id": "bike", "count": (n + rnd) % 7}]} for n, sid in enumerate(ids)]
    if rnd == 2:
        for n in range(3):
            status[n]["num_bikes_available"] = (n + 1) % 7
            status[n]["vehicle_types_available"][0]["count"] = (n + 1) % 7
    bikes = [{"bike_id": f"bike-{b:03d}", "lat": 48.7 + b / 1000, "lon": 9.1 + b / 1000, "is_reserved": b % 5 == 0, "is_disabled": False,
              "vehicle_type_id": "bike", "last_reported": POSIX0 + 30 * b + 600 * (rnd - 1)} for b in range(BIKES)]
    gbfs = root / "gbfs"
    gbfs.mkdir(parents=True, exist_ok=True)
    for name, key, items in (("station_information", "stations", information), ("station_status", "stations", status), ("free_bike_status", "bikes", bikes)):
        (gbfs / name).write_text(json.dumps(_gbfs(key, items, rnd)))
    published.update({"shared_bikes_station_information": information, "shared_bikes_station_status": status, "shared_bikes_bike_status": bikes})
    return published


def expected_rows(rounds: list[dict[str, list[dict]]]) -> dict[str, int]:
    """Rows per table after the rounds, by the job's keys: one per station (latest wins), one per
    (station, time) and (bike, time) (first wins), station ids shorter than 5 characters dropped."""
    merged: dict[str, list[dict]] = {}
    for r in rounds:
        for topic, records in r.items():
            merged.setdefault(topic, []).extend(records)
    key = {
        "water_levels_stations": lambda r: r["uuid"],
        "water_levels_measurements": lambda r: (r["station_uuid"], datetime.fromisoformat(r["timestamp"])),
        "shared_bikes_station_information": lambda r: r["station_id"],
        "shared_bikes_station_status": lambda r: (r["station_id"], r["last_reported"]),
        "shared_bikes_bike_status": lambda r: (r["bike_id"], r["last_reported"]),
    }
    keep = {"shared_bikes_station_information": lambda r: len(r["station_id"]) >= 5, "shared_bikes_station_status": lambda r: len(r["station_id"]) >= 5}
    return {topic: len({key[topic](r) for r in records if keep.get(topic, lambda _: True)(r)}) for topic, records in merged.items()}
