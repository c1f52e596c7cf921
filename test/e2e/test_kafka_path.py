"""The Kafka session (scripts/test-e2e.sh runs it on its own: E2E_ONLY=kafka, or with the others):
the pieces a demo's e2e session uses for Kafka (programs.py: start_kafka, kafka_client_tls,
kafka_produce, kafka_end_offsets, kafka_metadata, spark_kafka_options, spark_submit_local),
proved on a KafkaCluster like the lakehouse demo's (KRaft, server TLS from SecretClass `tls`,
client authentication by an AuthenticationClass with `tls.clientCertSecretClass: tls`): the broker
answers only clients with a certificate of the cluster's CA; ConsoleProducer sends N records over
mutual TLS; local PySpark's `readStream.format("kafka")` with PKCS12 stores and a password reads
exactly N, then after M more from the same checkpoint exactly M (no loss, no duplicates).
Skipped unless E2E_KAFKA=1 (the script sets it for this session only), so the demo's session,
which collects test/e2e, does not pay for it."""

from __future__ import annotations

import json
import os
import time

import pytest

from harness import HERE, World, begin, report
from kubelet import Tools
from programs import (kafka_client_properties, kafka_client_tls, kafka_end_offsets, kafka_metadata, kafka_produce, spark_kafka_options,
                      spark_submit_local, start_kafka)
from services import make_pki

pytestmark = pytest.mark.skipif(os.environ.get("E2E_KAFKA") != "1", reason="the Kafka session (E2E_KAFKA=1, scripts/test-e2e.sh)")

N, M = 1000, 300
TOPIC = "e2e-events"
#: the client pods' tls-pkcs12 password (the annotation secrets.stackable.tech/format.compatibility.tls-pkcs12.password)
CLIENT_STORE_PASSWORD = "e2e-store-password"

KAFKA_CLUSTER = {
    "apiVersion": "kafka.stackable.tech/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": "kafka", "namespace": "e2e"},
    "spec": {
        "image": {"productVersion": "4.2.1"},
        "clusterConfig": {"authentication": [{"authenticationClass": "kafka-client-tls"}], "tls": {"serverSecretClass": "tls"}},
        # one broker: the internal topics with one replica; two partitions for new topics
        "brokers": {"configOverrides": {"broker.properties": {"offsets.topic.replication.factor": "1", "num.partitions": "2"}},
                    "roleGroups": {"default": {"replicas": 1}}},
        "controllers": {"roleGroups": {"default": {"replicas": 1}}},
    },
}
AUTHENTICATION_CLASS = {"apiVersion": "authentication.stackable.tech/v1alpha1", "kind": "AuthenticationClass",
                        "metadata": {"name": "kafka-client-tls"}, "spec": {"provider": {"tls": {"clientCertSecretClass": "tls"}}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kafka")
    w = begin(World([KAFKA_CLUSTER, AUTHENTICATION_CLASS], [], workdir, Tools.from_env()), suite="e2e-kafka")
    w.state["pki"] = make_pki(workdir, ["unused"], [], "e2e test CA")
    w.hosts_file.write_text(w.hosts_text())
    try:
        yield w
    finally:
        w.stop_all()


def test_kafka1_the_broker_starts_in_kraft_mode_with_client_tls(world: World):
    started = time.monotonic()
    start_kafka(world)
    world.state["seconds"] = {"broker start": time.monotonic() - started}


def test_kafka2_clients_without_a_certificate_of_the_cluster_s_ca_are_refused(world: World):
    import ssl

    bootstrap = world.state["kafka"]["bootstrap"]
    refused = {}
    (world.workdir / "other-ca").mkdir()
    other = make_pki(world.workdir / "other-ca", ["unused"], [], "another CA")
    other_cert, other_key = other.issue(["intruder"], [])
    for case, (cert, key) in {"no client certificate": (None, None), "a certificate of another CA": (other_cert, other_key)}.items():
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)) as error:
            kafka_metadata(world, bootstrap, cert, key)
        refused[case] = type(error.value).__name__ + ": " + str(error.value)[:90]
    cert, key = world.state["pki"].issue(["a-client"], [])
    _, brokers = kafka_metadata(world, bootstrap, cert, key)
    assert brokers
    report("kafka2", f"refused: {refused}; a certificate of the cluster's CA gets the metadata")


