/**
 * Stackable's demo data-lakehouse-iceberg-trino-spark (26.7) from the library, sized for one node.
 * Streaming: NiFi fetches public feeds (feeds.ts) into Kafka, a Spark structured-streaming job
 * merges the topics into Iceberg tables on MinIO through the metastore hive-iceberg, and Trino
 * (with OPA) has the reference's views over them. Batch: Jobs load the reference's datasets
 * (datasets.ts) into the bucket `staging`, and a Trino Job makes its staging tables (metastore
 * `hive`), lakehouse tables and materialized views (batch-tables.ts). Superset shows six dashboards.
 */
import * as path from 'path';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CatalogConnector, ChartNamespace, Credentials, HiveMetastore, KafkaCluster, MinioBuckets, MinioServer, NifiCluster, OpaServer, PostgresDatabase,
  S3Connection, S3CredentialsClass, S3FileLoad, SparkCatalog, SparkJob, SparkJobFile, Superset, SupersetAssetsImport, TlsTrustStore, TrinoCatalog, TrinoCluster,
  TrinoPolicy, TrinoSqlJob, validate,
} from 'cdk8s-stackable-demos';
import { batchTableStatements } from './batch-tables';
import { datasetLoads, LakehouseDatasets } from './datasets';
import { Feed, FEEDS, feedsFrom } from './feeds';
import { lakehouseDashboardBundle } from './lakehouse-dashboard';
import { VIEW_SOURCES, viewStatements } from './lakehouse-views';
import { lakehouseFlow } from './nifi-flow';

/** Props of {@link LakehouseChart}; each defaults to the stack's value or a one-node size. */
export interface LakehouseChartProps {
  /** The admin of Trino and Superset (trinoAdminPassword, supersetAdminPassword). @default Credentials.literal('admin', 'adminadmin') */
  readonly admin?: Credentials;
  /** NiFi's admin (nifiAdminPassword). @default Credentials.literal('admin', 'adminadmin') */
  readonly nifiAdmin?: Credentials;
  /** MinIO's root user: the bucket Job only. @default Credentials.literal('admin', 'minio-root-password') */
  readonly s3?: Credentials;
  /** MinIO user `lakehouse`, the S3 key of Hive, Trino and Spark (bucket `lakehouse` only). @default Credentials.literal('lakehouse', 'lakehouse-secret-key') */
  readonly lakehouse?: Credentials;
  /** The feeds NiFi fetches into Kafka. @default FEEDS (the reference's five) */
  readonly feeds?: readonly Feed[];
  /** URL prefixes of the feeds replaced by others (e.g. a mirror), see feedsFrom. @default none */
  readonly feedMirrors?: Readonly<Record<string, string>>;
  /** Kafka brokers. @default 1 (the stack: 5) */
  readonly kafkaBrokers?: number;
  /** NiFi nodes. @default 1 (the stack: 2) */
  readonly nifiNodes?: number;
  /** Micro-batch interval of the streaming job, in seconds. @default 120 (the reference's) */
  readonly triggerSeconds?: number;
  /** Which years and months of the batch datasets are loaded, and from where. @default DEFAULT_DATASETS from Stackable's mirror */
  readonly datasets?: LakehouseDatasets;
  /** MinIO's volume in GiB: it holds the staging files and the lakehouse tables. @default 30 */
  readonly minioStorageGi?: number;
}

/** The Iceberg catalog of Spark and Trino, as in the reference. */
const CATALOG = 'lakehouse';
/** The bucket of the tables and the streaming job's checkpoints. */
const BUCKET = 'lakehouse';
/** The Hive catalog of the staging tables and the bucket of their files, as in the reference. */
const STAGING = 'staging';
/** Where the streaming job's pods have their Kafka client certificate and trust (tls-pkcs12). */
const KAFKA_TLS_DIR = '/stackable/kafka-tls';
/**
 * Password of the PKCS12 files in the streaming job's Kafka TLS volume: the secret-operator writes
 * them with it (annotation `secrets.stackable.tech/format.compatibility.tls-pkcs12.password`), the
 * job opens them with it. It protects no secret beyond the pod (the files are the pod's own).
 */
const KAFKA_TLS_PASSWORD = 'changeit';
/** Spark of the streaming job (the Stackable image's productVersion), and its Kafka source of the same version. */
const SPARK_VERSION = '4.1.2';

