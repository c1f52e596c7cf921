"""The batch datasets of the example data-lakehouse-iceberg-trino-spark, generated small: one file
for every key its load Jobs ask for (their `load` containers' FILES, one `key URL` a line; the file
is chosen by the URL's path below Stackable's mirror), in the formats of the real files that the
reference's SQL parses (stackabletech/demos release-26.7, demos/data-lakehouse-iceberg-trino-spark/
create-trino-tables.yaml), and what the staging tables, the lakehouse tables and the materialized
views must then hold, computed here in plain Python from the generated records, independently of
Trino. (No real file could be read here: no internet at test time.)

The formats, as the staging tables read them:
- UK Price Paid Data (`uk-house-sales-<year>.csv`): no header, 16 quoted columns, transaction ids
  `{GUID}`, dates `YYYY-MM-DD 00:00`; some postcodes are not in the lookup, some are empty;
- open-postcode-geo (`open-postcode-geo.csv`): no header, 17 unquoted columns, one line per postcode;
- USGS earthquakes (`earthquakes_1950_to_2022.csv`): a header line, ISO timestamps of 24 characters
  (`2022-01-01T00:01:02.123Z`), places with commas quoted, empty optional numbers; plus lines the
  reference filters out with `length(timestamp) = 24`: the header again (a concatenation of
  downloads) and a timestamp without fraction;
- e-charging stations (`e-charging-stations-2022-08.csv`): a header line, every field quoted, decimal
  commas, dates `YYYY/MM/DD`, empty powers for missing ports, UTF-8 names;
- the TLC lookups (`taxi_zone_lookup.csv`, `rate_code_lookup.csv`, `payment_type_lookup.csv`): a
  header line, a subset of the real rows;
- yellow and green trips: Parquet with the staging tables' column names and the TLC's types
  (yellow: yellow_generator.SCHEMA; green: its schema below, `ehail_fee` a column of Parquet's null
  type as in the published green files, which the reference declares INTEGER); some yellow pickups
  before 2015 and after now (filtered by the reference), zone, payment and rate ids the lookups do
  not have (NULL names in the left joins), some NULL passenger counts and fees. Every amount is a
  multiple of 1/8, so that sums and averages are exact in doubles in any order (Trino's and
  Python's are then equal, not close);
- fhvhv trips: test/spark/fhvhv_generator.py (the published schema), small.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
import re
import sys
import uuid
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "test" / "demos"))
sys.path.insert(0, str(REPO / "test" / "spark"))
sys.path.insert(0, str(REPO / "test" / "e2e"))
from programs import load_job_files  # noqa: E402
from yellow_generator import SCHEMA as YELLOW_SCHEMA  # noqa: E402

#: Sizes (records per file): small, the session's budget is tight.
SALES_PER_YEAR = 40
EARTHQUAKES = 90
CHARGING_STATIONS = 24
YELLOW_PER_MONTH = 60
GREEN_PER_MONTH = 6
FHVHV_PER_MONTH = 120

_TS = pa.timestamp("us")

#: The published green schema (the reference's staging columns, in file order).
GREEN_SCHEMA = pa.schema([
    ("VendorID", pa.int64()), ("lpep_pickup_datetime", _TS), ("lpep_dropoff_datetime", _TS), ("store_and_fwd_flag", pa.string()),
    ("RatecodeID", pa.float64()), ("PULocationID", pa.int64()), ("DOLocationID", pa.int64()), ("passenger_count", pa.float64()),
    ("trip_distance", pa.float64()), ("fare_amount", pa.float64()), ("extra", pa.float64()), ("mta_tax", pa.float64()),
    ("tip_amount", pa.float64()), ("tolls_amount", pa.float64()), ("ehail_fee", pa.null()), ("improvement_surcharge", pa.float64()),
    ("total_amount", pa.float64()), ("payment_type", pa.float64()), ("trip_type", pa.float64()), ("congestion_surcharge", pa.float64()),
])

#: A subset of the TLC's taxi zones (LocationID, Borough, Zone, service_zone).
ZONES = [
    (1, "EWR", "Newark Airport", "EWR"), (4, "Manhattan", "Alphabet City", "Yellow Zone"), (7, "Queens", "Astoria", "Boro Zone"),
    (13, "Manhattan", "Battery Park City", "Yellow Zone"), (48, "Manhattan", "Clinton East", "Yellow Zone"),
    (68, "Manhattan", "East Chelsea", "Yellow Zone"), (79, "Manhattan", "East Village", "Yellow Zone"),
    (132, "Queens", "JFK Airport", "Airports"), (138, "Queens", "LaGuardia Airport", "Airports"),
    (161, "Manhattan", "Midtown Center", "Yellow Zone"), (181, "Brooklyn", "Park Slope", "Boro Zone"),
    (264, "Unknown", "NV", "N/A"),
]
#: Zone ids of trips that the lookup above does not have (their names are NULL after the left joins).
UNKNOWN_ZONES = [57, 105]
AIRPORTS = {1, 132, 138}
PAYMENT_TYPES = [(1, "Credit card"), (2, "Cash"), (3, "No charge"), (4, "Dispute"), (5, "Unknown"), (6, "Voided trip")]
RATE_CODES = [(1, "Standard rate"), (2, "JFK"), (3, "Newark"), (4, "Nassau or Westchester"), (5, "Negotiated fare"), (6, "Group ride")]

CITIES = [("LONDON", "CITY OF WESTMINSTER", "GREATER LONDON"), ("MANCHESTER", "MANCHESTER", "GREATER MANCHESTER"),
          ("BRISTOL", "CITY OF BRISTOL", "CITY OF BRISTOL"), ("LEEDS", "LEEDS", "WEST YORKSHIRE"),
          ("CARDIFF", "CARDIFF", "CARDIFF"), ("EDINBURGH", "CITY OF EDINBURGH", "CITY OF EDINBURGH")]
#: Postcodes of the lookup (with their city's index) and postcodes of sales that the lookup does not have.
POSTCODES = [(f"{outward} {inward}", city) for city, outward in enumerate(["SW1A", "M1", "BS1", "LS1", "CF10", "EH1"])
             for inward in ["1AA", "2BB", "3CD", "4EF"]]
UNMATCHED_POSTCODES = [("ZZ9 9ZZ", 0), ("XX1 1XX", 3)]

EARTHQUAKE_HEADER = ("time,latitude,longitude,depth,mag,magType,nst,gap,dmin,rms,net,id,updated,place,type,horizontalError,depthError,"
                     "magError,magNst,status,locationSource,magSource").split(",")
CHARGING_HEADER = ("Betreiber,Straße,Hausnummer,Adresszusatz,Postleitzahl,Ort,Bundesland,Bundesland ISO 3166-2,Kreis/kreisfreie Stadt,"
                   "Breitengrad,Längengrad,Inbetriebnahmedatum,Anschlussleistung,Art der Ladeeinrichung,Anzahl Ladepunkte,"
                   "Steckertypen1,P1 [kW],Public Key1,Steckertypen2,P2 [kW],Public Key2,Steckertypen3,P3 [kW],Public Key3,"
                   "Steckertypen4,P4 [kW],Public Key4").split(",")
OPERATORS = ["EnBW mobility+ AG und Co.KG", "Stadtwerke München GmbH", "Allego GmbH", "E.ON Drive GmbH", "Tesla Germany GmbH"]


def _rng(name: str) -> random.Random:
    """A generator seeded by the file's name: the same file whatever else is generated."""
    return random.Random(zlib.crc32(name.encode()))


