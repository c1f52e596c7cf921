/**
 * Tests of constructs/postgres/postgres-database.ts: StatefulSet, client and headless Services,
 * probes, credentials Secret, optional NetworkPolicy, and prop validation.
 * Run: npx jest test/postgres
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { PostgresDatabase } from '../../constructs/postgres';
import { container, envOf, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';

describe('PostgresDatabase', () => {
  it('matches the snapshot with defaults', () => {
    const chart = namespacedChart();
    new PostgresDatabase(chart, 'Db');
    expect(synth(chart)).toMatchSnapshot();
  });

  it('exposes host, port and database; the Services and the StatefulSet select its pod', () => {
    const chart = namespacedChart('ns');
    const db = new PostgresDatabase(chart, 'Db', { name: 'postgresql-hive', database: 'hive' });
    expect(db).toMatchObject({ serviceName: 'postgresql-hive', host: 'postgresql-hive.ns.svc.cluster.local', port: 5432, database: 'hive' });
    const objs = synth(chart);
    const svc = find(objs, 'Service', 'postgresql-hive');
    const sts = find(objs, 'StatefulSet', 'postgresql-hive');
    expect(svc.spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 5432 }]);
    expect(svc.spec.selector).toEqual(db.podSelector);
    // Clients use the ClusterIP Service; the StatefulSet is governed by a headless one.
    expect(svc.spec.clusterIP).toBeUndefined();
    const headless = find(objs, 'Service', 'postgresql-hive-headless');
    expect(sts.spec.serviceName).toBe('postgresql-hive-headless');
    expect(headless.spec).toEqual({
      clusterIP: 'None', publishNotReadyAddresses: true, selector: db.podSelector, ports: [{ name: 'postgresql', port: 5432, targetPort: 5432 }],
    });
    expect(sts.spec.selector.matchLabels).toEqual(db.podSelector);
    expect(sts.spec.template.metadata.labels).toEqual(db.podSelector);
    const c = container(podSpec(sts), 'postgresql');
    expect(c.ports).toEqual([{ name: 'postgresql', containerPort: 5432 }]);
    expect(envOf(c).POSTGRES_DB.value).toBe('hive');
  });

  it('is ready when the database accepts connections and alive while its port answers', () => {
    const chart = namespacedChart();
    new PostgresDatabase(chart, 'Db', { database: 'hive' });
    const c = container(podSpec(find(synth(chart), 'StatefulSet', 'postgresql')), 'postgresql');
    // Readiness logs in to the configured database (user and database from the container's env).
    expect(c.readinessProbe.exec.command).toEqual(['sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"']);
    expect(envOf(c).POSTGRES_USER).toBeDefined();
    // Liveness only checks the port, later and less often: a busy server is not restarted.
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 5432 }, initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 6 });
    expect(c.livenessProbe.initialDelaySeconds).toBeGreaterThan(c.readinessProbe.initialDelaySeconds);
  });

  it('by default owns the database as a user named like it, in Secret <name>-credentials', () => {
    const chart = namespacedChart();
    const db = new PostgresDatabase(chart, 'Db', { database: 'superset' });
    const objs = synth(chart);
    expect(find(objs, 'Secret', 'postgresql-credentials').stringData).toEqual({ username: 'superset', password: 'superset' });
    const env = envOf(container(podSpec(find(objs, 'StatefulSet', 'postgresql')), 'postgresql'));
    expect(env.POSTGRES_USER.valueFrom.secretKeyRef).toEqual({ name: 'postgresql-credentials', key: 'username' });
    expect(env.POSTGRES_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'postgresql-credentials', key: 'password' });
    expect(expectSecretRefsResolve(objs)).toHaveLength(2);
    expect(db.credentials).toMatchObject({ secretName: 'postgresql-credentials', username: 'superset' });
  });

  it('uses an existing Secret without creating one', () => {
    const chart = namespacedChart();
    const db = new PostgresDatabase(chart, 'Db', { credentials: Credentials.fromSecret('corp-db', 'owner') });
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret')).toEqual([]);
    const env = envOf(container(podSpec(find(objs, 'StatefulSet', 'postgresql')), 'postgresql'));
    expect(env.POSTGRES_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'corp-db', key: 'password' });
    expect(db.credentials.secretName).toBe('corp-db');
  });

  it('applies storage, image and resource overrides', () => {
    const chart = namespacedChart();
    new PostgresDatabase(chart, 'Db', {
      storageGi: 20, storageClassName: 'fast', image: 'registry.local/postgres:17',
      resources: { cpuRequestMillis: 200, cpuLimitMillis: 400, memoryMi: 1024, ephemeralStorageMi: 512 },
    });
    const sts = find(synth(chart), 'StatefulSet', 'postgresql');
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '20Gi' } } },
    }]);
    const c = container(podSpec(sts), 'postgresql');
    expect(c.image).toBe('registry.local/postgres:17');
    expect(c.resources).toEqual({
      requests: { 'cpu': '200m', 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': '400m', 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
    });
  });

  it('runs restricted as the image\'s own user 999 with writable scratch paths', () => {
    const chart = namespacedChart();
    new PostgresDatabase(chart, 'Db');
    const sts = find(synth(chart), 'StatefulSet', 'postgresql');
    const pod = podSpec(sts);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    const c = container(pod, 'postgresql');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const volumes = [...pod.volumes.map((v: any) => v.name), ...sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)];
    for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    // PGDATA is a sub-directory of the volume (initdb refuses a mount point with lost+found).
    expect(envOf(c).PGDATA.value).toBe('/var/lib/postgresql/data/pgdata');
  });

  it('has no NetworkPolicy unless enabled', () => {
    const chart = namespacedChart();
    const db = new PostgresDatabase(chart, 'Db');
    db.allowFrom({ podSelector: { app: 'x' } });
    expect(db.networkPolicy).toBeUndefined();
    expect(ofKind(synth(chart), 'NetworkPolicy')).toEqual([]);
  });

  it('with a NetworkPolicy, admits exactly the clients allowed on its port and has no egress', () => {
    const chart = namespacedChart();
    const db = new PostgresDatabase(chart, 'Db', { networkPolicy: true });
    db.allowFrom({ podSelector: { app: 'hive' } });
    db.allowFrom({ podSelector: { app: 'superset' } });
    const np = find(synth(chart), 'NetworkPolicy', 'postgresql');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: db.podSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { app: 'hive' } } }, { podSelector: { matchLabels: { app: 'superset' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      }],
    });
  });

  it('with a NetworkPolicy but no client, fails synthesis', () => {
    const chart = namespacedChart();
    new PostgresDatabase(chart, 'Db', { networkPolicy: true });
    expect(() => synth(chart)).toThrow(/PodNetworkPolicy postgresql: no client was allowed/);
  });

  describe('rejects bad props', () => {
    const build = (props: ConstructorParameters<typeof PostgresDatabase>[2]) => () => new PostgresDatabase(namespacedChart(), 'Db', props);
    it('a chart without a namespace (its host name derives from it)', () => {
      expect(() => new PostgresDatabase(Testing.chart(), 'Db')).toThrow(/^PostgresDatabase test\/Db: the chart "test" has no namespace/);
    });
    it('a second database left at the default name: synthesis names both constructs', () => {
      const chart = namespacedChart();
      new PostgresDatabase(chart, 'Hive');
      new PostgresDatabase(chart, 'Superset');
      expect(() => Testing.synth(chart)).toThrow(/StatefulSet "postgresql" is created by both test\/Hive and test\/Superset: give one of them another name/);
    });
    it('a name that is not a DNS label', () => {
      expect(build({ name: 'PostgreSQL' })).toThrow(/PostgresDatabase Db: name "PostgreSQL" is not a valid name/);
    });
    it('a database name that is not an SQL identifier', () => {
      expect(build({ database: 'hive-meta' })).toThrow(/PostgresDatabase Db: database "hive-meta" is not a valid identifier/);
    });
    it('a negative storageGi', () => {
      expect(build({ storageGi: -1 })).toThrow(/PostgresDatabase Db: storageGi -1 must be an integer >= 1/);
    });
    it('too little memory', () => {
      expect(build({ resources: { cpuRequestMillis: 100, cpuLimitMillis: 100, memoryMi: 0 } })).toThrow(/PostgresDatabase Db: resources\.memoryMi 0 must be an integer >= 16/);
    });
    // A StatefulSet's pods carry the label `controller-revision-hash: <name>-<hash>`, which must
    // fit in 63 characters: Kubernetes cannot create the pods of a StatefulSet named longer than 52.
    it('a name too long for a StatefulSet (more than 52 characters)', () => {
      expect(build({ name: 'p'.repeat(53) })).toThrow(/PostgresDatabase Db: name "p{53}" is not a valid name: use 1-52 /);
    });
  });
});
