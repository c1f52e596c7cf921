"""The example app trino-iceberg's data path end to end with the real programs, configured from its
synthesized objects (conftest.py): the e2e suite's programs (test/e2e/programs.py) and operator
translations (test/e2e/operators.py), hop by hop, each on what the earlier ones left.

Divergences from the cluster, each said in its hop's report line: the Hive metastore is 4.0.0
(the HiveCluster asks for 4.2.0, which Maven Central does not publish), Trino and its CLI are 476
(the cluster runs 481, published on GitHub and Stackable's registry only), the TPC-H tables are
copied from `tpch.tiny` (conftest.py), and the NetworkPolicies are not enforced.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from urllib.parse import urlsplit

from example_session import query, run_sql_job, sql_job, statements
from harness import World, report
from kubelet import Pod
from operators import hive_metastore_host
from programs import bucket_access, env_value, listing, run_bucket_job, secret_leaks, start_metastore, start_minio, start_postgres, start_trino, trino_query
from s3_user import products_access_keys, products_s3_user

#: Rows per table at scale factor 1 (TPC-H Standard Specification 3.0.1, clause 4.2.5.1, the
#: cardinalities of the base tables: SF x this, NATION and REGION fixed).
TPCH_ROWS_AT_SF1 = {"supplier": 10_000, "part": 200_000, "partsupp": 800_000, "customer": 150_000, "orders": 1_500_000}
TPCH_FIXED_ROWS = {"nation": 25, "region": 5}
#: LINEITEM has "SF x 6,000,000 (approximate)" rows (clause 4.2.5.1): each order has 1 to 7
#: lineitems (clause 4.2.3, L_LINENUMBER), so its count is only bounded by ORDERS'.
LINEITEMS_PER_ORDER = (1, 7)
#: Trino's tpch connector: schema `tiny` is scale factor 0.01, `sf<N>` is N (trino-tpch TpchMetadata).
GUEST = ("guest", "guest-password-not-an-admin")


def scale_factor(schema: str) -> float:
    if schema == "tiny":
        return 0.01
    match = re.fullmatch(r"sf(\d+(?:\.\d+)?)", schema)
    assert match, f"not a tpch schema: {schema}"
    return float(match.group(1))


def expected_rows(schema: str) -> dict[str, int]:
    sf = scale_factor(schema)
    return {**TPCH_FIXED_ROWS, **{t: round(n * sf) for t, n in TPCH_ROWS_AT_SF1.items()}}


class HostConnection(http.client.HTTPSConnection):
    """HTTPS to `ip` for the DNS name `host` (SNI and certificate checked for the name), as a pod resolves it."""

    def __init__(self, host: str, ip: str, port: int, context: ssl.SSLContext):
        super().__init__(host, port, context=context, timeout=10)
        self.ip = ip

    def connect(self):
        self.sock = self._context.wrap_socket(socket.create_connection((self.ip, self.port), self.timeout), server_hostname=self.host)


def unsigned_status(world: World, method: str, path: str, data: bytes | None = None) -> int:
    """The HTTP status of an unsigned request to MinIO's S3 API, TLS verified against the test CA."""
    endpoint = urlsplit(world.state["minio_endpoint"])
    context = ssl.create_default_context(cadata=world.state["pki"].ca_pem)
    connection = HostConnection(endpoint.hostname, world.hosts[endpoint.hostname], endpoint.port, context)
    try:
        connection.request(method, f"/{path}", body=data)
        return connection.getresponse().status
    finally:
        connection.close()


def test_hop1_minio_runs_as_its_deployment_says_with_tls_from_the_secret_operator_volume(world: World):
    start_minio(world)


