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


# ---------------------------------------------------------------------------------------------
# kafka-operator 26.7.0 (KRaft: brokers and controllers in their own StatefulSets)
# ---------------------------------------------------------------------------------------------

#: rust/operator-binary/src/controller/security.rs L36-42: the client port is 9093 (`kafka-tls`)
#: with server TLS or TLS client authentication (9092 `kafka` without); the internal
#: (inter-broker) port 19093 is always TLS. Controllers listen on the client port too
#: (statefulset.rs L108-111 env KAFKA_CLIENT_PORT, controller_properties.rs L48-51).
KAFKA_SECURE_CLIENT_PORT = 9093
KAFKA_INTERNAL_PORT = 19093
#: controller/build/security.rs L41: the operator's keystores and truststores have an empty password.
KAFKA_STORE_PASSWORD = ""


def kafka_node_id(role: str, role_group: str, replica: int) -> int:
    """`node.id` (KRaft): controller/node_id_hasher.rs `node_id_hash32_offset`: FNV-1a 32 of
    `<role>-<rolegroup>`, its low 16 bits times 0x7FFF, plus the pod's index (command.rs L78-79
    REPLICA_ID=POD_INDEX+NODE_ID_OFFSET)."""
    h = 0x811C9DC5
    for byte in f"{role}-{role_group}".encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return (h & 0xFFFF) * 0x7FFF + replica


def kafka_pod_fqdn(cluster: dict, role: str, role_group: str, replica: int) -> str:
    """`<cluster>-<role>-<rg>-<i>.<cluster>-<role>-<rg>-headless.<ns>.svc.<domain>`:
    crd/mod.rs L343-362 KafkaPodDescriptor::fqdn with the StatefulSet and headless Service names
    of operator-rs ResourceNames (controller.rs L225-235)."""
    sts = f"{cluster['metadata']['name']}-{role}-{role_group}"
    return f"{sts}-{replica}.{service_fqdn(sts + '-headless', cluster['metadata']['namespace'])}"


def kafka_bootstrap_host(cluster: dict, role_group: str) -> str:
    """The host of the discovery ConfigMap's KAFKA (host:port, discovery.rs L36-46): the address
    of the Listener `<cluster>-broker-<rg>-bootstrap` (controller.rs L237-249), whose
    cluster-internal (ClusterIP) address is its Service's FQDN (as hive_metastore_host)."""
    return service_fqdn(f"{cluster['metadata']['name']}-broker-{role_group}-bootstrap", cluster["metadata"]["namespace"])


def kafka_cluster_id(cluster: dict) -> str:
    """KAFKA_CLUSTER_ID in KRaft mode: the KafkaCluster's name (crd/mod.rs L315-322; validate.rs
    L402-417 injects it unless envOverrides set it)."""
    return cluster["metadata"]["name"]


def kafka_client_auth_secret_class(objects: list[dict], cluster: dict) -> str | None:
    """The `clientCertSecretClass` of the cluster's TLS AuthenticationClass (None without one)."""
    names = [a["authenticationClass"] for a in cluster["spec"].get("clusterConfig", {}).get("authentication", [])]
    classes = [o for o in objects if o["kind"] == "AuthenticationClass" and o["metadata"]["name"] in names]
    assert len(classes) == len(names), f"KafkaCluster {cluster['metadata']['name']}: AuthenticationClasses {names}, found {len(classes)}"
    tls = [c["spec"]["provider"]["tls"] for c in classes if "tls" in c["spec"]["provider"]]
    assert len(tls) == len(classes), "kafka_client_auth_secret_class: only TLS AuthenticationClasses are reproduced"
    return tls[0].get("clientCertSecretClass") if tls else None


def _kafka_listener_ssl(listener: str, directory: str) -> dict[str, str]:
    """controller/build/security.rs `insert_listener_ssl_stores`: the listener's PKCS12 keystore
    and truststore (keystore.p12, truststore.p12 of a tls-pkcs12 secret volume) with the empty password."""
    prefix = f"listener.name.{listener.lower()}.ssl"
    return {f"{prefix}.keystore.location": f"{directory}/keystore.p12", f"{prefix}.keystore.password": KAFKA_STORE_PASSWORD,
            f"{prefix}.keystore.type": "PKCS12", f"{prefix}.truststore.location": f"{directory}/truststore.p12",
            f"{prefix}.truststore.password": KAFKA_STORE_PASSWORD, f"{prefix}.truststore.type": "PKCS12"}


def _kafka_overrides(cluster: dict, role: str, role_group: str, file: str) -> dict[str, str]:
    spec = cluster["spec"][f"{role}s"]
    return {**spec.get("configOverrides", {}).get(file, {}), **spec["roleGroups"][role_group].get("configOverrides", {}).get(file, {})}


