/**
 * A consumer repository's cdk8s app, compiled and run by scripts/test-package.sh against the
 * packed library (installed from its tarball, not from this folder). It imports single constructs
 * the way another demo repository would (the demo apps of demos/ are built against it too).
 *
 * Usage (after compiling): node consumer.js OUTDIR
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  Credentials, HiveMetastore, MinioBuckets, MinioServer, PostgresDatabase, S3Connection, S3CredentialsClass, S3FileLoad, SparkCatalog,
  SparkJob, SparkJobFile, Superset, SupersetAssetsImport, SupersetBundleBuilder, TlsTrustStore, TrinoPolicy,
} from 'cdk8s-stackable-demos';

const app = new App({ outdir: process.argv[2], yamlOutputType: YamlOutputType.FILE_PER_CHART });

// Single constructs, wired by object: a small lakehouse storage stack with the Spark job.
const chart = new Chart(app, 'storage', { namespace: 'lakehouse', disableResourceNameHashes: true });
const trust = new TlsTrustStore(chart, 'Ca');
const credentialsClass = new S3CredentialsClass(chart, 'S3Credentials');
const minio = new MinioServer(chart, 'Minio', { credentialsClass, storageGi: 50 });
const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', 'prediction', 'lake'] });
const data = new S3FileLoad(chart, 'Data', {
  minio, buckets, trust, bucket: 'lake', prefix: 'raw/orders/', files: [{ url: 'https://data.example.org/orders-2021-01.parquet' }],
});
const s3 = new S3Connection(chart, 'S3', { endpoint: minio });
const db = new PostgresDatabase(chart, 'Db', { name: 'postgresql-lake', database: 'hive' });
const metastore = new HiveMetastore(chart, 'Hive', { name: 'lake', database: db, s3 });
new SparkJob(chart, 'Job', {
  name: 'orders', file: SparkJobFile.fromText('orders.py', 'def main():\n    pass\n'), s3, catalogs: [SparkCatalog.iceberg('lake', metastore)], waitFor: [data],
});
new TrinoPolicy(chart, 'Policy', { admins: ['alice'] });

// A Superset with a dashboard of SupersetBundleBuilder over a Trino outside this chart.
const trinoAdmin = Credentials.fromSecret('trino-users', 'admin').bind(chart, 'TrinoAdmin', { secretName: 'trino-users', passwordKey: 'admin' });
const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'SupersetDb', { name: 'postgresql-superset', database: 'superset' }), trust });
const b = new SupersetBundleBuilder();
const trino = b.trinoDatabase({ host: 'trino.lakehouse.svc.cluster.local', port: 8443, admin: trinoAdmin }, { catalog: 'hive', caFile: trust.caFile });
const trips = b.dataset(trino, { schema: 'demo', table: 'trips', columns: [{ name: 'pickup', type: 'TIMESTAMP(3)' }, { name: 'fare', type: 'DOUBLE' }], mainDttmCol: 'pickup' });
b.dashboard({ title: 'Trips', slug: 'trips', rows: [[b.bigNumber(trips, { title: 'Fares', metric: { aggregate: 'SUM', column: 'fare' } })]] });
new SupersetAssetsImport(chart, 'Dashboards', { superset, bundle: b.build(), databases: [{ file: trino.file, password: trinoAdmin }] });

app.synth();

// Only the package index is public: package.json's `exports` refuses deep imports of internals.
let deepImport = 'resolved';
try {
  require.resolve('cdk8s-stackable-demos/lib/constructs/core/validate');
} catch (e) {
  deepImport = (e as NodeJS.ErrnoException).code ?? String(e);
}
if (deepImport !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw new Error(`a deep import of an internal module gave ${deepImport}, not ERR_PACKAGE_PATH_NOT_EXPORTED`);

