/**
 * Tests of demos/spark-k8s-anomaly-detection-taxi-data/anomaly-detection-job.ts: the SparkApplication's arguments, Iceberg
 * catalog, dependencies, roles, the submit pod's wait for the taxi data, and prop validation.
 * (The PySpark script itself is tested in local Spark by scripts/test-spark.sh.)
 * Run: npx jest test/spark/anomaly-detection-job.test.ts
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { canonicalJson, specHash } from '../../../constructs/core';
import { HiveMetastore } from '../../../constructs/hive';
import { S3FileLoad } from '../../../constructs/minio';
import { PostgresDatabase } from '../../../constructs/postgres';
import { S3Ref } from '../../../constructs/s3';
import { AnomalyDetectionJob } from '../../../demos/spark-k8s-anomaly-detection-taxi-data/anomaly-detection-job';
import { TlcTripData } from '../../../demos/lib/tlc-trip-data';
import { envValue, find, namespacedChart, storage, synth } from '../../util';

type Props = ConstructorParameters<typeof AnomalyDetectionJob>[2];

function setup(props: Partial<Props> = {}, chart: Chart = namespacedChart(), months = ['2020-09', '2020-10', '2020-11', '2020-12']) {
  const s = storage(chart, { networkPolicy: true });
  const data = new S3FileLoad(chart, 'Data', {
    minio: s.minio, buckets: s.buckets, trust: s.trust, bucket: 'demo', prefix: 'ny-taxi-data/raw/', name: 'load-ny-taxi-data',
    files: TlcTripData.files({ kind: 'fhvhv', months }),
  });
  const s3 = S3Ref.reference(s.connection);
  const metastore = new HiveMetastore(chart, 'Iceberg', { name: 'hive-iceberg', database: new PostgresDatabase(chart, 'Db'), s3 });
  const job = new AnomalyDetectionJob(chart, 'Job', { data, s3, metastore, buckets: s.buckets, ...props });
  s.minio.allowFrom(job);
  return { chart, s, data, metastore, job };
}

/** `--flag value` pairs of the application arguments. */
function args(app: any): Record<string, string> {
  const a: string[] = app.spec.args;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i += 2) {
    expect(a[i]).toMatch(/^--[a-z-]+$/);
    out[a[i]] = a[i + 1];
  }
  return out;
}

