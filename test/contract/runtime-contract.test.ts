/**
 * The runtime contract (test/contract/runtime-contract.ts) on the demo as users deploy it: the
 * default chart, the NetworkPolicy/namespace variant, every listener class, and the committed
 * `dist/`. The Helm output is checked by the helm suite (test/contract/check-manifests.ts on
 * `helm template`). Each check also gets the defect it exists for, to show that it fails then.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { DnsEgress, ensureMaxLength, LISTENER_CLASSES, LISTENER_PRESETS, ListenerClassName, qualifiedRoleGroupName, roleGroupHeadlessServiceName } from '../../constructs/core';
import { DemoChart, DemoChartProps } from '../../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { MinioServer } from '../../constructs/minio';
import { NifiCluster, NifiClusterProps, NifiFlow } from '../../constructs/nifi';
import { sampleFlow } from '../nifi/nifi-flow-fixture';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { SupersetSecretKey } from '../../constructs/superset';
import { TrinoCluster, TrinoSqlJob } from '../../constructs/trino';
import { SecretScope, scopeAddresses, secretVolumeFiles, TlsTrustStore } from '../../constructs/secret-operator';
import {
  checkDnsEgress, checkImageFiles, checkJvmMemory, checkListenerClasses, checkListenerVolumes, checkNetworkPolicySelectors, checkTrustStoreFiles, checkOperatorDefaults, checkOperatorNames, checkRuntimeContract,
  checkSecretVolumeFiles, checkStackableImageUsers, checkTlsHosts, checkVolumesAndMounts, Obj, publishedAt, tlsClients, tlsServers,
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

describe('a NifiCluster and a NifiFlow keep it too', () => {
  const chart = (props: NifiClusterProps = {}) => {
    const c = namespacedChart();
    const trust = new TlsTrustStore(c, 'Trust');
    const nifi = new NifiCluster(c, 'Nifi', props);
    new NifiFlow(c, 'Flow', { nifi, trust, flow: sampleFlow(), networkPolicy: props.networkPolicy });
    return Testing.synth(c) as Obj[];
  };
  test.each([
    ['default', {}],
    ['NetworkPolicies', { networkPolicy: true }],
    ...LISTENER_CLASSES.map((c): [string, NifiClusterProps] => [`listener class ${c}`, { listenerClass: c }]),
  ])('%s', (_, props: NifiClusterProps) => {
    expect(plain(checkRuntimeContract(chart(props)))).toEqual([]);
  });

  test('the Job\'s NiFi URL is the first node\'s pod name, which its certificate holds (pod scope), on 8443', () => {
    const objs = chart();
    expect(tlsClients(objs).map(c => `${plain([c.what])[0].split(' ')[0]} -> ${c.host} (${c.trusts})`)).toEqual([
      'Job/nifi-flow-feeds-to-kafka -> nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local (tls)',
    ]);
    const nifi = tlsServers(objs).find(s => s.what.startsWith('NifiCluster/'))!;
    expect(nifi.names).toEqual([
      'nifi-node-default-metrics.ns.svc.cluster.local',
      'nifi-node-default-headless.ns.svc.cluster.local',
      'nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local',
      'nifi-node-default-1.nifi-node-default-headless.ns.svc.cluster.local',
    ]);
    expect(nifi.secretClass).toBe('tls');
  });

  test('fails on the role group\'s headless Service or the listener Service as URL, another port, a CA of another class, a Secret without the key admin, an unknown container', () => {
    const url = (objs: Obj[], value: string) => {
      find(objs, 'Job', 'nifi-flow-feeds-to-kafka').spec.template.spec.containers[0].env.find((e: any) => e.name === 'NIFI_URL').value = value;
      return objs;
    };
    // Our NiFi clients talk to one node by its pod name (NifiCluster.host) on 8443 (NiFi 2.9.0 answers 421 to another port).
    expect(plain(checkOperatorNames(url(chart(), 'https://nifi-node-default-headless.ns.svc.cluster.local:8443')))).toEqual([
      expect.stringMatching(/^Job\/nifi-flow-feeds-to-kafka container upload: NIFI_URL https:\/\/nifi-node-default-headless.ns.svc.cluster.local:8443 is not a NiFi node's pod name/),
    ]);
    expect(plain(checkOperatorNames(url(chart(), 'https://nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local:9088')))).toHaveLength(1);
    expect(plain(checkTlsHosts(url(chart(), 'https://nifi-node.ns.svc.cluster.local:8443')))).toEqual([
      expect.stringMatching(/^Job\/nifi-flow-feeds-to-kafka container upload \(NIFI_URL\): host nifi-node.ns.svc.cluster.local is in no server certificate/),
    ]);
    const otherClass = chart();
    find(otherClass, 'NifiCluster', 'nifi').spec.clusterConfig.tls.serverSecretClass = 'nifi-tls';
    expect(plain(checkTlsHosts(otherClass))).toEqual([expect.stringMatching(/trusts the CA of SecretClass tls, but NifiCluster\/nifi nodes has a certificate of SecretClass nifi-tls/)]);
    const noKey = chart();
    const secret = find(noKey, 'Secret', 'nifi-admin-credentials');
    secret.stringData = { root: secret.stringData.admin };
    expect(plain(checkOperatorNames(noKey))).toEqual(['NifiCluster/nifi: Secret nifi-admin-credentials has no key admin, the only user the nifi-operator\'s static login reads']);
    const container = chart();
    find(container, 'NifiCluster', 'nifi').spec.nodes.podOverrides.spec.containers = [{ name: 'nifi-node' }];
    expect(plain(checkOperatorNames(container))).toEqual([expect.stringMatching(/NifiCluster\/nifi nodes.podOverrides: container nifi-node is not one the operator creates \(prepare, nifi, vector\)/)]);
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
      'SupersetCluster/superset nodes.podOverrides: container superset-node is not one the operator creates (superset, metrics); the override would add an image-less container',
      'SupersetCluster/superset nodes.podOverrides: volume log would be merged into the operator\'s volume of that name',
    ]);
    const mount = copy(objs);
    find(mount, 'SupersetCluster', 'superset').spec.nodes.podOverrides.spec.containers[0].volumeMounts[0].mountPath = '/stackable/config';
    expect(plain(checkOperatorNames(mount))).toEqual(['SupersetCluster/superset nodes.podOverrides: container superset mount /stackable/config would replace the operator\'s mount there']);
  });

  test('operator pods: Superset\'s vector container only where the vector agent is enabled (superset-operator 26.7.0 validate.rs, resource/mod.rs)', () => {
    const withVector = (configure: (cluster: any) => void) => {
      const o = copy(objs);
      const cluster = find(o, 'SupersetCluster', 'superset');
      cluster.spec.clusterConfig.vectorAggregatorConfigMapName = 'vector-aggregator-discovery';
      configure(cluster);
      return o;
    };
    const vectorOverride = { name: 'vector', securityContext: { allowPrivilegeEscalation: false } };
    const imageless = 'SupersetCluster/superset nodes.podOverrides: container vector is not one the operator creates (superset, metrics); the override would add an image-less container';
    // Our SupersetCluster does not enable it: the operator creates no vector container to override.
    const none = copy(objs);
    find(none, 'SupersetCluster', 'superset').spec.nodes.podOverrides.spec.containers.push(vectorOverride);
    expect(plain(checkOperatorNames(none))).toEqual([imageless]);
    // Enabled for the role: the override names the operator's container; its mounts are the operator's.
    const role = withVector((c) => {
      c.spec.nodes.config.logging = { enableVectorAgent: true };
      c.spec.nodes.podOverrides.spec.containers.push({ ...vectorOverride, volumeMounts: [{ name: 'extra', mountPath: '/stackable/log' }] });
    });
    expect(plain(checkOperatorNames(role))).toEqual(['SupersetCluster/superset nodes.podOverrides: container vector mount /stackable/log would replace the operator\'s mount there']);
    // Enabled in one role group of two, disabled by a role group over the role: a role-level override reaches pods without it.
    const groups = withVector((c) => {
      c.spec.nodes.roleGroups.default.config = { logging: { enableVectorAgent: true } };
      c.spec.nodes.roleGroups.other = { replicas: 1, config: { logging: { enableVectorAgent: false } } };
      c.spec.nodes.config.logging = { enableVectorAgent: true };
      c.spec.nodes.podOverrides.spec.containers.push(vectorOverride);
      c.spec.nodes.roleGroups.default.podOverrides = { spec: { containers: [vectorOverride] } };
    });
    expect(plain(checkOperatorNames(groups))).toEqual([imageless]);
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

  test('DNS egress: the old rule, kube-system pods labelled k8s-app=kube-dns on 53, reaches no node-local cache and not OpenShift', () => {
    const withPolicies = demo({ networkPolicies: true });
    const old = copy(withPolicies);
    const KUBE_DNS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
    const jobs = ['load-ny-taxi-data', 'minio-buckets', 'superset-import-dashboard'];
    for (const job of jobs) {
      const np = find(old, 'NetworkPolicy', job);
      np.spec.egress = np.spec.egress.filter((r: any) => !r.ports.some((p: any) => p.port === 5353))
        .map((r: any) => (r.ports.some((p: any) => p.port === 53) ? { to: [KUBE_DNS], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] } : r));
    }
    expect(checkDnsEgress(withPolicies)).toEqual([]);
    const violations = checkDnsEgress(old);
    for (const job of jobs) {
      expect(violations).toContain(`NetworkPolicy/${job}: its pods cannot reach NodeLocal DNSCache (documented example address) at 169.254.20.10 on UDP/53, TCP/53 (kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/)`);
      expect(violations).toContainEqual(expect.stringMatching(new RegExp(`^NetworkPolicy/${job}: its pods cannot reach OpenShift DNS \\(dns-default\\) at pods openshift-dns/dns.operator.openshift.io/daemonset-dns=default on UDP/5353, TCP/5353 `)));
    }
    // Per Job: Canonical's and Cilium's CoreDNS labels, OpenShift, and the five node-local addresses; kube-dns itself is reached.
    expect(violations).toHaveLength(3 * 8);
    expect(violations.filter(v => v.includes('k8s-app=kube-dns'))).toEqual([]);
  });

  test('DNS egress: DnsEgress.clusterDns() reaches the node-local addresses, not OpenShift nor other labels; the servers, which open no connection, need none', () => {
    const narrow = plain(checkDnsEgress(demo({ networkPolicies: true, dnsEgress: DnsEgress.clusterDns() })));
    expect(narrow.filter(v => v.startsWith('NetworkPolicy/minio-buckets')).map(v => v.replace(/ at .*/, ''))).toEqual([
      'NetworkPolicy/minio-buckets: its pods cannot reach Canonical Kubernetes CoreDNS',
      'NetworkPolicy/minio-buckets: its pods cannot reach OpenShift DNS (dns-default)',
      'NetworkPolicy/minio-buckets: its pods cannot reach Cilium local redirect to node-local-dns',
    ]);
    expect(narrow.filter(v => /^NetworkPolicy\/(minio|postgresql-[a-z-]+):/.test(v))).toEqual([]);
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

  test('image files: the load Job of 0.3.0 copied the mc image\'s /usr/bin/mc (root:root 0711) as UID 10001', () => {
    const old = copy(objs);
    const pod = find(old, 'Job', 'load-ny-taxi-data').spec.template.spec;
    pod.initContainers = [{
      name: 'copy-mc', image: find(old, 'Job', 'minio-buckets').spec.template.spec.containers[0].image,
      command: ['cp', '/usr/bin/mc', '/mc-bin/mc'], securityContext: { runAsUser: 10001, runAsGroup: 10001 },
    }];
    expect(plain(checkImageFiles(old))).toEqual([
      'Job/load-ny-taxi-data container copy-mc: runs cp, which IMAGE_FILES does not list for quay.io/minio/mc',
      expect.stringMatching(/^Job\/load-ny-taxi-data container copy-mc: cp copies it: \/usr\/bin\/mc \(0:0 0711 in quay.io\/minio\/mc\) cannot be read by UID 10001 \(groups 10001,10001\); source: minio\/mc RELEASE.2025-04-16T18-13-26Z Dockerfile.release/),
    ]);
  });

  test('image files: a Stackable image\'s program run by a user that is neither 1000 nor in group 0', () => {
    const old = copy(objs);
    find(old, 'Job', 'superset-import-dashboard').spec.template.spec.securityContext = { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 };
    expect(plain(checkImageFiles(old))).toEqual([
      expect.stringMatching(/^Job\/superset-import-dashboard container import: \/stackable\/app\/bin\/python3 is below \/stackable \(1000:0 0770\), which UID 10001 \(groups 10001,10001\) cannot enter/),
    ]);
  });

  test('JVM memory: the TrinoSqlJob of 0.3.0 gave the CLI\'s JVM (-Xmx1G) 512 MiB', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ns' });
    const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
    new TrinoSqlJob(chart, 'Sql', { trino, trust: new TlsTrustStore(chart, 'Trust'), statements: ['SELECT 1'] });
    const objs = Testing.synth(chart) as Obj[];
    expect(checkJvmMemory(objs)).toEqual([]);
    const old = copy(objs);
    const sql = find(old, 'Job', 'trino-sql').spec.template.spec.containers[0];
    sql.resources.limits.memory = '512Mi';
    expect(plain(checkJvmMemory(old))).toEqual([
      'Job/trino-sql container sql: memory limit 512Mi, but the trino-cli launcher starts Java with -Xmx1G (needs 1280Mi with the JVM\'s own memory)',
    ]);
  });

  test('image files: an image without facts, and a program the facts do not list', () => {
    const old = copy(objs);
    const load = find(old, 'Job', 'load-ny-taxi-data').spec.template.spec.containers[0];
    load.image = 'docker.io/library/busybox:1.37';
    find(old, 'Job', 'minio-buckets').spec.template.spec.containers[0].command = ['mcli', 'ls'];
    expect(plain(checkImageFiles(old))).toEqual([
      'Job/minio-buckets container create-buckets: runs mcli, which IMAGE_FILES does not list for quay.io/minio/mc',
      'Job/load-ny-taxi-data container load: image docker.io/library/busybox:1.37 has no facts in IMAGE_FILES (constructs/core/image-files.ts)',
    ]);
  });

  test('operator defaults: a published SECRET_KEY in <cluster>-secret-key (the old default, a string of the sources), in stringData or data', () => {
    const old = demo({ supersetSecretKey: SupersetSecretKey.literal('demo-superset-secret-key') });
    expect(plain(checkOperatorDefaults(old))).toEqual([
      expect.stringMatching(/^SupersetCluster\/superset: Secret superset-secret-key holds a published SECRET_KEY \(in earlier dist\/ folders of this library, README\.md\): anyone can sign sessions and decrypt the stored database passwords; leave the key to the operator \(SupersetSecretKey\.generated\(\), the default\) or set one of your own$/),
    ]);
    // The committed dist/ as it was: the Secret in data (base64), as an API server returns it.
    const dist = copy(objs);
    dist.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'superset-secret-key', namespace: 'default' }, data: { SECRET_KEY: Buffer.from('demo-superset-secret-key').toString('base64') } });
    expect(plain(checkRuntimeContract(dist))).toEqual([expect.stringMatching(/^operator defaults: SupersetCluster\/superset: Secret superset-secret-key holds a published SECRET_KEY/)]);
    // A string of the sources: the demo's admin password.
    const source = checkOperatorDefaults(demo({ supersetSecretKey: SupersetSecretKey.literal('adminadmin') }));
    expect(source).toEqual([expect.stringMatching(/holds a published SECRET_KEY \(in README\.md, .*demos\/spark-k8s-anomaly-detection-taxi-data\/demo-chart\.ts/)]);
    expect(publishedAt('adminadmin')).not.toContain('earlier dist/ folders of this library');
    // A key of one's own (not a whole word of the sources: a longer one that contains a published one is fine), or none.
    expect(checkOperatorDefaults(demo({ supersetSecretKey: SupersetSecretKey.literal('n0t-in-the-sources-7f3a9c') }))).toEqual([]);
    expect(checkOperatorDefaults(demo({ supersetSecretKey: SupersetSecretKey.literal('adminadmin-7f3a9c') }))).toEqual([]);
    expect(checkOperatorDefaults(objs)).toEqual([]);
  });

  test('listener classes: a class no preset creates', () => {
    const bad = copy(objs);
    find(bad, 'TrinoCluster', 'trino').spec.coordinators.roleConfig.listenerClass = 'external-lb';
    expect(plain(checkListenerClasses(bad))).toHaveLength(2);
  });
});