/** The demo in namespace `data-lakehouse`. */
export class LakehouseChart extends Chart {
  /** The components, for tests and for charts that extend the demo. */
  public readonly kafka: KafkaCluster;
  public readonly nifi: NifiCluster;
  public readonly trino: TrinoCluster;
  public readonly superset: Superset;
  public readonly ingest: SparkJob;
  /** The Jobs loading the batch datasets into the bucket `staging`, one per staging schema. */
  public readonly loads: S3FileLoad[];
  /** The Job making the staging and lakehouse tables and the materialized views. */
  public readonly batchTables: TrinoSqlJob;

  constructor(scope: Construct, id: string, props: LakehouseChartProps = {}) {
    super(scope, id, { namespace: 'data-lakehouse', disableResourceNameHashes: true });
    const owner = `LakehouseChart ${id}`;
    const feeds = feedsFrom(owner, props.feeds ?? FEEDS, props.feedMirrors);
    const triggerSeconds = validate.intInRange(owner, 'triggerSeconds', props.triggerSeconds ?? 120, 1);
    new ChartNamespace(this, 'Namespace');
    const [trust, networkPolicy] = [new TlsTrustStore(this, 'TlsCa'), true];

    // Storage: MinIO with the buckets `lakehouse` and `staging`, read and written by the user `lakehouse`.
    const minio = new MinioServer(this, 'Minio', {
      credentials: props.s3 ?? Credentials.literal('admin', 'minio-root-password'), listenerClass: 'external-unstable', storageGi: props.minioStorageGi ?? 30,
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 1024 }, networkPolicy,
    });
    const buckets = new MinioBuckets(this, 'Buckets', {
      minio, trust, buckets: [BUCKET, STAGING], networkPolicy,
      users: {
        lakehouse: {
          credentials: props.lakehouse ?? Credentials.literal('lakehouse', 'lakehouse-secret-key'),
          access: { [BUCKET]: 'readwrite', [STAGING]: 'readwrite' }, credentialsClass: new S3CredentialsClass(this, 'S3Credentials'),
        },
      },
    });
    const s3 = new S3Connection(this, 'S3', { name: 'minio', endpoint: buckets.endpointFor('lakehouse') });

