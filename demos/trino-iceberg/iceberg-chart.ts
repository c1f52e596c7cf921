/** Stackable's demo trino-iceberg (26.7) from the library: MinIO with the `lakehouse` bucket, a Hive metastore on
 * PostgreSQL, Trino with the `lakehouse` (Iceberg), `tpch` and `tpcds` catalogs and OPA, and the guide's TPC-H tables. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CatalogConnector, ChartNamespace, Credentials, HiveMetastore, MinioBuckets, MinioServer, OpaServer, PostgresDatabase,
  S3Connection, S3CredentialsClass, TlsTrustStore, TrinoCatalog, TrinoCluster, TrinoPolicy, TrinoSqlJob, validate } from 'cdk8s-stackable-demos';

/** Props of {@link TrinoIcebergChart}; each defaults to the stack's or the guide's value (`lakehouse`, a user the stack lacks, to a demo value). */
export interface TrinoIcebergChartProps {
  /** The Trino admin (trinoAdminPassword). @default Credentials.literal('admin', 'adminadmin') */
  readonly admin?: Credentials;
  /** MinIO's root user (minioAdminPassword): the bucket Job only; no product holds it. @default Credentials.literal('admin', 'adminadmin') */
  readonly s3?: Credentials;
  /**
   * MinIO user `lakehouse`, the S3 key of Hive and Trino: read and write in bucket `lakehouse` (Iceberg
   * writes data and metadata files, the metastore makes the schema's folder), no other bucket, no
   * bucket creation, no admin API. An existing Secret (`Credentials.fromSecret`) needs the keys `accessKey` and `secretKey`
   * and the label `secrets.stackable.tech/class: trino-iceberg-s3-credentials-class`.
   * @default Credentials.literal('lakehouse', 'lakehouse-secret-key')
   */
  readonly lakehouse?: Credentials;
  /** TPC-H scale factor of the tables copied from the `tpch` catalog (its schema `sf<N>`). @default 5 */
  readonly scaleFactor?: number;
}

/** The demo in namespace `trino-iceberg`. */
export class TrinoIcebergChart extends Chart {
  constructor(scope: Construct, id: string, props: TrinoIcebergChartProps = {}) {
    super(scope, id, { namespace: 'trino-iceberg', disableResourceNameHashes: true });
    const scaleFactor = validate.intInRange(`TrinoIcebergChart ${id}`, 'scaleFactor', props.scaleFactor ?? 5, 1);
    new ChartNamespace(this, 'Namespace');
    const [trust, networkPolicy] = [new TlsTrustStore(this, 'TlsCa'), true];

    // Storage: MinIO reachable from outside (API and console), the `lakehouse` bucket public as in the stack (anonymous
    // access, whoever reaches MinIO) and read and written by the user `lakehouse`, the products' key.
    const minio = new MinioServer(this, 'Minio', {
      credentials: props.s3, listenerClass: 'external-unstable',
      storageGi: 20, resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 2048 }, networkPolicy,
    });
    const buckets = new MinioBuckets(this, 'Buckets', {
      minio, trust, buckets: [{ name: 'lakehouse', policy: 'public' }], networkPolicy,
      users: {
        lakehouse: {
          credentials: props.lakehouse ?? Credentials.literal('lakehouse', 'lakehouse-secret-key'),
          access: { lakehouse: 'readwrite' }, credentialsClass: new S3CredentialsClass(this, 'S3Credentials'),
        },
      },
    });
    const s3 = new S3Connection(this, 'S3', { name: 'minio', endpoint: buckets.endpointFor('lakehouse') });

    // Metadata and query: the metastore hive-iceberg on PostgreSQL; Trino as the stack sets it, its admin allowed all by OPA.
    const hiveDb = new PostgresDatabase(this, 'PostgresHive', { name: 'postgresql-hive-iceberg', database: 'hive', credentials: Credentials.literal('hive', 'hive'), networkPolicy });
    const hive = new HiveMetastore(this, 'Hive', { name: 'hive-iceberg', database: hiveDb, s3, productVersion: '4.2.0' });
    const admin = props.admin ?? Credentials.literal('admin', 'adminadmin');
    const trino = new TrinoCluster(this, 'Trino', {
      admin, opa: new OpaServer(this, 'Opa'), policy: new TrinoPolicy(this, 'TrinoPolicy', { admins: [admin.username] }),
      queryMaxMemory: '10TB', enableColumnMasking: false,
      coordinatorResources: { cpu: { min: '500m', max: '2' }, memory: { limit: '4Gi' } }, workerResources: { cpu: { min: '1', max: '4' }, memory: { limit: '8Gi' } },
    });
    for (const client of [hive, trino]) minio.allowFrom(client);
    const catalogs = { lakehouse: CatalogConnector.iceberg(hive, s3), tpcds: CatalogConnector.tpcds(), tpch: CatalogConnector.tpch() };
    for (const [name, connector] of Object.entries(catalogs)) new TrinoCatalog(this, name, { trino, name, connector });

    // The tables of the guide (docs/modules/demos/pages/trino-iceberg.adoc): a schema in the lakehouse (once its bucket
    // exists), each TPC-H table copied into it.
    const location = buckets.location('lakehouse', 'tpch/');
    new TrinoSqlJob(this, 'TpchTables', {
      trino, trust, name: 'create-tpch-tables', waitFor: [location], networkPolicy,
      statements: [`CREATE SCHEMA IF NOT EXISTS lakehouse.tpch WITH (location = '${location.s3aUrl}')`,
        ...['nation', 'region', 'part', 'partsupp', 'supplier', 'customer', 'orders', 'lineitem'].map(t => `CREATE TABLE IF NOT EXISTS lakehouse.tpch.${t} AS SELECT * FROM tpch.sf${scaleFactor}.${t}`)],
    });
  }
}
