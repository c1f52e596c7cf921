/**
 * Tests of constructs/superset/superset.ts: the SupersetCluster, its credentials Secret in the
 * operator's layout, its metadata database, the CA trust override, and prop validation.
 * Run: npx jest test/superset/superset.test.ts
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { PostgresDatabase } from '../../constructs/postgres';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { Superset, SupersetSecretKey, supersetNodePod } from '../../constructs/superset';
import { find, namespacedChart, ofKind, synth } from '../util';

type Props = ConstructorParameters<typeof Superset>[2];

function setup(props: Partial<Props> = {}, chart = namespacedChart(), networkPolicy = false) {
  const database = new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset', database: 'superset', networkPolicy });
  const trust = new TlsTrustStore(chart, 'Trust');
  const superset = new Superset(chart, 'Superset', { database, trust, ...props });
  return { chart, database, trust, superset };
}

describe('Superset', () => {
  it('writes the admin into the credentials Secret and the secret key into <name>-secret-key, the Secrets the operator reads', () => {
    const { chart, superset } = setup({ secretKey: SupersetSecretKey.literal('a-long-random-key') });
    const objs = synth(chart);
    expect(find(objs, 'SupersetCluster', 'superset').spec.clusterConfig.credentialsSecret).toBe('superset-credentials');
    expect(find(objs, 'Secret', 'superset-credentials').stringData).toEqual({
      'adminUser.username': 'admin',
      'adminUser.firstname': 'Superset',
      'adminUser.lastname': 'Admin',
      'adminUser.email': 'admin@superset.com',
      'adminUser.password': 'adminadmin',
    });
    expect(find(objs, 'Secret', 'superset-secret-key').stringData).toEqual({ SECRET_KEY: 'a-long-random-key' });
    expect(superset.secretKeySecretName).toBe('superset-secret-key');
    expect(superset.admin).toMatchObject({ secretName: 'superset-credentials', usernameKey: 'adminUser.username', passwordKey: 'adminUser.password' });
  });

  it('leaves the secret key to the operator by default: no <name>-secret-key Secret, no key in any object', () => {
    const { chart, superset } = setup();
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret').map(s => s.metadata.name).sort()).toEqual(['postgresql-superset-credentials', 'superset-credentials']);
    expect(JSON.stringify(objs)).not.toMatch(/SECRET_KEY|demo-superset-secret-key/);
    expect(superset.secretKeySecretName).toBe('superset-secret-key');
  });

  it('uses an existing credentials Secret without creating one; a generated secret key is left to the operator', () => {
    const { chart, superset } = setup({ admin: Credentials.fromSecret('corp-superset', 'boss'), secretKey: SupersetSecretKey.generated() });
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret').map(s => s.metadata.name)).toEqual(['postgresql-superset-credentials']);
    expect(find(objs, 'SupersetCluster', 'superset').spec.clusterConfig.credentialsSecret).toBe('corp-superset');
    expect(superset.admin.usernameEnv('U').valueFrom?.secretKeyRef).toEqual({ name: 'corp-superset', key: 'adminUser.username' });
  });

  it('models the operator\'s pods without the vector container unless the vector agent is enabled, which it is not', () => {
    expect(supersetNodePod('s', false)).toEqual({
      containers: ['superset', 'metrics'],
      volumes: {
        names: ['config', 'log-config', 'log', 'listener'],
        mountPaths: { superset: ['/stackable/config', '/stackable/log_config', '/stackable/log', '/stackable/listener'], metrics: [] },
      },
      labels: { 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': 's' },
    });
    const vector = supersetNodePod('s', true);
    expect(vector.containers).toEqual(['superset', 'metrics', 'vector']);
    expect(vector.volumes?.names).toEqual(['config', 'log-config', 'log', 'listener']);
    expect(vector.volumes?.mountPaths.vector).toEqual(['/stackable/config/vector.yaml', '/stackable/log']);
    const { chart } = setup();
    const spec = find(synth(chart), 'SupersetCluster', 'superset').spec;
    expect(JSON.stringify(spec)).not.toMatch(/enableVectorAgent|vectorAggregatorConfigMapName/);
  });

  it('stores its metadata in its PostgreSQL database', () => {
    const { chart, database } = setup({}, namespacedChart('ns'));
    const objs = synth(chart);
    expect(find(objs, 'SupersetCluster', 'superset').spec.clusterConfig.metadataDatabase).toEqual({
      postgresql: { host: 'postgresql-superset.ns.svc.cluster.local', port: 5432, database: 'superset', credentialsSecretName: database.credentials.secretName },
    });
    expect(Object.keys(find(objs, 'Secret', database.credentials.secretName).stringData).sort()).toEqual(['password', 'username']);
  });

  it('mounts the CA trust into the web server container and restricts it', () => {
    const { chart, trust } = setup();
    const pod = find(synth(chart), 'SupersetCluster', 'superset').spec.nodes.podOverrides.spec;
    expect(pod.containers).toEqual([{
      name: 'superset',
      volumeMounts: [{ name: 'tls-trust', mountPath: '/stackable/trust', readOnly: true }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }]);
    expect(pod.volumes).toEqual([{ name: 'tls-trust', configMap: { name: trust.configMapName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('defaults to Superset 6.1.0, one external-stable node with resources', () => {
    const { chart, superset } = setup({}, namespacedChart('ns'));
    expect(superset).toMatchObject({ name: 'superset', productVersion: '6.1.0', port: 8088, url: 'http://superset-node.ns.svc.cluster.local:8088' });
    expect(superset.podSelector).toEqual({ 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': 'superset' });
    const spec = find(synth(chart), 'SupersetCluster', 'superset').spec;
    expect(spec.image).toEqual({ productVersion: '6.1.0' });
    expect(spec.nodes.roleConfig).toEqual({ listenerClass: 'external-stable' });
    expect(spec.nodes.roleGroups).toEqual({ default: { replicas: 1 } });
    expect(spec.nodes.config.resources).toEqual({ cpu: { min: '250m', max: '1000m' }, memory: { limit: '2048Mi' } });
  });

  it('applies name, version, replicas, resources and listener class overrides', () => {
    const { chart, superset } = setup({
      name: 'bi', productVersion: '6.0.0', replicas: 2, listenerClass: 'cluster-internal',
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 100, memoryMi: 1024 },
    });
    const objs = synth(chart);
    const spec = find(objs, 'SupersetCluster', 'bi').spec;
    expect(spec.image.productVersion).toBe('6.0.0');
    expect(spec.nodes.roleGroups.default.replicas).toBe(2);
    expect(spec.nodes.roleConfig.listenerClass).toBe('cluster-internal');
    expect(spec.nodes.config.resources).toEqual({ cpu: { min: '100m', max: '100m' }, memory: { limit: '1024Mi' } });
    expect(find(objs, 'Secret', 'bi-credentials')).toBeDefined();
    expect(superset.host).toBe('bi-node.ns.svc.cluster.local');
  });

  it('is let through its database NetworkPolicy', () => {
    const { chart, superset } = setup({}, namespacedChart(), true);
    const np = find(synth(chart), 'NetworkPolicy', 'postgresql-superset');
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: superset.podSelector } }]);
  });

  it('has Superset test its metadata database connections before use (pool_pre_ping), as a superset_config.py override', () => {
    const { chart } = setup();
    const cluster = ofKind(synth(chart), 'SupersetCluster')[0];
    expect(cluster.spec.nodes.configOverrides).toEqual({ 'superset_config.py': { SQLALCHEMY_ENGINE_OPTIONS: "{'pool_pre_ping': True}" } });
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('database credentials that would break the metadata URL the operator writes unencoded, without echoing the password', () => {
      const withDb = (credentials: Credentials) => () => {
        const chart = namespacedChart();
        const database = new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset', database: 'superset', credentials });
        new Superset(chart, 'Superset', { database, trust: new TlsTrustStore(chart, 'Trust') });
      };
      expect(withDb(Credentials.literal('superset', 'p@ss/word'))).toThrow(
        /^Superset Superset: database\.credentials\.password "\*{9}" must be at least 1 characters of A-Z a-z 0-9 \. _ ~ - \(it is embedded in the metadata database URL the superset-operator writes\)/);
      expect(withDb(Credentials.literal('super:set', 'password'))).toThrow(/database\.credentials\.username "\*{9}"/);
      expect(withDb(Credentials.fromSecret('corp-db', 'superset'))).not.toThrow();
      expect(withDb(Credentials.literal('superset', 'A-z.0_9~'))).not.toThrow();
    });
    it('a chart without a namespace (its host name derives from it)', () => {
      const { database, trust } = setup();
      expect(() => new Superset(Testing.chart(), 'Superset', { database, trust })).toThrow(/^Superset test\/Superset: the chart "test" has no namespace/);
    });
    it('zero replicas', () => {
      expect(build({ replicas: 0 })).toThrow(/Superset Superset: replicas 0 must be an integer >= 1/);
    });
    it('a listener class the listener-operator does not offer', () => {
      expect(build({ listenerClass: 'LoadBalancer' as never })).toThrow(/Superset Superset: listenerClass "LoadBalancer" is not allowed/);
    });
    it('an empty secret key', () => {
      expect(build({ secretKey: SupersetSecretKey.literal('') })).toThrow(/^Superset Superset: secretKey must be a non-empty string without surrounding whitespace$/);
      // The key is a secret: the message must not show it.
      expect(build({ secretKey: SupersetSecretKey.literal(' s3cret ') })).toThrow(/^Superset Superset: secretKey must be a non-empty string without surrounding whitespace$/);
    });
    it('a product version that is not a version number', () => {
      expect(build({ productVersion: '6.1.0 ' })).toThrow(/Superset Superset: productVersion "6\.1\.0 " is not a version number/);
    });
    it('a name with an underscore', () => {
      expect(build({ name: 'super_set' })).toThrow(/Superset Superset: name "super_set" is not a valid name/);
    });
  });
});