    // Streaming: Kafka (KRaft, client certificates) fed by NiFi.
    const kafka = new KafkaCluster(this, 'Kafka', {
      brokers: props.kafkaBrokers ?? 1, brokerResources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 1536 }, logDirsGi: 10, networkPolicy,
    });
    const nifi = new NifiCluster(this, 'Nifi', {
      admin: props.nifiAdmin ?? Credentials.literal('admin', 'adminadmin'), replicas: props.nifiNodes ?? 1,
      resources: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryMi: 4096 },
      storage: { contentRepoGi: 5, databaseRepoGi: 1, flowfileRepoGi: 1, provenanceRepoGi: 2, stateRepoGi: 1 },
    });
    kafka.allowFrom(nifi);
    lakehouseFlow(this, 'IngestFlow', { nifi, kafka, feeds, trust, networkPolicy });

    // Batch: the reference's datasets into `staging`, one Job per staging schema.
    this.loads = datasetLoads(owner, props.datasets).map(load => new S3FileLoad(this, `Load-${load.id}`, {
      minio, buckets, trust, bucket: STAGING, prefix: load.prefix, files: load.files, scratchGi: load.scratchGi, name: `load-${load.id}`, networkPolicy,
    }));

    // Metadata: the metastores hive (staging tables) and hive-iceberg (lakehouse), each on its PostgreSQL, as the stack's.
    const metastore = (id: string, name: string, password: string) => new HiveMetastore(this, id, {
      name, s3, productVersion: '4.0.0',
      database: new PostgresDatabase(this, `Postgres${id}`, { name: `postgresql-${name}`, database: 'hive', credentials: Credentials.literal('hive', password), networkPolicy }),
    });
    const hive = metastore('HiveIceberg', 'hive-iceberg', 'hiveiceberg');
    const hiveStaging = metastore('Hive', 'hive', 'hive');

    // The streaming job: every topic into its table, checkpoints on S3.
    const file = SparkJobFile.fromFile(path.join(__dirname, 'ingest_into_lakehouse.py'));
    this.ingest = new SparkJob(this, 'Ingest', {
      name: 'spark-ingest-into-lakehouse', file, s3, sparkVersion: SPARK_VERSION,
      catalogs: [SparkCatalog.iceberg(CATALOG, hive)],
      packages: ['org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0', `org.apache.spark:spark-sql-kafka-0-10_2.13:${SPARK_VERSION}`],
      args: ['--bootstrap-servers', kafka.bootstrapServers, '--tls-dir', KAFKA_TLS_DIR, '--tls-password', KAFKA_TLS_PASSWORD,
        '--warehouse', `s3a://${BUCKET}/`, '--catalog', CATALOG, '--trigger-seconds', String(triggerSeconds)],
      volumes: [{ volume: kafka.clientTlsVolume('kafka-tls', { format: 'tls-pkcs12', password: KAFKA_TLS_PASSWORD }), mountPath: KAFKA_TLS_DIR }],
      sparkConf: { 'spark.sql.shuffle.partitions': '8' },
      waitFor: [buckets.location(BUCKET)],
      executors: 1,
      driverResources: { cpuRequestMillis: 500, cpuLimitMillis: 1000, memoryMi: 1536 },
      executorResources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 2048 },
    });
    kafka.allowFrom(this.ingest);

    // Query: Trino as the stack sets it (one worker here), its admin allowed all by OPA; the reference's views.
    const admin = props.admin ?? Credentials.literal('admin', 'adminadmin');
    const trino = new TrinoCluster(this, 'Trino', {
      admin, opa: new OpaServer(this, 'Opa'), policy: new TrinoPolicy(this, 'TrinoPolicy', { admins: [admin.username] }),
      queryMaxMemory: '10TB', enableColumnMasking: false,
      coordinatorResources: { cpu: { min: '500m', max: '2' }, memory: { limit: '3Gi' } },
      // One worker for the reference's four of 20Gi (queryMaxMemoryPerNode 10GB): the batch tables'
      // joins and aggregations run on it. The trino-operator gives the JVM 80% of the memory limit
      // (trino-operator 26.7.0 rust/operator-binary/src/config/jvm.rs JVM_HEAP_FACTOR); 3GB of that
      // 6.4 GiB heap per query leaves Trino's default headroom (30% of the heap).
      workerResources: { cpu: { min: '500m', max: '4' }, memory: { limit: '8Gi' } }, queryMaxMemoryPerNode: '3GB',
    });
    new TrinoCatalog(this, 'LakehouseCatalog', { trino, name: CATALOG, connector: CatalogConnector.iceberg(hive, s3) });
    new TrinoCatalog(this, 'StagingCatalog', { trino, name: STAGING, connector: CatalogConnector.hive(hiveStaging, s3) });
    for (const client of [hive, hiveStaging, trino, this.ingest]) minio.allowFrom(client);
    this.batchTables = new TrinoSqlJob(this, 'BatchTables', {
      trino, trust, name: 'create-tables-in-trino', networkPolicy, waitFor: this.loads,
      statements: batchTableStatements({ staging: { catalog: STAGING, bucket: STAGING }, lakehouse: { catalog: CATALOG, bucket: BUCKET } }),
    });
    // The views read tables the streaming job creates: the Job waits until each table's metadata is in S3.
    new TrinoSqlJob(this, 'Views', {
      trino, trust, name: 'create-trino-views', networkPolicy, statements: viewStatements(CATALOG),
      waitFor: VIEW_SOURCES.map(t => buckets.objectsUnder(BUCKET, tableMetadataPrefix(t))),
    });

    // Dashboards.
    const supersetDb = new PostgresDatabase(this, 'PostgresSuperset', {
      name: 'postgresql-superset', database: 'superset', credentials: Credentials.literal('superset', 'superset'), networkPolicy,
    });
    const superset = new Superset(this, 'Superset', { admin, database: supersetDb, trust });
    const dashboards = lakehouseDashboardBundle({ trino, catalog: CATALOG, caFile: trust.caFile });
    new SupersetAssetsImport(this, 'Dashboards', {
      superset, bundle: dashboards, databases: dashboards.databaseFiles.map(file => ({ file, password: trino.admin })), trust,
      name: `${superset.name}-import-dashboards`, networkPolicy,
    });

    this.kafka = kafka;
    this.nifi = nifi;
    this.trino = trino;
    this.superset = superset;
  }
}

/**
 * The metadata folder of a table `schema.table` of ingest_into_lakehouse.py: Iceberg's Hive catalog
 * puts a table at `<its namespace's location>/<table>` (HiveCatalog `defaultWarehouseLocation`),
 * the job gives the namespaces the reference's locations (`SCHEMAS`: water-levels/, smart-city/),
 * and the first metadata file goes under `metadata/` when the table is created.
 */
function tableMetadataPrefix(table: string): string {
  const [schema, name] = table.split('.');
  return `${schema.replace('_', '-')}/${name}/metadata/`;
}
