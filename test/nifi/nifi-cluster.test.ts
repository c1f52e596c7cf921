/**
 * Tests of constructs/nifi/nifi-cluster.ts. The runtime contract (certificate names, NIFI_URL, the
 * static login's key) is checked in test/contract.
 * Run: npx jest test/nifi
 */
import { ApiObject, Testing } from 'cdk8s';
import { Credentials, PodNetworkPolicy } from '../../constructs/core';
import { NIFI_PORTS, NifiCluster, nifiCertificateNames, nifiListenerName, nifiNodePod } from '../../constructs/nifi';
import { dnsEgressRules, expectSecretRefsResolve, find, namespacedChart, ofKind, synth } from '../util';

describe('NifiCluster', () => {
  it('writes the Stackable 26.7 stack\'s NifiCluster: 2.9.0, 2 nodes, 2-4 CPU, 6 GiB, the repositories, SNI checks off, external-stable', () => {
    const chart = namespacedChart();
    const nifi = new NifiCluster(chart, 'Nifi');
    const objs = synth(chart);
    const cluster = find(objs, 'NifiCluster', 'nifi');
    expect(cluster.spec.image).toEqual({ productVersion: '2.9.0' });
    expect(cluster.spec.clusterConfig).toEqual({
      authentication: [{ authenticationClass: 'ns-nifi-admin-credentials' }],
      sensitiveProperties: { keySecret: 'nifi-sensitive-property-key', autoGenerate: true },
      tls: { serverSecretClass: 'tls' },
    });
    // No zookeeperConfigMapName: the operator uses the Kubernetes clustering backend.
    expect(cluster.spec.clusterConfig.zookeeperConfigMapName).toBeUndefined();
    expect(cluster.spec.nodes.roleConfig).toEqual({ listenerClass: 'external-stable' });
    expect(cluster.spec.nodes.config.resources).toEqual({
      cpu: { min: '2', max: '4' },
      memory: { limit: '6Gi' },
      storage: {
        contentRepo: { capacity: '10Gi' }, databaseRepo: { capacity: '1Gi' }, flowfileRepo: { capacity: '2Gi' },
        provenanceRepo: { capacity: '4Gi' }, stateRepo: { capacity: '1Gi' },
      },
    });
    expect(cluster.spec.nodes.configOverrides).toEqual({ 'nifi.properties': { 'nifi.web.https.sni.required': 'false', 'nifi.web.https.sni.host.check': 'false' } });
    expect(cluster.spec.nodes.roleGroups).toEqual({ default: { replicas: 2 } });
    expect(cluster.spec.nodes.podOverrides.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(nifi.apiUrl).toBe('https://nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local:8443');
    expect(nifi.listenerServiceName).toBe('nifi-node');
    expect(nifi.bundleVersion).toBe('2.9.0-stackable26.7.0');
    expect(nifi.port).toBe(NIFI_PORTS.https);
    expect(ApiObject.of(nifi)).toBe(nifi.resource);
    expect(ofKind(objs, 'NetworkPolicy')).toEqual([]);
  });

  it('logs in the admin through a cluster-scoped static AuthenticationClass and a Secret with the password under the key admin', () => {
    const chart = namespacedChart();
    const nifi = new NifiCluster(chart, 'Nifi', { admin: Credentials.literal('admin', 's3cret-pw') });
    const objs = synth(chart);
    const auth = find(objs, 'AuthenticationClass', 'ns-nifi-admin-credentials');
    expect(auth.metadata.namespace).toBeUndefined();
    expect(auth.spec).toEqual({ provider: { static: { userCredentialsSecret: { name: 'nifi-admin-credentials' } } } });
    expect(find(objs, 'Secret', 'nifi-admin-credentials').stringData).toEqual({ admin: 's3cret-pw' });
    expect(nifi.admin.username).toBe('admin');
    expect(nifi.admin.passwordKey).toBe('admin');
    expectSecretRefsResolve(objs);
  });

  it('takes an existing Secret, and its own names, version, sizes and class', () => {
    const chart = namespacedChart();
    const nifi = new NifiCluster(chart, 'Nifi', {
      name: 'flows', productVersion: '2.6.0', replicas: 1, admin: Credentials.fromSecret('my-nifi-admin', 'admin'),
      authenticationClassName: 'flows-login', listenerClass: 'cluster-internal', tlsSecretClass: 'nifi-tls',
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 1000, memoryMi: 3072 }, storage: { contentRepoGi: 50 },
      sensitivePropertiesKeySecret: 'flows-key',
    });
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret')).toEqual([]);
    expect(find(objs, 'AuthenticationClass', 'flows-login').spec.provider.static.userCredentialsSecret.name).toBe('my-nifi-admin');
    const spec = find(objs, 'NifiCluster', 'flows').spec;
    expect(spec.image.productVersion).toBe('2.6.0');
    expect(spec.clusterConfig.tls.serverSecretClass).toBe('nifi-tls');
    expect(spec.clusterConfig.sensitiveProperties.keySecret).toBe('flows-key');
    expect(spec.nodes.config.resources.cpu).toEqual({ min: '500m', max: '1000m' });
    expect(spec.nodes.config.resources.storage.contentRepo).toEqual({ capacity: '50Gi' });
    expect(spec.nodes.config.resources.storage.stateRepo).toEqual({ capacity: '1Gi' });
    expect(spec.nodes.roleGroups.default.replicas).toBe(1);
    expect(nifi.apiUrl).toBe('https://flows-node-default-0.flows-node-default-headless.ns.svc.cluster.local:8443');
  });

  it('with networkPolicy: its own cluster ports, the UI from anyone when exposed, the Kubernetes API, DNS, and what flows and clients are allowed', () => {
    const chart = namespacedChart();
    const nifi = new NifiCluster(chart, 'Nifi', { networkPolicy: true });
    nifi.allowFrom({ podSelector: { app: 'client' } });
    nifi.allowEgressTo({ podSelector: { app: 'kafka' } }, [9093]);
    nifi.allowInternet([443]);
    const policy = find(synth(chart), 'NetworkPolicy', 'nifi');
    expect(nifi.networkPolicy).toBeInstanceOf(PodNetworkPolicy);
    expect(policy.spec.podSelector.matchLabels).toEqual(nifi.podSelector);
    const ports = (rule: any) => rule.ports.map((p: any) => p.port);
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: nifi.podSelector } }], ports: expect.anything() },
      { ports: [{ protocol: 'TCP', port: 8443 }] },
      { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 8443 }] },
    ]);
    expect(ports(policy.spec.ingress[0])).toEqual([8443, 9088, 6243]);
    expect(policy.spec.egress.map(ports)).toEqual([[8443, 9088, 6243], [443, 6443], ...dnsEgressRules().map(ports), [9093], [443]]);
  });

  it('takes no client ingress from anyone when cluster-internal', () => {
    const chart = namespacedChart();
    new NifiCluster(chart, 'Nifi', { networkPolicy: true, listenerClass: 'cluster-internal' });
    expect(find(synth(chart), 'NetworkPolicy', 'nifi').spec.ingress).toHaveLength(1);
  });

  it('models the operator\'s pods, Listener and certificate names', () => {
    expect(nifiListenerName('nifi')).toBe('nifi-node');
    expect(nifiNodePod('nifi')).toEqual({ containers: ['prepare', 'nifi', 'vector'], labels: { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': 'nifi' } });
    expect(nifiCertificateNames('nifi', 'ns', 'cluster-internal', { default: 1 })).toEqual([
      'nifi-node-default-metrics.ns.svc.cluster.local', 'nifi-node.ns.svc.cluster.local', 'nifi-node-default-headless.ns.svc.cluster.local',
      'nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local',
    ]);
  });

  it.each([
    [{ name: 'NiFi' }, /^NifiCluster Nifi: name "NiFi" is not a valid name/],
    [{ productVersion: '1.28.1' }, /^NifiCluster Nifi: productVersion "1.28.1" is not a NiFi 2 version/],
    [{ productVersion: 'latest' }, /^NifiCluster Nifi: productVersion "latest" is not a version number/],
    [{ replicas: 0 }, /^NifiCluster Nifi: replicas 0 must be an integer >= 1/],
    [{ listenerClass: 'public' as never }, /^NifiCluster Nifi: listenerClass "public" is not allowed: use one of "cluster-internal", "external-unstable", "external-stable"/],
    [{ storage: { contentRepoGi: 0.5 } }, /^NifiCluster Nifi: storage.contentRepoGi 0.5 must be an integer >= 1/],
    [{ storage: { logsGi: 1 } as never }, /^NifiCluster Nifi: storage.logsGi is not a repository: use contentRepoGi, databaseRepoGi/],
    [{ admin: Credentials.literal('nifi', 'pw-pw-pw') }, /^NifiCluster Nifi: admin.username "nifi" is not allowed: the nifi-operator logs in the static AuthenticationClass's user as "admin" only/],
    [{ resources: { cpuRequestMillis: 500, memoryMi: 2048 } }, /^NifiCluster Nifi: resources/],
    [{ tlsSecretClass: 'TLS' }, /^NifiCluster Nifi: tlsSecretClass "TLS" is not a valid object name/],
  ])('refuses %j', (props, error) => {
    expect(() => new NifiCluster(namespacedChart(), 'Nifi', props)).toThrow(error);
  });

  it('needs a namespace for its cluster-scoped AuthenticationClass name', () => {
    expect(() => new NifiCluster(Testing.chart(), 'Nifi')).toThrow(/namespace/);
  });
});