def test_hop2_the_bucket_job_makes_the_lakehouse_bucket_public_and_the_table_job_s_wait_passes(world: World):
    buckets = run_bucket_job(world)
    locations = re.findall(r"location = 's3a?://([^/']+)", statements(world))
    assert locations and set(locations) <= set(buckets), (locations, buckets)
    # Each bucket's policy as MinIO enforces it: an unsigned listing and upload.
    (create,) = world.one("Job", app="minio-buckets")["spec"]["template"]["spec"]["containers"]
    policies = dict(e.split("=") for e in env_value(create, "BUCKET_POLICIES").split())
    anonymous = {}
    for bucket, policy in sorted(policies.items()):
        anonymous[(bucket, "GET")] = unsigned_status(world, "GET", f"{bucket}?list-type=2")
        anonymous[(bucket, "PUT")] = unsigned_status(world, "PUT", f"{bucket}/anonymous.txt", b"x")
        assert anonymous[(bucket, "GET")] == (200 if policy in ("download", "public") else 403), (bucket, policy, anonymous)
        assert anonymous[(bucket, "PUT")] == (200 if policy in ("upload", "public") else 403), (bucket, policy, anonymous)
    # The table Job's wait for its bucket (MinioBuckets.location), as its pod runs it: it passes now.
    spec = sql_job(world)["spec"]["template"]["spec"]
    (wait,) = spec["initContainers"]
    pod = Pod(world.cluster(), spec, world.workdir)
    try:
        result = pod.run(wait["name"], timeout=60)
    finally:
        pod.close()
    assert result.returncode == 0 and f"bucket present: {env_value(wait, 'BUCKET')}" in result.output, result.output
    assert secret_leaks(world.objects) == [], secret_leaks(world.objects)
    report("hop2", f"no Secret password in plain text in a ConfigMap or a container's env, command or args; the schema locations of the statements ({', '.join(sorted(set(locations)))}) are buckets the Job made; "
                   f"anonymous GET/PUT per policy {policies}: {anonymous}; the table Job's {wait['name']} passes "
                   f"({result.output.strip().splitlines()[-1]}); the app's NetworkPolicies ({len(world.of_kind('NetworkPolicy'))}) are not enforced here")


def test_hop2_the_products_minio_user_reads_and_writes_bucket_lakehouse_and_nothing_else(world: World):
    secret, user = products_s3_user(world)
    works = bucket_access(world, user, ["lakehouse"])
    assert works == {"read lakehouse": True, "write lakehouse": True, "list a bucket outside its access": False,
                     "create a bucket": False, "admin API (list users)": False}, works
    world.state["products_s3_user"] = user[0]
    report("hop2", f"the products' S3 credentials (Secret {secret}, the S3Connection's class) are MinIO user {user[0]}, made by the bucket "
                   f"Job, not the root user; as that user: {works}")


def test_hop3_postgresql_and_the_hive_metastore(world: World):
    (hive,) = world.of_kind("HiveCluster")
    db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
    start_postgres(world, db["host"], db["port"])
    world.state["metastore_uri"] = start_metastore(world, hive)


def test_hop4_opa_and_trino_with_the_iceberg_tpch_and_tpcds_catalogs(world: World):
    users, catalogs = start_trino(world, {GUEST[0]: GUEST[1]}, hop="hop4")
    kinds = {c["metadata"]["name"]: next(iter(c["spec"]["connector"])) for c in catalogs}
    assert sorted(kinds.values()) == ["iceberg", "tpcds", "tpch"], kinds
    admins = [u for u in users if u != GUEST[0]]
    (admin,) = admins
    world.state["admin"] = admin
    world.state["catalogs"] = kinds
    (hive,) = world.of_kind("HiveCluster")
    shown = []
    for name, kind in sorted(kinds.items()):
        rows = query(world, f"SHOW SCHEMAS FROM {name}")
        assert rows, f"catalog {name} shows no schema"
        shown.append(f"{name} ({kind}: {len(rows)} schemas)")
    tpcds_rows = query(world, "SELECT count(*) FROM " + next(n for n, k in kinds.items() if k == "tpcds") + ".tiny.call_center")[0][0]
    assert tpcds_rows > 0
    # The app's own schema (sf<N>, any N: Trino's tpch connector parses the scale factor from the
    # schema name) resolves; NATION has 25 rows at every scale factor (TPC-H 4.2.5.1).
    app_schema = world.state["app_tpch_schema"]
    assert query(world, f"SELECT count(*) FROM tpch.{app_schema}.nation") == [[25]]
    rows, error = trino_query(world, GUEST[0], GUEST[1], "SELECT 1")
    assert rows == [] and error is not None and error["errorName"] == "PERMISSION_DENIED", (rows, error)
    report("hop4", f"{admin} (the AuthenticationClass's admin, an admin of the TrinoPolicy) reaches {', '.join(shown)}; "
                   f"the iceberg catalog's metastore is {hive_metastore_host(hive)}; tpcds.tiny.call_center has {tpcds_rows} rows; "
                   f"the app's tpch.{app_schema} resolves (nation: 25 rows); "
                   f"{GUEST[0]} (a valid login, no admin) is refused by OPA: {error['errorName']} {error['message'][:60]}")

    keys = products_access_keys(world)
    assert set(keys.values()) == {world.state["products_s3_user"]}, keys
    report("hop4", f"the S3 access key of the metastore's hive-site and of Trino's catalog, as the operators write them: "
                   f"{', '.join(f'{k}: {v}' for k, v in keys.items())}")


