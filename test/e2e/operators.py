"""What the Stackable operators derive from our objects, reproduced for the e2e suite: each
translation written once here, with the operator source it follows. Only what the data path
needs; every value comes from the synthesized objects passed in.
"""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"  # the domain every in-cluster name of the library uses (constructs/core/cluster-dns.ts)


def service_fqdn(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"


# ---------------------------------------------------------------------------------------------
# S3Connection (operator-rs stackable-operator-0.113.3, crates/stackable-operator/src/crd/s3/connection/v1alpha1_impl.rs)
# ---------------------------------------------------------------------------------------------


def s3_endpoint(connection: dict) -> str:
    """`endpoint()`: `https://host:port` when `tls` is set, else `http://`; port default 443/80."""
    spec = connection["spec"]
    tls = spec.get("tls") is not None
    port = spec.get("port", 443 if tls else 80)
    return f"{'https' if tls else 'http'}://{spec['host']}:{port}"


def s3_region(connection: dict) -> str:
    """`region.name`, default `us-east-1`."""
    return connection["spec"].get("region", {}).get("name", "us-east-1")


def s3_path_style(connection: dict) -> bool:
    return connection["spec"].get("accessStyle") == "Path"


def s3_credentials_secret(objects: list[dict], connection: dict) -> dict:
    """The Secret the credentials SecretClass hands out. Our SecretClass is `k8sSearch` with
    `searchNamespace.pod`: secret-operator 26.7.0 rust/operator-binary/src/backend/k8s_search.rs
    selects Secrets in the pod's namespace labelled `secrets.stackable.tech/class: <class>`; the
    volume holds the Secret's keys as files (`accessKey`, `secretKey`, read by the operators at
    /stackable/secrets/<class>/accessKey and /secretKey: operator-rs 0.113.3 v1alpha1_impl.rs
    `credentials_mount_paths`)."""
    secret_class = connection["spec"]["credentials"]["secretClass"]
    cls = [o for o in objects if o["kind"] == "SecretClass" and o["metadata"]["name"] == secret_class]
    assert len(cls) == 1 and "k8sSearch" in cls[0]["spec"]["backend"], f"SecretClass {secret_class}: expected one k8sSearch class"
    namespace = connection["metadata"]["namespace"]
    found = [o for o in objects if o["kind"] == "Secret" and o["metadata"].get("namespace") == namespace
             and o["metadata"].get("labels", {}).get("secrets.stackable.tech/class") == secret_class]
    assert len(found) == 1, f"expected one Secret labelled secrets.stackable.tech/class={secret_class}, found {len(found)}"
    return found[0]


def s3_tls_ca_secret_class(connection: dict) -> str:
    """The SecretClass whose CA verifies the S3 server (`tls.verification.server.caCert.secretClass`)."""
    return connection["spec"]["tls"]["verification"]["server"]["caCert"]["secretClass"]


#: The truststore password every operator uses (hive-operator 26.7.0 crd/mod.rs
#: STACKABLE_TRUST_STORE_PASSWORD; spark-k8s-operator main crd/constants.rs; trino-operator 26.7.0).
TRUSTSTORE_PASSWORD = "changeit"


# ---------------------------------------------------------------------------------------------
# hive-operator 26.7.0
# ---------------------------------------------------------------------------------------------

#: rust/operator-binary/src/crd/mod.rs: HIVE_PORT 9083 (port `hive`).
HIVE_PORT = 9083


def hive_metastore_host(hive: dict) -> str:
    """The host of the discovery ConfigMap's `HIVE` (thrift://host:9083): the Listener
    `<cluster>-metastore` (controller.rs L331-337), whose cluster-internal (ClusterIP) address is
    its Service's FQDN (listener-operator 26.7.0 listener_controller.rs L497-512)."""
    return service_fqdn(f"{hive['metadata']['name']}-metastore", hive["metadata"]["namespace"])


def hive_site(hive: dict, objects: list[dict], connection: dict, warehouse_dir: str) -> dict[str, str]:
    """hive-site.xml as rust/operator-binary/src/controller/build/properties/hive_site.rs `build`
    writes it for a PostgreSQL metadata database and an S3 connection with credentials, after
    config-utils resolved `${env:...}` and `${file:UTF-8:...}` (command.rs): the values here are
    the resolved ones. `warehouse_dir` stands for the pod's DEFAULT_WAREHOUSE_DIR
    (/stackable/warehouse; no `warehouseDir` in our spec)."""
    db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
    creds = secret_data(objects, db["credentialsSecretName"], hive["metadata"]["namespace"])
    s3_creds = secret_data(objects, s3_credentials_secret(objects, connection)["metadata"]["name"], hive["metadata"]["namespace"])
    assert hive["spec"]["clusterConfig"].get("s3", {}).get("reference") == connection["metadata"]["name"]
    assert "warehouseDir" not in hive["spec"]["metastore"].get("config", {}), "hive_site: warehouseDir is not reproduced"
    return {
        "hive.metastore.port": str(HIVE_PORT),
        "hive.metastore.warehouse.dir": warehouse_dir,
        "hive.metastore.metrics.enabled": "true",
        # operator-rs 0.113.3 database_connections/databases/postgresql.rs: driver and URL; the
        # credentials Secret's `username` and `password` (database_connections/helpers.rs).
        "javax.jdo.option.ConnectionDriverName": "org.postgresql.Driver",
        "javax.jdo.option.ConnectionURL": f"jdbc:postgresql://{db['host']}:{db['port']}/{db['database']}",
        "javax.jdo.option.ConnectionUserName": creds["username"],
        "javax.jdo.option.ConnectionPassword": creds["password"],
        "fs.s3a.endpoint": s3_endpoint(connection),
        "fs.s3a.endpoint.region": s3_region(connection),
        "fs.s3a.access.key": s3_creds["accessKey"],
        "fs.s3a.secret.key": s3_creds["secretKey"],
        "fs.s3a.connection.ssl.enabled": str(connection["spec"].get("tls") is not None).lower(),
        "fs.s3a.path.style.access": str(s3_path_style(connection)).lower(),
    }


def hive_jvm_truststore_options(truststore: str) -> list[str]:
    """rust/operator-binary/src/controller/build/jvm.rs L33-35: the JVM trusts the pkcs12 store
    that command.rs builds from the system bundle and the S3 CA."""
    return [f"-Djavax.net.ssl.trustStore={truststore}", f"-Djavax.net.ssl.trustStorePassword={TRUSTSTORE_PASSWORD}",
            "-Djavax.net.ssl.trustStoreType=pkcs12"]


# ---------------------------------------------------------------------------------------------
# spark-k8s-operator (no 26.7 tag; main 405d55143e7d)
# ---------------------------------------------------------------------------------------------


def spark_s3_conf(objects: list[dict], connection: dict, namespace: str) -> dict[str, str]:
    """rust/operator-binary/src/crd/mod.rs L701-731: the `--conf`s spark-submit gets for
    `spec.s3connection` with credentials (read from the credentials volume: the resolved values here)."""
    creds = secret_data(objects, s3_credentials_secret(objects, connection)["metadata"]["name"], namespace)
    return {
        "spark.hadoop.fs.s3a.endpoint": s3_endpoint(connection),
        "spark.hadoop.fs.s3a.path.style.access": str(s3_path_style(connection)).lower(),
        "spark.hadoop.fs.s3a.endpoint.region": s3_region(connection),
        "spark.hadoop.fs.s3a.access.key": creds["accessKey"],
        "spark.hadoop.fs.s3a.secret.key": creds["secretKey"],
        "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }


def spark_truststore_java_options(truststore: str) -> str:
    """config/jvm.rs L38-44 (crd/mod.rs L733-739): `spark.{driver,executor}.extraJavaOptions` with
    the truststore the `tls` init container builds (system bundle plus the S3 CA)."""
    return (f"-Djavax.net.ssl.trustStore={truststore} -Djavax.net.ssl.trustStorePassword={TRUSTSTORE_PASSWORD} "
            "-Djavax.net.ssl.trustStoreType=pkcs12")


# ---------------------------------------------------------------------------------------------


def secret_data(objects: list[dict], name: str, namespace: str) -> dict[str, str]:
    import base64

    found = [o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == name and o["metadata"].get("namespace") == namespace]
    assert len(found) == 1, f"Secret {namespace}/{name} is not in the chart"
    data = {k: base64.b64decode(v).decode() for k, v in found[0].get("data", {}).items()}
    return {**data, **found[0].get("stringData", {})}


# ---------------------------------------------------------------------------------------------
# trino-operator 26.7.0
# ---------------------------------------------------------------------------------------------


def trino_catalog(objects: list[dict], catalog: dict) -> dict[str, str]:
    """The catalog properties of a TrinoCatalog as trino-operator 26.7.0 writes them. tpch and
    tpcds: `connector.name` only. A hive or iceberg catalog with a metastore and an S3 connection: rust/operator-binary/src/catalog/hive.rs L20-48 and iceberg.rs L20-50
    (`connector.name`, `<connector>.security=allow-all`), catalog/commons.rs L41-67
    (`hive.metastore.uri` = key HIVE of the metastore's discovery ConfigMap, which the
    hive-operator names after the HiveCluster: `thrift://<host>:9083`) and L74-115 (native S3:
    endpoint, region, path style, credentials from the credentials volume; TLS required)."""
    spec = catalog["spec"]["connector"]
    (kind, connector), = spec.items()
    if kind in ("tpch", "tpcds"):
        # catalog/tpch.rs L11-22, tpcds.rs: `connector.name` only, the connectors' own defaults.
        assert connector == {}, f"TrinoCatalog {catalog['metadata']['name']}: {kind} takes no settings, got {connector}"
        return {"connector.name": kind}
    assert kind in ("hive", "iceberg"), f"TrinoCatalog {catalog['metadata']['name']}: connector {kind} is not reproduced"
    namespace = catalog["metadata"]["namespace"]
    hive = [h for h in objects if h["kind"] == "HiveCluster" and h["metadata"]["name"] == connector["metastore"]["configMap"]
            and h["metadata"]["namespace"] == namespace]
    assert len(hive) == 1, f"TrinoCatalog {catalog['metadata']['name']}: no HiveCluster {connector['metastore']['configMap']} publishes its discovery ConfigMap"
    connections = [c for c in objects if c["kind"] == "S3Connection" and c["metadata"]["name"] == connector["s3"]["reference"]]
    assert len(connections) == 1
    connection = connections[0]
    assert connection["spec"].get("tls") is not None, "trino-operator: S3 catalogs need TLS (catalog/commons.rs L106-107)"
    creds = secret_data(objects, s3_credentials_secret(objects, connection)["metadata"]["name"], namespace)
    return {
        "connector.name": kind,
        f"{kind}.security": "allow-all",
        "hive.metastore.uri": f"thrift://{hive_metastore_host(hive[0])}:{HIVE_PORT}",
        "fs.native-s3.enabled": "true",
        "s3.endpoint": s3_endpoint(connection),
        "s3.region": s3_region(connection),
        "s3.path-style-access": str(s3_path_style(connection)).lower(),
        "s3.aws-access-key": creds["accessKey"],
        "s3.aws-secret-key": creds["secretKey"],
    }


def opa_discovery_url(objects: list[dict], config_map: str, namespace: str) -> str:
    """Key OPA of the OpaCluster's discovery ConfigMap (named after it), without TLS: opa-operator
    26.7.0 controller/build/resource/discovery.rs L27-38 `http://<cluster>-server.<ns>.svc.<domain>:8081/`."""
    found = [o for o in objects if o["kind"] == "OpaCluster" and o["metadata"]["name"] == config_map and o["metadata"]["namespace"] == namespace]
    assert len(found) == 1 and not found[0]["spec"].get("clusterConfig", {}).get("tls"), f"no OpaCluster {config_map} without TLS"
    return f"http://{service_fqdn(config_map + '-server', namespace)}:8081/"


def trino_access_control(cluster: dict, opa_url: str) -> dict[str, str]:
    """access-control.properties for `authorization.opa`: rust/operator-binary/src/authorization/opa.rs
    L43-142: the rules `allow`, `batch`, `rowFilters` and, with enableColumnMasking (default true),
    `batchColumnMasks`, under `<OPA discovery URL>v1/data/<package with / for .>/` (operator-rs
    0.113.3 commons/opa.rs L140-270; package default: the cluster's name)."""
    opa = cluster["spec"]["clusterConfig"]["authorization"]["opa"]
    base = f"{opa_url}v1/data/{opa.get('package', cluster['metadata']['name']).replace('.', '/').lstrip('/')}/"
    properties = {
        "access-control.name": "opa",
        "opa.policy.uri": base + "allow",
        "opa.policy.batched-uri": base + "batch",
        "opa.policy.row-filters-uri": base + "rowFilters",
    }
    if opa.get("enableColumnMasking", True):
        properties["opa.policy.batch-column-masking-uri"] = base + "batchColumnMasks"
    properties["opa.allow-permission-management-operations"] = "true"
    return properties