def _csv(rows: list[list[str]], quote_all: bool) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _months(first: str, count: int) -> list[str]:
    year, mon = (int(p) for p in first.split("-"))
    return [f"{year + (mon - 1 + i) // 12:04d}-{(mon - 1 + i) % 12 + 1:02d}" for i in range(count)]


@dataclass
class Batch:
    """What was generated: the files (path below the mirror prefix -> file) and the records of each
    dataset, as the staging tables read them (CSV: the fields of each line after the header, as
    strings; Parquet: one dict per row)."""

    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    postcodes: list[list[str]] = field(default_factory=list)
    sales: list[list[str]] = field(default_factory=list)
    earthquakes: list[list[str]] = field(default_factory=list)
    charging: list[list[str]] = field(default_factory=list)
    zones: list[list[str]] = field(default_factory=list)
    rate_codes: list[list[str]] = field(default_factory=list)
    payment_types: list[list[str]] = field(default_factory=list)
    trips: dict[str, list[dict]] = field(default_factory=lambda: {"yellow": [], "green": []})
    fhvhv: list[Path] = field(default_factory=list)

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.files[path] = target


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


def _postcode_line(i: int, postcode: str) -> list[str]:
    rng = _rng(postcode)
    outward, inward = postcode.split(" ")
    country = ("England", "England", "England", "England", "Wales", "Scotland")[POSTCODES[i][1]]
    lat, lon = f"{51 + rng.randrange(0, 5_000_000) / 1e6:.6f}", f"{-3 + rng.randrange(0, 3_000_000) / 1e6:.6f}"
    return [postcode, "terminated" if i % 7 == 3 else "live", "large" if i % 5 == 0 else "small", str(rng.randrange(100000, 600000)),
            str(rng.randrange(100000, 900000)), str(1 + i % 9), country, lat, lon, postcode.replace(" ", ""),
            f"{outward:<4}{inward}", f"{outward:<4} {inward}",
            re.match(r"[A-Z]+", outward).group(0), outward, f"{outward} {inward[0]}", outward, inward]


