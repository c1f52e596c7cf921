/**
 * The runtime contract (test/contract/runtime-contract.ts) on the demo as users deploy it: the
 * default chart, the NetworkPolicy/namespace variant, every listener class, and the committed
 * `dist/`. The Helm output is checked by the helm suite (test/contract/check-manifests.ts on
 * `helm template`). Each check also gets the defect it exists for, to show that it fails then.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ensureMaxLength, LISTENER_CLASSES, LISTENER_PRESETS, ListenerClassName, qualifiedRoleGroupName, roleGroupHeadlessServiceName } from '../../constructs/core';
import { DemoChart, DemoChartProps } from '../../constructs/demo-chart';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { TrinoCluster, TrinoSqlJob } from '../../constructs/trino';
import { SecretScope, scopeAddresses, secretVolumeFiles, TlsTrustStore } from '../../constructs/secret-operator';
import {
  checkListenerClasses, checkNetworkPolicySelectors, checkTrustStoreFiles, checkOperatorDefaults, checkOperatorNames, checkRuntimeContract, checkSecretVolumeFiles, checkStackableImageUsers,
  checkTlsHosts, checkVolumesAndMounts, Obj, tlsClients, tlsServers,
} from './runtime-contract';
import { collect, namespacedChart } from '../util';

const demo = (props: DemoChartProps = {}): Obj[] => Testing.synth(new DemoChart(Testing.app(), 'demo', props)) as Obj[];
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
/** The object of `kind` named `name`, or `name-<hash>` for the content-named Jobs and SparkApplication. */
const find = (objs: Obj[], kind: string, name: string): any => {
  const found = objs.filter(o => o.kind === kind && new RegExp(`^${name}(-[0-9a-f]{8})?$`).test(o.metadata.name));
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
};

/** Violations with the content hash left out of Job and SparkApplication names (`Job/minio-buckets-1a2b3c4d` -> `Job/minio-buckets`). */
const plain = (violations: string[]): string[] => violations.map(v => v.replace(/((?:Job|SparkApplication)\/[a-z0-9-]+?)-[0-9a-f]{8}\b/g, '$1'));

describe('the demo keeps the runtime contract', () => {
  const variants: Array<[string, DemoChartProps]> = [
    ['default', {}],
    ['own namespace and NetworkPolicies', { namespace: 'taxi-demo', networkPolicies: true }],
    ...LISTENER_CLASSES.map((c): [string, DemoChartProps] => [`listener class ${c}`, { listenerClass: c }]),
  ];
  test.each(variants)('%s', (_, props) => {
    expect(checkRuntimeContract(demo(props))).toEqual([]);
  });

  test('the committed dist/', () => {
    const dir = path.join(__dirname, '..', '..', 'dist');
    const objs = fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJS() as Obj)).filter(o => o !== null);
    expect(objs.length).toBeGreaterThan(30);
    expect(plain(checkRuntimeContract(objs))).toEqual([]);
  });

  test('the checks see every TLS connection of the demo, each with its server', () => {
    const objs = demo({ namespace: 'taxi-demo' });
    const clients = plain(tlsClients(objs).map(c => `${c.what.split(' ')[0]} -> ${c.host}`));
    expect(clients.sort()).toEqual([
      'ConfigMap/superset-import-dashboard-bundle -> trino-coordinator-default-headless.taxi-demo.svc.cluster.local',
      'Job/load-ny-taxi-data -> minio.taxi-demo.svc.cluster.local',
      'Job/minio-buckets -> minio.taxi-demo.svc.cluster.local',
      'S3Connection/minio -> minio.taxi-demo.svc.cluster.local',
      'SparkApplication/spark-ad -> minio.taxi-demo.svc.cluster.local',
    ]);
    expect(tlsServers(objs).map(s => [s.what.split(' ')[0], s.names, s.secretClass])).toEqual([
      ['Deployment/minio', ['minio.taxi-demo.svc.cluster.local'], 'tls'],
      ['TrinoCluster/trino', [
        'trino-coordinator-default-headless.taxi-demo.svc.cluster.local',
        'trino-coordinator-default-0.trino-coordinator-default-headless.taxi-demo.svc.cluster.local',
      ], 'tls'],
    ]);
  });
});