def test_kafka3_console_producer_sends_n_records_over_mutual_tls(world: World):
    bootstrap = world.state["kafka"]["bootstrap"]
    tls = kafka_client_tls(world, "producer", CLIENT_STORE_PASSWORD)
    client = kafka_client_properties(tls, CLIENT_STORE_PASSWORD)
    world.state["client"] = client
    started = time.monotonic()
    kafka_produce(world, bootstrap, TOPIC, [(f"key-{i % 17}", f"record-{i:05d}") for i in range(N)], client)
    world.state["seconds"]["produce N"] = time.monotonic() - started
    started = time.monotonic()
    offsets = kafka_end_offsets(world, bootstrap, TOPIC, client)
    world.state["seconds"]["count"] = time.monotonic() - started
    assert sum(offsets.values()) == N and len(offsets) == 2 and all(offsets.values()), offsets
    report("kafka3", f"ConsoleProducer sent {N} keyed records to {TOPIC} with a PKCS12 keystore and truststore (password) "
                     f"({world.state['seconds']['produce N']:.1f}s); GetOffsetShell: end offsets {offsets} "
                     f"({world.state['seconds']['count']:.1f}s)")


def _stream(world: World, name: str, checkpoint: str = "checkpoint", sink: str | None = None, conf: dict[str, str] | None = None) -> dict:
    tls = world.workdir / "kafka-clients" / "spark"
    options = world.workdir / "spark-kafka-options.json"
    if not options.exists():
        tls = kafka_client_tls(world, "spark", CLIENT_STORE_PASSWORD)
        options.write_text(json.dumps({**spark_kafka_options(world.state["kafka"]["bootstrap"], tls, CLIENT_STORE_PASSWORD),
                                       "maxOffsetsPerTrigger": "600"}))
    started = time.monotonic()
    result = spark_submit_local(world, name, HERE / "kafka_stream.py",
                                [str(options), TOPIC, str(world.workdir / checkpoint), sink or f"parquet:{world.workdir / 'sink'}"], conf)
    line = next(line for line in result.stdout.splitlines() if line.startswith("kafka_stream:"))
    return {**json.loads(line.split(":", 1)[1]), "seconds": time.monotonic() - started}


def test_kafka4_spark_reads_exactly_n_then_exactly_m_more_from_its_checkpoint(world: World):
    first = _stream(world, "spark-kafka-1")
    assert first["read"] == N and first["total"] == N and first["distinct"] == N, first
    kafka_produce(world, world.state["kafka"]["bootstrap"], TOPIC, [(f"key-{i % 17}", f"more-{i:05d}") for i in range(M)], world.state["client"],
                  name="kafka-producer-2")
    second = _stream(world, "spark-kafka-2")
    assert second["read"] == M and second["total"] == N + M and second["distinct"] == N + M, second
    report("kafka4", f"PySpark 4.1.2 local[2] readStream.format(\"kafka\") with kafka.security.protocol SSL and PKCS12 stores "
                     f"(password), Parquet sink, availableNow: run 1 read {first['read']} in {first['batches']} batches "
                     f"({first['seconds']:.0f}s); {M} more produced; run 2 from the same checkpoint read {second['read']} "
                     f"({second['seconds']:.0f}s); the sink holds {second['total']} rows, {second['distinct']} distinct offsets")
    report("kafka4", "seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in world.state["seconds"].items())
           + f", spark run 1 {first['seconds']:.1f}, spark run 2 {second['seconds']:.1f}")


def test_kafka5_spark_merges_the_topic_into_an_iceberg_table(world: World):
    """The demo's shape: foreachBatch MERGE INTO an Iceberg table (here a Hadoop catalog on this
    machine's disk; the demo's goes through the Hive metastore to S3, which its session adds), the
    Kafka source and the Iceberg runtime in one Spark; a second run from the checkpoint reads nothing."""
    conf = {"spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            "spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog", "spark.sql.catalog.lake.type": "hadoop",
            "spark.sql.catalog.lake.warehouse": f"file://{world.workdir / 'warehouse'}"}
    run = _stream(world, "spark-kafka-merge", "checkpoint-merge", "merge:lake.db.events", conf)
    assert run["read"] == N + M and run["total"] == N + M and run["distinct"] == N + M, run
    report("kafka5", f"foreachBatch MERGE INTO lake.db.events (Iceberg 1.11.0, Hadoop catalog): read {run['read']} in "
                     f"{run['batches']} batches, the table holds {run['total']} rows ({run['seconds']:.0f}s)")
