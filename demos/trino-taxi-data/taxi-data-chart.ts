/**
 * Stackable's demo trino-taxi-data (release 26.7) from the library's constructs: 2.5 years of NYC
 * yellow taxi trips loaded into MinIO, a Hive metastore on PostgreSQL, Trino with a `hive` catalog
 * authorized by OPA, a Job that creates the table and view in Trino, and Superset with the taxi
 * dashboard. main.ts synthesizes it with the defaults; helm-values.ts makes its passwords Helm values.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
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

/** Credentials of the demo; every field defaults to Stackable's demo value. */
export interface TaxiDataCredentials {
  /** The admin of Trino and Superset. @default Credentials.literal('admin', 'adminadmin') */
  readonly admin?: Credentials;
  /**
   * MinIO's root user: the bucket Job (which creates the bucket and the `reader` user) and the data
   * load only; no product holds it. @default Credentials.literal('admin', 'adminadmin')
   */
  readonly s3?: Credentials;
  /**
   * MinIO user `reader`, the S3 credentials of Hive and Trino: read-only access to bucket `demo`
   * (list and get; no write, no other bucket, no bucket creation, no admin API), all the demo
   * needs, as its schema sits at the bucket root and its table is external over the loaded files:
   * the metastore creates a database's folder only when it is not already a directory (Hive 4.0.0
   * standalone-metastore HMSHandler.create_database_core: `Warehouse.isDir`, then `mkdirs` only if
   * false; read in the released hive-standalone-metastore-server-4.0.0.jar), and the bucket root is
   * one. The e2e session (test/demos/trino-taxi-data/) runs the real metastore with this user.
   * An existing Secret (`Credentials.fromSecret`) needs the keys `accessKey` and `secretKey` and the
   * label `secrets.stackable.tech/class: trino-taxi-data-s3-credentials-class`.
   * @default Credentials.literal('reader', 'reader-secret-key')
   */
  readonly reader?: Credentials;
  /** Owner of the Hive metastore database. @default Credentials.literal('hive', 'hive') */
  readonly hiveDatabase?: Credentials;
  /** Owner of the Superset metadata database. @default Credentials.literal('superset', 'superset') */
  readonly supersetDatabase?: Credentials;
}

/** Props of {@link TaxiDataChart}. */
export interface TaxiDataChartProps {
  /** The demo's credentials. @default - Stackable's demo values, see {@link TaxiDataCredentials} */
  readonly credentials?: TaxiDataCredentials;
}

/** The demo in namespace `trino-taxi-data`. */
export class TaxiDataChart extends Chart {
  constructor(scope: Construct, id: string, props: TaxiDataChartProps = {}) {
    super(scope, id, { namespace: 'trino-taxi-data', disableResourceNameHashes: true });
    const creds = props.credentials ?? {};
    new ChartNamespace(this, 'Namespace');
    const trust = new TlsTrustStore(this, 'TlsCa');
    const networkPolicy = true;

    // Storage: MinIO with the `demo` bucket, read by the user `reader`, and the yellow taxi files, loaded one at a time.
    const minio = new MinioServer(this, 'Minio', { credentials: creds.s3, storageGi: 10, networkPolicy });
    const buckets = new MinioBuckets(this, 'Buckets', {
      minio, trust, buckets: ['demo'], networkPolicy,
      users: {
        reader: {
          credentials: creds.reader ?? Credentials.literal('reader', 'reader-secret-key'),
          access: { demo: 'read' }, credentialsClass: new S3CredentialsClass(this, 'S3Credentials'),
        },
      },
    });
    const data = new S3FileLoad(this, 'TaxiData', {
      minio, buckets, trust, bucket: 'demo', prefix: 'ny-taxi-data/raw/', name: 'load-ny-taxi-data', networkPolicy,
      files: TlcTripData.files({ kind: 'yellow', months: MONTHS }),
    });
    const s3 = new S3Connection(this, 'S3', { endpoint: buckets.endpointFor('reader') });

    // Metadata: one Hive metastore (4.2.0, as stacks/trino-superset-s3/hive-metastore.yaml) on PostgreSQL.
    const hiveDb = new PostgresDatabase(this, 'PostgresHive', { name: 'postgresql-hive', database: 'hive', credentials: creds.hiveDatabase ?? Credentials.literal('hive', 'hive'), networkPolicy });
    const hive = new HiveMetastore(this, 'Hive', { name: 'hive', database: hiveDb, s3, productVersion: '4.2.0' });

    // Query: Trino with the `hive` catalog, the admin allowed everything by OPA, workers sized as the stack's.
    const admin = creds.admin ?? Credentials.literal('admin', 'adminadmin');
    const trino = new TrinoCluster(this, 'Trino', {
      admin, opa: new OpaServer(this, 'Opa'), policy: new TrinoPolicy(this, 'TrinoPolicy', { admins: [admin.username] }),
      workerResources: { cpuRequestMillis: 1000, cpuLimitMillis: 4000, memoryMi: 6144 }, // the stack's cpu 1 to 4, memory 6Gi
    });
    new TrinoCatalog(this, 'HiveCatalog', { trino, name: 'hive', connector: CatalogConnector.hive(hive, s3) });
    new TrinoSqlJob(this, 'CreateTable', {
      trino, trust, name: 'create-ny-taxi-data-table-in-trino', statements: taxiTableStatements(data, MONTHS), waitFor: [data], networkPolicy,
    });
    for (const client of [hive, trino]) minio.allowFrom(client);

    // Analysis: Superset with the taxi dashboard over the view, querying Trino as its admin.
    const supersetDb = new PostgresDatabase(this, 'PostgresSuperset', { name: 'postgresql-superset', database: 'superset', credentials: creds.supersetDatabase ?? Credentials.literal('superset', 'superset'), networkPolicy });
    const superset = new Superset(this, 'Superset', { admin, database: supersetDb, trust });
    const dashboard = taxiDashboardBundle({ trino, caFile: trust.caFile });
    new SupersetAssetsImport(this, 'Dashboard', { superset, bundle: dashboard, databases: dashboard.databaseFiles.map(file => ({ file, password: trino.admin })), networkPolicy });
  }
}
