/**
 * Tests of demos/spark-k8s-anomaly-detection-taxi-data/demo-chart.ts: how DemoChart props reach the objects, NetworkPolicies, the
 * Superset secret key, existing-Secret credentials, prop validation, and that scripts/synth.ts
 * leaves the output folder untouched on a bad prop. (The default demo's snapshot and cross-object wiring are in main.test.ts.)
 * Run: npx jest test/demo-chart.test.ts
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Credentials, DnsEgress } from '../../../constructs/core';
import { DemoChart, DemoChartProps } from '../../../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { SupersetSecretKey } from '../../../constructs/superset';
import { DEMO_CHART_ID, parseSynthArgs } from '../../../scripts/synth';
import { baseName, collect, dnsEgressRules, envValue, find, K8sObject, ofKind, podSpec, position, synth } from '../../util';

const demo = (props: DemoChartProps = {}): K8sObject[] => synth(new DemoChart(Testing.app(), 'demo', props));
const CLUSTER_SCOPED = new Set(['SecretClass', 'AuthenticationClass', 'Namespace']);

describe('DemoChart', () => {
  describe('namespace', () => {
    it('puts every namespaced object in the namespace, creates it first, and leaves cluster-scoped kinds without one', () => {
      const objs = demo({ namespace: 'taxi' });
      expect(find(objs, 'Namespace', 'taxi')).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'taxi' } });
      expect(position(objs, 'Namespace', 'taxi')).toBe(0);
      for (const o of objs) {
        if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
        else expect(o.metadata.namespace).toBe('taxi');
      }
      expect(ofKind(objs, 'SecretClass').length + ofKind(objs, 'AuthenticationClass').length).toBeGreaterThanOrEqual(2);
      // DNS names follow the namespace.
      expect(find(objs, 'S3Connection', 'minio').spec.host).toBe('minio.taxi.svc.cluster.local');
    });

    it('does not create the namespace when told not to, nor the default one', () => {
      expect(ofKind(demo({ namespace: 'taxi', createNamespace: false }), 'Namespace')).toEqual([]);
      const objs = demo();
      expect(ofKind(objs, 'Namespace')).toEqual([]);
      expect(find(objs, 'Deployment', 'minio').metadata.namespace).toBe('default');
    });
  });

  it('passes versions to every product and to the import Job image', () => {
    const objs = demo({ versions: { hive: '4.1.0', trino: '479', opa: '1.17.0', superset: '6.0.0', spark: '4.0.1' } });
    expect(find(objs, 'HiveCluster', 'hive').spec.image.productVersion).toBe('4.1.0');
    expect(find(objs, 'HiveCluster', 'hive-iceberg').spec.image.productVersion).toBe('4.1.0');
    expect(find(objs, 'TrinoCluster', 'trino').spec.image.productVersion).toBe('479');
    expect(find(objs, 'OpaCluster', 'opa').spec.image.productVersion).toBe('1.17.0');
    expect(find(objs, 'SupersetCluster', 'superset').spec.image.productVersion).toBe('6.0.0');
    expect(podSpec(find(objs, 'Job', 'superset-import-dashboard')).containers[0].image).toBe('oci.stackable.tech/sdp/superset:6.0.0-stackable26.7.0');
    expect(find(objs, 'SparkApplication', 'spark-ad').spec.sparkImage.productVersion).toBe('4.0.1');
  });

  it('passes months and source URL to the load and to the job\'s wait', () => {
    const objs = demo({ months: ['2021-01', '2021-02'], dataSourceUrl: 'https://mirror.local/tlc/' });
    const load = podSpec(find(objs, 'Job', 'load-ny-taxi-data')).containers[0];
    expect(envValue(load, 'FILES')).toBe([
      'fhvhv_tripdata_2021-01.parquet https://mirror.local/tlc/fhvhv_tripdata_2021-01.parquet',
      'fhvhv_tripdata_2021-02.parquet https://mirror.local/tlc/fhvhv_tripdata_2021-02.parquet',
    ].join('\n'));
    expect(envValue(load, 'TARGET')).toBe('https://minio.default.svc.cluster.local:9000/demo/ny-taxi-data/raw/');
    const wait = find(objs, 'SparkApplication', 'spark-ad').spec.job.podOverrides.spec.initContainers[0];
    expect(envValue(wait, 'KEYS')).toBe('fhvhv_tripdata_2021-01.parquet fhvhv_tripdata_2021-02.parquet');
  });

  it('passes sizes, workers, executors and model parameters', () => {
    const objs = demo({ minioStorageGi: 40, trinoWorkers: 3, sparkExecutors: 4, model: { contamination: 0.01, nEstimators: 100, maxSamples: 0.5, randomState: 1 } });
    expect(find(objs, 'PersistentVolumeClaim', 'minio-data').spec.resources.requests.storage).toBe('40Gi');
    expect(find(objs, 'TrinoCluster', 'trino').spec.workers.roleGroups.default.replicas).toBe(3);
    const app = find(objs, 'SparkApplication', 'spark-ad');
    expect(app.spec.executor.replicas).toBe(4);
    const args: string[] = app.spec.args;
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    expect([arg('--contamination'), arg('--n-estimators'), arg('--max-samples'), arg('--random-state')]).toEqual(['0.01', '100', '0.5', '1']);
  });

  describe('NetworkPolicies', () => {
    it('are absent by default', () => {
      expect(ofKind(demo(), 'NetworkPolicy')).toEqual([]);
    });

    const objs = demo({ namespace: 'taxi', networkPolicies: true });
    const policy = (name: string) => find(objs, 'NetworkPolicy', name);
    const label = (selector: Record<string, string>) => `${selector['app.kubernetes.io/name']}/${selector['app.kubernetes.io/instance'] ?? selector['app.kubernetes.io/part-of']}`;
    const DNS = dnsEgressRules();
    const isDns = (rule: unknown) => DNS.some(d => JSON.stringify(d) === JSON.stringify(rule));
    const SERVERS = ['minio', 'postgresql-hive', 'postgresql-hive-iceberg', 'postgresql-superset'];
    const JOBS = ['load-ny-taxi-data', 'minio-buckets', 'superset-import-dashboard'];

    it('when enabled, cover every pod the demo writes, in both directions', () => {
      expect(ofKind(objs, 'NetworkPolicy').map(o => o.metadata.name).sort()).toEqual([...SERVERS, ...JOBS].sort());
      const workloads = [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'StatefulSet'), ...ofKind(objs, 'Job')];
      expect(workloads.map(baseName).sort()).toEqual([...SERVERS, ...JOBS].sort());
      for (const w of workloads) {
        const np = policy(baseName(w));
        expect({ name: w.metadata.name, selects: np.spec.podSelector.matchLabels }).toEqual({ name: w.metadata.name, selects: w.spec.template.metadata.labels });
        expect(np.metadata.namespace).toBe('taxi');
        expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      }
    });

    it('when enabled, let each server be reached by exactly its clients, on its port, and open no connection', () => {
      const clients = (name: string) => {
        expect(policy(name).spec.ingress).toHaveLength(1);
        return policy(name).spec.ingress[0].from.map((f: any) => label(f.podSelector.matchLabels)).sort();
      };
      expect(clients('minio')).toEqual([
        'hive/hive', 'hive/hive-iceberg', 'minio-buckets/minio-buckets', 's3-file-load/load-ny-taxi-data', 'spark-k8s/spark-ad', 'trino/trino',
      ]);
      expect(policy('minio').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
      expect(clients('postgresql-hive')).toEqual(['hive/hive']);
      expect(clients('postgresql-hive-iceberg')).toEqual(['hive/hive-iceberg']);
      expect(clients('postgresql-superset')).toEqual(['superset/superset']);
      for (const pg of ['postgresql-hive', 'postgresql-hive-iceberg', 'postgresql-superset']) {
        expect(policy(pg).spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
      }
      for (const server of SERVERS) expect(policy(server).spec.egress).toBeUndefined();
    });

    it('when enabled, let the Jobs accept nothing and reach only what they need', () => {
      const egress = (name: string) => {
        expect(policy(name).spec.ingress).toBeUndefined();
        return policy(name).spec.egress.map((r: any) => (isDns(r) ? 'dns' : {
          to: r.to.map((p: any) => (p.ipBlock ? p.ipBlock.cidr : label(p.podSelector.matchLabels))),
          ports: r.ports.map((p: any) => `${p.protocol}/${p.port}`),
        }));
      };
      // DNS: the rules of PodNetworkPolicy.allowDns() with the default DnsEgress (test/core/network.test.ts).
      const dns = DNS.map(() => 'dns');
      expect(egress('minio-buckets')).toEqual([{ to: ['minio/minio'], ports: ['TCP/9000'] }, ...dns]);
      expect(egress('load-ny-taxi-data')).toEqual([
        { to: ['minio/minio'], ports: ['TCP/9000'] }, ...dns, { to: ['0.0.0.0/0', '::/0'], ports: ['TCP/443', 'TCP/80'] },
      ]);
      // The import Job reaches the pods the superset-operator creates for the SupersetCluster.
      expect(egress('superset-import-dashboard')).toEqual([{ to: ['superset/superset'], ports: ['TCP/8088'] }, ...dns]);
      expect(find(objs, 'SupersetCluster', 'superset').metadata.name).toBe('superset');
    });

    it('take their DNS egress from dnsEgress, for every policy that opens connections', () => {
      const narrow = DnsEgress.clusterDns({ ipBlocks: ['169.254.20.10/32'] });
      const custom = demo({ networkPolicies: true, dnsEgress: narrow });
      for (const job of JOBS) {
        expect({ job, dns: find(custom, 'NetworkPolicy', job).spec.egress.filter((r: any) => r.ports.some((p: any) => p.port === 53)) })
          .toEqual({ job, dns: dnsEgressRules(narrow) });
      }
      for (const server of SERVERS) expect(find(custom, 'NetworkPolicy', server).spec.egress).toBeUndefined();
    });

    it('when enabled, admit every connection a Job may open at the server it goes to', () => {
      const checked: string[] = [];
      for (const job of JOBS) {
        for (const rule of policy(job).spec.egress) {
          for (const peer of (rule.to ?? []).filter((p: any) => p.podSelector && !p.namespaceSelector)) {
            const server = SERVERS.map(policy).find(np => JSON.stringify(np.spec.podSelector) === JSON.stringify(peer.podSelector));
            if (server === undefined) continue; // a pod of an operator, which has no policy
            const jobLabels = find(objs, 'Job', job).spec.template.metadata.labels;
            const admitting = server.spec.ingress.filter((r: any) => r.from.some((f: any) => JSON.stringify(f.podSelector.matchLabels) === JSON.stringify(jobLabels)));
            expect({ job, server: server.metadata.name, ports: admitting.flatMap((r: any) => r.ports) }).toEqual({ job, server: server.metadata.name, ports: rule.ports });
            checked.push(`${job}->${server.metadata.name}`);
          }
        }
      }
      expect(checked.sort()).toEqual(['load-ny-taxi-data->minio', 'minio-buckets->minio']);
    });
  });

  it('exposes Trino and Superset with the listener class it is given', () => {
    const objs = demo({ listenerClass: 'external-unstable' });
    expect(find(objs, 'TrinoCluster', 'trino').spec.coordinators.roleConfig.listenerClass).toBe('external-unstable');
    expect(find(objs, 'SupersetCluster', 'superset').spec.nodes.roleConfig.listenerClass).toBe('external-unstable');
  });

  describe('Superset secret key', () => {
    it('is left to the superset-operator by default: no Secret holds a SECRET_KEY, and no object the old published key', () => {
      for (const objs of [demo(), demo({ namespace: 'taxi-demo', networkPolicies: true })]) {
        expect(ofKind(objs, 'Secret').filter(s => 'SECRET_KEY' in { ...s.data, ...s.stringData }).map(s => s.metadata.name)).toEqual([]);
        expect(JSON.stringify(objs)).not.toContain('demo-superset-secret-key');
      }
    });

    it('can be set, in the Secret the superset-operator reads it from', () => {
      const objs = demo({ supersetSecretKey: SupersetSecretKey.literal('a-long-random-key') });
      expect(find(objs, 'Secret', 'superset-secret-key').stringData).toEqual({ SECRET_KEY: 'a-long-random-key' });
      // superset-operator 26.7 no longer reads connections.secretKey (only to migrate 26.3 installations).
      expect(find(objs, 'Secret', 'superset-credentials').stringData['connections.secretKey']).toBeUndefined();
      // Independent of the admin: also with an existing admin Secret.
      const existing = demo({ supersetSecretKey: SupersetSecretKey.literal('k2'), credentials: { admin: Credentials.fromSecret('corp-admin', 'analyst') } });
      expect(find(existing, 'Secret', 'superset-secret-key').stringData).toEqual({ SECRET_KEY: 'k2' });
    });

    it('is left to the superset-operator when generated, as by default', () => {
      expect(ofKind(demo({ supersetSecretKey: SupersetSecretKey.generated() }), 'Secret').map(s => s.metadata.name)).not.toContain('superset-secret-key');
      expect(demo({ supersetSecretKey: SupersetSecretKey.generated() })).toEqual(demo());
    });

    it('comes before the SupersetCluster when set, so the operator finds it and generates none', () => {
      const objs = demo({ supersetSecretKey: SupersetSecretKey.literal('a-long-random-key') });
      expect(position(objs, 'Secret', 'superset-secret-key')).toBeLessThan(position(objs, 'SupersetCluster', 'superset'));
    });

    it('refuses an empty or padded key without echoing it', () => {
      const build = (props: DemoChartProps) => () => new DemoChart(Testing.app(), 'demo', props);
      expect(build({ supersetSecretKey: SupersetSecretKey.literal('') })).toThrow(/^DemoChart: supersetSecretKey must be a non-empty string without surrounding whitespace$/);
      expect(build({ supersetSecretKey: SupersetSecretKey.literal(' s3cret ') })).toThrow(/^DemoChart: supersetSecretKey must be a non-empty string without surrounding whitespace$/);
    });
  });

  it('with existing Secrets for all credentials and a generated secret key, creates no Secret and references only those', () => {
    const objs = demo({
      supersetSecretKey: SupersetSecretKey.generated(),
      credentials: {
        admin: Credentials.fromSecret('corp-admin', 'analyst'),
        s3: Credentials.fromSecret('corp-s3', 'svc-s3'),
        lakehouse: Credentials.fromSecret('corp-lakehouse', 'svc-lakehouse'),
        hiveDatabase: Credentials.fromSecret('corp-hive-db', 'hive'),
        hiveIcebergDatabase: Credentials.fromSecret('corp-iceberg-db', 'hive'),
        supersetDatabase: Credentials.fromSecret('corp-superset-db', 'superset'),
      },
    });
    expect(ofKind(objs, 'Secret')).toEqual([]);
    const referenced = new Set([
      ...collect(objs, 'secretKeyRef').map(r => r.name),
      ...collect(objs, 'credentialsSecretName'),
      ...collect(objs, 'credentialsSecret'),
      ...collect(objs, 'userCredentialsSecret').map(r => r.name),
    ]);
    expect([...referenced].sort()).toEqual(['corp-admin', 'corp-hive-db', 'corp-iceberg-db', 'corp-lakehouse', 'corp-s3', 'corp-superset-db']);
    // The admin of an existing Secret is Trino's OPA admin.
    expect(find(objs, 'ConfigMap', 'trino-opa-bundle').data['stackable_demo.rego']).toMatch(/trino_admins := \{"analyst"\}/);
    expect(find(objs, 'HiveCluster', 'hive').spec.clusterConfig.metadataDatabase.postgresql.credentialsSecretName).toBe('corp-hive-db');
    expect(find(objs, 'HiveCluster', 'hive-iceberg').spec.clusterConfig.metadataDatabase.postgresql.credentialsSecretName).toBe('corp-iceberg-db');
  });

  describe('rejects bad props', () => {
    const build = (props: DemoChartProps) => () => new DemoChart(Testing.app(), 'demo', props);
    it('namespace "Bad_NS"', () => {
      expect(build({ namespace: 'Bad_NS' })).toThrow(/^DemoChart: namespace "Bad_NS" is not a valid name/);
    });
    it('a namespace longer than 63 characters', () => {
      expect(build({ namespace: 'n'.repeat(64) })).toThrow(/^DemoChart: namespace "n{64}" is not a valid name: use 1-63 /);
    });
    it('an empty month list', () => {
      expect(build({ months: [] })).toThrow(/^DemoChart: months \[\] must list at least one YYYY-MM month/);
    });
    it('month "2020-13"', () => {
      expect(build({ months: ['2020-12', '2020-13'] })).toThrow(/^DemoChart: months\[1\] "2020-13" is not a YYYY-MM month/);
    });
    it('a duplicate month', () => {
      expect(build({ months: ['2020-10', '2020-11', '2020-10'] })).toThrow(/^DemoChart: months \["2020-10","2020-11","2020-10"\] lists 2020-10 twice/);
    });
    it('a data source URL without trailing slash', () => {
      expect(build({ dataSourceUrl: 'https://mirror.local/tlc' })).toThrow(/^DemoChart: dataSourceUrl "https:\/\/mirror\.local\/tlc" must be an http\(s\) URL ending in '\/'/);
    });
    it('a non-integer MinIO storage size', () => {
      expect(build({ minioStorageGi: 2.5 })).toThrow(/^DemoChart: minioStorageGi 2\.5 must be an integer >= 1/);
    });
    it('negative Trino workers', () => {
      expect(build({ trinoWorkers: -1 })).toThrow(/^DemoChart: trinoWorkers -1 must be an integer >= 1/);
    });
    it('zero Spark executors', () => {
      expect(build({ sparkExecutors: 0 })).toThrow(/^DemoChart: sparkExecutors 0 must be an integer >= 1/);
    });
    it('contamination 0.6', () => {
      expect(build({ model: { contamination: 0.6 } })).toThrow(/^DemoChart: model\.contamination 0\.6 must be a number in \(0, 0\.5\]/);
    });
    it('a Trino version "latest"', () => {
      expect(build({ versions: { trino: 'latest' } })).toThrow(/^DemoChart: versions\.trino "latest" is not a version number/);
    });
    it('a listener class the listener-operator does not create', () => {
      expect(build({ listenerClass: 'LoadBalancer' as never })).toThrow(/^DemoChart: listenerClass "LoadBalancer" is not allowed/);
    });
    it('an S3 password too short for MinIO', () => {
      expect(build({ credentials: { s3: Credentials.literal('admin', 'admin') } })).toThrow(/MinioServer Minio: credentials\.password "\*{5}" must be at least 8 characters/);
    });
  });
});

describe('parseSynthArgs (scripts/synth.ts, shared with scripts/synth-helm.ts)', () => {
  it('maps the options to DemoChart props and the output folder', () => {
    expect(parseSynthArgs([])).toEqual({ outdir: undefined, props: { namespace: undefined, networkPolicies: false } });
    expect(parseSynthArgs(['--network-policies', '--outdir', 'out', '--namespace', 'taxi'])).toEqual({
      outdir: 'out', props: { namespace: 'taxi', networkPolicies: true },
    });
    expect(parseSynthArgs(['--listener-class', 'external-unstable']).props).toEqual({ namespace: undefined, networkPolicies: false, listenerClass: 'external-unstable' });
    // What the props build: the chart id names the synthesized file.
    expect(DEMO_CHART_ID).toBe('spark-k8s-anomaly-detection-taxi-data');
  });

  it('refuses unknown arguments and missing values, naming the program', () => {
    expect(() => parseSynthArgs(['--namespce', 'taxi'])).toThrow(/^synth: unknown argument "--namespce"/);
    expect(() => parseSynthArgs(['taxi'])).toThrow(/^synth: unknown argument "taxi"/);
    expect(() => parseSynthArgs(['--namespace'], 'synth-helm')).toThrow(/^synth-helm: --namespace needs a value$/);
    expect(() => parseSynthArgs(['--outdir', '--network-policies'])).toThrow(/^synth: --outdir needs a value$/);
  });
});

describe('scripts/synth.ts (all or nothing)', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [root] });
  type Run = { code: number; stdout: string; stderr: string };
  const synthInto = (outdir: string, namespace: string) => new Promise<Run>(resolve => {
    execFile(process.execPath, [tsNode, '--transpile-only', 'scripts/synth.ts', '--outdir', outdir, '--namespace', namespace],
      { cwd: root, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });

  let tmp: string;
  let bad: Run;
  let good: Run;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chart-test-'));
    for (const dir of ['kept', 'replaced']) {
      fs.mkdirSync(path.join(tmp, dir));
      fs.writeFileSync(path.join(tmp, dir, 'sentinel.txt'), 'previous output\n');
    }
    // Both runs at once: each needs several seconds to start ts-node.
    [bad, good] = await Promise.all([synthInto(path.join(tmp, 'kept'), 'Bad_NS'), synthInto(path.join(tmp, 'replaced'), 'synth-test')]);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('fails on a bad prop, naming it, and leaves the output folder untouched', () => {
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/DemoChart: namespace "Bad_NS" is not a valid name/);
    expect(fs.readdirSync(path.join(tmp, 'kept'))).toEqual(['sentinel.txt']);
    expect(fs.readFileSync(path.join(tmp, 'kept', 'sentinel.txt'), 'utf8')).toBe('previous output\n');
  });

  it('replaces the output folder on success', () => {
    expect(good).toMatchObject({ code: 0, stderr: '' });
    const files = fs.readdirSync(path.join(tmp, 'replaced'));
    expect(files).toEqual(['spark-k8s-anomaly-detection-taxi-data.k8s.yaml']);
    const yaml = fs.readFileSync(path.join(tmp, 'replaced', files[0]), 'utf8');
    expect(yaml).toMatch(/^kind: Namespace$/m);
    expect(yaml).toContain('namespace: synth-test');
  });
});
