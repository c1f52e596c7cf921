import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CatalogConnector, ChartNamespace, Credentials, DnsEgress, HiveMetastore, LISTENER_CLASSES, ListenerClassName, MinioBuckets, MinioServer, OpaServer, PostgresDatabase, S3Connection, S3CredentialsClass, S3FileLoad, Superset, SupersetAssetsImport, SupersetSecretKey, TlsTrustStore, TrinoCatalog, TrinoCluster, TrinoPolicy, validate,
} from 'cdk8s-stackable-demos';
import { TlcTripData } from '../lib/tlc-trip-data';
import { anomalyDashboardBundle } from './anomaly-dashboard';
import { AnomalyDetectionJob, IsolationForestParams, isolationForestParams } from './anomaly-detection-job';

/** Credentials of the demo. Every field defaults to a demo value like Stackable's. */
export interface DemoCredentials {
  /** The admin of Trino and Superset. @default Credentials.literal('admin', 'adminadmin') */
  readonly admin?: Credentials;
  /**
   * MinIO's root user: the bucket Job (which creates the buckets and the `lakehouse` user) and the
   * data load. Its password differs from the admin's, so neither works where the other is meant.
   * @default Credentials.literal('admin', 'minio-root-password')
   */
  readonly s3?: Credentials;
  /**
   * MinIO user `lakehouse`, the S3 credentials of Hive, Trino and Spark: read and write in buckets
   * demo and prediction, nothing else (no other bucket, no bucket creation, no admin API).
   * @default Credentials.literal('lakehouse', 'lakehouse-secret-key')
   */
  readonly lakehouse?: Credentials;
  /** Owner of the `hive` metastore database. @default Credentials.literal('hive', 'hive') */
  readonly hiveDatabase?: Credentials;
  /** Owner of the `hive-iceberg` metastore database. @default Credentials.literal('hive', 'hiveiceberg') */
  readonly hiveIcebergDatabase?: Credentials;
  /** Owner of the Superset metadata database. @default Credentials.literal('superset', 'superset') */
  readonly supersetDatabase?: Credentials;
}

/** Product versions (Stackable 26.7 defaults). */
export interface DemoVersions {
  /** @default '4.0.0' */
  readonly hive?: string;
  /** @default '481' */
  readonly trino?: string;
  /** @default '1.16.2' */
  readonly opa?: string;
  /** @default '6.1.0' */
  readonly superset?: string;
  /** @default '4.1.2' */
  readonly spark?: string;
}

/** Props of {@link DemoChart}. */
export interface DemoChartProps {
  /** Namespace of every namespaced object; all in-cluster DNS names derive from it. @default 'default' */
  readonly namespace?: string;
  /** Add a Namespace object (never for 'default'). @default true */
  readonly createNamespace?: boolean;
  /** Credentials; literal demo values or existing Secrets. @default - demo values */
  readonly credentials?: DemoCredentials;
  /** Product versions. @default - Stackable 26.7 versions */
  readonly versions?: DemoVersions;
  /** Months of taxi data, `YYYY-MM`. @default ['2020-09', '2020-10', '2020-11', '2020-12'] */
  readonly months?: string[];
  /** Base URL of the taxi data files. @default - the mirror Stackable's demo uses */
  readonly dataSourceUrl?: string;
  /** MinIO data volume in GiB. @default 10 */
  readonly minioStorageGi?: number;
  /**
   * How Trino's coordinator and Superset are exposed outside the cluster. `external-stable` is a
   * LoadBalancer with the listener-operator's default preset `ephemeral-nodes`, and needs a
   * load-balancer controller; with the preset `stable-nodes` (what stackablectl installs on kind,
   * minikube and k3s) it is a NodePort. See {@link LISTENER_PRESETS}.
   * @default 'external-stable'
   */
  readonly listenerClass?: ListenerClassName;
  /** Trino workers. @default 1 */
  readonly trinoWorkers?: number;
  /** Spark executors. @default 2 */
  readonly sparkExecutors?: number;
  /** IsolationForest parameters. @default - contamination 0.005, 200 trees, max samples 0.7, seed 42 */
  readonly model?: IsolationForestParams;
  /**
   * NetworkPolicies for every pod the demo writes itself: MinIO and each PostgreSQL accept only
   * their clients and open no connection; the bucket, data-load and dashboard-import Jobs accept
   * none and reach only what they need (MinIO or Superset, DNS (see `dnsEgress`), and the internet on
   * 443/80 for the data download). The pods the operators create are not restricted.
   * @default false
   */
  readonly networkPolicies?: boolean;
  /**
   * Where the pods of the NetworkPolicies (`networkPolicies`) may send DNS queries, for every
   * policy of the chart (see {@link DnsEgress}).
   * @default DnsEgress.anyResolver() - UDP and TCP 53 to any destination, and 5353 to OpenShift's DNS pods
   */
  readonly dnsEgress?: DnsEgress;
  /**
   * Superset's Flask `SECRET_KEY` (signs sessions, encrypts the stored database passwords), in the
   * Secret `superset-secret-key`. `SupersetSecretKey.literal(key)` writes that Secret; set it before
   * the first install: a later change restarts Superset with the new key, and the passwords stored
   * under the old one can no longer be decrypted.
   * @default SupersetSecretKey.generated() - no Secret in the chart; the superset-operator creates
   * `superset-secret-key` with a random key on first start and keeps it
   */
  readonly supersetSecretKey?: SupersetSecretKey;
}

