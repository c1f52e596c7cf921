import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkApplication, SparkApplicationSpecMode } from '../../imports/spark.stackable.tech';
import {
  CONTENT_HASH_LENGTH, contentName, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, jsonSha256, OperatorPod,
  podVolumes, Resources, restrictedPodOverrides, stackableResources, validateRoleResources, version,
} from '../core';
import { HiveMetastore } from '../hive';
import { IS3ConnectionRef, IS3Data } from '../s3';

/** Label of the submit, driver and executor pods: the job's `name` prop (without the hash). */
export const APPLICATION_LABEL = 'app.kubernetes.io/part-of';
/** Annotation of the submit pod: SHA-256 of the job files ConfigMap's data. */
export const JOB_FILES_CHECKSUM_ANNOTATION = 'checksum/job-files';
/** Where the job's files are mounted in the submit, driver and executor pods. */
export const SPARK_JOB_DIR = '/stackable/spark/jobs';

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

/**
 * The application file of a {@link SparkJob} (a PySpark script, or the jar of a JVM job), mounted
 * at {@link SPARK_JOB_DIR} in the submit, driver and executor pods.
 */
export class SparkJobFile {
  /**
   * A file of this machine, read at synth time into the job's ConfigMap under its base name: a
   * `.jar` as binary data, anything else as UTF-8 text. A ConfigMap holds at most 1 MiB: larger
   * jars belong in S3 ({@link fromUrl}).
   */
  public static fromFile(file: string): SparkJobFile {
    const name = path.basename(file);
    const bytes = fs.readFileSync(file);
    if (bytes.length > 1024 * 1024 - 4096) {
      throw new Error(`SparkJobFile.fromFile: ${file} has ${bytes.length} bytes; a ConfigMap holds at most 1 MiB: put it in S3 and use SparkJobFile.fromUrl('s3a://...')`);
    }
    return name.endsWith('.jar')
      ? new SparkJobFile(name, undefined, { [name]: bytes.toString('base64') }, undefined)
      : new SparkJobFile(name, { [name]: bytes.toString('utf8') }, undefined, undefined);
  }

  /** A file given as text, under `name`, in the job's ConfigMap. */
  public static fromText(name: string, text: string): SparkJobFile {
    return new SparkJobFile(name, { [name]: text }, undefined, undefined);
  }

  /**
   * Key `key` of an existing ConfigMap of the namespace (not written by this chart). A change of
   * its content does not rename the SparkApplication: the operator would not run it again.
   */
  public static fromConfigMap(configMapName: string, key: string): SparkJobFile {
    return new SparkJobFile(key, undefined, undefined, configMapName);
  }

  /**
   * A file Spark fetches itself: `s3a://bucket/key` (through the job's S3 connection), `https://`
   * or `local://` (a path in the Spark image). Nothing is mounted.
   */
  public static fromUrl(url: string): SparkJobFile {
    if (!/^(s3a|https?|local):\/\/\S+$/.test(url)) throw new Error(`SparkJobFile.fromUrl: "${url}" is not an s3a://, http(s):// or local:// URL`);
    return new SparkJobFile(url.slice(url.lastIndexOf('/') + 1), undefined, undefined, undefined, url);
  }

  private constructor(
    /** The file's name. */
    public readonly fileName: string,
    /** Text data of the ConfigMap the job writes. */
    public readonly data: Readonly<Record<string, string>> | undefined,
    /** Binary data (base64) of the ConfigMap the job writes. */
    public readonly binaryData: Readonly<Record<string, string>> | undefined,
    /** An existing ConfigMap. */
    public readonly configMapName: string | undefined,
    /** A URL Spark fetches (no volume). */
    public readonly url?: string,
  ) {}

  /** The ConfigMap content the job writes, if any. */
  public get contents(): { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined {
    if (this.data === undefined && this.binaryData === undefined) return undefined;
    return { ...(this.data !== undefined ? { data: { ...this.data } } : {}), ...(this.binaryData !== undefined ? { binaryData: { ...this.binaryData } } : {}) };
  }
}

/** The name of Spark's session catalog, which {@link SparkCatalog.hive} configures. */
const SPARK_SESSION_CATALOG = 'spark_catalog';

/** A Spark catalog a {@link SparkJob} configures (`spark.sql.catalog.<name>`, or the session catalog). */
export class SparkCatalog {
  /**
   * An Iceberg catalog whose tables are registered in a Hive metastore (`type hive`, the
   * metastore's thrift URI). Its files go through the job's S3 connection.
   */
  public static iceberg(name: string, metastore: HiveMetastore): SparkCatalog {
    return new SparkCatalog(name, {
      [`spark.sql.catalog.${name}`]: 'org.apache.iceberg.spark.SparkCatalog',
      [`spark.sql.catalog.${name}.type`]: 'hive',
      [`spark.sql.catalog.${name}.uri`]: metastore.thriftUri,
    }, true, metastore);
  }

