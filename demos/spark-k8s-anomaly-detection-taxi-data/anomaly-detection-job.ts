import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  HiveMetastore, IS3ConnectionRef, IS3Data, MinioBuckets, Resources, SparkCatalog, SparkJob, SparkJobFile, validate,
} from 'cdk8s-stackable-demos';

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
    contamination: validate.numberInHalfOpen(owner, `${prop}.contamination`, m.contamination ?? 0.005, 0, 0.5),
    nEstimators: validate.intInRange(owner, `${prop}.nEstimators`, m.nEstimators ?? 200, 1),
    maxSamples: validate.numberInHalfOpen(owner, `${prop}.maxSamples`, m.maxSamples ?? 0.7, 0, 1),
    randomState: validate.intInRange(owner, `${prop}.randomState`, m.randomState ?? 42, 0, 2 ** 32 - 1),
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

/**
 * The anomaly-detection PySpark job (a {@link SparkJob}): reads the raw trips, scores 30-minute
 * periods with an IsolationForest and (re)creates an Iceberg table. The script
 * `anomaly_detection.py` (next to this file, tested in local Spark) is mounted from a ConfigMap;
 * every parameter is passed as an argument. The submit pod waits for the data (`waitFor`), so the
 * SparkApplication can be applied together with everything else, without cluster-wide RBAC.
 */
export class AnomalyDetectionJob extends SparkJob {
  /** The table written. */
  public readonly output: OutputTable;

  constructor(scope: Construct, id: string, props: AnomalyDetectionJobProps) {
    const owner = `AnomalyDetectionJob ${id}`;
    const out = props.output ?? { catalog: 'prediction', schema: 'ad', table: 'iforest' };
    const output = {
      catalog: validate.sqlIdentifier(owner, 'output.catalog', out.catalog),
      schema: validate.sqlIdentifier(owner, 'output.schema', out.schema),
      table: validate.sqlIdentifier(owner, 'output.table', out.table),
    };
    const outputBucket = props.buckets.requireBucket(owner, 'outputBucket', props.outputBucket ?? 'prediction');
    const { contamination, nEstimators, maxSamples, randomState } = isolationForestParams(owner, 'model', props.model);
    const icebergRuntime = props.icebergRuntime ?? 'org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0';
    if (!/^[\w.-]+:[\w.-]+:[\w.-]+$/.test(icebergRuntime)) {
      throw new Error(`${owner}: icebergRuntime "${icebergRuntime}" is not a Maven coordinate group:artifact:version`);
    }
    const requirements = readSibling('job-requirements.txt').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'));
    super(scope, id, {
      name: props.name ?? 'spark-ad',
      sparkVersion: props.sparkVersion,
      file: SparkJobFile.fromText(JOB_FILE, readSibling(JOB_FILE)),
      args: [
        '--input', props.data.s3aUrl,
        '--output-table', `${output.catalog}.${output.schema}.${output.table}`,
        '--namespace-location', `s3a://${outputBucket}/${output.schema}`,
        '--contamination', String(contamination),
        '--n-estimators', String(nEstimators),
        '--max-samples', String(maxSamples),
        '--random-state', String(randomState),
      ],
      s3: props.s3,
      catalogs: [SparkCatalog.iceberg(output.catalog, props.metastore)],
      sparkConf: { 'spark.sql.session.timeZone': 'UTC' },
      packages: [icebergRuntime],
      requirements,
      waitFor: [props.data],
      executors: props.executors ?? 2,
      driverResources: props.driverResources,
      executorResources: props.executorResources ?? { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 3072 },
      submitResources: props.submitResources,
      retryOnFailureCount: props.retryOnFailureCount,
    });
    this.output = output;
  }

  /** The output table as `catalog.schema.table`. */
  public get qualifiedTable(): string {
    return `${this.output.catalog}.${this.output.schema}.${this.output.table}`;
  }
}

function readSibling(file: string): string {
  return fs.readFileSync(path.join(__dirname, file), 'utf8');
}
