/**
 * Tests of the example app demos/trino-taxi-data: its statements and dashboard from their
 * definitions, and the wiring in its committed dist/ (which the manifests suite keeps equal to a
 * fresh synthesis). Its Jobs run for real in the jobs, superset and e2e suites.
 * Run: npx jest test/demos/trino-taxi-data
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs';
import { parseManifests } from '../../scripts/lib/manifests';
import { TaxiDataChart } from '../../demos/trino-taxi-data/taxi-data-chart';
import { taxiDashboardBundle } from '../../demos/trino-taxi-data/taxi-dashboard';
import { RAW_COLUMNS, taxiTableStatements, VIEW_COLUMNS } from '../../demos/trino-taxi-data/taxi-table';
import { collect, container, envOf, envValue, find, K8sObject, ofKind, podSpec, s3ConnectionSecret, secretKeyRefHolders, synth } from '../util';

const DIST = path.join(__dirname, '..', '..', 'demos', 'trino-taxi-data', 'dist', 'trino-taxi-data.k8s.yaml');
/** The seed demo's dist/ (its default chart), which the example shares a cluster with. */
const SEED_DIST = path.join(__dirname, '..', '..', 'dist', 'spark-k8s-anomaly-detection-taxi-data.k8s.yaml');
const load = (file: string) => parseManifests(fs.readFileSync(file, 'utf8')) as unknown as K8sObject[];
const objs = load(DIST);
const data = { bucket: 'demo', prefix: 'ny-taxi-data/raw/', s3aUrl: 's3a://demo/ny-taxi-data/raw/' } as Parameters<typeof taxiTableStatements>[0];

