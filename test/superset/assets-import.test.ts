/**
 * Tests of constructs/superset/assets-import.ts: the import Job, its two ConfigMaps and the
 * credentials it reads, the passwords of the bundle's databases, its trust checks, its
 * NetworkPolicy; and the rule that the superset module knows nothing of the Spark demo.
 * (Bundles are tested in bundle.test.ts and bundle-builder.test.ts.)
 * Run: npx jest test/superset/assets-import.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { PostgresDatabase } from '../../constructs/postgres';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { Credentials } from '../../constructs/core';
import { anomalyDashboardBundle } from '../../demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard';
import { SupersetAssetsImport, SupersetBundle } from '../../constructs/superset';
import { Superset } from '../../constructs/superset';
import { TrinoCluster } from '../../constructs/trino';
import { container, dnsEgressRules, envOf, envValue, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';

type Props = ConstructorParameters<typeof SupersetAssetsImport>[2];
const table = { catalog: 'prediction', schema: 'ad', table: 'iforest' };

/** The anomaly demo's import, as DemoChart wires it (name superset-import-dashboard). */
function setup(props: Partial<Props> = {}, chart: Chart = namespacedChart()) {
  const trust = new TlsTrustStore(chart, 'Trust');
  const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
  const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
  const anomaly = anomalyDashboardBundle({ trino, table, caFile: trust.caFile });
  const dashboard = new SupersetAssetsImport(chart, 'Dashboard', {
    superset, bundle: anomaly.bundle, databases: [{ file: anomaly.databaseFile, password: trino.admin }], trust, name: 'superset-import-dashboard', ...props,
  });
  return { chart, trust, superset, trino, dashboard };
}

