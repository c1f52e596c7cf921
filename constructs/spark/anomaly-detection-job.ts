import * as fs from 'fs';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkApplication, SparkApplicationSpecMode } from '../../imports/spark.stackable.tech';
import {
  CONTENT_HASH_LENGTH, contentName, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, jsonSha256, numberInHalfOpen,
  OperatorPod, Resources, restrictedPodOverrides, sqlIdentifier, stackableResources, validateResources, version,
} from '../core';
import { HiveMetastore } from '../hive';
import { MinioBuckets } from '../minio';
import { IS3Data, IS3ConnectionRef } from '../s3';

/** Parameters of the scikit-learn IsolationForest. */
export interface IsolationForestParams {
  /** Expected share of outliers, in (0, 0.5]. @default 0.005 */
  readonly contamination?: number;
  /** Number of trees. @default 200 */
  readonly nEstimators?: number;
  /** Share of the periods each tree samples, in (0, 1]. @default 0.7 */
  readonly maxSamples?: number;
  /** Seed. @default 42 */
  readonly randomState?: number;
}

/**
 * Validates IsolationForest parameters and fills in the defaults; `prop` names them in errors
 * (e.g. `model` → `model.contamination`).
 */
export function isolationForestParams(owner: string, prop: string, m: IsolationForestParams = {}): Required<IsolationForestParams> {
  return {
    contamination: numberInHalfOpen(owner, `${prop}.contamination`, m.contamination ?? 0.005, 0, 0.5),
    nEstimators: intInRange(owner, `${prop}.nEstimators`, m.nEstimators ?? 200, 1),
    maxSamples: numberInHalfOpen(owner, `${prop}.maxSamples`, m.maxSamples ?? 0.7, 0, 1),
    randomState: intInRange(owner, `${prop}.randomState`, m.randomState ?? 42, 0, 2 ** 32 - 1),
  };
}

/** The Iceberg table the job writes. */
export interface OutputTable {
  /** Spark/Trino catalog. */
  readonly catalog: string;
  /** Schema (Iceberg namespace). */
  readonly schema: string;
  /** Table. */
  readonly table: string;
}

/** Props of {@link AnomalyDetectionJob}. */
export interface AnomalyDetectionJobProps {
  /**
   * Name of the SparkApplication, before the hash of its spec that is appended to it (each change
   * is a new SparkApplication, which runs; see `contentName`). @default 'spark-ad'
   */
  readonly name?: string;
  /** Spark version of the image. @default '4.1.2' */
  readonly sparkVersion?: string;
  /** The raw trips (Parquet files of NYC TLC trip records); the job waits until they are complete. */
  readonly data: IS3Data;
  /** S3 connection for reading the trips and writing the table. */
  readonly s3: IS3ConnectionRef;
  /** The Hive metastore of the Iceberg catalog. */
  readonly metastore: HiveMetastore;
  /** The bucket bootstrap; `outputBucket` must be one of its buckets. */
  readonly buckets: MinioBuckets;
  /** Bucket of the table's files. @default 'prediction' */
  readonly outputBucket?: string;
  /** Where the result goes. @default { catalog: 'prediction', schema: 'ad', table: 'iforest' } */
  readonly output?: OutputTable;
  /** Model parameters. @default - the defaults of {@link IsolationForestParams} */
  readonly model?: IsolationForestParams;
  /** Executor replicas. @default 2 */
  readonly executors?: number;
  /** CPU and memory of the driver. @default 500m-2000m CPU, 2048 MiB */
  readonly driverResources?: Resources;
  /** CPU and memory per executor. @default 500m-2000m CPU, 3072 MiB */
  readonly executorResources?: Resources;
  /** CPU and memory of the spark-submit pod. @default 100m-1000m CPU, 1024 MiB */
  readonly submitResources?: Resources;
  /**
   * How often the spark-submit Job retries a failed run, e.g. when the Hive metastore or MinIO is
   * briefly unavailable. The spark-k8s operator makes it the submit Job's `backoffLimit` and
   * defaults it to 0 (spark-k8s-operator main@405d551, rust/operator-binary/src/crd/constants.rs
   * `DEFAULT_SUBMIT_JOB_RETRY_ON_FAILURE_COUNT`, spark_k8s_controller.rs `backoff_limit`), so one
   * transient failure would end the application for good. Reruns are safe: the job replaces its
   * table as a whole. Kubernetes waits 10 s, 20 s, 40 s, ... between attempts.
   * @default 4
   */
  readonly retryOnFailureCount?: number;
  /** Maven coordinates of the Iceberg runtime. @default 'org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0' */
  readonly icebergRuntime?: string;
}

