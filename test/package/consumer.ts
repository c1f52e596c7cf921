/**
 * A consumer repository's cdk8s app, compiled and run by scripts/test-package.sh against the
 * packed library (installed from its tarball, not from this folder). It imports single constructs
 * the way another demo repository would, and the whole DemoChart.
 *
 * Usage (after compiling): node consumer.js OUTDIR
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  AnomalyDetectionJob, DemoChart, HiveMetastore, MinioBuckets, MinioServer, PostgresDatabase, S3Connection,
  S3CredentialsClass, S3FileLoad, TlcTripData, TlsTrustStore, TrinoPolicy,
} from 'cdk8s-stackable-demos';

const app = new App({ outdir: process.argv[2], yamlOutputType: YamlOutputType.FILE_PER_CHART });

// Single constructs, wired by object: a small lakehouse storage stack with the Spark job.
const chart = new Chart(app, 'storage', { namespace: 'lakehouse', disableResourceNameHashes: true });
const trust = new TlsTrustStore(chart, 'Ca');
const credentialsClass = new S3CredentialsClass(chart, 'S3Credentials');
const minio = new MinioServer(chart, 'Minio', { credentialsClass, storageGi: 50 });
const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', 'prediction', 'lake'] });
const data = new S3FileLoad(chart, 'Data', {
  minio, buckets, trust, bucket: 'lake', prefix: 'tlc/yellow/', files: TlcTripData.files({ kind: 'yellow', months: ['2021-01'] }),
});
const s3 = new S3Connection(chart, 'S3', { endpoint: minio });
const db = new PostgresDatabase(chart, 'Db', { name: 'postgresql-lake', database: 'hive' });
const metastore = new HiveMetastore(chart, 'Hive', { name: 'lake', database: db, s3 });
new AnomalyDetectionJob(chart, 'Job', { data, s3, buckets, metastore });
new TrinoPolicy(chart, 'Policy', { admins: ['alice'] });

// The whole demo, as main.ts builds it.
new DemoChart(app, 'spark-k8s-anomaly-detection-taxi-data');
app.synth();
