/**
 * Tests of constructs/kafka/: the KafkaCluster's defaults (Stackable's Kafka stack of 26.7),
 * overrides, the names the operator derives, NetworkPolicies, client TLS volumes, prop validation
 * and schema validity against the kafka-operator's and commons-operator's CRDs.
 * Run: npx jest test/kafka
 */
import { ApiObject, Testing } from 'cdk8s';
import { KafkaClientAuthentication, KafkaCluster, kafkaBrokerCertificateNames } from '../../constructs/kafka';
import { secretVolumeFilesByOption } from '../../constructs/secret-operator';
import { find, namespacedChart, ofKind, synth } from '../util';
import { crdErrors } from './crd-schema';

type Props = ConstructorParameters<typeof KafkaCluster>[2];

function setup(props: Props = {}, chart = namespacedChart('ns')) {
  const kafka = new KafkaCluster(chart, 'Kafka', props);
  return { chart, kafka };
}

const client = { podSelector: { app: 'producer' } };

/** The stack's KafkaCluster and AuthenticationClass (stackabletech/demos release-26.7 stacks/data-lakehouse-iceberg-trino-spark/kafka.yaml). */
const STACK_SPEC = {
  image: { productVersion: '4.2.1' },
  clusterConfig: { authentication: [{ authenticationClass: 'kafka-client-tls' }] },
  controllers: { roleGroups: { default: { replicas: 1 } } },
  brokers: {
    config: {
      bootstrapListenerClass: 'external-stable',
      brokerListenerClass: 'external-unstable',
      resources: { storage: { logDirs: { capacity: '50Gi' } }, cpu: { min: '1500m', max: '3' }, memory: { limit: '2Gi' } },
    },
    roleGroups: {
      default: {
        replicas: 5,
        configOverrides: { 'broker.properties': { 'num.partitions': '27', 'log.segment.bytes': '50000000', 'log.retention.bytes': '2000000000' } },
      },
    },
  },
};

const RESTRICTED = { spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } };

describe('KafkaCluster', () => {
  it('defaults to the stack: Kafka 4.2.1, 5 brokers, 1 controller, external listeners, resources, broker.properties, mTLS with SecretClass tls', () => {
    const { chart } = setup();
    const objs = synth(chart);
    const spec = find(objs, 'KafkaCluster', 'kafka').spec;
    // Ours adds the restricted pod settings to each role and names the cluster-scoped class after the namespace.
    const { podOverrides: brokerOverrides, ...brokers } = spec.brokers;
    const { podOverrides: controllerOverrides, ...controllers } = spec.controllers;
    expect({ ...spec, brokers, controllers, clusterConfig: { authentication: [{ authenticationClass: 'kafka-client-tls' }] } }).toEqual(STACK_SPEC);
    expect(spec.clusterConfig).toEqual({ authentication: [{ authenticationClass: 'ns-kafka-client-tls' }] });
    expect(brokerOverrides).toEqual(RESTRICTED);
    expect(controllerOverrides).toEqual(RESTRICTED);
    const auth = find(objs, 'AuthenticationClass', 'ns-kafka-client-tls');
    expect(auth.spec).toEqual({ provider: { tls: { clientCertSecretClass: 'tls' } } });
    expect(auth.metadata.namespace).toBeUndefined();
    expect(ofKind(objs, 'NetworkPolicy')).toEqual([]);
  });

  it('exposes the names the operator derives and the escape hatch', () => {
    const { kafka } = setup({ name: 'events' });
    expect(kafka).toMatchObject({
      name: 'events',
      bootstrapServers: 'events-broker-default-headless.ns.svc.cluster.local:9093',
      discoveryConfigMapName: 'events',
      discoveryConfigMapKey: 'KAFKA',
      port: 9093,
      tlsSecretClass: 'tls',
      podSelector: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'events', 'app.kubernetes.io/component': 'broker', 'app.kubernetes.io/role-group': 'default' },
      controllerPodSelector: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'events', 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/role-group': 'default' },
    });
    expect(ApiObject.of(kafka)).toBe(kafka.resource);
    expect(kafka.resource.kind).toBe('KafkaCluster');
    expect(kafka.clientAuthentication.name).toBe('ns-events-client-tls');
    expect(kafka.bootstrapServersEnv()).toEqual({ name: 'KAFKA_BOOTSTRAP_SERVERS', valueFrom: { configMapKeyRef: { name: 'events', key: 'KAFKA' } } });
  });

  it('the bootstrap host is a name in every broker certificate (pod scope: the headless Service)', () => {
    const { kafka } = setup({ brokers: 3 });
    const names = kafkaBrokerCertificateNames('kafka', 'ns', 'external-stable', 'external-unstable', { default: 3 });
    expect(names).toContain(kafka.bootstrapServers.split(':')[0]);
    expect(names).toContain('kafka-broker-default-2.kafka-broker-default-headless.ns.svc.cluster.local');
    // External listener classes give node or load-balancer addresses, not Service names.
    expect(names).not.toContain('kafka-broker-default-bootstrap.ns.svc.cluster.local');
    const internal = kafkaBrokerCertificateNames('kafka', 'ns', 'cluster-internal', 'cluster-internal', { default: 1 });
    expect(internal).toEqual(expect.arrayContaining(['kafka-broker-default-bootstrap.ns.svc.cluster.local', 'kafka-broker-default-0-listener-broker.ns.svc.cluster.local']));
  });

  it('applies overrides', () => {
    const { chart } = setup({
      productVersion: '4.1.1', brokers: 3, controllers: 3, bootstrapListenerClass: 'cluster-internal', brokerListenerClass: 'cluster-internal',
      brokerResources: { cpuRequestMillis: 500, cpuLimitMillis: 1000, memoryMi: 3072 },
      controllerResources: { cpu: { min: '200m', max: '500m' }, memory: { limit: '768Mi' } },
      logDirsGi: 10, serverTlsSecretClass: 'tls',
    });
    const spec = find(synth(chart), 'KafkaCluster', 'kafka').spec;
    expect(spec.image).toEqual({ productVersion: '4.1.1' });
    expect(spec.brokers.roleGroups.default.replicas).toBe(3);
    expect(spec.controllers.roleGroups.default.replicas).toBe(3);
    expect(spec.brokers.config).toEqual({
      bootstrapListenerClass: 'cluster-internal', brokerListenerClass: 'cluster-internal',
      resources: { cpu: { min: '500m', max: '1000m' }, memory: { limit: '3072Mi' }, storage: { logDirs: { capacity: '10Gi' } } },
    });
    expect(spec.controllers.config).toEqual({ resources: { cpu: { min: '200m', max: '500m' }, memory: { limit: '768Mi' } } });
    expect(spec.clusterConfig.tls).toEqual({ serverSecretClass: 'tls' });
  });

  it('merges brokerProperties over the stack\'s three', () => {
    const { chart } = setup({ brokerProperties: { 'num.partitions': '3', 'auto.create.topics.enable': 'false' } });
    expect(find(synth(chart), 'KafkaCluster', 'kafka').spec.brokers.roleGroups.default.configOverrides['broker.properties']).toEqual({
      'num.partitions': '3', 'log.segment.bytes': '50000000', 'log.retention.bytes': '2000000000', 'auto.create.topics.enable': 'false',
    });
  });

  it('with fewer than 3 brokers, sizes the internal topics\' replication to the brokers, unless brokerProperties say otherwise', () => {
    const props = (extra: object) => find(synth(setup(extra).chart), 'KafkaCluster', 'kafka').spec.brokers.roleGroups.default.configOverrides['broker.properties'];
    expect(props({ brokers: 1 })).toMatchObject({ 'offsets.topic.replication.factor': '1', 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1' });
    expect(props({ brokers: 2 })).toMatchObject({ 'offsets.topic.replication.factor': '2', 'transaction.state.log.replication.factor': '2', 'transaction.state.log.min.isr': '2' });
    expect(props({ brokers: 3 })['offsets.topic.replication.factor']).toBeUndefined();
    expect(props({ brokers: 1, brokerProperties: { 'offsets.topic.replication.factor': '1', 'transaction.state.log.min.isr': '1' } })['transaction.state.log.min.isr']).toBe('1');
  });

  it('uses a shared KafkaClientAuthentication of another SecretClass, and issues client volumes from it', () => {
    const chart = namespacedChart('ns');
    const auth = new KafkaClientAuthentication(chart, 'Auth', { clientCertSecretClass: 'kafka-ca' });
    const a = new KafkaCluster(chart, 'A', { name: 'a', clientAuthentication: auth, serverTlsSecretClass: 'kafka-ca' });
    const b = new KafkaCluster(chart, 'B', { name: 'b', clientAuthentication: auth });
    const objs = synth(chart);
    expect(ofKind(objs, 'AuthenticationClass').map(o => o.metadata.name)).toEqual(['ns-kafka-client-tls']);
    expect(find(objs, 'KafkaCluster', 'b').spec.clusterConfig.authentication).toEqual([{ authenticationClass: 'ns-kafka-client-tls' }]);
    expect(a.tlsSecretClass).toBe('kafka-ca');
    expect(b.clientTlsVolume('tls').ephemeral?.volumeClaimTemplate?.metadata?.annotations?.['secrets.stackable.tech/class']).toBe('kafka-ca');
  });

  describe('clientTlsVolume', () => {
    const annotations = (v: any): Record<string, string> => v.ephemeral.volumeClaimTemplate.metadata.annotations;

    it('PEM by default: a client certificate and key and the CA of the brokers, from the SecretClass the brokers trust', () => {
      const { kafka } = setup();
      const v = kafka.clientTlsVolume('kafka-tls');
      expect(v.name).toBe('kafka-tls');
      expect(v.ephemeral?.volumeClaimTemplate?.spec.storageClassName).toBe('secrets.stackable.tech');
      expect(annotations(v)).toEqual({ 'secrets.stackable.tech/class': 'tls', 'secrets.stackable.tech/scope': 'pod', 'secrets.stackable.tech/format': 'tls-pem' });
      expect(secretVolumeFilesByOption(annotations(v))).toEqual({ 'cert-name': 'tls.crt', 'key-name': 'tls.key', 'ca-name': 'ca.crt' });
    });

    it('PKCS#12 with a password: keystore and truststore', () => {
      const { kafka } = setup();
      const v = kafka.clientTlsVolume('kafka-tls', { format: 'tls-pkcs12', password: 'changeit' });
      expect(annotations(v)).toEqual({
        'secrets.stackable.tech/class': 'tls', 'secrets.stackable.tech/scope': 'pod', 'secrets.stackable.tech/format': 'tls-pkcs12',
        'secrets.stackable.tech/format.compatibility.tls-pkcs12.password': 'changeit',
      });
      expect(secretVolumeFilesByOption(annotations(v))).toEqual({ 'keystore-name': 'keystore.p12', 'truststore-name': 'truststore.p12' });
      expect(annotations(kafka.clientTlsVolume('p12', { format: 'tls-pkcs12' }))).not.toHaveProperty(['secrets.stackable.tech/format.compatibility.tls-pkcs12.password']);
    });

    it('rejects a password for PEM, an empty password, a bad format or volume name', () => {
      const { kafka } = setup();
      expect(() => kafka.clientTlsVolume('tls', { password: 'x' })).toThrow(/^KafkaCluster Kafka: clientTlsVolume password is for format "tls-pkcs12" only/);
      expect(() => kafka.clientTlsVolume('tls', { format: 'tls-pkcs12', password: ' ' })).toThrow(/^KafkaCluster Kafka: clientTlsVolume password must be a non-empty string/);
      expect(() => kafka.clientTlsVolume('tls', { format: 'jks' as any })).toThrow(/^KafkaCluster Kafka: clientTlsVolume format "jks" is not allowed: use one of "tls-pem", "tls-pkcs12"/);
      expect(() => kafka.clientTlsVolume('TLS')).toThrow(/^KafkaCluster Kafka: clientTlsVolume volumeName "TLS" is not a valid name/);
    });
  });

  describe('networkPolicy', () => {
    it('cluster-internal listeners: brokers accept the client port from allowFrom clients only, talk to brokers, controllers and DNS', () => {
      const { chart, kafka } = setup({ networkPolicy: true, bootstrapListenerClass: 'cluster-internal', brokerListenerClass: 'cluster-internal' });
      kafka.allowFrom(client);
      const objs = synth(chart);
      const np = find(objs, 'NetworkPolicy', 'kafka-broker');
      expect(np.spec.podSelector).toEqual({ matchLabels: kafka.podSelector });
      expect(np.spec.ingress).toEqual([
        { from: [{ podSelector: { matchLabels: kafka.podSelector } }], ports: [{ protocol: 'TCP', port: 19093 }] },
        { from: [{ podSelector: { matchLabels: { app: 'producer' } } }], ports: [{ protocol: 'TCP', port: 9093 }] },
      ]);
      expect(np.spec.egress.slice(0, 2)).toEqual([
        { to: [{ podSelector: { matchLabels: kafka.podSelector } }], ports: [{ protocol: 'TCP', port: 19093 }] },
        { to: [{ podSelector: { matchLabels: kafka.controllerPodSelector } }], ports: [{ protocol: 'TCP', port: 9093 }] },
      ]);
      const cp = find(objs, 'NetworkPolicy', 'kafka-controller');
      expect(cp.spec.ingress).toEqual([{
        from: [{ podSelector: { matchLabels: kafka.podSelector } }, { podSelector: { matchLabels: kafka.controllerPodSelector } }],
        ports: [{ protocol: 'TCP', port: 9093 }],
      }]);
    });

    it('external listeners: the client port is open to anyone (clients arrive from node addresses), mTLS guards it', () => {
      const { chart, kafka } = setup({ networkPolicy: true });
      const np = find(synth(chart), 'NetworkPolicy', 'kafka-broker');
      expect(np.spec.ingress).toContainEqual({ ports: [{ protocol: 'TCP', port: 9093 }] });
      expect(kafka.networkPolicy).toBeDefined();
    });

    it('cluster-internal without any client fails at synth', () => {
      const { chart } = setup({ networkPolicy: true, bootstrapListenerClass: 'cluster-internal', brokerListenerClass: 'cluster-internal' });
      expect(() => synth(chart)).toThrow(/KafkaCluster Kafka: networkPolicy is on but no client was allowed with allowFrom/);
    });

    it('allowFrom without networkPolicy writes nothing', () => {
      const { chart, kafka } = setup();
      kafka.allowFrom(client);
      expect(ofKind(synth(chart), 'NetworkPolicy')).toEqual([]);
    });
  });

  it('every object is valid against its CRD (unknown fields are errors)', () => {
    for (const props of [{}, {
      name: 'k', brokers: 1, controllers: 3, controllerResources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryMi: 512 },
      serverTlsSecretClass: 'tls', brokerProperties: { 'auto.create.topics.enable': 'false' }, networkPolicy: true,
    } as Props]) {
      const objs = synth(setup(props).chart);
      const stackable = objs.filter(o => o.apiVersion.includes('.stackable.tech/'));
      expect(stackable.map(o => o.kind).sort()).toEqual(['AuthenticationClass', 'KafkaCluster']);
      expect(stackable.flatMap(crdErrors)).toEqual([]);
    }
  });

  it('the CRD check catches a field the CRD does not have', () => {
    const kafka = find(synth(setup().chart), 'KafkaCluster', 'kafka');
    expect(crdErrors({ ...kafka, spec: { ...kafka.spec, brokers: { ...kafka.spec.brokers, replicas: 5 } } }))
      .toEqual([expect.stringMatching(/^KafkaCluster\/kafka\/spec\/brokers must NOT have additional properties \(replicas\)/)]);
  });

  describe('rejects bad props', () => {
    const build = (props: Props) => () => setup(props);
    it('a chart without a namespace', () => {
      expect(() => new KafkaCluster(Testing.chart(), 'Kafka')).toThrow(/the chart "test" has no namespace/);
    });
    it('a name longer than 29 characters (the per-broker listener Service names)', () => {
      expect(build({ name: 'k'.repeat(30) })).toThrow(/^KafkaCluster Kafka: name "k{30}" is not a valid name: use 1-29 /);
      expect(build({ name: 'Kafka' })).toThrow(/^KafkaCluster Kafka: name "Kafka" is not a valid name/);
    });
    it('a version that is no version, or Kafka 3 (ZooKeeper by default)', () => {
      expect(build({ productVersion: 'latest' })).toThrow(/^KafkaCluster Kafka: productVersion "latest" is not a version number/);
      expect(build({ productVersion: '3.9.1' })).toThrow(/^KafkaCluster Kafka: productVersion "3.9.1" is not Kafka 4 or later/);
    });
    it('broker and controller counts', () => {
      expect(build({ brokers: 0 })).toThrow(/^KafkaCluster Kafka: brokers 0 must be an integer between 1 and 99/);
      expect(build({ brokers: 100 })).toThrow(/brokers 100 must be an integer between 1 and 99/);
      expect(build({ controllers: 2 })).toThrow(/^KafkaCluster Kafka: controllers 2 must be odd/);
      expect(build({ controllers: 11 })).toThrow(/controllers 11 must be an integer between 1 and 9/);
    });
    it('listener classes', () => {
      expect(build({ bootstrapListenerClass: 'public' as any })).toThrow(/^KafkaCluster Kafka: bootstrapListenerClass "public" is not allowed: use one of "cluster-internal", "external-unstable", "external-stable"/);
      expect(build({ brokerListenerClass: 'nodeport' as any })).toThrow(/^KafkaCluster Kafka: brokerListenerClass "nodeport" is not allowed/);
    });
    it('resources and log size', () => {
      expect(build({ brokerResources: { cpuRequestMillis: 500, memoryMi: 1024 } })).toThrow(/^KafkaCluster Kafka: brokerResources.cpuLimitMillis is required for a Stackable role group/);
      expect(build({ controllerResources: { cpu: { min: '1', max: '500m' }, memory: { limit: '1Gi' } } })).toThrow(/^KafkaCluster Kafka: controllerResources.cpu.max "500m" must be >= cpu.min "1"/);
      expect(build({ logDirsGi: 0 })).toThrow(/^KafkaCluster Kafka: logDirsGi 0 must be an integer >= 1/);
      expect(build({ logDirsGi: 1.5 })).toThrow(/logDirsGi 1.5 must be an integer/);
    });
    it('brokerProperties the operator sets, or that are no property', () => {
      expect(build({ brokerProperties: { listeners: 'PLAINTEXT://:9092' } })).toThrow(/^KafkaCluster Kafka: brokerProperties key "listeners" is set by the kafka-operator .* leave it out/);
      expect(build({ brokerProperties: { 'listener.name.client.ssl.client.auth': 'none' } })).toThrow(/brokerProperties key "listener.name.client.ssl.client.auth" is set by the kafka-operator/);
      expect(build({ brokerProperties: { 'log.dirs': '/tmp' } })).toThrow(/brokerProperties key "log.dirs" is set by the kafka-operator/);
      expect(build({ brokerProperties: { 'num partitions': '3' } })).toThrow(/^KafkaCluster Kafka: brokerProperties key "num partitions" is not a property name/);
      expect(build({ brokerProperties: { 'num.partitions': 3 as any } })).toThrow(/^KafkaCluster Kafka: brokerProperties\["num.partitions"\] 3 must be a string/);
    });
    it('a server SecretClass other than the client authentication\'s (the operator would not use it)', () => {
      expect(build({ serverTlsSecretClass: 'other' })).toThrow(/^KafkaCluster Kafka: serverTlsSecretClass "other" differs from clientAuthentication's clientCertSecretClass "tls"/);
      expect(build({ serverTlsSecretClass: 'Bad_Class' })).toThrow(/^KafkaCluster Kafka: serverTlsSecretClass "Bad_Class" is not a valid object name/);
    });
    it('two clusters with one name', () => {
      const chart = namespacedChart('ns');
      new KafkaCluster(chart, 'A');
      new KafkaCluster(chart, 'B', { clientAuthentication: new KafkaClientAuthentication(chart, 'Auth', { name: 'other' }) });
      expect(() => synth(chart)).toThrow(/KafkaCluster "kafka" is created by both test\/A and test\/B/);
    });
  });
});

describe('KafkaClientAuthentication', () => {
  it('is cluster-scoped and named after the namespace by default', () => {
    const chart = namespacedChart('team-a');
    const auth = new KafkaClientAuthentication(chart, 'Auth');
    const obj = find(synth(chart), 'AuthenticationClass', 'team-a-kafka-client-tls');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(auth).toMatchObject({ name: 'team-a-kafka-client-tls', clientCertSecretClass: 'tls' });
    expect(ApiObject.of(auth)).toBe(auth.resource);
  });

  it('takes a name and SecretClass as given', () => {
    const chart = namespacedChart('ns');
    new KafkaClientAuthentication(chart, 'Auth', { name: 'kafka-client-tls', clientCertSecretClass: 'kafka-ca' });
    expect(find(synth(chart), 'AuthenticationClass', 'kafka-client-tls').spec).toEqual({ provider: { tls: { clientCertSecretClass: 'kafka-ca' } } });
  });

  it('rejects bad names', () => {
    const chart = namespacedChart('ns');
    expect(() => new KafkaClientAuthentication(chart, 'A', { name: 'Kafka' })).toThrow(/^KafkaClientAuthentication A: name "Kafka" is not a valid object name/);
    expect(() => new KafkaClientAuthentication(chart, 'B', { clientCertSecretClass: '' })).toThrow(/^KafkaClientAuthentication B: clientCertSecretClass "" is not a valid object name/);
  });
});