def iceberg_state(world: World, schema: str, tables: list[str]) -> dict:
    """Per table of `schema` (catalog.schema): its rows and its snapshot ids, as Trino shows them."""
    return {t: {"rows": query(world, f"SELECT count(*) FROM {schema}.{t}")[0][0],
                "snapshots": sorted(r[0] for r in query(world, f'SELECT snapshot_id FROM {schema}."{t}$snapshots"'))}
            for t in tables}


def test_hop5_the_sql_job_creates_the_tpch_tables_in_iceberg_with_the_real_cli(world: World):
    text = statements(world)
    created = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\.(\w+) AS SELECT \* FROM tpch\.(\w+)\.(\w+)", text)
    assert created, f"no CREATE TABLE ... AS SELECT from tpch in:\n{text}"
    catalogs = world.state["catalogs"]
    (catalog,) = {c for c, _, _, _, _ in created}
    assert catalogs[catalog] == "iceberg", (catalog, catalogs)
    (schema,) = {s for _, s, _, _, _ in created}
    assert all(t == src for _, _, t, _, src in created), "each table copies the tpch table of its name"
    tables = [t for _, _, t, _, _ in created]
    assert sorted(tables) == sorted([*TPCH_FIXED_ROWS, *TPCH_ROWS_AT_SF1, "lineitem"]), tables
    (tpch_schema,) = {s for _, _, _, s, _ in created}
    assert tpch_schema == world.state["tpch_schema"]

    job = sql_job(world)
    report("hop5", f"Job {job['metadata']['name']}, container sql (as its pod: its bash script, trino-cli 476 for the image's "
                   f"{job['spec']['template']['spec']['containers'][0]['image'].rsplit(':', 1)[1]}): {run_sql_job(world)}")
    state = iceberg_state(world, f"{catalog}.{schema}", tables)
    want = expected_rows(tpch_schema)
    counts = {t: s["rows"] for t, s in state.items()}
    assert {t: counts[t] for t in want} == want, (counts, want)
    low, high = (n * counts["orders"] for n in LINEITEMS_PER_ORDER)
    source = query(world, f"SELECT count(*) FROM tpch.{tpch_schema}.lineitem")[0][0]
    assert low <= counts["lineitem"] <= high and counts["lineitem"] == source, (counts["lineitem"], low, high, source)
    assert all(len(s["snapshots"]) == 1 for s in state.values()), state
    report("hop5", f"through Trino: {catalog}.{schema} has {', '.join(f'{t} {n}' for t, n in counts.items())} rows: the TPC-H "
                   f"cardinalities at scale factor {scale_factor(tpch_schema)} (lineitem: tpch's own count, within 1-7 per order); "
                   f"one Iceberg snapshot per table")

    report("hop5", f"second run of the Job's script: {run_sql_job(world)}")
    assert iceberg_state(world, f"{catalog}.{schema}", tables) == state, "the second run of the Job changed a table"
    report("hop5", "after the second run: the same rows and the same single snapshot of every table")
    location = re.search(r"location = 's3a?://([^']+)'", text).group(1)
    files = listing(world, location)
    assert any(k.endswith(".metadata.json") for k in files) and any(k.endswith(".parquet") for k in files), sorted(files)[:10]
    report("hop5", f"written with user {world.state['products_s3_user']}'s key: {len(files)} objects under {location} "
                   f"({sum(k.endswith('.parquet') for k in files)} Parquet data files, {sum(k.endswith('.metadata.json') for k in files)} table metadata files)")