/**
 * The whole demo: taxi trips in MinIO, two Hive metastores on PostgreSQL, Trino with OPA,
 * Superset with a dashboard, and the Spark anomaly-detection job, in apply order.
 */
export class DemoChart extends Chart {
  /** The components, for tests and for charts that extend the demo. */
  public readonly minio: MinioServer;
  public readonly trino: TrinoCluster;
  public readonly superset: Superset;
  public readonly job: AnomalyDetectionJob;

  constructor(scope: Construct, id: string, props: DemoChartProps = {}) {
    const namespace = validate.dnsLabel('DemoChart', 'namespace', props.namespace ?? 'default');
    super(scope, id, { namespace, disableResourceNameHashes: true });
    validateDemoProps(props);
    const creds = props.credentials ?? {};
    const versions = props.versions ?? {};
    const networkPolicy = props.networkPolicies ?? false;

    if (props.dnsEgress !== undefined) DnsEgress.setForChart(this, props.dnsEgress);

    if ((props.createNamespace ?? true) && namespace !== 'default') {
      new ChartNamespace(this, 'Namespace');
    }
    const trust = new TlsTrustStore(this, 'TlsCa');

    // Storage: MinIO with its buckets and the raw taxi data.
    const minio = new MinioServer(this, 'Minio', { credentials: creds.s3 ?? Credentials.literal('admin', 'minio-root-password'), storageGi: props.minioStorageGi, networkPolicy });
    const buckets = new MinioBuckets(this, 'Buckets', {
      minio, trust, buckets: ['demo', 'prediction'], networkPolicy,
      users: {
        lakehouse: {
          credentials: creds.lakehouse ?? Credentials.literal('lakehouse', 'lakehouse-secret-key'),
          access: { demo: 'readwrite', prediction: 'readwrite' }, credentialsClass: new S3CredentialsClass(this, 'S3Credentials'),
        },
      },
    });
    const data = new S3FileLoad(this, 'TaxiData', {
      minio, buckets, trust, bucket: 'demo', prefix: 'ny-taxi-data/raw/', name: 'load-ny-taxi-data', networkPolicy,
      files: TlcTripData.files({ kind: 'fhvhv', months: props.months ?? ['2020-09', '2020-10', '2020-11', '2020-12'], baseUrl: props.dataSourceUrl }),
    });
    const s3 = new S3Connection(this, 'S3Connection', { endpoint: buckets.endpointFor('lakehouse') });

    // Metadata: one PostgreSQL per product, two Hive metastores.
    const hiveDb = new PostgresDatabase(this, 'PostgresHive', { name: 'postgresql-hive', database: 'hive', credentials: creds.hiveDatabase ?? Credentials.literal('hive', 'hive'), networkPolicy });
    const icebergDb = new PostgresDatabase(this, 'PostgresHiveIceberg', { name: 'postgresql-hive-iceberg', database: 'hive', credentials: creds.hiveIcebergDatabase ?? Credentials.literal('hive', 'hiveiceberg'), networkPolicy });
    const supersetDb = new PostgresDatabase(this, 'PostgresSuperset', { name: 'postgresql-superset', database: 'superset', credentials: creds.supersetDatabase ?? Credentials.literal('superset', 'superset'), networkPolicy });
    const hive = new HiveMetastore(this, 'Hive', { name: 'hive', database: hiveDb, s3, productVersion: versions.hive });
    const hiveIceberg = new HiveMetastore(this, 'HiveIceberg', { name: 'hive-iceberg', database: icebergDb, s3, productVersion: versions.hive });

    // Query: Trino authorized by OPA, with a Hive and an Iceberg catalog.
    const admin = creds.admin ?? Credentials.literal('admin', 'adminadmin');
    const policy = new TrinoPolicy(this, 'TrinoPolicy', { admins: [admin.username] });
    const opa = new OpaServer(this, 'Opa', { productVersion: versions.opa });
    const trino = new TrinoCluster(this, 'Trino', { admin, opa, policy, productVersion: versions.trino, workers: props.trinoWorkers, listenerClass: props.listenerClass });
    new TrinoCatalog(this, 'HiveCatalog', { trino, name: 'hive', connector: CatalogConnector.hive(hive, s3) });
    const prediction = new TrinoCatalog(this, 'PredictionCatalog', { trino, name: 'prediction', connector: CatalogConnector.iceberg(hiveIceberg, s3) });

    // Analysis: the Spark job writes the scores that Superset charts through Trino.
    const job = new AnomalyDetectionJob(this, 'AnomalyDetection', {
      data, s3, buckets, metastore: hiveIceberg, sparkVersion: versions.spark, executors: props.sparkExecutors, model: props.model,
      output: { catalog: prediction.name, schema: 'ad', table: 'iforest' },
    });
    const superset = new Superset(this, 'Superset', {
      admin, secretKey: props.supersetSecretKey, database: supersetDb, trust, productVersion: versions.superset, listenerClass: props.listenerClass,
    });
    const dashboard = anomalyDashboardBundle({ trino, table: job.output, caFile: trust.caFile });
    new SupersetAssetsImport(this, 'Dashboard', {
      superset, bundle: dashboard.bundle, databases: [{ file: dashboard.databaseFile, password: trino.admin }], trust,
      name: `${superset.name}-import-dashboard`, networkPolicy,
    });

    for (const client of [hive, hiveIceberg, trino, job]) minio.allowFrom(client);
    this.minio = minio;
    this.trino = trino;
    this.superset = superset;
    this.job = job;
  }
}