  /**
   * Spark's session catalog (`spark_catalog`, the one unqualified names use) on a Hive metastore:
   * Hive-format and Spark tables registered there, their files through the job's S3 connection
   * (`spark.sql.catalogImplementation=hive`, `spark.hadoop.hive.metastore.uris`). The Stackable
   * Spark image is built with Hive support (stackabletech/docker-images 26.7.0
   * spark-k8s/Dockerfile.4: `make-distribution.sh ... -Phive -Phive-thriftserver`); Spark talks to
   * the metastore with its built-in Hive 2.3 client, which the e2e suite runs against a Hive 4.0.0
   * metastore (a database on S3, a Parquet table written by Spark and read back by Trino's `hive`
   * catalog). One per job: a second is refused as a second catalog named `spark_catalog`.
   */
  public static hive(metastore: HiveMetastore): SparkCatalog {
    return new SparkCatalog(SPARK_SESSION_CATALOG, {
      'spark.sql.catalogImplementation': 'hive',
      'spark.hadoop.hive.metastore.uris': metastore.thriftUri,
    }, false, metastore);
  }

  private constructor(
    /** The catalog's name in Spark SQL. */
    public readonly name: string,
    /** Its Spark configuration. */
    public readonly conf: Readonly<Record<string, string>>,
    /** Whether it needs Iceberg's session extensions. */
    public readonly iceberg: boolean,
    /** The Hive metastore it registers tables in, if any: the job's submit pod waits for it. */
    public readonly metastore?: HiveMetastore,
  ) {}
}

/**
 * A volume of the driver and executor pods of a {@link SparkJob} (e.g. a client's TLS volume of the
 * secret-operator), mounted at `mountPath` in both. The operator adds `spec.volumes` to the submit,
 * driver and executor pods ("volumes common to all application roles", the user's last, replacing
 * its own of the same name) and mounts each role's `config.volumeMounts` in its container
 * (spark-k8s-operator main@405d551, rust/operator-binary/src/crd/mod.rs `SparkApplication::volumes`,
 * crd/roles.rs `volume_mounts`).
 */
export interface SparkJobVolume {
  /** The volume (its name must not be `job-files`, the job file's). */
  readonly volume: k8s.Volume;
  /** Absolute path of the mount in the driver and executor containers. */
  readonly mountPath: string;
}

/** Props of {@link SparkJob}. */
export interface SparkJobProps {
  /**
   * Name of the SparkApplication, before the hash of its spec that is appended to it: each change
   * is a new SparkApplication, which runs (see `contentName`). At most 31 characters.
   */
  readonly name: string;
  /** Spark version of the Stackable Spark image. @default '4.1.2' */
  readonly sparkVersion?: string;
  /** The application file: a PySpark script, or the jar of a JVM job (with `mainClass`). */
  readonly file: SparkJobFile;
  /** Main class of a JVM job. @default - none: a PySpark job */
  readonly mainClass?: string;
  /** Arguments of the application. @default [] */
  readonly args?: string[];
  /** S3 connection for the job's `s3a://` paths. @default - none */
  readonly s3?: IS3ConnectionRef;
  /** Catalogs the job reads and writes (e.g. `SparkCatalog.iceberg('lake', metastore)`). @default [] */
  readonly catalogs?: SparkCatalog[];
  /** Further Spark configuration, after the catalogs'. @default {} */
  readonly sparkConf?: Record<string, string>;
  /** Maven packages (group:artifact:version) to put on the class path. @default [] */
  readonly packages?: string[];
  /** Python requirements (pip) of a PySpark job. @default [] */
  readonly requirements?: string[];
  /**
   * Data the job reads: the submit pod waits in init containers until it is complete. The
   * spark-k8s operator never reconciles a SparkApplication after creating its submit Job, so a
   * job applied together with its data must wait like this rather than fail.
   * @default []
   */
  readonly waitFor?: IS3Data[];
  /** Executor replicas. @default 1 */
  readonly executors?: number;
  /** CPU and memory of the driver. @default 500m-2000m CPU, 2048 MiB */
  readonly driverResources?: Resources;
  /** CPU and memory per executor. @default 500m-2000m CPU, 2048 MiB */
  readonly executorResources?: Resources;
  /** CPU and memory of the spark-submit pod. @default 100m-1000m CPU, 1024 MiB */
  readonly submitResources?: Resources;
  /**
   * How often the spark-submit Job retries a failed run, e.g. when the Hive metastore or MinIO is
   * briefly unavailable. The spark-k8s operator makes it the submit Job's `backoffLimit` and
   * defaults it to 0 (spark-k8s-operator main@405d551, rust/operator-binary/src/crd/constants.rs
   * `DEFAULT_SUBMIT_JOB_RETRY_ON_FAILURE_COUNT`, spark_k8s_controller.rs `backoff_limit`), so one
   * transient failure would end the application for good. Make the job safe to rerun.
   * Kubernetes waits 10 s, 20 s, 40 s, ... between attempts.
   * @default 4
   */
  readonly retryOnFailureCount?: number;
  /** Volumes of the driver and the executors, e.g. a Kafka client's TLS volume. @default none */
  readonly volumes?: SparkJobVolume[];
}

/**
 * A Spark job (Stackable `SparkApplication`) of the user's: a PySpark script or a JVM jar from a
 * file or an existing ConfigMap, with its arguments, S3 connection, catalogs, Maven packages and
 * Python requirements, run once. The SparkApplication is content-named (its name carries the
 * hash of its spec, and a changed job file changes the hash), so changing anything makes a new
 * application that runs; the old one stays until removed (see the README's upgrade notes).
 *
 * Every pod (submit, driver, executors) gets the label {@link APPLICATION_LABEL} = `name`, stable
 * across runs, which {@link podSelector} uses; the submit pod waits for `waitFor`'s data and for the Hive
 * metastores of its catalogs (`HiveMetastore.waitForMetastoreContainer`).
 * Escape hatch: the SparkApplication is the construct's default child (`ApiObject.of(job)`), also
 * {@link application}.
 */
export class SparkJob extends Construct implements IPodSelectable {
  /** Name of the SparkApplication: the `name` prop and the hash of its spec. */
  public readonly name: string;
  /** Labels of the submit, driver and executor pods. */
  public readonly podSelector: Record<string, string>;
  /** The SparkApplication. */
  public readonly application: ApiObject;
  /** The ConfigMap of the job's file, when the job writes one. */
  public readonly jobFiles?: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `${new.target.name} ${id}`;
    // The full name (with its hash suffix) stays within 40 characters, the bound before hashing.
    const baseName = dnsLabel(owner, 'name', props.name, 40 - 1 - CONTENT_HASH_LENGTH);
    const executors = intInRange(owner, 'executors', props.executors ?? 1, 1);
    const retryOnFailureCount = intInRange(owner, 'retryOnFailureCount', props.retryOnFailureCount ?? 4, 0, 100);
    const driver = validateRoleResources(owner, 'driverResources', props.driverResources ?? { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 2048 });
    const executor = validateRoleResources(owner, 'executorResources', props.executorResources ?? { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 2048 });
    const submit = validateRoleResources(owner, 'submitResources', props.submitResources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 1024 });
    (props.packages ?? []).forEach((p, i) => {
      if (!/^[\w.-]+:[\w.-]+:[\w.-]+$/.test(p)) throw new Error(`${owner}: packages[${i}] "${p}" is not a Maven coordinate group:artifact:version`);
    });
    (props.requirements ?? []).forEach((r, i) => {
      if (r.trim() === '' || /\s#|^#|[\r\n]/.test(r)) throw new Error(`${owner}: requirements[${i}] ${JSON.stringify(r)} is not one pip requirement (e.g. "scikit-learn==1.7.2")`);
    });
    if (props.mainClass !== undefined && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(props.mainClass)) {
      throw new Error(`${owner}: mainClass "${props.mainClass}" is not a Java class name (e.g. "org.example.Main")`);
    }
    const catalogs = props.catalogs ?? [];
    catalogs.forEach((c, i) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name)) throw new Error(`${owner}: catalogs[${i}].name "${c.name}" is not a Spark SQL identifier`);
      if (catalogs.findIndex(o => o.name === c.name) !== i) throw new Error(`${owner}: catalogs[${i}]: a second catalog named "${c.name}"`);
    });
    const extraVolumes = props.volumes ?? [];
    extraVolumes.forEach((v, i) => {
      if (v.volume.name === 'job-files') throw new Error(`${owner}: volumes[${i}].volume.name "job-files" is the job file's volume: use another name`);
      if (extraVolumes.findIndex(o => o.volume.name === v.volume.name) !== i) throw new Error(`${owner}: volumes[${i}]: a second volume named "${v.volume.name}"`);
      if (!/^\/[^\s]*[^/\s]$/.test(v.mountPath) || v.mountPath === SPARK_JOB_DIR) {
        throw new Error(`${owner}: volumes[${i}].mountPath "${v.mountPath}" must be an absolute path other than ${SPARK_JOB_DIR} (the job file's)`);
      }
      if (extraVolumes.findIndex(o => o.mountPath === v.mountPath) !== i) throw new Error(`${owner}: volumes[${i}].mountPath "${v.mountPath}" is mounted twice`);
    });
    const waitFor = props.waitFor ?? [];
    // The submit pod also waits for the metastores of its catalogs: the driver it starts fails at
    // once without them (spark-submit waits for the driver, so the submit Job fails with it), and
    // the submit Job retries only `retryOnFailureCount` times, within minutes.
    const metastores = [...new Set(catalogs.flatMap(c => (c.metastore === undefined ? [] : [c.metastore])))];

    // The operator labels the pods with the application's (hashed) name as `app.kubernetes.io/instance`;
    // selectors use our own label with the name without hash, set on every pod through podOverrides,
    // so that they stay the same across runs.
    const podMetadata = { labels: { [APPLICATION_LABEL]: baseName } };
    this.podSelector = { 'app.kubernetes.io/name': 'spark-k8s', [APPLICATION_LABEL]: baseName };

    const file = props.file;
    const contents = file.contents;
    if (contents !== undefined) {
      this.jobFiles = new kplus.ConfigMap(this, 'JobFiles', { metadata: { name: `${baseName}-job` }, ...contents });
    }
    const mounted = file.url === undefined;
    const mounts = mounted ? [{ name: 'job-files', mountPath: SPARK_JOB_DIR }] : undefined;
    // The CRD's types take plain JSON: a k8s.Volume's Quantity objects are written as their strings.
    const extraMounts = extraVolumes.map(v => ({ name: v.volume.name, mountPath: v.mountPath }));
    const roleMounts = [...(mounts ?? []), ...extraMounts];
    const specVolumes = [...(mounted ? [{ name: 'job-files', configMap: { name: this.jobFiles?.name ?? file.configMapName! } }] : []), ...extraVolumes.map(v => k8s.toJson_Volume(v.volume))];
    const sparkConf: Record<string, string> = {
      ...(catalogs.some(c => c.iceberg) ? { 'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions' } : {}),
      ...Object.assign({}, ...catalogs.map(c => c.conf)),
      ...(props.sparkConf ?? {}),
    };
    const packages = props.packages ?? [];
    const requirements = props.requirements ?? [];
    // The job reads its file from the ConfigMap: a changed file must rename the application.
    const annotations = contents !== undefined ? { [JOB_FILES_CHECKSUM_ANNOTATION]: jsonSha256(contents.data ?? contents.binaryData) } : undefined;
    this.application = new SparkApplication(this, 'Resource', {
      metadata: { name: baseName },
      spec: {
        mode: SparkApplicationSpecMode.CLUSTER,
        sparkImage: { productVersion: version(owner, 'sparkVersion', props.sparkVersion ?? '4.1.2') },
        mainApplicationFile: file.url ?? `local://${SPARK_JOB_DIR}/${file.fileName}`,
        mainClass: props.mainClass,
        args: props.args,
        deps: packages.length + requirements.length > 0
          ? { packages: packages.length > 0 ? packages : undefined, requirements: requirements.length > 0 ? requirements : undefined }
          : undefined,
        s3Connection: props.s3?.toSpec(),
        sparkConf: Object.keys(sparkConf).length > 0 ? sparkConf : undefined,
        volumes: specVolumes.length > 0 ? specVolumes : undefined,
        job: {
          config: { resources: stackableResources(submit), volumeMounts: mounts, retryOnFailureCount },
          podOverrides: restrictedPodOverrides({
            containers: [],
            // One wait is `wait-for-data` (`wait-for-metastore`); several are numbered.
            initContainers: waitFor.length + metastores.length === 0 ? undefined : [
              ...waitFor.map((d, i) => d.waitForDataContainer(waitFor.length === 1 ? 'wait-for-data' : `wait-for-data-${i}`)),
              ...metastores.map((m, i) => m.waitForMetastoreContainer(metastores.length === 1 ? 'wait-for-metastore' : `wait-for-metastore-${i}`)),
            ],
            volumes: waitFor.length === 0 ? undefined : podVolumes(owner, ...waitFor.map(d => d.waitForDataVolumes())),
          }, { ...podMetadata, ...(annotations !== undefined ? { annotations } : {}) }),
        },
        driver: {
          config: { resources: stackableResources(driver), volumeMounts: roleMounts.length > 0 ? roleMounts : undefined },
          podOverrides: restrictedPodOverrides(undefined, podMetadata),
        },
        executor: {
          replicas: executors,
          config: { resources: stackableResources(executor), volumeMounts: roleMounts.length > 0 ? roleMounts : undefined },
          podOverrides: restrictedPodOverrides(undefined, podMetadata),
        },
      },
    });
    this.name = contentName(this.application);
    for (const d of waitFor) d.allowReader(this);
  }
}