const JOB_FILE = 'anomaly_detection.py';
/** Label of the submit, driver and executor pods: the `name` prop (without the hash). */
export const APPLICATION_LABEL = 'app.kubernetes.io/part-of';
/** Annotation of the submit pod: SHA-256 of the job files ConfigMap's data. */
export const JOB_FILES_CHECKSUM_ANNOTATION = 'checksum/job-files';

/**
 * The spark-submit pod of a SparkApplication as the spark-k8s operator builds it
 * (spark-k8s-operator main@405d551, no 26.7 tag: rust/operator-binary/src/spark_k8s_controller.rs
 * `spark_job`, one container `spark-submit`, no init containers; crd/mod.rs `volumes`: `config`,
 * `driver-pod-template`, `executor-pod-template`, `log`, `job-files` (with `spec.image`),
 * `req-files` (with requirements), one named after the S3 credentials SecretClass, `ivy2` (with
 * packages), `stackable-truststore` and one named after the S3 TLS SecretClass; then `spec.volumes`).
 * Labels from operator-rs 0.111.1 `recommended_labels` with `app.kubernetes.io/name: spark-k8s`
 * (crd/constants.rs `APP_NAME`); the driver and executor pods, built by Spark from the operator's
 * pod templates, carry the same `name` and `instance`.
 */
export function sparkSubmitPod(app: string, s3CredentialsClass: string, s3TlsClass: string, specVolumes: readonly string[]): OperatorPod {
  return {
    containers: ['spark-submit'],
    volumes: {
      names: ['config', 'driver-pod-template', 'executor-pod-template', 'log', 'job-files', 'req-files', s3CredentialsClass, 'ivy2', 'stackable-truststore', s3TlsClass, ...specVolumes],
      mountPaths: {
        'spark-submit': ['/stackable/spark/driver-pod-templates', '/stackable/spark/executor-pod-templates', '/stackable/spark/jobs', '/stackable/spark/requirements',
          `/stackable/secrets/${s3CredentialsClass}`, '/stackable/log', '/ivy2', '/stackable/truststore', `/stackable/mount_server_tls/${s3TlsClass}`],
      },
    },
    labels: { 'app.kubernetes.io/name': 'spark-k8s', 'app.kubernetes.io/instance': app },
  };
}
const JOB_DIR = '/stackable/spark/jobs';

/**
 * The anomaly-detection PySpark job (Stackable `SparkApplication`): reads the raw trips, scores
 * 30-minute periods with an IsolationForest and (re)creates an Iceberg table. The script
 * `anomaly_detection.py` (next to this file, tested in local Spark) is mounted from a ConfigMap;
 * every parameter is passed as an argument.
 *
 * Ordering without cluster-wide RBAC: the spark-k8s operator never reconciles a SparkApplication
 * after creating its submit Job, so the job must not start before the data is there. An init
 * container in the submit pod (through `job.podOverrides`) waits for the data load's marker object
 * in MinIO, so the SparkApplication can be applied together with everything else. It uses the S3
 * credentials, not the Kubernetes API: no ServiceAccount, Role or binding is needed.
 */