/**
 * Checks the props DemoChart passes on, so that errors name DemoChart's own props (the
 * constructs check them again under their own names when used on their own).
 */
function validateDemoProps(props: DemoChartProps): void {
  const owner = 'DemoChart';
  if (props.months !== undefined) validate.months(owner, 'months', props.months);
  if (props.dataSourceUrl !== undefined) validate.baseUrl(owner, 'dataSourceUrl', props.dataSourceUrl);
  if (props.minioStorageGi !== undefined) validate.intInRange(owner, 'minioStorageGi', props.minioStorageGi, 1);
  if (props.listenerClass !== undefined) validate.oneOf(owner, 'listenerClass', props.listenerClass, LISTENER_CLASSES);
  if (props.trinoWorkers !== undefined) validate.intInRange(owner, 'trinoWorkers', props.trinoWorkers, 1);
  if (props.sparkExecutors !== undefined) validate.intInRange(owner, 'sparkExecutors', props.sparkExecutors, 1);
  isolationForestParams(owner, 'model', props.model);
  if (props.supersetSecretKey?.value !== undefined) validate.nonEmptySecret(owner, 'supersetSecretKey', props.supersetSecretKey.value);
  for (const [product, v] of Object.entries(props.versions ?? {})) {
    if (v !== undefined) validate.version(owner, `versions.${product}`, v);
  }
}