describe('SupersetAssetsImport', () => {
  it('runs the import script from a ConfigMap against the bundle ConfigMap', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const job = find(objs, 'Job', 'superset-import-dashboard');
    const pod = podSpec(job);
    const c = container(pod, 'import');
    expect(c.command).toEqual(['python3', '/scripts/import_assets.py']);
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    const script = find(objs, 'ConfigMap', volumes.script.configMap.name);
    expect(script.metadata.name).toBe('superset-import-dashboard-script');
    expect(script.data['import_assets.py']).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', 'superset', 'import_assets.py'), 'utf8'));
    const bundle = find(objs, 'ConfigMap', volumes.bundle.configMap.name);
    expect(bundle.metadata.name).toBe('superset-import-dashboard-bundle');
    expect(Object.keys(bundle.data).length).toBeGreaterThan(0);
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.name, m.mountPath]));
    expect(mounts.script).toBe('/scripts');
    expect(envValue(c, 'BUNDLE_DIR')).toBe(mounts.bundle);
    for (const m of c.volumeMounts) expect(volumes[m.name]).toBeDefined();
  });

  it('reaches Superset by its URL and reads both passwords from their Secrets', () => {
    const { chart } = setup({}, namespacedChart('ns'));
    const objs = synth(chart);
    const c = container(podSpec(find(objs, 'Job', 'superset-import-dashboard')), 'import');
    const env = envOf(c);
    expect(env.SUPERSET_URL.value).toBe('http://superset-node.ns.svc.cluster.local:8088');
    expect(env.SUPERSET_USERNAME.valueFrom.secretKeyRef).toEqual({ name: 'superset-credentials', key: 'adminUser.username' });
    expect(env.SUPERSET_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'superset-credentials', key: 'adminUser.password' });
    // One variable per database file, named by DATABASE_PASSWORDS (read by import_assets.py).
    expect(JSON.parse(env.DATABASE_PASSWORDS.value)).toEqual({ 'databases/trino.yaml': 'DATABASE_PASSWORD_1' });
    expect(env.DATABASE_PASSWORD_1.valueFrom.secretKeyRef).toEqual({ name: 'trino-users', key: 'admin' });
    expect(expectSecretRefsResolve(objs, c)).toHaveLength(3);
    // The bundle points at the Trino coordinator, without any password.
    const bundle = find(objs, 'ConfigMap', 'superset-import-dashboard-bundle');
    // The host in Trino's certificate (TrinoCluster.host), not the listener Service `trino-coordinator`.
    expect(JSON.stringify(bundle.data)).toContain('@trino-coordinator-default-headless.ns.svc.cluster.local:8443/');
    expect(JSON.stringify(bundle.data)).not.toContain('adminadmin');
  });

  it('defaults to the Stackable Superset image of the cluster version; runs restricted with resources', () => {
    const { chart, dashboard } = setup();
    expect(dashboard.podSelector).toEqual({ 'app.kubernetes.io/name': 'superset-import-assets', 'app.kubernetes.io/instance': 'superset-import-dashboard' });
    const job = find(synth(chart), 'Job', 'superset-import-dashboard');
    const pod = podSpec(job);
    expect(job.spec.template.metadata.labels).toEqual(dashboard.podSelector);
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(pod.automountServiceAccountToken).toBe(false);
    // The Stackable image's own user (STACKABLE_IMAGE_USER): it owns the image's Python.
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    const c = container(pod, 'import');
    expect(c.image).toBe('oci.stackable.tech/sdp/superset:6.1.0-stackable26.7.0');
    expect(envValue(c, 'WAIT_SECONDS')).toBe('1800');
    expect(c.resources).toEqual({
      requests: { 'cpu': '50m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('applies name, wait time, image and resource overrides', () => {
    const { chart } = setup({ name: 'dash', waitSeconds: 60, image: 'registry.local/py:3', resources: { cpuRequestMillis: 10, cpuLimitMillis: 10, memoryMi: 64, ephemeralStorageMi: 128 } });
    const objs = synth(chart);
    const c = container(podSpec(find(objs, 'Job', 'dash')), 'import');
    expect(find(objs, 'ConfigMap', 'dash-bundle')).toBeDefined();
    expect(find(objs, 'ConfigMap', 'dash-script')).toBeDefined();
    expect(envValue(c, 'WAIT_SECONDS')).toBe('60');
    expect(c.image).toBe('registry.local/py:3');
    expect(c.resources.limits).toEqual({ 'cpu': '10m', 'memory': '64Mi', 'ephemeral-storage': '128Mi' });
  });

  it('has no NetworkPolicy unless enabled', () => {
    const { chart } = setup();
    expect(ofKind(synth(chart), 'NetworkPolicy')).toEqual([]);
  });

  it('with a NetworkPolicy, accepts no connection and reaches only the Superset pods\' web port and DNS', () => {
    const { chart, superset, dashboard } = setup({ networkPolicy: true });
    const objs = synth(chart);
    const np = find(objs, 'NetworkPolicy', 'superset-import-dashboard');
    expect(np.spec.podSelector.matchLabels).toEqual(dashboard.podSelector);
    expect(np.spec.podSelector.matchLabels).toEqual(find(objs, 'Job', 'superset-import-dashboard').spec.template.metadata.labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    // The operator labels the Superset pods with the cluster's name and instance.
    expect(superset.podSelector).toEqual({ 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': 'superset' });
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: superset.podSelector } }], ports: [{ protocol: 'TCP', port: 8088 }] },
      ...dnsEgressRules(),
    ]);
    // The port allowed is the one of SUPERSET_URL.
    expect(envValue(container(podSpec(find(objs, 'Job', 'superset-import-dashboard')), 'import'), 'SUPERSET_URL')).toMatch(/:8088$/);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('trust in another SecretClass than the one issuing Trino\'s certificate', () => {
      const chart = namespacedChart();
      const trust = new TlsTrustStore(chart, 'Trust');
      const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
      const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'), tlsSecretClass: 'trino-tls' });
      const bundle = SupersetBundle.trinoDatabase(trino, { catalog: 'hive', caFile: trust.caFile });
      expect(() => new SupersetAssetsImport(chart, 'Dashboard', { superset, bundle, databases: [{ file: 'databases/trino.yaml', password: trino.admin }] }))
        .toThrow(/^SupersetAssetsImport Dashboard: trust \(test\/Trust\) holds the CA of SecretClass "tls", but the certificate of test\/Trino is issued by "trino-tls": Superset could not verify Trino/);
    });
    it('a name longer than 52 characters', () => {
      expect(build({ name: 'd'.repeat(53) })).toThrow(/SupersetAssetsImport Dashboard: name "d{53}" is not a valid name: use 1-52 /);
    });
    it('a zero waitSeconds', () => {
      expect(build({ waitSeconds: 0 })).toThrow(/SupersetAssetsImport Dashboard: waitSeconds 0 must be an integer >= 1/);
    });
    // Kubernetes rejects a container whose CPU limit is below its request; the other constructs
    // validate their resources, this one passes them through unchecked.
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 500, cpuLimitMillis: 100, memoryMi: 256 } }))
        .toThrow(/SupersetAssetsImport Dashboard: resources\.cpuLimitMillis 100 must be an integer >= 500/);
    });
  });

  describe('database passwords', () => {
    const foreign = () => SupersetBundle.fromFiles({
      'metadata.yaml': 'version: 1.0.0\ntype: assets\n',
      'databases/a.yaml': 'database_name: A\nuuid: 11111111-1111-4111-8111-111111111111\n',
      'databases/b.yaml': 'database_name: B\nuuid: 22222222-2222-4222-8222-222222222222\n',
    });
    const base = () => {
      const chart = namespacedChart();
      const trust = new TlsTrustStore(chart, 'Trust');
      const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
      const a = Credentials.fromSecret('db-a', 'a').bind(chart, 'A', { secretName: 'db-a', passwordKey: 'password' });
      const b = Credentials.fromSecret('db-b', 'b').bind(chart, 'B', { secretName: 'db-b', passwordKey: 'pw' });
      return { chart, superset, a, b };
    };
    it('every database file of the bundle needs one, named in the error with the prop', () => {
      const { chart, superset, a } = base();
      expect(() => new SupersetAssetsImport(chart, 'Import', { superset, bundle: foreign(), databases: [{ file: 'databases/a.yaml', password: a }] }))
        .toThrow(/^SupersetAssetsImport Import: the bundle's databases\/b.yaml needs a password: add \{ file: 'databases\/b.yaml', password: <credentials> \} to databases$/);
      expect(() => new SupersetAssetsImport(chart, 'Import2', { superset, bundle: foreign() })).toThrow(/databases\/a.yaml needs a password/);
    });
    it('an unknown or repeated file is an error', () => {
      const { chart, superset, a, b } = base();
      expect(() => new SupersetAssetsImport(chart, 'Import', { superset, bundle: foreign(), databases: [{ file: 'databases/a.yaml', password: a }, { file: 'databases/B.yaml', password: b }] }))
        .toThrow(/^SupersetAssetsImport Import: databases\[1\].file "databases\/B.yaml" is not a database file of the bundle; its database files: databases\/a.yaml, databases\/b.yaml$/);
      expect(() => new SupersetAssetsImport(chart, 'Import2', { superset, bundle: foreign(), databases: [{ file: 'databases/a.yaml', password: a }, { file: 'databases/a.yaml', password: b }] }))
        .toThrow(/databases\[1\].file "databases\/a.yaml" is given twice/);
    });
    it('each password reaches the script from its own Secret', () => {
      const { chart, superset, a, b } = base();
      new SupersetAssetsImport(chart, 'Import', { superset, bundle: foreign(), databases: [{ file: 'databases/b.yaml', password: b }, { file: 'databases/a.yaml', password: a }] });
      const c = container(podSpec(find(synth(chart), 'Job', 'superset-import-assets')), 'import');
      const env = envOf(c);
      expect(JSON.parse(env.DATABASE_PASSWORDS.value)).toEqual({ 'databases/a.yaml': 'DATABASE_PASSWORD_1', 'databases/b.yaml': 'DATABASE_PASSWORD_2' });
      expect(env.DATABASE_PASSWORD_1.valueFrom.secretKeyRef).toEqual({ name: 'db-a', key: 'password' });
      expect(env.DATABASE_PASSWORD_2.valueFrom.secretKeyRef).toEqual({ name: 'db-b', key: 'pw' });
    });
    it('a bundle without databases needs none', () => {
      const { chart, superset } = base();
      const bundle = SupersetBundle.fromFiles({ 'metadata.yaml': 'version: 1.0.0\ntype: assets\n' });
      new SupersetAssetsImport(chart, 'Import', { superset, bundle });
      expect(JSON.parse(envValue(container(podSpec(find(synth(chart), 'Job', 'superset-import-assets')), 'import'), 'DATABASE_PASSWORDS'))).toEqual({});
    });
  });

  it('a Trino connection must use the CA file of the trust Superset mounts', () => {
    const chart = namespacedChart();
    const trust = new TlsTrustStore(chart, 'Trust');
    const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
    const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
    const bundle = SupersetBundle.trinoDatabase(trino, { catalog: 'hive', caFile: '/etc/ssl/other.crt' });
    expect(() => new SupersetAssetsImport(chart, 'Import', { superset, bundle, databases: [{ file: 'databases/trino.yaml', password: trino.admin }] }))
      .toThrow(/SupersetAssetsImport Import: the bundle's databases\/trino.yaml verifies Trino's certificate against \/etc\/ssl\/other.crt, but trust \(test\/Trust\) mounts its CA at \/stackable\/trust\/ca.crt in the Superset pods/);
  });

  it('rejects a bundle larger than a ConfigMap holds', () => {
    const big = SupersetBundle.fromFiles({ 'metadata.yaml': 'version: 1.0.0\ntype: assets\n', 'dashboards/big.yaml': `x: "${'a'.repeat(1024 * 1024)}"\n` });
    const chart = namespacedChart();
    const trust = new TlsTrustStore(chart, 'Trust');
    const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
    expect(() => new SupersetAssetsImport(chart, 'Import', { superset, bundle: big })).toThrow(/the bundle has \d+ bytes, more than a ConfigMap holds \(1 MiB\)/);
  });
});

describe('the superset module knows no demo', () => {
  it('no file of constructs/superset imports from ../spark', () => {
    const dir = path.join(__dirname, '..', '..', 'constructs', 'superset');
    const sources = fs.readdirSync(dir).filter(f => f.endsWith('.ts'));
    expect(sources).toEqual(expect.arrayContaining(['assets-import.ts', 'bundle.ts', 'bundle-builder.ts', 'index.ts']));
    for (const f of sources) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect({ file: f, imports: text.match(/(from|require\()\s*['"][^'"]*spark[^'"]*['"]/g) }).toEqual({ file: f, imports: null });
    }
  });
});
