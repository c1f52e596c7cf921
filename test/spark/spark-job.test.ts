/**
 * Tests of constructs/spark/spark-job.ts: a generic Spark job (a JVM job from S3, a PySpark job
 * from a file, an existing ConfigMap), its catalogs, dependencies, waits, pod labels, escape hatch
 * and prop validation. The anomaly demo's job is one use of it (test/spark/anomaly-detection-job.test.ts).
 * Run: npx jest test/spark/spark-job.test.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { HiveMetastore } from '../../constructs/hive';
import { S3FileLoad } from '../../constructs/minio';
import { PostgresDatabase } from '../../constructs/postgres';
import { APPLICATION_LABEL, SparkCatalog, SparkJob, SparkJobFile, SPARK_JOB_DIR } from '../../constructs/spark';
import { find, namespacedChart, ofKind, storage, synth } from '../util';

type Props = ConstructorParameters<typeof SparkJob>[2];

function setup(props: Partial<Props> = {}, chart: Chart = namespacedChart('ns')) {
  const s = storage(chart, { networkPolicy: true });
  const load = (id: string, prefix: string) => new S3FileLoad(chart, id, {
    minio: s.minio, buckets: s.buckets, trust: s.trust, bucket: 'demo', prefix, files: [{ url: `https://data.example.org/${id}.csv` }], name: `load-${id.toLowerCase()}`,
  });
  const metastore = new HiveMetastore(chart, 'Lake', { name: 'lake', database: new PostgresDatabase(chart, 'Db'), s3: s.connection });
  const job = new SparkJob(chart, 'Etl', {
    name: 'etl', file: SparkJobFile.fromUrl('s3a://demo/jars/etl-1.0.jar'), mainClass: 'org.example.etl.Main', args: ['--day', '2024-01-01'],
    s3: s.connection, catalogs: [SparkCatalog.iceberg('lake', metastore)], packages: ['org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0'],
    waitFor: [load('Orders', 'raw/orders/'), load('Customers', 'raw/customers/')], ...props,
  });
  return { chart, s, metastore, job };
}

describe('SparkJob', () => {
  it('runs a JVM job from S3 with its main class, arguments, S3 connection, Iceberg catalog and packages', () => {
    const { chart, job } = setup();
    const app = find(synth(chart), 'SparkApplication', job.name);
    expect(job.name).toMatch(/^etl-[0-9a-f]{8}$/);
    expect(app.spec.mainApplicationFile).toBe('s3a://demo/jars/etl-1.0.jar');
    expect(app.spec.mainClass).toBe('org.example.etl.Main');
    expect(app.spec.args).toEqual(['--day', '2024-01-01']);
    expect(app.spec.s3connection).toEqual({ reference: 'minio' }); // the CRD's field name
    expect(app.spec.deps).toEqual({ packages: ['org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0'] });
    expect(app.spec.sparkConf).toEqual({
      'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
      'spark.sql.catalog.lake': 'org.apache.iceberg.spark.SparkCatalog',
      'spark.sql.catalog.lake.type': 'hive',
      'spark.sql.catalog.lake.uri': 'thrift://lake-metastore.ns.svc.cluster.local:9083',
    });
    // Nothing to mount: Spark fetches the jar itself.
    expect(app.spec.volumes).toBeUndefined();
    expect(app.spec.driver.config.volumeMounts).toBeUndefined();
    expect(ofKind(synth(chart), 'ConfigMap').filter(c => c.metadata.name.startsWith('etl'))).toEqual([]);
    expect(app.spec.job.config.retryOnFailureCount).toBe(4);
    expect(app.spec.executor.replicas).toBe(1);
  });

  it('waits for each of its data in numbered init containers and may read them', () => {
    const { chart, s, job } = setup();
    const objs = synth(chart);
    const pod = find(objs, 'SparkApplication', job.name).spec.job.podOverrides;
    expect(pod.spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-data-0', 'wait-for-data-1', 'wait-for-metastore']);
    expect(pod.spec.initContainers.slice(0, 2).map((c: any) => c.env.find((e: any) => e.name === 'MARKER').value)).toEqual(['minio/demo/raw/orders/_SUCCESS', 'minio/demo/raw/customers/_SUCCESS']);
    expect(pod.spec.volumes.map((v: any) => v.name).sort()).toEqual(['mc-tmp', 'tls-trust']);
    // MinIO's NetworkPolicy lets the job's pods in.
    const ingress = find(objs, 'NetworkPolicy', s.minio.serviceName).spec.ingress;
    expect(ingress.flatMap((r: any) => r.from)).toContainEqual({ podSelector: { matchLabels: job.podSelector } });
  });

  it('waits once for each Hive metastore of its catalogs, after the data, with a TCP connect to its thrift port', () => {
    const chart = namespacedChart('ns');
    const { s, metastore } = setup({}, chart);
    const other = new HiveMetastore(chart, 'Other', { name: 'other', database: new PostgresDatabase(chart, 'OtherDb', { name: 'other-db' }), s3: s.connection });
    const job = new SparkJob(chart, 'Two', {
      name: 'two', file: SparkJobFile.fromText('two.py', 'print(1)\n'), s3: s.connection,
      catalogs: [SparkCatalog.iceberg('a', metastore), SparkCatalog.iceberg('b', metastore), SparkCatalog.iceberg('c', other)],
    });
    const pod = find(synth(chart), 'SparkApplication', job.name).spec.job.podOverrides.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-metastore-0', 'wait-for-metastore-1']);
    const [first, second] = pod.initContainers;
    expect(first.env).toEqual([{ name: 'METASTORE_HOST', value: 'lake-metastore.ns.svc.cluster.local' }, { name: 'METASTORE_PORT', value: '9083' }]);
    expect(second.env[0].value).toBe('other-metastore.ns.svc.cluster.local');
    expect(first.command).toEqual(['/bin/bash', '-c', expect.stringContaining('until (exec 3<>"/dev/tcp/$METASTORE_HOST/$METASTORE_PORT")')]);
    expect(first.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(first.resources.limits).toBeDefined();
    // No catalog, no metastore: no init container at all.
    const plain = new SparkJob(chart, 'Plain', { name: 'plain', file: SparkJobFile.fromText('p.py', 'print(2)\n') });
    expect(find(synth(chart), 'SparkApplication', plain.name).spec.job.podOverrides.spec.initContainers).toBeUndefined();
  });

  it('a second, non-anomaly PySpark job: the Hive session catalog and an Iceberg catalog on two metastores', () => {
    const chart = namespacedChart('ns');
    const { s, metastore } = setup({}, chart);
    const warehouse = new HiveMetastore(chart, 'Warehouse', { name: 'warehouse', database: new PostgresDatabase(chart, 'WarehouseDb', { name: 'warehouse-db' }), s3: s.connection });
    const job = new SparkJob(chart, 'Report', {
      name: 'report', file: SparkJobFile.fromText('report.py', 'spark.table("sales").writeTo("lake.r.daily").createOrReplace()\n'),
      s3: s.connection, catalogs: [SparkCatalog.hive(warehouse), SparkCatalog.iceberg('lake', metastore)],
    });
    const app = find(synth(chart), 'SparkApplication', job.name);
    expect(app.spec.sparkConf).toEqual({
      'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
      'spark.sql.catalogImplementation': 'hive',
      'spark.hadoop.hive.metastore.uris': 'thrift://warehouse-metastore.ns.svc.cluster.local:9083',
      'spark.sql.catalog.lake': 'org.apache.iceberg.spark.SparkCatalog',
      'spark.sql.catalog.lake.type': 'hive',
      'spark.sql.catalog.lake.uri': 'thrift://lake-metastore.ns.svc.cluster.local:9083',
    });
    expect(app.spec.job.podOverrides.spec.initContainers.map((c: any) => [c.name, c.env[0].value])).toEqual([
      ['wait-for-metastore-0', 'warehouse-metastore.ns.svc.cluster.local'], ['wait-for-metastore-1', 'lake-metastore.ns.svc.cluster.local'],
    ]);
    expect(app.spec.mainApplicationFile).toBe(`local://${SPARK_JOB_DIR}/report.py`);
  });

  it('adds volumes to the driver and the executors, mounted in both beside the job file', () => {
    const claim = { accessModes: ['ReadWriteOnce'], storageClassName: 'secrets.stackable.tech' };
    const tls: k8s.Volume = { name: 'client-tls', ephemeral: { volumeClaimTemplate: { spec: { ...claim, resources: { requests: { storage: k8s.Quantity.fromString('1') } } } } } };
    const { chart, job } = setup({ file: SparkJobFile.fromText('job.py', 'print(1)'), mainClass: undefined, volumes: [{ volume: tls, mountPath: '/stackable/client-tls' }] });
    const app = find(synth(chart), 'SparkApplication', job.name);
    expect(app.spec.volumes.map((v: any) => v.name)).toEqual(['job-files', 'client-tls']);
    expect(app.spec.volumes[1]).toEqual({ name: 'client-tls', ephemeral: { volumeClaimTemplate: { spec: { ...claim, resources: { requests: { storage: '1' } } } } } });
    for (const role of ['driver', 'executor']) {
      expect(app.spec[role].config.volumeMounts).toEqual([{ name: 'job-files', mountPath: SPARK_JOB_DIR }, { name: 'client-tls', mountPath: '/stackable/client-tls' }]);
    }
    // The submit pod mounts only the job file: it reads no client files.
    expect(app.spec.job.config.volumeMounts).toEqual([{ name: 'job-files', mountPath: SPARK_JOB_DIR }]);
  });

  it('rejects volumes named like the job file\'s, twice, or mounted at a relative path or twice', () => {
    const v = (name: string) => ({ name, emptyDir: {} });
    const cases: Array<[Partial<Props>, RegExp]> = [
      [{ volumes: [{ volume: v('job-files'), mountPath: '/x' }] }, /^SparkJob Etl: volumes\[0\].volume.name "job-files" is the job file's volume: use another name$/],
      [{ volumes: [{ volume: v('a'), mountPath: '/x' }, { volume: v('a'), mountPath: '/y' }] }, /^SparkJob Etl: volumes\[1\]: a second volume named "a"$/],
      [{ volumes: [{ volume: v('a'), mountPath: 'x' }] }, /^SparkJob Etl: volumes\[0\].mountPath "x" must be an absolute path other than \/stackable\/spark\/jobs/],
      [{ volumes: [{ volume: v('a'), mountPath: SPARK_JOB_DIR }] }, /^SparkJob Etl: volumes\[0\].mountPath "\/stackable\/spark\/jobs" must be an absolute path/],
      [{ volumes: [{ volume: v('a'), mountPath: '/x' }, { volume: v('b'), mountPath: '/x' }] }, /^SparkJob Etl: volumes\[1\].mountPath "\/x" is mounted twice$/],
    ];
    for (const [props, message] of cases) expect(() => setup(props)).toThrow(message);
  });

  it('labels every pod with its name (without the hash) for selectors', () => {
    const { chart, job } = setup();
    const app = find(synth(chart), 'SparkApplication', job.name);
    expect(job.podSelector).toEqual({ 'app.kubernetes.io/name': 'spark-k8s', [APPLICATION_LABEL]: 'etl' });
    for (const role of ['job', 'driver', 'executor']) expect(app.spec[role].podOverrides.metadata.labels).toEqual({ [APPLICATION_LABEL]: 'etl' });
  });

  it('mounts a PySpark script from a file in a ConfigMap, with its checksum on the submit pod and its requirements', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-job-'));
    fs.writeFileSync(path.join(dir, 'report.py'), 'print("report")\n');
    const chart = namespacedChart('ns');
    const job = new SparkJob(chart, 'Report', { name: 'report', file: SparkJobFile.fromFile(path.join(dir, 'report.py')), requirements: ['pandas==2.3.3'], sparkConf: { 'spark.sql.session.timeZone': 'UTC' } });
    const objs = synth(chart);
    const app = find(objs, 'SparkApplication', job.name);
    expect(app.spec.mainApplicationFile).toBe(`local://${SPARK_JOB_DIR}/report.py`);
    expect(app.spec.deps).toEqual({ requirements: ['pandas==2.3.3'] });
    expect(app.spec.sparkConf).toEqual({ 'spark.sql.session.timeZone': 'UTC' });
    expect(app.spec.s3connection).toBeUndefined();
    expect(find(objs, 'ConfigMap', 'report-job').data).toEqual({ 'report.py': 'print("report")\n' });
    expect(app.spec.volumes).toEqual([{ name: 'job-files', configMap: { name: 'report-job' } }]);
    expect(app.spec.job.podOverrides.metadata.annotations['checksum/job-files']).toMatch(/^[0-9a-f]{64}$/);
    expect(job.jobFiles?.name).toBe('report-job');
    // A changed script is a new application.
    const other = namespacedChart('ns');
    fs.writeFileSync(path.join(dir, 'report.py'), 'print("report v2")\n');
    expect(new SparkJob(other, 'Report', { name: 'report', file: SparkJobFile.fromFile(path.join(dir, 'report.py')) }).name).not.toBe(job.name);
  });

  it('puts a small jar into the ConfigMap as binary data, and takes a script from an existing ConfigMap', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-job-'));
    fs.writeFileSync(path.join(dir, 'tool.jar'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff]));
    const chart = namespacedChart('ns');
    new SparkJob(chart, 'Tool', { name: 'tool', file: SparkJobFile.fromFile(path.join(dir, 'tool.jar')), mainClass: 'Tool' });
    new SparkJob(chart, 'Theirs', { name: 'theirs', file: SparkJobFile.fromConfigMap('team-jobs', 'nightly.py') });
    const objs = synth(chart);
    expect(find(objs, 'ConfigMap', 'tool-job').binaryData).toEqual({ 'tool.jar': 'UEsDBP8=' });
    const theirs = ofKind(objs, 'SparkApplication').find(a => a.metadata.name.startsWith('theirs-'))!;
    expect(theirs.spec.volumes).toEqual([{ name: 'job-files', configMap: { name: 'team-jobs' } }]);
    expect(theirs.spec.mainApplicationFile).toBe(`local://${SPARK_JOB_DIR}/nightly.py`);
    expect(theirs.spec.job.podOverrides.metadata.annotations).toBeUndefined();
  });

  it('is the escape hatch\'s default child: ApiObject.of(job) is its SparkApplication', () => {
    const { chart, job } = setup();
    expect(ApiObject.of(job)).toBe(job.application);
    ApiObject.of(job).addJsonPatch(JsonPatch.add('/spec/driver/config/logging', { enableVectorAgent: false }));
    expect(find(synth(chart), 'SparkApplication', job.name).spec.driver.config.logging).toEqual({ enableVectorAgent: false });
  });

  describe('rejects bad props', () => {
    it.each<[string, Partial<Props>, RegExp]>([
      ['a name too long for its hash', { name: 'a'.repeat(32) }, /^SparkJob Etl: name "a{32}" .*31/],
      ['a package that is not a Maven coordinate', { packages: ['iceberg'] }, /^SparkJob Etl: packages\[0\] "iceberg" is not a Maven coordinate group:artifact:version$/],
      ['a requirement with a comment', { requirements: ['pandas # latest'] }, /^SparkJob Etl: requirements\[0\] "pandas # latest" is not one pip requirement/],
      ['a main class that is not a Java name', { mainClass: 'org.example.1Main' }, /^SparkJob Etl: mainClass "org.example.1Main" is not a Java class name/],
      ['zero executors', { executors: 0 }, /^SparkJob Etl: executors 0 must be an integer >= 1/],
      ['a retry count above 100', { retryOnFailureCount: 101 }, /^SparkJob Etl: retryOnFailureCount 101 must be an integer/],
    ])('%s', (_, props, message) => {
      expect(() => setup(props)).toThrow(message);
    });

    it('two catalogs of one name, and a catalog name that is not an identifier', () => {
      const chart = namespacedChart('ns');
      const s = storage(chart);
      const m = new HiveMetastore(chart, 'M', { name: 'm', database: new PostgresDatabase(chart, 'Db'), s3: s.connection });
      const file = SparkJobFile.fromText('a.py', 'pass\n');
      expect(() => new SparkJob(chart, 'A', { name: 'a', file, catalogs: [SparkCatalog.iceberg('x', m), SparkCatalog.iceberg('x', m)] })).toThrow(/^SparkJob A: catalogs\[1\]: a second catalog named "x"$/);
      expect(() => new SparkJob(chart, 'B', { name: 'b', file, catalogs: [SparkCatalog.iceberg('my-lake', m)] })).toThrow(/^SparkJob B: catalogs\[0\].name "my-lake" is not a Spark SQL identifier$/);
      expect(() => new SparkJob(chart, 'C', { name: 'c', file, catalogs: [SparkCatalog.hive(m), SparkCatalog.hive(m)] })).toThrow(/^SparkJob C: catalogs\[1\]: a second catalog named "spark_catalog"$/);
    });

    it('a URL Spark cannot fetch, and a file too large for a ConfigMap', () => {
      expect(() => SparkJobFile.fromUrl('ftp://host/a.jar')).toThrow(/^SparkJobFile.fromUrl: "ftp:\/\/host\/a.jar" is not an s3a:\/\/, http\(s\):\/\/ or local:\/\/ URL$/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-job-'));
      fs.writeFileSync(path.join(dir, 'big.jar'), Buffer.alloc(1024 * 1024));
      expect(() => SparkJobFile.fromFile(path.join(dir, 'big.jar'))).toThrow(/big.jar has 1048576 bytes; a ConfigMap holds at most 1 MiB: put it in S3/);
    });
  });
});