export class AnomalyDetectionJob extends Construct implements IPodSelectable {
  /** Name of the SparkApplication: the `name` prop and the hash of its spec. */
  public readonly name: string;
  /** The table written. */
  public readonly output: OutputTable;
  /** Labels of the submit, driver and executor pods. */
  public readonly podSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: AnomalyDetectionJobProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `AnomalyDetectionJob ${id}`;
    // The full name (with its hash suffix) stays within 40 characters, the bound before hashing.
    const baseName = dnsLabel(owner, 'name', props.name ?? 'spark-ad', 40 - 1 - CONTENT_HASH_LENGTH);
    const out = props.output ?? { catalog: 'prediction', schema: 'ad', table: 'iforest' };
    this.output = {
      catalog: sqlIdentifier(owner, 'output.catalog', out.catalog),
      schema: sqlIdentifier(owner, 'output.schema', out.schema),
      table: sqlIdentifier(owner, 'output.table', out.table),
    };
    const outputBucket = props.buckets.requireBucket(owner, 'outputBucket', props.outputBucket ?? 'prediction');
    const { contamination, nEstimators, maxSamples, randomState } = isolationForestParams(owner, 'model', props.model);
    const executors = intInRange(owner, 'executors', props.executors ?? 2, 1);
    const retryOnFailureCount = intInRange(owner, 'retryOnFailureCount', props.retryOnFailureCount ?? 4, 0, 100);
    const driver = validateResources(owner, 'driverResources', props.driverResources ?? { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 2048 });
    const executor = validateResources(owner, 'executorResources', props.executorResources ?? { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 3072 });
    const submit = validateResources(owner, 'submitResources', props.submitResources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 1024 });
    const icebergRuntime = props.icebergRuntime ?? 'org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0';
    if (!/^[\w.-]+:[\w.-]+:[\w.-]+$/.test(icebergRuntime)) {
      throw new Error(`${owner}: icebergRuntime "${icebergRuntime}" is not a Maven coordinate group:artifact:version`);
    }
    // The operator labels the pods with the application's (hashed) name as `app.kubernetes.io/instance`;
    // selectors use our own label with the name without hash, set on every pod through podOverrides,
    // so that they stay the same across runs.
    const podMetadata = { labels: { [APPLICATION_LABEL]: baseName } };
    this.podSelector = { 'app.kubernetes.io/name': 'spark-k8s', [APPLICATION_LABEL]: baseName };

    const jobFilesData = { [JOB_FILE]: readSibling(JOB_FILE) };
    const jobFiles = new kplus.ConfigMap(this, 'JobFiles', { metadata: { name: `${baseName}-job` }, data: jobFilesData });
    const requirements = readSibling('job-requirements.txt').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'));
    const mounts = [{ name: 'job-files', mountPath: JOB_DIR }];
    const cat = this.output.catalog;

    // The job reads its script from the ConfigMap: a changed script must rename the application.
    const jobFilesSha = jsonSha256(jobFilesData);
    const app = new SparkApplication(this, 'Resource', {
      metadata: { name: baseName },
      spec: {
        mode: SparkApplicationSpecMode.CLUSTER,
        sparkImage: { productVersion: version(owner, 'sparkVersion', props.sparkVersion ?? '4.1.2') },
        mainApplicationFile: `local://${JOB_DIR}/${JOB_FILE}`,
        args: [
          '--input', props.data.s3aUrl,
          '--output-table', `${cat}.${this.output.schema}.${this.output.table}`,
          '--namespace-location', `s3a://${outputBucket}/${this.output.schema}`,
          '--contamination', String(contamination),
          '--n-estimators', String(nEstimators),
          '--max-samples', String(maxSamples),
          '--random-state', String(randomState),
        ],
        deps: { packages: [icebergRuntime], requirements },
        s3Connection: props.s3.toSpec(),
        sparkConf: {
          'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
          [`spark.sql.catalog.${cat}`]: 'org.apache.iceberg.spark.SparkCatalog',
          [`spark.sql.catalog.${cat}.type`]: 'hive',
          [`spark.sql.catalog.${cat}.uri`]: props.metastore.thriftUri,
          'spark.sql.session.timeZone': 'UTC',
        },
        volumes: [{ name: 'job-files', configMap: { name: jobFiles.name } }],
        job: {
          config: { resources: stackableResources(submit), volumeMounts: mounts, retryOnFailureCount },
          podOverrides: restrictedPodOverrides({
            containers: [],
            initContainers: [props.data.waitForDataContainer()],
            volumes: props.data.waitForDataVolumes(),
          }, { ...podMetadata, annotations: { [JOB_FILES_CHECKSUM_ANNOTATION]: jobFilesSha } }),
        },
        driver: {
          config: { resources: stackableResources(driver), volumeMounts: mounts },
          podOverrides: restrictedPodOverrides(undefined, podMetadata),
        },
        executor: {
          replicas: executors,
          config: { resources: stackableResources(executor), volumeMounts: mounts },
          podOverrides: restrictedPodOverrides(undefined, podMetadata),
        },
      },
    });
    this.name = contentName(app);
  }

  /** The output table as `catalog.schema.table`. */
  public get qualifiedTable(): string {
    return `${this.output.catalog}.${this.output.schema}.${this.output.table}`;
  }
}

function readSibling(file: string): string {
  return fs.readFileSync(path.join(__dirname, file), 'utf8');
}
