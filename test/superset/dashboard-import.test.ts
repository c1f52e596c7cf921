/**
 * Tests of constructs/superset/dashboard-import.ts: the import Job, its two ConfigMaps and the
 * credentials it reads, its NetworkPolicy. (The bundle's contents are tested in dashboard-bundle.test.ts.)
 * Run: npx jest test/superset/dashboard-import.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { PostgresDatabase } from '../../constructs/postgres';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { Superset, SupersetDashboardImport } from '../../constructs/superset';
import { TrinoCluster } from '../../constructs/trino';
import { container, envOf, envValue, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';

type Props = ConstructorParameters<typeof SupersetDashboardImport>[2];
const table = { catalog: 'prediction', schema: 'ad', table: 'iforest' };

function setup(props: Partial<Props> = {}, chart: Chart = Testing.chart()) {
  const trust = new TlsTrustStore(chart, 'Trust');
  const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
  const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
  const dashboard = new SupersetDashboardImport(chart, 'Dashboard', { superset, trino, table, trust, ...props });
  return { chart, trust, superset, trino, dashboard };
}

describe('SupersetDashboardImport', () => {
  it('runs the import script from a ConfigMap against the bundle ConfigMap', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const job = find(objs, 'Job', 'superset-import-dashboard');
    const pod = podSpec(job);
    const c = container(pod, 'import');
    expect(c.command).toEqual(['python3', '/scripts/import_dashboard.py']);
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    const script = find(objs, 'ConfigMap', volumes.script.configMap.name);
    expect(script.metadata.name).toBe('superset-import-dashboard-script');
    expect(script.data['import_dashboard.py']).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', 'superset', 'import_dashboard.py'), 'utf8'));
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
    expect(env.TRINO_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'trino-users', key: 'admin' });
    expect(expectSecretRefsResolve(objs, c)).toHaveLength(3);
    // The bundle points at the Trino coordinator, without any password.
    const bundle = find(objs, 'ConfigMap', 'superset-import-dashboard-bundle');
    // The host in Trino's certificate (TrinoCluster.host), not the listener Service `trino-coordinator`.
    expect(JSON.stringify(bundle.data)).toContain('@trino-coordinator-default-headless.ns.svc.cluster.local:8443/');
    expect(JSON.stringify(bundle.data)).not.toContain('adminadmin');
  });

  it('defaults to the Stackable Superset image of the cluster version; runs restricted with resources', () => {
    const { chart, dashboard } = setup();
    expect(dashboard.podSelector).toEqual({ 'app.kubernetes.io/name': 'superset-import-dashboard', 'app.kubernetes.io/instance': 'superset-import-dashboard' });
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

  it('with a NetworkPolicy, accepts no connection and reaches only the Superset pods\' web port and the cluster DNS', () => {
    const { chart, superset, dashboard } = setup({ networkPolicy: true });
    const objs = synth(chart);
    const np = find(objs, 'NetworkPolicy', 'superset-import-dashboard');
    expect(np.spec.podSelector.matchLabels).toEqual(dashboard.podSelector);
    expect(np.spec.podSelector.matchLabels).toEqual(find(objs, 'Job', 'superset-import-dashboard').spec.template.metadata.labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([]);
    // The operator labels the Superset pods with the cluster's name and instance.
    expect(superset.podSelector).toEqual({ 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': 'superset' });
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: superset.podSelector } }], ports: [{ protocol: 'TCP', port: 8088 }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]);
    // The port allowed is the one of SUPERSET_URL.
    expect(envValue(container(podSpec(find(objs, 'Job', 'superset-import-dashboard')), 'import'), 'SUPERSET_URL')).toMatch(/:8088$/);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('trust in another SecretClass than the one issuing Trino\'s certificate', () => {
      const chart = Testing.chart();
      const trust = new TlsTrustStore(chart, 'Trust');
      const superset = new Superset(chart, 'Superset', { database: new PostgresDatabase(chart, 'Db', { name: 'postgresql-superset' }), trust });
      const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'), tlsSecretClass: 'trino-tls' });
      expect(() => new SupersetDashboardImport(chart, 'Dashboard', { superset, trino, table, trust }))
        .toThrow(/^SupersetDashboardImport Dashboard: trust \(test\/Trust\) holds the CA of SecretClass "tls", but the certificate of test\/Trino is issued by "trino-tls": Superset could not verify Trino/);
    });
    it('a name longer than 52 characters', () => {
      expect(build({ name: 'd'.repeat(53) })).toThrow(/SupersetDashboardImport Dashboard: name "d{53}" is not a valid name: use 1-52 /);
    });
    it('a zero waitSeconds', () => {
      expect(build({ waitSeconds: 0 })).toThrow(/SupersetDashboardImport Dashboard: waitSeconds 0 must be an integer >= 1/);
    });
    // Kubernetes rejects a container whose CPU limit is below its request; the other constructs
    // validate their resources, this one passes them through unchecked.
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 500, cpuLimitMillis: 100, memoryMi: 256 } }))
        .toThrow(/SupersetDashboardImport Dashboard: resources\.cpuLimitMillis 100 must be an integer >= 500/);
    });
  });
});
