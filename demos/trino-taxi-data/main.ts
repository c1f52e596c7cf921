/**
 * Stackable's demo trino-taxi-data (release 26.7) from the library's constructs: 2.5 years of NYC
 * yellow taxi trips loaded into MinIO, a Hive metastore on PostgreSQL, Trino with a `hive` catalog
 * authorized by OPA, a Job that creates the table and view in Trino, and Superset with the taxi
 * dashboard. `make synth` (npm run synth:examples) writes it to examples/trino-taxi-data/dist/ (see README.md here).
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  CatalogConnector, ChartNamespace, Credentials, HiveMetastore, MinioBuckets, MinioServer, OpaServer, PostgresDatabase,
  S3Connection, S3CredentialsClass, S3FileLoad, Superset, SupersetAssetsImport, TlsTrustStore,
  TrinoCatalog, TrinoCluster, TrinoPolicy, TrinoSqlJob,
} from 'cdk8s-stackable-demos';
import { monthRange, TlcTripData } from '../lib/tlc-trip-data';
import { taxiDashboardBundle } from './taxi-dashboard';
import { taxiTableStatements } from './taxi-table';

/** The months Stackable's demo loads (demos/trino-taxi-data/load-test-data.yaml). */
const MONTHS = monthRange('2020-01', '2022-04');

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
const chart = new Chart(app, 'trino-taxi-data', { namespace: 'trino-taxi-data', disableResourceNameHashes: true });
new ChartNamespace(chart, 'Namespace');
const trust = new TlsTrustStore(chart, 'TlsCa');
const networkPolicy = true;

// Storage: MinIO with the `demo` bucket and the yellow taxi files, loaded one at a time.
const minio = new MinioServer(chart, 'Minio', { credentialsClass: new S3CredentialsClass(chart, 'S3Credentials'), storageGi: 10, networkPolicy });
const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'], networkPolicy });
const data = new S3FileLoad(chart, 'TaxiData', {
  minio, buckets, trust, bucket: 'demo', prefix: 'ny-taxi-data/raw/', name: 'load-ny-taxi-data', networkPolicy,
  files: TlcTripData.files({ kind: 'yellow', months: MONTHS }),
});
const s3 = new S3Connection(chart, 'S3', { endpoint: minio });

// Metadata: one Hive metastore (4.2.0, as stacks/trino-superset-s3/hive-metastore.yaml) on PostgreSQL.
const hiveDb = new PostgresDatabase(chart, 'PostgresHive', { name: 'postgresql-hive', database: 'hive', credentials: Credentials.literal('hive', 'hive'), networkPolicy });
const hive = new HiveMetastore(chart, 'Hive', { name: 'hive', database: hiveDb, s3, productVersion: '4.2.0' });

// Query: Trino with the `hive` catalog, the admin allowed everything by OPA, workers sized as the stack's.
const admin = Credentials.literal('admin', 'adminadmin');
const trino = new TrinoCluster(chart, 'Trino', {
  admin, opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'TrinoPolicy', { admins: [admin.username] }),
  workerResources: { cpuRequestMillis: 1000, cpuLimitMillis: 4000, memoryMi: 6144 }, // the stack's cpu 1 to 4, memory 6Gi
});
new TrinoCatalog(chart, 'HiveCatalog', { trino, name: 'hive', connector: CatalogConnector.hive(hive, s3) });
new TrinoSqlJob(chart, 'CreateTable', {
  trino, trust, name: 'create-ny-taxi-data-table-in-trino', statements: taxiTableStatements(data, MONTHS), waitFor: [data], networkPolicy,
});
for (const client of [hive, trino]) minio.allowFrom(client);

// Analysis: Superset with the taxi dashboard over the view, querying Trino as its admin.
const supersetDb = new PostgresDatabase(chart, 'PostgresSuperset', { name: 'postgresql-superset', database: 'superset', credentials: Credentials.literal('superset', 'superset'), networkPolicy });
const superset = new Superset(chart, 'Superset', { admin, database: supersetDb, trust });
const dashboard = taxiDashboardBundle({ trino, caFile: trust.caFile });
new SupersetAssetsImport(chart, 'Dashboard', { superset, bundle: dashboard, databases: dashboard.databaseFiles.map(file => ({ file, password: trino.admin })), networkPolicy });

app.synth();