describe('a TrinoSqlJob keeps it too', () => {
  const chart = () => {
    const c = namespacedChart();
    const trust = new TlsTrustStore(c, 'Trust');
    const trino = new TrinoCluster(c, 'Trino', { opa: new OpaServer(c, 'Opa'), policy: new TrinoPolicy(c, 'Policy') });
    new TrinoSqlJob(c, 'Sql', { trino, trust, statements: ['SELECT 1'] });
    return Testing.synth(c) as Obj[];
  };
  test('its Trino URL is a name in the coordinator certificate, signed by the CA it trusts', () => {
    const objs = chart();
    expect(tlsClients(objs).map(c => c.host)).toEqual(['trino-coordinator-default-headless.ns.svc.cluster.local']);
    expect(plain(checkRuntimeContract(objs))).toEqual([]);
    const env = find(objs, 'Job', 'trino-sql').spec.template.spec.containers[0].env.find((e: any) => e.name === 'TRINO_SERVER');
    env.value = 'https://trino-coordinator.ns.svc.cluster.local:8443';
    expect(plain(checkTlsHosts(objs))).toEqual([expect.stringMatching(/^Job\/trino-sql container sql \(TRINO_SERVER\): host trino-coordinator.ns.svc.cluster.local is in no server certificate/)]);
  });
});