describe('trino-taxi-data: table and view', () => {
  it('creates the schema at the bucket root and the raw table over the loaded files with the reference\'s columns', () => {
    const [schema, table] = taxiTableStatements(data, ['2020-01']);
    expect(schema).toBe("CREATE SCHEMA IF NOT EXISTS hive.demo WITH (location = 's3a://demo/')");
    expect(table).toContain("WITH (external_location = 's3a://demo/ny-taxi-data/raw/', format = 'PARQUET')");
    for (const c of RAW_COLUMNS) expect(table).toContain(`  ${c.name} ${c.type}`);
  });

  it('fails the Job when the table is empty, and windows the view to the loaded months, also across a year end', () => {
    const [, , check, view] = taxiTableStatements(data, ['2021-12', '2020-01']);
    expect(check).toMatch(/CASE WHEN count\(\*\) > 0 THEN count\(\*\) ELSE fail\('no rows in hive\.demo\.ny_taxi_data_raw/);
    expect(view).toContain("WHERE tpep_pickup_datetime >= TIMESTAMP '2020-01-01 00:00:00' AND tpep_pickup_datetime < TIMESTAMP '2022-01-01 00:00:00'");
    expect(taxiTableStatements(data, ['2020-04'])[3]).toContain("< TIMESTAMP '2020-05-01 00:00:00'");
  });

  it('names the payment types as the TLC data dictionary does', () => {
    const payment = VIEW_COLUMNS.find(c => c.name === 'payment_type')!;
    expect(payment.sql).toBe("CASE payment_type WHEN 1 THEN 'Credit card' WHEN 2 THEN 'Cash' WHEN 3 THEN 'No charge' WHEN 4 THEN 'Dispute' WHEN 6 THEN 'Voided trip' ELSE 'Unknown' END");
    expect(Math.max(...['Credit card', 'Cash', 'No charge', 'Dispute', 'Voided trip', 'Unknown'].map(s => s.length))).toBeLessThanOrEqual(12); // VARCHAR(12)
  });
});

describe('trino-taxi-data: dashboard', () => {
  const trino = { host: 'trino-coordinator-default-headless.trino-taxi-data.svc.cluster.local', port: 8443, admin: { username: 'admin' } } as any;

  it('charts the view through a database that verifies Trino against the trust store CA', () => {
    const bundle = taxiDashboardBundle({ trino, caFile: '/stackable/trust/ca.crt' });
    expect(bundle.databaseFiles).toHaveLength(1);
    const db = bundle.files[bundle.databaseFiles[0]];
    expect(db).toContain('trino://admin:XXXXXXXXXX@trino-coordinator-default-headless.trino-taxi-data.svc.cluster.local:8443/hive');
    expect(db).toContain('verify: "/stackable/trust/ca.crt"');
    const charts = Object.keys(bundle.files).filter(f => f.startsWith('charts/'));
    expect(charts).toHaveLength(5);
  });

  it('refuses a view without a column a chart uses', () => {
    const columns = VIEW_COLUMNS.filter(c => c.name !== 'duration_min');
    expect(() => taxiDashboardBundle({ trino, caFile: '/stackable/trust/ca.crt', columns })).toThrow(/duration_min/);
  });
});

describe('trino-taxi-data: dist/', () => {
  it('has its own namespace, created first', () => {
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'trino-taxi-data' } });
    expect(new Set(objs.filter(o => o.kind !== 'Namespace' && o.metadata.namespace !== undefined).map(o => o.metadata.namespace))).toEqual(new Set(['trino-taxi-data']));
  });

  it('loads the 28 yellow months one file at a time, and the table Job waits for exactly those files', () => {
    const load = container(podSpec(find(objs, 'Job', 'load-ny-taxi-data')), 'load');
    const keys = envValue(load, 'KEYS').split(' ');
    expect(keys).toHaveLength(28);
    expect(keys[0]).toBe('yellow_tripdata_2020-01.parquet');
    expect(keys[27]).toBe('yellow_tripdata_2022-04.parquet');
    const sql = podSpec(find(objs, 'Job', 'create-ny-taxi-data-table-in-trino'));
    expect(sql.initContainers.map((c: any) => c.name)).toEqual(['wait-for-data-0']);
    expect(JSON.stringify(sql.initContainers[0].env)).toContain(keys.join(' '));
  });

  it('lets the table Job reach MinIO through MinIO\'s NetworkPolicy and its own', () => {
    const sqlLabels = find(objs, 'Job', 'create-ny-taxi-data-table-in-trino').spec.template.metadata.labels;
    const minio = ofKind(objs, 'NetworkPolicy').find(p => p.metadata.name === 'minio')!;
    const from = minio.spec.ingress.flatMap((r: any) => r.from.map((f: any) => f.podSelector.matchLabels));
    expect(from).toContainEqual({ 'app.kubernetes.io/name': sqlLabels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': sqlLabels['app.kubernetes.io/instance'] });
    const own = ofKind(objs, 'NetworkPolicy').find(p => p.metadata.name === 'create-ny-taxi-data-table-in-trino')!;
    expect(JSON.stringify(own.spec.egress)).toContain('"port":9000');
  });

  it('leaves Superset\'s SECRET_KEY to the superset-operator: no Secret holds one, no object the old published key', () => {
    expect(ofKind(objs, 'Secret').filter(s => 'SECRET_KEY' in { ...s.data, ...s.stringData }).map(s => s.metadata.name)).toEqual([]);
    expect(JSON.stringify(objs)).not.toContain('demo-superset-secret-key');
  });

  it('shares no object with the seed demo, cluster-scoped ones included, so either can be deleted alone', () => {
    // Every namespaced object names its namespace (a chart without one is refused), so the objects
    // without one are the cluster-scoped ones; their identity is kind and name only.
    const identity = (o: K8sObject) => `${o.apiVersion.split('/')[0]}/${o.kind} ${o.metadata.namespace ?? '(cluster)'}/${o.metadata.name}`;
    const seed = load(SEED_DIST);
    const seedIds = new Set(seed.map(identity));
    expect(objs.map(identity).filter(id => seedIds.has(id))).toEqual([]);
    // Their cluster-scoped names carry their namespaces (constructs/core/cluster-scoped.ts clusterScopedName).
    const clusterScoped = (all: K8sObject[]) => all.filter(o => o.metadata.namespace === undefined).map(o => `${o.kind}/${o.metadata.name}`).sort();
    expect(clusterScoped(seed)).toEqual(['AuthenticationClass/default-trino-users', 'SecretClass/default-s3-credentials-class']);
    expect(clusterScoped(objs)).toEqual(['AuthenticationClass/trino-taxi-data-trino-users', 'Namespace/trino-taxi-data', 'SecretClass/trino-taxi-data-s3-credentials-class']);
  });
});

describe('trino-taxi-data: S3 credentials', () => {
  it('gives Hive and Trino the MinIO user reader, not MinIO\'s root user', () => {
    expect(find(objs, 'HiveCluster', 'hive').spec.clusterConfig.s3).toEqual({ reference: 'minio' });
    expect(find(objs, 'TrinoCatalog', 'hive').spec.connector.hive.s3).toEqual({ reference: 'minio' });
    const products = s3ConnectionSecret(objs, 'minio');
    expect(products.metadata.name).toBe('minio-reader-s3-credentials');
    expect(products.stringData).toEqual({ accessKey: 'reader', secretKey: 'reader-secret-key' });
    const root = envOf(container(podSpec(find(objs, 'Deployment', 'minio')), 'minio')).MINIO_ROOT_USER.valueFrom.secretKeyRef.name;
    expect(root).toBe('minio-s3-credentials');
    expect(find(objs, 'Secret', root).metadata.labels).toBeUndefined();
  });

  it('hands MinIO\'s root user to MinIO, the bucket and load Jobs and the table Job\'s wait for the data only', () => {
    const holders = secretKeyRefHolders(objs, 'minio-s3-credentials');
    expect(holders).toEqual(['Deployment/minio', 'Job/minio-buckets', 'Job/load-ny-taxi-data', 'Job/create-ny-taxi-data-table-in-trino']);
    // The table Job: only its init container (mc, waiting for the load's marker); the Trino CLI has the Trino admin.
    const sql = podSpec(find(objs, 'Job', 'create-ny-taxi-data-table-in-trino'));
    expect(collect(sql.containers, 'secretKeyRef').map(r => r.name)).not.toContain('minio-s3-credentials');
  });

  it('lets the user read bucket demo and nothing else: no write, no other bucket', () => {
    const job = container(podSpec(find(objs, 'Job', 'minio-buckets')), 'create-buckets');
    expect(envOf(job).USER_0_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({ name: 'minio-reader-s3-credentials', key: 'accessKey' });
    expect(JSON.parse(envValue(job, 'USER_0_POLICY'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::demo'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::demo/*'] },
      ],
    });
    expect(job.command[2]).toContain('mc admin policy attach minio reader --user "$USER_0_ACCESS_KEY"');
  });

  it('takes the user\'s credentials from the props, a literal or an existing Secret', () => {
    const literal = synth(new TaxiDataChart(Testing.app(), 'trino-taxi-data', { credentials: { reader: Credentials.literal('analyst', 'analyst-secret-key') } }));
    expect(s3ConnectionSecret(literal, 'minio').stringData).toEqual({ accessKey: 'analyst', secretKey: 'analyst-secret-key' });
    const existing = synth(new TaxiDataChart(Testing.app(), 'trino-taxi-data', { credentials: { reader: Credentials.fromSecret('corp-reader', 'svc-reader') } }));
    expect(ofKind(existing, 'Secret').map(s => s.metadata.name)).not.toContain('minio-reader-s3-credentials');
    const job = container(podSpec(find(existing, 'Job', 'minio-buckets')), 'create-buckets');
    expect(envOf(job).USER_0_SECRET_KEY.valueFrom.secretKeyRef).toEqual({ name: 'corp-reader', key: 'secretKey' });
    expect(() => new TaxiDataChart(Testing.app(), 'trino-taxi-data', { credentials: { reader: Credentials.literal('admin', 'reader-secret-key') } }))
      .toThrow('users.reader.credentials.username "admin" is MinIO\'s root user');
  });
});