describe('an exposed MinIO keeps the listener contract', () => {
  const exposed = (): Obj[] => {
    const chart = namespacedChart('ns');
    new MinioServer(chart, 'Minio', { listenerClass: 'external-unstable' });
    return Testing.synth(chart) as Obj[];
  };

  test('as synthesized', () => {
    expect(checkListenerVolumes(exposed())).toEqual([]);
    expect(checkRuntimeContract(exposed())).toEqual([]);
  });

  test('fails on a missing Listener, a port the pod lacks, a Service in its way, a scope without its volume', () => {
    const noListener = exposed().filter(o => o.kind !== 'Listener');
    expect(checkListenerVolumes(noListener)).toEqual(['Deployment/minio volume listener: Listener minio-listener is not in the objects']);
    const badPort = exposed();
    find(badPort, 'Listener', 'minio-listener').spec.ports[1].port = 9443;
    expect(checkListenerVolumes(badPort)).toEqual(['Deployment/minio: Listener minio-listener port console 9443 is no container port of the pod']);
    const clash = exposed();
    find(clash, 'Listener', 'minio-listener').metadata.name = 'minio';
    find(clash, 'Deployment', 'minio').spec.template.spec.volumes.find((v: any) => v.name === 'listener').ephemeral.volumeClaimTemplate.metadata.annotations['listeners.stackable.tech/listener-name'] = 'minio';
    expect(checkListenerVolumes(clash)).toEqual(['Listener/minio: a Service of ours has its name; the listener-operator will not manage it']);
    const noVolume = exposed();
    const spec = find(noVolume, 'Deployment', 'minio').spec.template.spec;
    spec.volumes = spec.volumes.filter((v: any) => v.name !== 'listener');
    expect(checkListenerVolumes(noVolume)).toEqual(['Deployment/minio volume tls: scope listener-volume=listener names no listener volume of the pod']);
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