def kafka_controller_properties(objects: list[dict], cluster: dict, role_group: str, replica: int, voters: list[str],
                                data_dir: str, internal_tls_dir: str) -> dict[str, str]:
    """controller.properties as controller/build/properties/controller_properties.rs `build` and
    security.rs `controller_config_settings` write it (after config-utils resolved `${env:...}`),
    with TLS everywhere (internal TLS is mandatory) and the configOverrides last. `voters`: the
    controllers' `fqdn:port` (properties/mod.rs `kraft_controllers`); `data_dir` stands for
    /stackable/data, `internal_tls_dir` for /stackable/tls-kafka-internal."""
    fqdn = kafka_pod_fqdn(cluster, "controller", role_group, replica)
    properties = {
        "log.dirs": f"{data_dir}/kraft",
        "process.roles": "controller",
        "controller.listener.names": "CONTROLLER",
        "node.id": str(kafka_node_id("controller", role_group, replica)),
        "controller.quorum.bootstrap.servers": ",".join(voters),
        "listeners": f"CONTROLLER://{fqdn}:{KAFKA_SECURE_CLIENT_PORT}",
        "listener.security.protocol.map": "INTERNAL:SSL,CONTROLLER:SSL",  # crd/listener.rs L162-171, in the enum's order
        "inter.broker.listener.name": "INTERNAL",
        **_kafka_listener_ssl("CONTROLLER", internal_tls_dir),
        **_kafka_listener_ssl("INTERNAL", internal_tls_dir),
        "controlled.shutdown.enable": "true",  # graceful_shutdown.rs L19
    }
    if kafka_client_auth_secret_class(objects, cluster) is not None:
        properties["listener.name.controller.ssl.client.auth"] = "required"
    return {**properties, **_kafka_overrides(cluster, "controller", role_group, "controller.properties")}


def kafka_broker_properties(objects: list[dict], cluster: dict, role_group: str, replica: int, voters: list[str], client_host: str,
                            data_dir: str, server_tls_dir: str, internal_tls_dir: str, bind_host: str) -> dict[str, str]:
    """broker.properties as controller/build/properties/broker_properties.rs `build`, listener.rs
    `get_kafka_listener_config` and security.rs `broker_config_settings` write it for a KRaft
    cluster with server TLS and/or TLS client authentication (no Kerberos, no OPA), configOverrides
    last. CLIENT (9093, SSL, `ssl.client.auth=required` with a TLS AuthenticationClass; stores of
    the `tls-kafka-server` volume, `server_tls_dir`, which is of the AuthenticationClass's
    clientCertSecretClass, else of serverSecretClass: security.rs `tls_secret_class`, so clients
    must hold a certificate of that class's CA) is advertised at `client_host` (the broker's
    listener volume address), INTERNAL (19093, SSL, client auth required; stores of
    `tls-kafka-internal`, `internal_tls_dir`) at the pod's FQDN. The operator binds 0.0.0.0
    (listener.rs LISTENER_LOCAL_ADDRESS); here `bind_host`, the pod's loopback address."""
    tls_client_auth = kafka_client_auth_secret_class(objects, cluster) is not None
    server_tls = cluster["spec"].get("clusterConfig", {}).get("tls", {}).get("serverSecretClass", "tls") is not None
    assert tls_client_auth or server_tls, "kafka_broker_properties: a PLAINTEXT client listener is not reproduced"
    fqdn = kafka_pod_fqdn(cluster, "broker", role_group, replica)
    properties = {
        "log.dirs": f"{data_dir}/topicdata",
        "listeners": f"CLIENT://{bind_host}:{KAFKA_SECURE_CLIENT_PORT},INTERNAL://{bind_host}:{KAFKA_INTERNAL_PORT}",
        "advertised.listeners": f"CLIENT://{client_host}:{KAFKA_SECURE_CLIENT_PORT},INTERNAL://{fqdn}:{KAFKA_INTERNAL_PORT}",
        "listener.security.protocol.map": "CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL",
        "inter.broker.listener.name": "INTERNAL",
        "broker.id.generation.enable": "false",
        "node.id": str(kafka_node_id("broker", role_group, replica)),
        "process.roles": "broker",
        "controller.listener.names": "CONTROLLER",
        "controller.quorum.bootstrap.servers": ",".join(voters),
        **_kafka_listener_ssl("CLIENT", server_tls_dir),
        **_kafka_listener_ssl("INTERNAL", internal_tls_dir),
        **_kafka_listener_ssl("CONTROLLER", internal_tls_dir),
        "listener.name.internal.ssl.client.auth": "required",
        "controlled.shutdown.enable": "true",
    }
    if tls_client_auth:
        properties["listener.name.client.ssl.client.auth"] = "required"
    return {**properties, **_kafka_overrides(cluster, "broker", role_group, "broker.properties")}


def kafka_voters(cluster: dict) -> tuple[list[str], list[str]]:
    """The controllers as `controller.quorum.bootstrap.servers` lists them (`fqdn:9093`) and as
    `kafka-storage format --initial-controllers` takes them (crd/mod.rs L372-379 `as_voter`:
    `<node id>@<fqdn>:<port>:0000000000-<node id, 11 digits>`), over every controller role group."""
    servers, voters = [], []
    for group, spec in cluster["spec"]["controllers"]["roleGroups"].items():
        for i in range(spec.get("replicas", 1)):
            fqdn, node = kafka_pod_fqdn(cluster, "controller", group, i), kafka_node_id("controller", group, i)
            servers.append(f"{fqdn}:{KAFKA_SECURE_CLIENT_PORT}")
            voters.append(f"{node}@{fqdn}:{KAFKA_SECURE_CLIENT_PORT}:0000000000-{node:0>11}")
    return servers, voters