describe('AnomalyDetectionJob', () => {
  it('reads the loaded trips and writes prediction.ad.iforest with the default model', () => {
    const { chart, job } = setup();
    expect(job.qualifiedTable).toBe('prediction.ad.iforest');
    expect(job.output).toEqual({ catalog: 'prediction', schema: 'ad', table: 'iforest' });
    const app = find(synth(chart), 'SparkApplication', 'spark-ad');
    expect(app.spec.mode).toBe('cluster');
    expect(args(app)).toEqual({
      '--input': 's3a://demo/ny-taxi-data/raw/',
      '--output-table': 'prediction.ad.iforest',
      '--namespace-location': 's3a://prediction/ad',
      '--contamination': '0.005',
      '--n-estimators': '200',
      '--max-samples': '0.7',
      '--random-state': '42',
    });
  });

  it('mounts the job script from its ConfigMap and installs the pinned requirements', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const app = find(objs, 'SparkApplication', 'spark-ad');
    const script = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'demos', 'spark-k8s-anomaly-detection-taxi-data', 'anomaly_detection.py'), 'utf8');
    expect(app.spec.volumes).toEqual([{ name: 'job-files', configMap: { name: 'spark-ad-job' } }]);
    expect(find(objs, 'ConfigMap', 'spark-ad-job').data).toEqual({ 'anomaly_detection.py': script });
    for (const role of ['job', 'driver', 'executor']) {
      expect(app.spec[role].config.volumeMounts).toEqual([{ name: 'job-files', mountPath: '/stackable/spark/jobs' }]);
    }
    expect(app.spec.mainApplicationFile).toBe('local:///stackable/spark/jobs/anomaly_detection.py');
    const requirements = app.spec.deps.requirements as string[];
    expect(requirements.length).toBeGreaterThan(0);
    for (const r of requirements) expect(r).toMatch(/^[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*$/);
    expect(requirements.some(r => r.startsWith('scikit-learn=='))).toBe(true);
    expect(app.spec.deps.packages).toEqual(['org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0']);
  });

  it('configures the Iceberg catalog on the metastore and the S3 connection', () => {
    const { chart, s } = setup({}, namespacedChart('ns'));
    const app = find(synth(chart), 'SparkApplication', 'spark-ad');
    expect(app.spec.s3connection).toEqual({ reference: s.connection.name });
    expect(app.spec.sparkConf).toEqual({
      'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
      'spark.sql.catalog.prediction': 'org.apache.iceberg.spark.SparkCatalog',
      'spark.sql.catalog.prediction.type': 'hive',
      'spark.sql.catalog.prediction.uri': 'thrift://hive-iceberg-metastore.ns.svc.cluster.local:9083',
      'spark.sql.session.timeZone': 'UTC',
    });
    expect(app.spec.sparkImage).toEqual({ productVersion: '4.1.2' });
  });

  it('makes the submit pod wait for the data marker through an init container', () => {
    const { chart, data } = setup({}, namespacedChart('ns'), ['2020-11', '2020-12']);
    const objs = synth(chart);
    const pod = find(objs, 'SparkApplication', 'spark-ad').spec.job.podOverrides.spec;
    // The data first, then the metastore of its Iceberg catalog.
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-data', 'wait-for-metastore']);
    const wait = pod.initContainers[0];
    expect(wait.name).toBe('wait-for-data');
    expect(envValue(wait, 'MARKER')).toBe(data.markerPath);
    expect(envValue(wait, 'KEYS')).toBe('fhvhv_tripdata_2020-11.parquet fhvhv_tripdata_2020-12.parquet');
    expect(envValue(wait, 'MC_HOST_minio')).toContain('@minio.ns.svc.cluster.local:9000');
    // The marker is what the load Job writes last, under its TARGET.
    const load = find(objs, 'Job', 'load-ny-taxi-data').spec.template.spec.containers[0];
    expect(envValue(wait, 'MARKER')).toBe('minio/demo/ny-taxi-data/raw/_SUCCESS');
    expect(envValue(load, 'TARGET')).toBe('https://minio.ns.svc.cluster.local:9000/demo/ny-taxi-data/raw/');
    expect(envValue(wait, 'KEYS')).toBe(envValue(load, 'KEYS'));
    // Its mounts are backed by volumes of the override; no containers are overridden.
    const volumes = pod.volumes.map((v: any) => v.name);
    for (const m of wait.volumeMounts) expect(volumes).toContain(m.name);
    expect(pod.containers).toBeUndefined();
    expect(wait.resources.requests).toBeDefined();
    expect(wait.resources.limits).toBeDefined();
    expect(wait.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    // Ordering needs no RBAC.
    expect(objs.filter(o => ['Role', 'RoleBinding', 'ServiceAccount'].includes(o.kind))).toEqual([]);
  });

  it('gives every role resources and restricted pod overrides', () => {
    const { chart } = setup();
    const spec = find(synth(chart), 'SparkApplication', 'spark-ad').spec;
    expect(spec.job.config.resources).toEqual({ cpu: { min: '100m', max: '1000m' }, memory: { limit: '1024Mi' } });
    expect(spec.driver.config.resources).toEqual({ cpu: { min: '500m', max: '2000m' }, memory: { limit: '2048Mi' } });
    expect(spec.executor.config.resources).toEqual({ cpu: { min: '500m', max: '2000m' }, memory: { limit: '3072Mi' } });
    expect(spec.executor.replicas).toBe(2);
    for (const role of ['job', 'driver', 'executor']) {
      expect(spec[role].podOverrides.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });

  it('applies model, executors, versions, output and resource overrides', () => {
    const { chart, job } = setup({
      name: 'iforest', sparkVersion: '4.0.1', executors: 5, outputBucket: 'demo',
      output: { catalog: 'lake', schema: 'scores', table: 'trips_30m' },
      model: { contamination: 0.5, nEstimators: 50, maxSamples: 1, randomState: 7 },
      driverResources: { cpuRequestMillis: 1000, cpuLimitMillis: 1000, memoryMi: 4096 },
      executorResources: { cpuRequestMillis: 250, cpuLimitMillis: 500, memoryMi: 1024 },
      submitResources: { cpuRequestMillis: 50, cpuLimitMillis: 100, memoryMi: 512 },
      icebergRuntime: 'org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0',
    });
    expect(job.qualifiedTable).toBe('lake.scores.trips_30m');
    const spec = find(synth(chart), 'SparkApplication', 'iforest').spec;
    expect(args({ spec })).toMatchObject({
      '--output-table': 'lake.scores.trips_30m',
      '--namespace-location': 's3a://demo/scores',
      '--contamination': '0.5',
      '--n-estimators': '50',
      '--max-samples': '1',
      '--random-state': '7',
    });
    expect(spec.sparkImage.productVersion).toBe('4.0.1');
    expect(spec.executor.replicas).toBe(5);
    expect(spec.sparkConf['spark.sql.catalog.lake']).toBe('org.apache.iceberg.spark.SparkCatalog');
    expect(spec.sparkConf['spark.sql.catalog.lake.uri']).toMatch(/^thrift:\/\/hive-iceberg-metastore\./);
    expect(spec.sparkConf['spark.sql.catalog.prediction']).toBeUndefined();
    expect(spec.driver.config.resources.memory.limit).toBe('4096Mi');
    expect(spec.executor.config.resources.cpu).toEqual({ min: '250m', max: '500m' });
    expect(spec.job.config.resources.memory.limit).toBe('512Mi');
    expect(spec.deps.packages).toEqual(['org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0']);
  });

  it('is let through the MinIO NetworkPolicy with a label it puts on every pod, stable across runs', () => {
    const { chart, job } = setup();
    // The operator's own label app.kubernetes.io/instance carries the hashed name, which changes.
    expect(job.podSelector).toEqual({ 'app.kubernetes.io/name': 'spark-k8s', 'app.kubernetes.io/part-of': 'spark-ad' });
    const objs = synth(chart);
    const from = find(objs, 'NetworkPolicy', 'minio').spec.ingress[0].from;
    expect(from).toContainEqual({ podSelector: { matchLabels: job.podSelector } });
    const spec = find(objs, 'SparkApplication', 'spark-ad').spec;
    for (const role of [spec.job, spec.driver, spec.executor]) {
      expect(role.podOverrides.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'spark-ad' });
    }
  });

  it('is named after the hash of its spec, which covers the job script', () => {
    const { chart, job } = setup();
    const app = find(synth(chart), 'SparkApplication', 'spark-ad');
    expect(app.metadata.name).toBe(job.name);
    expect(job.name).toBe(`spark-ad-${specHash(app.spec)}`);
    const script = fs.readFileSync(path.join(__dirname, '../../../demos/spark-k8s-anomaly-detection-taxi-data/anomaly_detection.py'), 'utf8');
    const sha = createHash('sha256').update(canonicalJson({ 'anomaly_detection.py': script })).digest('hex');
    expect(app.spec.job.podOverrides.metadata.annotations).toEqual({ 'checksum/job-files': sha });
  });

  it('retries spark-submit 4 times by default (the operator default is 0), or as often as asked', () => {
    expect(find(synth(setup().chart), 'SparkApplication', 'spark-ad').spec.job.config.retryOnFailureCount).toBe(4);
    expect(find(synth(setup({ retryOnFailureCount: 0 }).chart), 'SparkApplication', 'spark-ad').spec.job.config.retryOnFailureCount).toBe(0);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('a negative retry count', () => {
      expect(build({ retryOnFailureCount: -1 })).toThrow(/AnomalyDetectionJob Job: retryOnFailureCount -1 must be an integer between 0 and 100/);
    });
    it('contamination 0', () => {
      expect(build({ model: { contamination: 0 } })).toThrow(/AnomalyDetectionJob Job: model\.contamination 0 must be a number in \(0, 0\.5\]/);
    });
    it('contamination 0.6', () => {
      expect(build({ model: { contamination: 0.6 } })).toThrow(/AnomalyDetectionJob Job: model\.contamination 0\.6 must be a number in \(0, 0\.5\]/);
    });
    it('maxSamples 1.5', () => {
      expect(build({ model: { maxSamples: 1.5 } })).toThrow(/AnomalyDetectionJob Job: model\.maxSamples 1\.5 must be a number in \(0, 1\]/);
    });
    it('nEstimators 0', () => {
      expect(build({ model: { nEstimators: 0 } })).toThrow(/AnomalyDetectionJob Job: model\.nEstimators 0 must be an integer >= 1/);
    });
    it('a negative randomState', () => {
      expect(build({ model: { randomState: -1 } })).toThrow(/AnomalyDetectionJob Job: model\.randomState -1 must be an integer between 0 and 4294967295/);
    });
    it('negative executors', () => {
      expect(build({ executors: -1 })).toThrow(/AnomalyDetectionJob Job: executors -1 must be an integer >= 1/);
    });
    it('an output bucket the bootstrap does not create', () => {
      expect(build({ outputBucket: 'scores' })).toThrow(/AnomalyDetectionJob Job: outputBucket "scores" is not created by the bucket bootstrap: use one of "demo", "prediction"/);
    });
    it('an output catalog that is not an SQL identifier', () => {
      expect(build({ output: { catalog: 'pre-diction', schema: 'ad', table: 'iforest' } })).toThrow(/AnomalyDetectionJob Job: output\.catalog "pre-diction" is not a valid identifier/);
    });
    it('an iceberg runtime that is not a Maven coordinate', () => {
      expect(build({ icebergRuntime: 'iceberg-spark-runtime.jar' })).toThrow(/AnomalyDetectionJob Job: icebergRuntime "iceberg-spark-runtime\.jar" is not a Maven coordinate/);
    });
    it('a Spark version that is not a version number', () => {
      expect(build({ sparkVersion: 'spark4' })).toThrow(/AnomalyDetectionJob Job: sparkVersion "spark4" is not a version number/);
    });
    it('an executor CPU limit below the request', () => {
      expect(build({ executorResources: { cpuRequestMillis: 600, cpuLimitMillis: 500, memoryMi: 1024 } })).toThrow(/AnomalyDetectionJob Job: executorResources\.cpuLimitMillis 500 must be an integer >= 600/);
    });
  });
});