def write_postcodes(batch: Batch, path: str) -> None:
    batch.postcodes = [_postcode_line(i, p) for i, (p, _) in enumerate(POSTCODES)]
    batch.write(path, _csv(batch.postcodes, quote_all=False))


def write_house_sales(batch: Batch, path: str, year: int) -> None:
    rng = _rng(path)
    lines = []
    for n in range(SALES_PER_YEAR):
        if n % 13 == 5:
            postcode, city = "", n % len(CITIES)  # no postcode, as some records have
        elif n % 11 == 7:
            postcode, city = UNMATCHED_POSTCODES[n % 2]
        else:
            postcode, city = POSTCODES[rng.randrange(len(POSTCODES))]
        town, district, county = CITIES[city]
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        guid = str(uuid.UUID(int=rng.getrandbits(128))).upper()
        lines.append([f"{{{guid}}}", str(rng.randrange(60, 1200) * 1000 + rng.randrange(0, 1000)), f"{day.isoformat()} 00:00", postcode,
                      rng.choice("DSTFO"), "Y" if rng.random() < 0.15 else "N", rng.choice("FL"), str(rng.randrange(1, 200)),
                      "FLAT 2" if n % 6 == 0 else "", rng.choice(["HIGH STREET", "STATION ROAD", "CHURCH LANE", "MILL ROAD"]),
                      "" if n % 3 else "OLD TOWN", town, district, county, "B" if n % 9 == 0 else "A", "A"])
    batch.sales += lines
    batch.write(path, _csv(lines, quote_all=True))


