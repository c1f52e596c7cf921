/**
 * Tests of constructs/trino/trino-sql-job.ts. Its script runs with the real Trino CLI in
 * test/trino/test_trino_sql_job.py (superset suite).
 * Run: npx jest test/trino
 */
import { Credentials } from '../../constructs/core';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { IS3Data } from '../../constructs/s3';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { TRINO_CLI_MIN_MEMORY_MI, TrinoCluster, TrinoSqlJob } from '../../constructs/trino';
import { container, envOf, expectSecretRefsResolve, find, namespacedChart, podSpec, synth } from '../util';

type Props = ConstructorParameters<typeof TrinoSqlJob>[2];

function setup(props: Partial<Props> = {}, chart = namespacedChart(), trinoTls?: string) {
  const trust = new TlsTrustStore(chart, 'Trust');
  const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'), tlsSecretClass: trinoTls });
  const job = new TrinoSqlJob(chart, 'Sql', { trino, trust, statements: ['CREATE SCHEMA IF NOT EXISTS hive.taxi', 'SELECT 1;'], ...props });
  return { chart, trust, trino, job };
}

describe('TrinoSqlJob', () => {
  it('runs the statements from a ConfigMap with the pinned Stackable trino-cli image, as its user, against the certificate host', () => {
    const { chart } = setup({}, namespacedChart('ns'));
    const objs = synth(chart);
    expect(find(objs, 'ConfigMap', 'trino-sql-statements').data).toEqual({ 'statements.sql': 'CREATE SCHEMA IF NOT EXISTS hive.taxi;\nSELECT 1;\n' });
    const pod = podSpec(find(objs, 'Job', 'trino-sql'));
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
    const c = container(pod, 'sql');
    expect(c.image).toBe('oci.stackable.tech/sdp/trino-cli:481-stackable26.7.0');
    const env = envOf(c);
    expect(env.TRINO_SERVER.value).toBe('https://trino-coordinator-default-headless.ns.svc.cluster.local:8443');
    expect(env.TRINO_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'trino-users', key: 'admin' });
    expect(env.TRUST_FILE.value).toBe('/stackable/trust/ca.crt');
    expect(c.command.join(' ')).not.toContain('adminadmin');
    expectSecretRefsResolve(objs);
  });

  it('gives the CLI\'s JVM room for the 1 GiB heap its launcher asks for (-Xmx1G) plus the JVM\'s own memory', () => {
    const c = container(podSpec(find(synth(setup().chart), 'Job', 'trino-sql')), 'sql');
    expect(TRINO_CLI_MIN_MEMORY_MI).toBe(1280);
    expect(c.resources.limits.memory).toBe('1280Mi');
    expect(c.resources.requests.memory).toBe('1280Mi');
    const more = container(podSpec(find(synth(setup({ resources: { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryMi: 2048 } }).chart), 'Job', 'trino-sql')), 'sql');
    expect(more.resources.limits.memory).toBe('2048Mi');
  });

  it('runs as another Trino user when given one', () => {
    const chart = namespacedChart();
    const user = Credentials.literal('loader', 'l0ader-pw').bind(chart, 'Loader', { secretName: 'loader', passwordKey: 'loader' });
    const { chart: c2 } = setup({ user }, chart);
    const env = envOf(container(podSpec(find(synth(c2), 'Job', 'trino-sql')), 'sql'));
    expect(env.TRINO_USER.value).toBe('loader');
    expect(env.TRINO_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'loader', key: 'loader' });
  });

  it('waits for the data of waitFor in init containers, sharing identical volumes, and lets the pod reach its server', () => {
    const chart = namespacedChart();
    const readers: Array<[string, boolean]> = [];
    const data = (n: number): IS3Data => ({
      bucket: 'demo', prefix: `raw${n}/`, s3aUrl: `s3a://demo/raw${n}/`,
      waitForDataContainer: (name = 'wait') => ({ name, image: 'mc', volumeMounts: [{ name: 'tls-trust', mountPath: '/ca' }, { name: `scratch${n}`, mountPath: '/tmp' }] }),
      // The same trust store volume as the Job's own (setup creates the store before the Job).
      waitForDataVolumes: () => [(chart.node.findChild('Trust') as TlsTrustStore).volume(), { name: `scratch${n}`, emptyDir: {} }],
      allowReader: (client, policy) => { readers.push([JSON.stringify(client.podSelector), policy !== undefined]); },
    });
    const { job } = setup({ waitFor: [data(1), data(2)], networkPolicy: true }, chart);
    const pod = podSpec(find(synth(chart), 'Job', 'trino-sql'));
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(['wait-for-data-0', 'wait-for-data-1']);
    expect(pod.volumes.map((v: { name: string }) => v.name).sort()).toEqual(['scratch1', 'scratch2', 'sql', 'tls-trust', 'tmp'].sort());
    expect(readers).toEqual([[JSON.stringify(job.podSelector), true], [JSON.stringify(job.podSelector), true]]);
  });

  it('refuses data whose volume has the name of a different volume of the Job', () => {
    const clash: IS3Data = {
      bucket: 'demo', prefix: 'raw/', s3aUrl: 's3a://demo/raw/',
      waitForDataContainer: () => ({ name: 'wait', image: 'mc' }),
      waitForDataVolumes: () => [{ name: 'sql', emptyDir: {} }],
      allowReader: () => undefined,
    };
    expect(() => setup({ waitFor: [clash] })).toThrow(/^TrinoSqlJob Sql: two different volumes are named "sql"/);
  });

  describe('rejects bad props', () => {
    it('no statements, or an empty one', () => {
      expect(() => setup({ statements: [] })).toThrow(/^TrinoSqlJob Sql: statements must list at least one SQL statement$/);
      expect(() => setup({ statements: ['SELECT 1', ' ; '] })).toThrow(/^TrinoSqlJob Sql: statements\[1\] is empty$/);
    });
    it('trust of another SecretClass than Trino\'s certificate', () => {
      expect(() => setup({}, namespacedChart(), 'trino-tls')).toThrow(/^TrinoSqlJob Sql: trust \(test\/Trust\) holds the CA of SecretClass "tls", but the certificate of test\/Trino is issued by "trino-tls"/);
    });
    it('memory below what the CLI\'s JVM may take', () => {
      expect(() => setup({ resources: { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 512 } })).toThrow(
        /^TrinoSqlJob Sql: resources.memoryMi 512 is below 1280: the trino-cli launcher starts Java with -Xmx1G, .*give at least 1280$/);
    });
    it('a zero wait', () => {
      expect(() => setup({ waitSeconds: 0 })).toThrow(/TrinoSqlJob Sql: waitSeconds 0 must be an integer >= 1/);
    });
  });
});
