/**
 * Tests of constructs/hive/hive-metastore.ts: the HiveCluster's database, S3 and role settings,
 * the names the operator derives, and prop validation.
 * Run: npx jest test/hive
 */
import { Testing } from 'cdk8s';
import { HiveMetastore } from '../../constructs/hive';
import { PostgresDatabase } from '../../constructs/postgres';
import { S3Ref } from '../../constructs/s3';
import { expectSecretRefsResolve, find, namespacedChart, synth } from '../util';

type Props = ConstructorParameters<typeof HiveMetastore>[2];

function setup(props: Partial<Props> = {}, chart = namespacedChart(), networkPolicy = false) {
  const database = new PostgresDatabase(chart, 'Db', { name: 'postgresql-hive', database: 'hive', networkPolicy });
  const hive = new HiveMetastore(chart, 'Hive', { database, s3: S3Ref.fromConnectionName('minio'), ...props });
  return { chart, database, hive };
}

describe('HiveMetastore', () => {
  it('stores metadata in its PostgreSQL database, with the database Secret', () => {
    const { chart, database } = setup({}, namespacedChart('ns'));
    const objs = synth(chart);
    const spec = find(objs, 'HiveCluster', 'hive').spec;
    expect(spec.clusterConfig.metadataDatabase.postgresql).toEqual({
      host: 'postgresql-hive.ns.svc.cluster.local', port: 5432, database: 'hive', credentialsSecretName: database.credentials.secretName,
    });
    expect(Object.keys(find(objs, 'Secret', database.credentials.secretName).stringData).sort()).toEqual(['password', 'username']);
    expect(spec.clusterConfig.s3).toEqual({ reference: 'minio' });
    expectSecretRefsResolve(objs);
  });

  it('exposes the names the operator derives: discovery ConfigMap and <name>-metastore Service', () => {
    const { hive } = setup({ name: 'hive-iceberg' }, namespacedChart('ns'));
    expect(hive).toMatchObject({
      name: 'hive-iceberg',
      discoveryConfigMapName: 'hive-iceberg',
      host: 'hive-iceberg-metastore.ns.svc.cluster.local',
      port: 9083,
      thriftUri: 'thrift://hive-iceberg-metastore.ns.svc.cluster.local:9083',
      podSelector: { 'app.kubernetes.io/name': 'hive', 'app.kubernetes.io/instance': 'hive-iceberg' },
    });
  });

  it('defaults to Hive 4.0.0, one replica, restricted pods with resources', () => {
    const { chart } = setup();
    const spec = find(synth(chart), 'HiveCluster', 'hive').spec;
    expect(spec.image).toEqual({ productVersion: '4.0.0' });
    expect(spec.metastore.roleGroups).toEqual({ default: { replicas: 1 } });
    expect(spec.metastore.config.resources).toEqual({ cpu: { min: '250m', max: '1000m' }, memory: { limit: '768Mi' } });
    expect(spec.metastore.podOverrides.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('applies version, replicas and resource overrides', () => {
    const { chart } = setup({ productVersion: '4.1.0', replicas: 3, resources: { cpuRequestMillis: 100, cpuLimitMillis: 300, memoryMi: 2048 } });
    const spec = find(synth(chart), 'HiveCluster', 'hive').spec;
    expect(spec.image.productVersion).toBe('4.1.0');
    expect(spec.metastore.roleGroups.default.replicas).toBe(3);
    expect(spec.metastore.config.resources).toEqual({ cpu: { min: '100m', max: '300m' }, memory: { limit: '2048Mi' } });
  });

  it('is let through its database NetworkPolicy', () => {
    const { chart, hive } = setup({}, namespacedChart(), true);
    const np = find(synth(chart), 'NetworkPolicy', 'postgresql-hive');
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: hive.podSelector } }]);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('a chart without a namespace (its host name derives from it)', () => {
      const { database } = setup();
      expect(() => new HiveMetastore(Testing.chart(), 'Hive', { database, s3: S3Ref.fromConnectionName('minio') }))
        .toThrow(/^HiveMetastore test\/Hive: the chart "test" has no namespace/);
    });
    it('a name longer than 40 characters (room for the derived names)', () => {
      expect(build({ name: 'h'.repeat(41) })).toThrow(/HiveMetastore Hive: name "h{41}" is not a valid name: use 1-40 /);
    });
    it('a name with upper-case letters', () => {
      expect(build({ name: 'Hive' })).toThrow(/HiveMetastore Hive: name "Hive" is not a valid name/);
    });
    it('zero replicas', () => {
      expect(build({ replicas: 0 })).toThrow(/HiveMetastore Hive: replicas 0 must be an integer >= 1/);
    });
    it('negative replicas', () => {
      expect(build({ replicas: -2 })).toThrow(/HiveMetastore Hive: replicas -2 must be an integer >= 1/);
    });
    it('a product version that is not a version number', () => {
      expect(build({ productVersion: 'latest' })).toThrow(/HiveMetastore Hive: productVersion "latest" is not a version number/);
    });
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 1000, cpuLimitMillis: 999, memoryMi: 512 } })).toThrow(/HiveMetastore Hive: resources\.cpuLimitMillis 999 must be an integer >= 1000/);
    });
  });
});
