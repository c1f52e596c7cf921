/**
 * Tests of constructs/trino/trino-cluster.ts: authentication, OPA authorization, catalog
 * selection, roles, apply order, and prop validation.
 * Run: npx jest test/trino
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { OpaServer, RegoBundle, TrinoPolicy } from '../../constructs/opa';
import { TrinoCluster } from '../../constructs/trino';
import { find, namespacedChart, ofKind, position, secretKeys, synth } from '../util';

type Props = ConstructorParameters<typeof TrinoCluster>[2];

function setup(props: Partial<Props> = {}, chart = namespacedChart(), admins?: string[]) {
  const opa = new OpaServer(chart, 'Opa');
  const policy = new TrinoPolicy(chart, 'Policy', { admins });
  const trino = new TrinoCluster(chart, 'Trino', { opa, policy, ...props });
  return { chart, opa, policy, trino };
}

describe('TrinoCluster', () => {
  it('authenticates the admin through a cluster-scoped static AuthenticationClass named after the chart namespace', () => {
    const { chart, trino } = setup({}, namespacedChart('ns'));
    const objs = synth(chart);
    const cc = find(objs, 'TrinoCluster', 'trino').spec.clusterConfig;
    expect(cc.authentication).toEqual([{ authenticationClass: 'ns-trino-users' }]);
    const auth = find(objs, 'AuthenticationClass', 'ns-trino-users');
    expect(auth.metadata.namespace).toBeUndefined();
    expect(auth.spec).toEqual({ provider: { static: { userCredentialsSecret: { name: 'trino-users' } } } });
    const secret = find(objs, 'Secret', 'trino-users');
    expect(secret.metadata.namespace).toBe('ns');
    // The static provider reads one key per user, holding the password.
    expect(secret.stringData).toEqual({ admin: 'adminadmin' });
    expect(trino.admin).toMatchObject({ secretName: 'trino-users', username: 'admin', passwordKey: 'admin' });
  });

  it('uses an existing user Secret without creating one', () => {
    const { chart, trino } = setup({ admin: Credentials.fromSecret('corp-trino-users', 'analyst') }, namespacedChart(), ['analyst']);
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret')).toEqual([]);
    expect(find(objs, 'AuthenticationClass', 'ns-trino-users').spec.provider.static.userCredentialsSecret.name).toBe('corp-trino-users');
    expect(trino.admin.passwordEnv('P').valueFrom?.secretKeyRef).toEqual({ name: 'corp-trino-users', key: 'analyst' });
  });

  it('takes any Rego bundle as its policy, ordered before it; the admin is checked only when the policy lists admins', () => {
    const chart = namespacedChart();
    const bundle = new RegoBundle(chart, 'Bundle', { name: 'acme-trino', files: { 'acme.rego': 'package acme.trino\n\ndefault allow := true\n' } });
    new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: TrinoPolicy.fromBundle(bundle, 'acme.trino'), admin: Credentials.literal('analyst', 'secret123') });
    const objs = synth(chart);
    expect(find(objs, 'TrinoCluster', 'trino').spec.clusterConfig.authorization.opa.package).toBe('acme.trino');
    expect(position(objs, 'ConfigMap', 'acme-trino')).toBeLessThan(position(objs, 'TrinoCluster', 'trino'));
    const listing = TrinoPolicy.fromBundle(bundle, 'acme.trino', ['root']);
    expect(() => new TrinoCluster(namespacedChart(), 'T', { opa: new OpaServer(chart, 'Opa2', { name: 'opa2' }), policy: listing })).toThrow(/admin "admin" is not an admin of test\/Bundle \(admins: "root"\)/);
    expect(() => TrinoPolicy.fromBundle(bundle, 'acme-trino')).toThrow(/packageName "acme-trino" is not a Rego package name/);
  });

  it('is authorized by the OPA server with the policy package', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const opa = find(objs, 'TrinoCluster', 'trino').spec.clusterConfig.authorization.opa;
    expect(opa).toEqual({ configMapName: 'opa', package: 'trino' });
    expect(find(objs, 'OpaCluster', opa.configMapName)).toBeDefined();
  });

  it('comes after OPA and its policy bundle in the output', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const trino = position(objs, 'TrinoCluster', 'trino');
    expect(position(objs, 'OpaCluster', 'opa')).toBeLessThan(trino);
    expect(position(objs, 'ConfigMap', 'trino-opa-bundle')).toBeLessThan(trino);
  });

  it('selects catalogs by the label trino: <name>', () => {
    const { chart, trino } = setup({ name: 'analytics' });
    expect(trino.catalogLabels).toEqual({ trino: 'analytics' });
    expect(find(synth(chart), 'TrinoCluster', 'analytics').spec.clusterConfig.catalogLabelSelector).toEqual({ matchLabels: { trino: 'analytics' } });
  });

  it('defaults to Trino 481, one worker, an external-stable coordinator, restricted pods', () => {
    const { chart, trino } = setup({}, namespacedChart('ns'));
    // The coordinator certificate's pod-scope SAN (the role group's headless Service), not the listener Service.
    expect(trino.url).toBe('https://trino-coordinator-default-headless.ns.svc.cluster.local:8443');
    expect(trino.listenerServiceName).toBe('trino-coordinator');
    expect(trino.podSelector).toEqual({ 'app.kubernetes.io/name': 'trino', 'app.kubernetes.io/instance': 'trino' });
    const spec = find(synth(chart), 'TrinoCluster', 'trino').spec;
    expect(spec.image).toEqual({ productVersion: '481' });
    expect(spec.coordinators.roleConfig).toEqual({ listenerClass: 'external-stable' });
    expect(spec.coordinators.roleGroups).toEqual({ default: { replicas: 1 } });
    expect(spec.workers.roleGroups).toEqual({ default: { replicas: 1 } });
    for (const role of [spec.coordinators, spec.workers]) {
      expect(role.config.resources).toEqual({ cpu: { min: '500m', max: '2000m' }, memory: { limit: '4096Mi' } });
      expect(role.podOverrides.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });

  it('applies version, workers, resources, listener class and AuthenticationClass overrides', () => {
    const { chart } = setup({
      productVersion: '479', workers: 3, listenerClass: 'cluster-internal', authenticationClassName: 'corp-users',
      coordinatorResources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryMi: 1024 },
      workerResources: { cpuRequestMillis: 300, cpuLimitMillis: 400, memoryMi: 2048 },
    });
    const objs = synth(chart);
    const spec = find(objs, 'TrinoCluster', 'trino').spec;
    expect(spec.image.productVersion).toBe('479');
    expect(spec.workers.roleGroups.default.replicas).toBe(3);
    expect(spec.coordinators.roleConfig.listenerClass).toBe('cluster-internal');
    expect(spec.coordinators.config.resources).toEqual({ cpu: { min: '100m', max: '200m' }, memory: { limit: '1024Mi' } });
    expect(spec.workers.config.resources).toEqual({ cpu: { min: '300m', max: '400m' }, memory: { limit: '2048Mi' } });
    expect(spec.clusterConfig.authentication).toEqual([{ authenticationClass: 'corp-users' }]);
    expect(find(objs, 'AuthenticationClass', 'corp-users')).toBeDefined();
    expect(secretKeys(objs, 'trino-users')).toEqual(['admin']);
  });

  it('writes the stacks\' cluster settings: query memory limits, column masking off, config overrides, worker role groups', () => {
    const { chart } = setup({
      queryMaxMemory: '10TB',
      queryMaxMemoryPerNode: '10GB',
      enableColumnMasking: false,
      coordinatorConfigOverrides: { 'config.properties': { 'http-server.authentication.oauth2.refresh-tokens': 'true' } },
      workerConfigOverrides: { 'config.properties': { 'task.concurrency': '8' }, 'log.properties': { 'io.trino': 'DEBUG' } },
      workerRoleGroups: { small: { replicas: 2 }, large: { replicas: 1, resources: { cpuRequestMillis: 2000, cpuLimitMillis: 6000, memoryMi: 20480 } } },
    });
    const spec = find(synth(chart), 'TrinoCluster', 'trino').spec;
    expect(spec.clusterConfig.authorization.opa.enableColumnMasking).toBe(false);
    expect(spec.coordinators.config.queryMaxMemory).toBe('10TB');
    expect(spec.coordinators.config.queryMaxMemoryPerNode).toBeUndefined();
    expect(spec.workers.config.queryMaxMemoryPerNode).toBe('10GB');
    expect(spec.workers.config.queryMaxMemory).toBeUndefined();
    expect(spec.coordinators.configOverrides).toEqual({ 'config.properties': { 'http-server.authentication.oauth2.refresh-tokens': 'true' } });
    expect(spec.workers.configOverrides).toEqual({ 'config.properties': { 'task.concurrency': '8' }, 'log.properties': { 'io.trino': 'DEBUG' } });
    expect(spec.workers.roleGroups).toEqual({
      small: { replicas: 2 },
      large: { replicas: 1, config: { resources: { cpu: { min: '2000m', max: '6000m' }, memory: { limit: '20480Mi' } } } },
    });
    // The role-level resources stay the default of the role groups without their own.
    expect(spec.workers.config.resources).toEqual(spec.coordinators.config.resources);
    expect(spec.coordinators.roleGroups).toEqual({ default: { replicas: 1 } });
  });

  it('leaves the new settings out unless given: one worker role group "default", the operator\'s defaults', () => {
    const { chart } = setup({ workers: 3 });
    const spec = find(synth(chart), 'TrinoCluster', 'trino').spec;
    expect(spec.workers.roleGroups).toEqual({ default: { replicas: 3 } });
    expect(Object.keys(spec.clusterConfig.authorization.opa).sort()).toEqual(['configMapName', 'package']);
    expect(Object.keys(spec.coordinators.config)).toEqual(['resources']);
    expect(Object.keys(spec.workers.config)).toEqual(['resources']);
    expect(spec.coordinators.configOverrides).toBeUndefined();
    expect(spec.workers.configOverrides).toBeUndefined();
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('a chart without a namespace (its host and AuthenticationClass names derive from it)', () => {
      const { opa, policy } = setup();
      expect(() => new TrinoCluster(Testing.chart(), 'Trino', { opa, policy })).toThrow(/^TrinoCluster test\/Trino: the chart "test" has no namespace/);
    });
    it('an admin password or name the operator\'s password-file script would split or expand, without echoing the password', () => {
      expect(build({ admin: Credentials.literal('admin', 'two words') })).toThrow(/^TrinoCluster Trino: admin\.password "\*{9}" must be non-empty without whitespace or \* \? \[ \]/);
      expect(build({ admin: Credentials.literal('admin', 'pass*') })).toThrow(/^TrinoCluster Trino: admin\.password "\*{5}"/);
      expect(build({ admin: Credentials.literal('ad:min', 'adminadmin') })).toThrow(/^TrinoCluster Trino: admin\.username "ad:min" must be non-empty without whitespace or \* \? \[ \] :/);
    });
    it('an admin the policy does not make an admin, naming the policy', () => {
      expect(build({ admin: Credentials.fromSecret('corp', 'analyst') })).toThrow(/^TrinoCluster Trino: admin "analyst" is not an admin of test\/Policy \(admins: "admin"\): OPA would deny it everything/);
    });
    it('two clusters left at the default name, naming both', () => {
      const chart = namespacedChart();
      setup({}, chart);
      new TrinoCluster(chart, 'Trino2', { opa: new OpaServer(chart, 'Opa2', { name: 'opa2' }), policy: new TrinoPolicy(chart, 'Policy2', { name: 'trino-opa-bundle-2' }) });
      expect(() => synth(chart)).toThrow(/TrinoCluster "trino" is created by both test\/Trino and test\/Trino2: give one of them another name/);
    });
    it('negative workers', () => {
      expect(build({ workers: 0 })).toThrow(/TrinoCluster Trino: workers 0 must be an integer >= 1/);
    });
    it('fractional workers', () => {
      expect(build({ workers: 1.5 })).toThrow(/TrinoCluster Trino: workers 1\.5 must be an integer >= 1/);
    });
    it('a listener class the listener-operator does not offer', () => {
      expect(build({ listenerClass: 'public' as never })).toThrow(/TrinoCluster Trino: listenerClass "public" is not allowed: use one of "cluster-internal", "external-unstable", "external-stable"/);
    });
    it('a product version that is not a version number', () => {
      expect(build({ productVersion: 'trino-481' })).toThrow(/TrinoCluster Trino: productVersion "trino-481" is not a version number/);
    });
    it('a name longer than 40 characters', () => {
      expect(build({ name: 't'.repeat(41) })).toThrow(/TrinoCluster Trino: name "t{41}" is not a valid name: use 1-40 /);
    });
    it('a worker CPU limit below the request', () => {
      expect(build({ workerResources: { cpuRequestMillis: 2000, cpuLimitMillis: 1000, memoryMi: 4096 } })).toThrow(/TrinoCluster Trino: workerResources\.cpuLimitMillis 1000 must be an integer >= 2000/);
    });
    it('query memory limits that are not Trino data sizes', () => {
      expect(build({ queryMaxMemory: '10Ti' })).toThrow(/^TrinoCluster Trino: queryMaxMemory "10Ti" is not a Trino data size: use a number and one of B, kB, MB, GB, TB, PB, EB, e.g. "10TB" or "4GB"/);
      expect(build({ queryMaxMemory: '10 TB' })).toThrow(/queryMaxMemory "10 TB" is not a Trino data size/);
      expect(build({ queryMaxMemoryPerNode: '4gb' })).toThrow(/^TrinoCluster Trino: queryMaxMemoryPerNode "4gb" is not a Trino data size/);
      expect(build({ queryMaxMemoryPerNode: '4KB' })).toThrow(/queryMaxMemoryPerNode "4KB" is not a Trino data size/);
      expect(build({ queryMaxMemory: '1.5TB', queryMaxMemoryPerNode: '512kB' })).not.toThrow();
    });
    it('config overrides of a file the operator does not take, or a bad property name', () => {
      expect(build({ coordinatorConfigOverrides: { 'jvm.config': { a: 'b' } } as never })).toThrow(/^TrinoCluster Trino: coordinatorConfigOverrides file "jvm.config" is not one the operator takes: use one of "access-control.properties", "config.properties"/);
      expect(build({ workerConfigOverrides: { 'config.properties': { 'a b': 'c' } } })).toThrow(/^TrinoCluster Trino: workerConfigOverrides\["config.properties"\] key "a b" is not a property name/);
    });
    it('workers and workerRoleGroups both given, bad role group names, no worker at all', () => {
      expect(build({ workers: 2, workerRoleGroups: { default: { replicas: 2 } } })).toThrow(/^TrinoCluster Trino: workers \(2\) and workerRoleGroups are both given/);
      expect(build({ workerRoleGroups: { Big: { replicas: 1 } } })).toThrow(/^TrinoCluster Trino: workerRoleGroups key "Big" is not a valid name/);
      expect(build({ workerRoleGroups: { a: { replicas: -1 } } })).toThrow(/^TrinoCluster Trino: workerRoleGroups.a.replicas -1 must be an integer >= 0/);
      expect(build({ workerRoleGroups: { a: { replicas: 0 } } })).toThrow(/^TrinoCluster Trino: workerRoleGroups \{"a":\{"replicas":0\}\} has 0 workers: give at least 1/);
      expect(build({ workerRoleGroups: {} })).toThrow(/has 0 workers/);
      expect(build({ workerRoleGroups: { a: { resources: { cpuRequestMillis: 2000, cpuLimitMillis: 1000, memoryMi: 1 } } } })).toThrow(/^TrinoCluster Trino: workerRoleGroups\.a\.resources\.cpuLimitMillis 1000/);
    });
    it('a bad AuthenticationClass name', () => {
      expect(build({ authenticationClassName: 'Users' })).toThrow(/TrinoCluster Trino: authenticationClassName "Users" is not a valid object name/);
    });
  });
});