describe('each check fails on the defect it exists for', () => {
  const objs = demo();

  test('secret volume files: the 26.6 annotations the secret-operator 26.7 ignores, and a subPath it never writes', () => {
    const old = copy(objs);
    const ann = find(old, 'Deployment', 'minio').spec.template.spec.volumes.find((v: any) => v.name === 'tls').ephemeral.volumeClaimTemplate.metadata.annotations;
    delete ann['secrets.stackable.tech/format.tls-pem.cert-name'];
    delete ann['secrets.stackable.tech/format.tls-pem.key-name'];
    ann['secrets.stackable.tech/format.compatibility.tls-pem.cert-name'] = 'public.crt';
    expect(plain(checkSecretVolumeFiles(old))).toEqual([
      expect.stringMatching(/^Deployment\/minio volume tls: annotation "secrets.stackable.tech\/format.compatibility.tls-pem.cert-name" is not read by the secret-operator 26.7/),
    ]);
    delete ann['secrets.stackable.tech/format.compatibility.tls-pem.cert-name'];
    expect(plain(checkSecretVolumeFiles(old))).toEqual([
      'Deployment/minio container minio: subPath "public.crt" of secret volume tls is not a file it holds (tls.crt, tls.key, ca.crt)',
      'Deployment/minio container minio: subPath "private.key" of secret volume tls is not a file it holds (tls.crt, tls.key, ca.crt)',
    ]);
  });

  test('secret volume files: a path into the volume that names no file', () => {
    const bad = copy(objs);
    const c = find(bad, 'Deployment', 'minio').spec.template.spec.containers[0];
    c.volumeMounts.push({ name: 'tls', mountPath: '/stackable/tls' });
    c.env.push({ name: 'CA', value: '/stackable/tls/ca.pem' });
    expect(plain(checkSecretVolumeFiles(bad))).toEqual(['Deployment/minio container minio: /stackable/tls/ca.pem is not a file of secret volume tls (public.crt, private.key, ca.crt)']);
  });

  test('trust store files: a key the TrustStore does not write, and a CA path outside the projected files', () => {
    const bad = copy(objs);
    const pod = find(bad, 'Job', 'minio-buckets').spec.template.spec;
    const trust = pod.volumes.find((v: any) => v.configMap?.name === 'tls-ca');
    trust.configMap.items = [{ key: 'ca.pem', path: 'ca.pem' }];
    const violations = plain(checkTrustStoreFiles(bad));
    expect(violations).toContain(`Job/minio-buckets volume ${trust.name}: key ca.pem is not written into TrustStore tls-ca's ConfigMap (ca.crt)`);
    expect(violations).toContain(`Job/minio-buckets container ${pod.containers[0].name}: /stackable/trust/ca.crt is not a file of volume ${trust.name} (ca.pem)`);
  });

  test('TLS hosts: Superset connecting to the listener Service, which is not in the coordinator certificate', () => {
    const old = copy(objs);
    const cm = find(old, 'ConfigMap', 'superset-import-dashboard-bundle');
    cm.data['databases--trino.yaml'] = cm.data['databases--trino.yaml'].replace('trino-coordinator-default-headless.', 'trino-coordinator.');
    expect(plain(checkTlsHosts(old))).toEqual([expect.stringMatching(/^ConfigMap\/superset-import-dashboard-bundle databases--trino.yaml \(Superset\): host trino-coordinator.default.svc.cluster.local is in no server certificate/)]);
  });

  test('TLS hosts: a database file of an export made by Superset (plain YAML) is checked too', () => {
    const old = copy(objs);
    const cm = find(old, 'ConfigMap', 'superset-import-dashboard-bundle');
    cm.data['databases--Trino.yaml'] = 'database_name: Trino\nsqlalchemy_uri: trino://admin:XXXXXXXXXX@trino-coordinator:8443/hive\n'
      + 'extra:\n  engine_params:\n    connect_args:\n      verify: /stackable/trust/ca.crt\n      http_scheme: https\n';
    expect(plain(checkTlsHosts(old))).toEqual([expect.stringMatching(/^ConfigMap\/superset-import-dashboard-bundle databases--Trino.yaml \(Superset\): host trino-coordinator is in no server certificate/)]);
  });

  test('TLS hosts: a cluster-internal coordinator also has its listener Service in the certificate', () => {
    const internal = demo({ listenerClass: 'cluster-internal' });
    expect(tlsServers(internal).find(s => s.what.startsWith('TrinoCluster'))!.names).toContain('trino-coordinator.default.svc.cluster.local');
  });

  test('TLS hosts: a client trusting another SecretClass than the one that signs the server', () => {
    const bad = copy(objs);
    find(bad, 'S3Connection', 'minio').spec.tls.verification.server.caCert.secretClass = 'other-ca';
    find(bad, 'TrustStore', 'tls-ca').spec.secretClassName = 'other-ca';
    const violations = plain(checkTlsHosts(bad));
    expect(violations).toHaveLength(5);
    expect(violations[0]).toMatch(/^S3Connection\/minio .*: trusts the CA of SecretClass other-ca, but Deployment\/minio .* has a certificate of SecretClass tls$/);
  });

  test('TLS hosts: a server certificate for another Service name', () => {
    const bad = copy(objs);
    find(bad, 'Deployment', 'minio').spec.template.spec.volumes.find((v: any) => v.name === 'tls').ephemeral.volumeClaimTemplate.metadata.annotations['secrets.stackable.tech/scope'] = 'service=s3';
    expect(checkTlsHosts(bad).filter(v => v.includes('host minio.default.svc.cluster.local is in no server certificate'))).toHaveLength(4);
  });

  test('operator names: discovery ConfigMaps, the metastore and Superset Services', () => {
    const bad = copy(objs);
    find(bad, 'TrinoCluster', 'trino').spec.clusterConfig.authorization.opa.configMapName = 'opa-discovery';
    find(bad, 'TrinoCatalog', 'hive').spec.connector.hive.metastore.configMap = 'hive-metastore';
    find(bad, 'SparkApplication', 'spark-ad').spec.sparkConf['spark.sql.catalog.prediction.uri'] = 'thrift://hive-iceberg.default.svc.cluster.local:9083';
    const job = find(bad, 'Job', 'superset-import-dashboard').spec.template.spec.containers[0];
    job.env.find((e: any) => e.name === 'SUPERSET_URL').value = 'http://superset.default.svc.cluster.local:8088';
    expect(plain(checkOperatorNames(bad))).toEqual([
      'TrinoCluster/trino: OPA discovery ConfigMap opa-discovery is not the name of an OpaCluster',
      'TrinoCatalog/hive: metastore ConfigMap hive-metastore is not the name of a HiveCluster',
      expect.stringMatching(/^SparkApplication\/spark-ad: spark.sql.catalog.prediction.uri thrift:\/\/hive-iceberg.default.svc.cluster.local:9083 is not the metastore Service of a HiveCluster/),
      expect.stringMatching(/^Job\/superset-import-dashboard container import: SUPERSET_URL http:\/\/superset.default.svc.cluster.local:8088 is not a SupersetCluster's listener Service/),
    ]);
  });

  test('operator pods: a container the operator does not create, and volumes or mounts that meet its own', () => {
    const bad = copy(objs);
    const nodes = find(bad, 'SupersetCluster', 'superset').spec.nodes.podOverrides.spec;
    nodes.containers[0].name = 'superset-node';
    nodes.volumes.push({ name: 'log', emptyDir: {} });
    const submit = find(bad, 'SparkApplication', 'spark-ad').spec.job.podOverrides.spec;
    submit.volumes.push({ name: 'tls', emptyDir: {} });
    expect(plain(checkOperatorNames(bad)).sort()).toEqual([
      'SparkApplication/spark-ad job.podOverrides: volume tls would be merged into the operator\'s volume of that name',
      'SupersetCluster/superset nodes.podOverrides: container superset-node is not one the operator creates (superset, metrics, vector); the override would add an image-less container',
      'SupersetCluster/superset nodes.podOverrides: volume log would be merged into the operator\'s volume of that name',
    ]);
    const mount = copy(objs);
    find(mount, 'SupersetCluster', 'superset').spec.nodes.podOverrides.spec.containers[0].volumeMounts[0].mountPath = '/stackable/config';
    expect(plain(checkOperatorNames(mount))).toEqual(['SupersetCluster/superset nodes.podOverrides: container superset mount /stackable/config would replace the operator\'s mount there']);
  });

  test('operator pods: overrides adding volumes where no model says what the operator creates', () => {
    const bad = copy(objs);
    find(bad, 'HiveCluster', 'hive').spec.metastore.podOverrides.spec.volumes = [{ name: 'extra', emptyDir: {} }];
    expect(plain(checkOperatorNames(bad))).toEqual(['HiveCluster/hive metastore.podOverrides: adds containers or volumes to pods of which no operator model says what they hold']);
  });

  test('NetworkPolicy selectors: Spark pods selected by labels the operator does not set', () => {
    const withPolicies = demo({ networkPolicies: true });
    const bad = copy(withPolicies);
    const minio = find(bad, 'NetworkPolicy', 'minio');
    const sparkPeer = minio.spec.ingress.flatMap((r: any) => r.from).find((p: any) => p.podSelector.matchLabels['app.kubernetes.io/name'] === 'spark-k8s');
    sparkPeer.podSelector.matchLabels['app.kubernetes.io/name'] = 'spark';
    expect(plain(checkNetworkPolicySelectors(withPolicies))).toEqual([]);
    expect(plain(checkNetworkPolicySelectors(bad))).toEqual(['NetworkPolicy/minio: peer {"matchLabels":{"app.kubernetes.io/name":"spark","app.kubernetes.io/part-of":"spark-ad"}} selects no pod']);
  });

  test('Stackable image users: the dashboard import as UID 10001', () => {
    const old = copy(objs);
    Object.assign(find(old, 'Job', 'superset-import-dashboard').spec.template.spec.securityContext, { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    expect(plain(checkStackableImageUsers(old))).toEqual([
      'Job/superset-import-dashboard container import: runAsUser 10001, but Stackable images are built for UID 1000',
      'Job/superset-import-dashboard container import: runAsGroup 10001, but Stackable images grant access to UID 1000 and group 0 only',
    ]);
    const override = copy(objs);
    find(override, 'TrinoCluster', 'trino').spec.workers.podOverrides.spec.securityContext.runAsUser = 10001;
    expect(plain(checkStackableImageUsers(override))).toContain('TrinoCluster/trino workers.podOverrides (pod): runAsUser 10001, but Stackable images are built for UID 1000');
  });

  test('volumes and mounts: a volume added twice (e.g. the trust volume of a helper that already holds it)', () => {
    const bad = copy(objs);
    const pod = find(bad, 'Job', 'minio-buckets').spec.template.spec;
    pod.volumes.push(copy(pod.volumes[0]));
    pod.containers[0].volumeMounts.push({ name: 'nowhere', mountPath: '/x' }, { name: 'nowhere', mountPath: '/x' });
    expect(plain(checkVolumesAndMounts(bad))).toEqual([
      `Job/minio-buckets: volume ${pod.volumes[0].name} is defined twice`,
      `Job/minio-buckets container ${pod.containers[0].name}: /x is mounted twice`,
      `Job/minio-buckets container ${pod.containers[0].name}: mounts volume nowhere, which the pod does not have`,
      `Job/minio-buckets container ${pod.containers[0].name}: mounts volume nowhere, which the pod does not have`,
    ]);
  });

  test('operator defaults: spark-submit without retries, and the secret key where 26.7 no longer reads it', () => {
    const old = copy(objs);
    delete find(old, 'SparkApplication', 'spark-ad').spec.job.config.retryOnFailureCount;
    find(old, 'Secret', 'superset-credentials').stringData['connections.secretKey'] = 'demo-superset-secret-key';
    expect(plain(checkOperatorDefaults(old))).toEqual([
      'SparkApplication/spark-ad: spec.job.config.retryOnFailureCount is 0: one transient failure of spark-submit ends the application for good',
      'SupersetCluster/superset: the credentials Secret holds connections.secretKey, which superset-operator 26.7 no longer reads (it reads Secret superset-secret-key, key SECRET_KEY)',
    ]);
  });

  test('listener classes: a class no preset creates', () => {
    const bad = copy(objs);
    find(bad, 'TrinoCluster', 'trino').spec.coordinators.roleConfig.listenerClass = 'external-lb';
    expect(plain(checkListenerClasses(bad))).toHaveLength(2);
  });
});

/** The listener classes the objects name. */
const collectListenerClasses = (objs: Obj[]): string[] => [...new Set<string>(collect(objs, 'listenerClass'))];

describe('the README installs operators with which the demo comes up', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const listenerInstalls = readme.split('\n').filter(l => /helm install\b.*listener-operator/.test(l));

  test('every helm install of the listener-operator names a preset that creates the demo\'s listener classes', () => {
    expect(listenerInstalls.length).toBeGreaterThanOrEqual(2);
    const used = new Set(collectListenerClasses(demo()));
    expect([...used]).toEqual(['external-stable']);
    for (const line of listenerInstalls) {
      const preset = line.match(/--set preset=([\w-]+)/)?.[1] as keyof typeof LISTENER_PRESETS | undefined;
      expect({ line, preset }).toEqual({ line, preset: expect.stringMatching(/^(stable-nodes|ephemeral-nodes)$/) });
      for (const c of used) expect(LISTENER_PRESETS[preset!][c as ListenerClassName]).toBeDefined();
    }
  });

  test('one of them works without a LoadBalancer controller (kind, minikube, k3s), and the README says when to use which', () => {
    const withoutLoadBalancer = listenerInstalls.filter(l => {
      const preset = l.match(/--set preset=([\w-]+)/)![1] as keyof typeof LISTENER_PRESETS;
      return collectListenerClasses(demo()).every(c => LISTENER_PRESETS[preset][c as ListenerClassName] !== 'LoadBalancer');
    });
    expect(withoutLoadBalancer.length).toBeGreaterThanOrEqual(1);
    const before = readme.split('\n')[readme.split('\n').indexOf(withoutLoadBalancer[0]) - 1];
    expect(before).toMatch(/kind, minikube, k3s/);
  });
});


describe('the upstream rules the checks rely on', () => {
  test('secret-operator file names: defaults, renames, public parts only', () => {
    expect(secretVolumeFiles({ 'secrets.stackable.tech/format': 'tls-pem' })).toEqual(['tls.crt', 'tls.key', 'ca.crt']);
    expect(secretVolumeFiles({ 'secrets.stackable.tech/format': 'tls-pem', 'secrets.stackable.tech/format.tls-pem.ca-name': 'root.pem' })).toEqual(['tls.crt', 'tls.key', 'root.pem']);
    expect(secretVolumeFiles({ 'secrets.stackable.tech/format': 'tls-pkcs12', 'secrets.stackable.tech/provision-parts': 'public' })).toEqual(['truststore.p12']);
    expect(() => secretVolumeFiles({ 'secrets.stackable.tech/format': 'kerberos' })).toThrow(/not a TLS format this library models/);
  });

  test('secret-operator SANs per scope', () => {
    const ctx = { namespace: 'ns', podName: 'web-0', podSubdomain: 'web', listenerDnsNames: { listener: ['web-lb.example.com'] } };
    expect(scopeAddresses(SecretScope.parseAll('service=minio'), ctx)).toEqual(['minio.ns.svc.cluster.local']);
    expect(scopeAddresses(SecretScope.parseAll('pod,listener-volume=listener'), ctx)).toEqual(['web.ns.svc.cluster.local', 'web-0.web.ns.svc.cluster.local', 'web-lb.example.com']);
    expect(scopeAddresses(SecretScope.parseAll('pod,node'), { namespace: 'ns', podName: 'p' })).toEqual([]);
    expect(() => SecretScope.parseAll('svc=minio')).toThrow(/unknown secret scope type "svc"/);
    // No namespace is guessed: an empty one (an object that named none) is refused.
    expect(() => scopeAddresses(SecretScope.parseAll('service=minio'), { namespace: '' })).toThrow(/^scopeAddresses: namespace "" is not a valid name/);
  });

  test('operator-rs 0.113.3 role group names, with its own test vectors (v2/role_group_utils.rs)', () => {
    expect(qualifiedRoleGroupName('trino', 'coordinator', 'default')).toBe('trino-coordinator-default');
    expect(roleGroupHeadlessServiceName('trino', 'coordinator', 'default')).toBe('trino-coordinator-default-headless');
    expect(qualifiedRoleGroupName('c'.repeat(40), 'r'.repeat(5), 'g'.repeat(5))).toBe(`${'c'.repeat(40)}-rrrrr-ggggg`);
    expect(qualifiedRoleGroupName('an-exceptional-long-cluster-name', 'dagprocessor', 'default')).toBe('an-exceptional-long-cluster-name-dagprocessor-6cc08b');
    expect(ensureMaxLength('abcdefg', 6, 4)).toBe('a-7d1a');
    expect(ensureMaxLength('ab-defgh', 7, 4)).toBe('ab-a1b1');
    expect(ensureMaxLength('a-cdefgh', 7, 4)).toBe('a-3951');
    expect(ensureMaxLength('abcdefg', 6, 0)).toBe('abcdef');
  });
});