def write_earthquakes(batch: Batch, path: str) -> None:
    rng = _rng(path)
    lines = []
    for n in range(EARTHQUAKES):
        # Most in 2021-2022, some in earlier decades (the file starts in 1950).
        start = dt.datetime(2021, 1, 1) if n % 5 else dt.datetime(1950 + 7 * (n % 10), 1, 1)
        t = start + dt.timedelta(seconds=rng.randrange(0, 2 * 365 * 86400), milliseconds=rng.randrange(1000))
        updated = t + dt.timedelta(days=rng.randrange(1, 400), milliseconds=rng.randrange(1000))
        iso = lambda v: v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"  # noqa: E731
        net = rng.choice(["ci", "nc", "us", "ak"])
        optional = lambda value: "" if rng.random() < 0.2 else value  # noqa: E731
        lines.append([iso(t), f"{rng.uniform(-60, 65):.4f}", f"{rng.uniform(-180, 180):.4f}", optional(f"{rng.uniform(0, 600):.2f}"),
                      f"{rng.randrange(5, 80) / 10:.1f}", rng.choice(["ml", "md", "mb", "mww"]), optional(str(rng.randrange(3, 120))),
                      optional(str(rng.randrange(10, 300))), optional(f"{rng.uniform(0, 2):.4f}"), f"{rng.uniform(0, 1.5):.2f}", net,
                      f"{net}{rng.randrange(10**7, 10**8)}", iso(updated),
                      f"{rng.randrange(1, 90)}km {rng.choice(['N', 'SW', 'ENE'])} of {rng.choice(['Ridgecrest, CA', 'Anchorage, Alaska', 'Hualien City, Taiwan'])}",
                      "earthquake" if n % 17 else "quarry blast", optional(f"{rng.uniform(0, 5):.2f}"), optional(f"{rng.uniform(0, 30):.3f}"),
                      optional(f"{rng.uniform(0, 0.5):.3f}"), optional(str(rng.randrange(1, 60))), rng.choice(["reviewed", "automatic"]), net, net])
    # Lines the reference filters out (length(timestamp) <> 24): the header of another download
    # concatenated, and a timestamp without its fraction.
    lines.insert(EARTHQUAKES // 3, list(EARTHQUAKE_HEADER))
    lines.insert(2 * EARTHQUAKES // 3, list(EARTHQUAKE_HEADER))
    odd = list(lines[5])
    odd[0], odd[11] = odd[0][:19] + "Z", odd[11] + "x"
    lines.insert(EARTHQUAKES // 2, odd)
    batch.earthquakes = lines
    batch.write(path, _csv([EARTHQUAKE_HEADER] + lines, quote_all=False))


def write_charging(batch: Batch, path: str) -> None:
    rng = _rng(path)
    comma = lambda v: f"{v:.1f}".replace(".", ",")  # noqa: E731
    lines = []
    for n in range(CHARGING_STATIONS):
        ports = 1 + n % 4
        power = rng.choice([11.0, 22.0, 50.0, 150.0, 3.7])
        port_fields = []
        for p in range(4):
            port_fields += ([rng.choice(["AC Steckdose Typ 2", "DC Kupplung Combo", "AC Kupplung Typ 2"]), comma(power), ""]
                            if p < ports else ["", "", ""])
        day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
        lines.append([OPERATORS[n % len(OPERATORS)], rng.choice(["Hauptstraße", "Bahnhofstraße", "Königsallee"]), str(rng.randrange(1, 200)),
                      "Parkhaus" if n % 5 == 0 else "", f"{rng.randrange(10000, 99999)}", rng.choice(["Stuttgart", "München", "Düsseldorf"]),
                      "Baden-Württemberg", "DE-BW", "Stuttgart",
                      "" if n == 7 else f"{rng.uniform(47, 55):.6f}".replace(".", ","), f"{rng.uniform(6, 15):.6f}".replace(".", ","),
                      day.strftime("%Y/%m/%d"), comma(power * ports), "Schnellladeeinrichtung" if power >= 50 else "Normalladeeinrichtung",
                      str(ports), *port_fields])
    batch.charging = lines
    batch.write(path, _csv([CHARGING_HEADER] + lines, quote_all=True))


def write_lookups(batch: Batch, path: str) -> None:
    name = path.rsplit("/", 1)[1]
    if name == "taxi_zone_lookup.csv":
        batch.zones = [[str(i), b, z, s] for i, b, z, s in ZONES]
        text = '"LocationID","Borough","Zone","service_zone"\n' + "".join(f'{i},"{b}","{z}","{s}"\n' for i, b, z, s in ZONES)
    elif name == "rate_code_lookup.csv":
        batch.rate_codes = [[str(i), n] for i, n in RATE_CODES]
        text = "rate_code_id,rate_code\n" + "".join(f"{i},{n}\n" for i, n in RATE_CODES)
    else:
        batch.payment_types = [[str(i), n] for i, n in PAYMENT_TYPES]
        text = "payment_type_id,payment_type\n" + "".join(f"{i},{n}\n" for i, n in PAYMENT_TYPES)
    batch.write(path, text)


def _trip(rng: random.Random, pickup: dt.datetime, sparse: bool) -> dict:
    """The fields yellow and green trips share; amounts in multiples of 1/8 (exact sums)."""
    zone_ids = [z[0] for z in ZONES]
    pu = rng.choice(UNKNOWN_ZONES) if rng.random() < 0.08 else rng.choice(zone_ids)
    do = rng.choice(UNKNOWN_ZONES) if rng.random() < 0.08 else rng.choice(zone_ids)
    payment = rng.choices([1, 2, 3, 4, 0], weights=[60, 28, 3, 2, 7])[0]  # 0: not in the lookup
    fare = rng.randrange(12, 240) / 4
    extra = rng.choice([0.0, 0.5, 1.0, 2.5])
    tip = rng.randrange(0, 41) / 4 if payment == 1 else 0.0
    tolls = 6.5 if rng.random() < 0.1 else 0.0
    congestion = None if sparse else (0.0 if rng.random() < 0.1 else 2.5)
    airport = None if sparse else (1.25 if pu in AIRPORTS else 0.0)
    total = fare + extra + 0.5 + tip + tolls + 1.0 + (congestion or 0.0) + (airport or 0.0)
    return {
        "VendorID": rng.choice([1, 2]), "pickup": pickup, "dropoff": pickup + dt.timedelta(seconds=rng.randrange(120, 3600)),
        "passenger_count": None if sparse else float(rng.randint(1, 4)), "trip_distance": rng.randrange(2, 200) / 8,
        "RatecodeID": None if sparse else rng.choices([1.0, 2.0, 5.0, 99.0], weights=[85, 8, 4, 3])[0],
        "store_and_fwd_flag": None if sparse else ("Y" if rng.random() < 0.05 else "N"), "PULocationID": pu, "DOLocationID": do,
        "payment_type": payment, "fare_amount": fare, "extra": extra, "mta_tax": 0.5, "tip_amount": tip, "tolls_amount": tolls,
        "improvement_surcharge": 1.0, "total_amount": total, "congestion_surcharge": congestion, "airport_fee": airport,
    }


def write_trips(batch: Batch, path: str, kind: str, month: str) -> None:
    if kind == "fhvhv":
        from fhvhv_generator import write_month

        target = write_month(month, FHVHV_PER_MONTH, (batch.root / path).parent, seed=7)
        assert target == batch.root / path, (target, path)
        batch.files[path] = target
        batch.fhvhv.append(target)
        return
    rng = _rng(path)
    year, mon = (int(p) for p in month.split("-"))
    start = dt.datetime(year, mon, 1)
    seconds = calendar.monthrange(year, mon)[1] * 86400
    rows = []
    for n in range(YELLOW_PER_MONTH if kind == "yellow" else GREEN_PER_MONTH):
        pickup = start + dt.timedelta(seconds=rng.randrange(seconds))
        if kind == "yellow" and n == 0:
            pickup = dt.datetime(2008 + mon % 6, mon, 3, 10, 0, 0)  # a bad clock: before 2015, filtered out
        elif kind == "yellow" and n == 1 and mon % 3 == 0:
            pickup = dt.datetime(2090, mon, 1, 12, 30, 0)  # after now, filtered out
        elif kind == "yellow" and n == 2 and mon == 6:
            pickup = dt.datetime(2015, 1, 1, 0, 0, 0)  # the first instant the filter keeps
        rows.append(_trip(rng, pickup, sparse=n % 20 == 19))
    batch.trips[kind] += rows
    if kind == "yellow":
        columns = {"VendorID": [r["VendorID"] for r in rows], "tpep_pickup_datetime": [r["pickup"] for r in rows],
                   "tpep_dropoff_datetime": [r["dropoff"] for r in rows]}
        columns.update({f.name: [r[f.name] for r in rows] for f in YELLOW_SCHEMA if f.name not in columns})
        table = pa.table(columns, schema=YELLOW_SCHEMA)
    else:
        columns = {"VendorID": [r["VendorID"] for r in rows], "lpep_pickup_datetime": [r["pickup"] for r in rows],
                   "lpep_dropoff_datetime": [r["dropoff"] for r in rows], "ehail_fee": [None] * len(rows),
                   "payment_type": [float(r["payment_type"]) for r in rows], "trip_type": [1.0] * len(rows)}
        columns.update({f.name: [r[f.name] for r in rows] for f in GREEN_SCHEMA if f.name not in columns})
        table = pa.table(columns, schema=GREEN_SCHEMA)
    target = batch.root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target)
    batch.files[path] = target


#: The file of each URL path below Stackable's mirror: (pattern, writer(batch, path, *groups)). Order
#: matters only in that the postcode lookup comes before the sales (none of the others depend on another).
FILES = [
    (r"datasets/open-postcode-geo/open-postcode-geo\.csv", write_postcodes),
    (r"datasets/uk-house-sales/uk-house-sales-(\d{4})\.csv", lambda b, p, y: write_house_sales(b, p, int(y))),
    (r"earthquake-data/earthquakes_1950_to_2022\.csv", write_earthquakes),
    (r"datasets/e-charging-stations/e-charging-stations-\d{4}-\d{2}\.csv", write_charging),
    (r"ny-taxi-data/(?:taxi_zone|rate_code|payment_type)_lookup\.csv", write_lookups),
    (r"ny-taxi-data/(yellow|green|fhvhv)_tripdata_(\d{4}-\d{2})\.parquet", write_trips),
]


def load_files(objects: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """Per S3FileLoad Job (its name), the (key, URL) of each file: its `load` container's FILES."""
    return {job["metadata"]["name"]: load_job_files(job) for job in objects
            if job["kind"] == "Job" and job["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "s3-file-load"}


def write_batch(urls: list[str], prefix: str, root: Path) -> Batch:
    """A file under `root` for each URL (`prefix` + its path), by FILES; fails on a URL it has no format for."""
    batch = Batch(root)
    paths = []
    for url in urls:
        assert url.startswith(prefix), f"{url} is not under {prefix}"
        paths.append(url[len(prefix):])
    rank = {pattern: i for i, (pattern, _) in enumerate(FILES)}
    matched = []
    for path in paths:
        found = [(pattern, writer, m) for pattern, writer in FILES if (m := re.fullmatch(pattern, path))]
        assert len(found) == 1, f"batch_fixture has no format for {prefix}{path}"
        matched.append(found[0])
    for pattern, writer, m in sorted(matched, key=lambda f: (rank[f[0]], f[2].group(0))):
        writer(batch, m.group(0), *m.groups())
    return batch


# ---------------------------------------------------------------------------------------------
# What the tables must hold
# ---------------------------------------------------------------------------------------------


def _double(text: str) -> float | None:
    """Trino's try_cast(varchar AS double) of what the files hold: None for an empty field."""
    try:
        return float(text)
    except ValueError:
        return None


def _ts6(value: dt.datetime) -> str:
    """A timestamp(6) as Trino's client protocol writes it to a client that does not declare the
    capability PARAMETRIC_DATETIME (the session's trino_query): in milliseconds. (The generated
    times have none finer; DESCRIBE shows the type.)"""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def staging_counts(batch: Batch) -> dict[str, int]:
    return {
        "house_sales.house_sales": len(batch.sales), "house_sales.postcode_geo_lookup": len(batch.postcodes),
        "earthquakes.earthquakes": len(batch.earthquakes), "smart_city.e_charging_stations": len(batch.charging),
        "taxi.taxi_zone_lookup": len(batch.zones), "taxi.payment_type_lookup": len(batch.payment_types),
        "taxi.rate_code_lookup": len(batch.rate_codes), "taxi.yellow_tripdata": len(batch.trips["yellow"]),
        "taxi.green_tripdata": len(batch.trips["green"]), "taxi.fhvhv_tripdata": sum(pq.read_metadata(p).num_rows for p in batch.fhvhv),
    }


def staging_csv_rows(batch: Batch) -> dict[str, list[list[str]]]:
    """The CSV staging tables (all varchar): the fields of every line after a header."""
    return {"house_sales.house_sales": batch.sales, "house_sales.postcode_geo_lookup": batch.postcodes,
            "earthquakes.earthquakes": batch.earthquakes, "smart_city.e_charging_stations": batch.charging,
            "taxi.taxi_zone_lookup": batch.zones, "taxi.payment_type_lookup": batch.payment_types, "taxi.rate_code_lookup": batch.rate_codes}


def house_sales(batch: Batch) -> list[tuple]:
    """lakehouse.house_sales.house_sales: each sale, left-joined with the postcode lookup."""
    lookup = {p[0]: p for p in batch.postcodes}
    assert len(lookup) == len(batch.postcodes), "the lookup has a postcode twice: the join would repeat sales"
    rows = []
    for s in batch.sales:
        l = lookup.get(s[3])  # noqa: E741
        rows.append((s[0].lstrip("{").rstrip("}"), int(s[1]), dt.datetime.strptime(s[2], "%Y-%m-%d %H:%M").date().isoformat(), s[3], s[4],
                     s[5] == "Y", s[6], s[7], s[9], s[10], s[11], s[12], s[13], s[14], s[15],
                     *((l[1], l[2], l[6], l[9], int(l[3]), int(l[4]), float(l[8]), float(l[7])) if l else (None,) * 8)))
    return rows


def earthquakes(batch: Batch) -> list[tuple]:
    """lakehouse.earthquakes.earthquakes: the lines with a timestamp of 24 characters, parsed."""
    def ts(text: str) -> str:
        return _ts6(dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ"))

    def bigint(text: str) -> int | None:
        return int(text) if re.fullmatch(r"-?\d+", text.strip()) else None

    return [(ts(e[0]), float(e[1]), float(e[2]), _double(e[3]), float(e[4]), e[5], bigint(e[6]), _double(e[7]), _double(e[8]), _double(e[9]),
             e[10], e[11], ts(e[12]), e[13], e[14], _double(e[15]), _double(e[16]), _double(e[17]), _double(e[18]), e[19], e[20], e[21])
            for e in batch.earthquakes if len(e[0]) == 24]


def e_charging_stations(batch: Batch) -> list[tuple]:
    """lakehouse.smart_city.e_charging_stations: decimal commas read, dates parsed."""
    def number(text: str) -> float | None:
        return _double(text.replace(",", "."))

    out = []
    for c in batch.charging:
        ports = [x for n in range(4) for x in (c[15 + 3 * n], number(c[16 + 3 * n]), c[17 + 3 * n])]
        out.append((*c[:9], number(c[9]), number(c[10]), dt.datetime.strptime(c[11], "%Y/%m/%d").date().isoformat(), float(c[12].replace(",", ".")),
                    c[13], int(c[14]), *ports))
    return out


def yellow_tripdata(batch: Batch, now: dt.datetime) -> list[tuple]:
    """lakehouse.taxi.yellow_tripdata: the trips picked up from 2015-01-01 until `now`, with the lookups' names (NULL when missing)."""
    zones = {i: (b, z, s) for i, b, z, s in ZONES}
    payments, rates = dict(PAYMENT_TYPES), dict(RATE_CODES)
    out = []
    for t in batch.trips["yellow"]:
        if not dt.datetime(2015, 1, 1) <= t["pickup"] <= now:
            continue
        pu, do = zones.get(t["PULocationID"], (None,) * 3), zones.get(t["DOLocationID"], (None,) * 3)
        rate = None if t["RatecodeID"] is None else rates.get(int(t["RatecodeID"]))
        out.append((t["VendorID"], _ts6(t["pickup"]), _ts6(t["dropoff"]), None if t["passenger_count"] is None else int(t["passenger_count"]),
                    t["trip_distance"], rate, t["store_and_fwd_flag"], *pu, *do, payments.get(t["payment_type"]),
                    t["fare_amount"], t["extra"], t["mta_tax"], t["tip_amount"], t["tolls_amount"], t["improvement_surcharge"], t["total_amount"],
                    t["congestion_surcharge"], t["airport_fee"]))
    return out


#: Columns of lakehouse.taxi.yellow_tripdata (BATCH_COLUMNS' order), for the aggregations below.
YELLOW_COLUMNS = ["vendor_id", "tpep_pickup_datetime", "tpep_dropoff_datetime", "passenger_count", "trip_distance", "rate_code", "store_and_fwd_flag",
                  "pickup_borough", "pickup_zone", "pickup_service_zone", "dropoff_borough", "dropoff_zone", "dropoff_service_zone", "payment_type",
                  "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount", "improvement_surcharge", "total_amount", "congestion_surcharge",
                  "airport_fee"]


def _sum(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _avg(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def daily_agg(yellow: list[tuple]) -> list[tuple]:
    """lakehouse.taxi.yellow_tripdata_daily_agg: per day, pickup and dropoff borough and zone, payment type."""
    c = {name: i for i, name in enumerate(YELLOW_COLUMNS)}
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for r in yellow:
        day = r[c["tpep_pickup_datetime"]][:10] + " 00:00:00.000"
        groups[(day, r[c["pickup_borough"]], r[c["pickup_zone"]], r[c["dropoff_borough"]], r[c["dropoff_zone"]], r[c["payment_type"]])].append(r)
    out = []
    for key, rows in groups.items():
        total, fee, distance = ([r[c[n]] for r in rows] for n in ("total_amount", "airport_fee", "trip_distance"))
        out.append((*key, len(rows), _avg(total), _sum(total), _avg(fee), _sum(fee), _avg(distance), _sum(distance)))
    return out


def monthly_agg(daily: list[tuple]) -> list[tuple]:
    """lakehouse.taxi.yellow_tripdata_monthly_agg: the daily rows summed per month and the same keys."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for r in daily:
        groups[(r[0][:7] + "-01 00:00:00.000", *r[1:6])].append(r)
    return [(*key, sum(r[6] for r in rows), _sum([r[8] for r in rows]), _sum([r[10] for r in rows]), _sum([r[12] for r in rows]))
            for key, rows in groups.items()]


def trino_round(x: float) -> float:
    """Trino's round(double): half away from zero (Python's round is half to even)."""
    import math

    return float(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def counter(rows) -> Counter:
    return Counter(tuple(r) for r in rows)
