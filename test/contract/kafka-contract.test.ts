/**
 * The runtime contract (test/contract/runtime-contract.ts) with a KafkaCluster and a client:
 * the operator pod models of brokers and controllers (podOverrides, NetworkPolicy selectors) and
 * the Kafka client check, on the objects as synthesized and on the defects each check exists for.
 */
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { KafkaCluster, KafkaClusterProps } from '../../constructs/kafka';
import { find, namespacedChart } from '../util';
import { checkKafkaClients, checkNetworkPolicySelectors, checkOperatorNames, CONTRACT_CHECKS, kafkaReferences, Obj } from './runtime-contract';

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const IMAGE = 'oci.stackable.tech/sdp/kafka:4.2.1-stackable26.7.0';

/** A KafkaCluster and a producer Job that connects with `bootstrapServers` and `clientTlsVolume`. */
function objects(props: KafkaClusterProps = {}): Obj[] {
  const chart = namespacedChart('ns');
  const kafka = new KafkaCluster(chart, 'Kafka', props);
  const producer = { podSelector: { app: 'producer' } };
  kafka.allowFrom(producer);
  new k8s.KubeJob(chart, 'Producer', {
    metadata: { name: 'producer' },
    spec: {
      template: {
        metadata: { labels: producer.podSelector },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'producer', image: IMAGE,
            env: [{ name: 'KAFKA_BOOTSTRAP_SERVERS', value: kafka.bootstrapServers }, kafka.bootstrapServersEnv('KAFKA_DISCOVERED')],
            volumeMounts: [{ name: 'kafka-tls', mountPath: '/stackable/kafka-tls' }],
          }],
          volumes: [kafka.clientTlsVolume('kafka-tls')],
        },
      },
    },
  });
  return Testing.synth(chart) as Obj[];
}

/** Every check but the image files (the stand-in producer's image has no facts in IMAGE_FILES). */
const checks = (objs: Obj[]): string[] => Object.entries(CONTRACT_CHECKS).filter(([name]) => name !== 'image files').flatMap(([name, check]) => check(objs).map(v => `${name}: ${v}`));

const producer = (objs: Obj[]): any => find(objs, 'Job', 'producer').spec.template.spec;

describe('a KafkaCluster and its client keep the runtime contract', () => {
  test.each<[string, KafkaClusterProps]>([
    ['default (external listeners)', {}],
    ['cluster-internal listeners with NetworkPolicies', { bootstrapListenerClass: 'cluster-internal', brokerListenerClass: 'cluster-internal', networkPolicy: true }],
    ['NetworkPolicies with external listeners', { networkPolicy: true }],
  ])('%s', (_, props) => {
    expect(checks(objects(props))).toEqual([]);
  });

  test('the client check sees the producer\'s reference', () => {
    expect(kafkaReferences(objects()).map(r => [r.what, r.servers])).toEqual([
      ['Job/producer container producer env KAFKA_BOOTSTRAP_SERVERS', 'kafka-broker-default-headless.ns.svc.cluster.local:9093'],
    ]);
  });
});

describe('the Kafka checks fail on the defect they exist for', () => {
  test('bootstrap servers that are no KafkaCluster\'s, or the wrong port', () => {
    const bad = objects();
    const env = producer(bad).containers[0].env;
    env[0].value = 'kafka.ns.svc.cluster.local:9093';
    expect(checkKafkaClients(bad)).toEqual([
      'Job/producer container producer env KAFKA_BOOTSTRAP_SERVERS: kafka.ns.svc.cluster.local:9093 is not the bootstrap servers of a KafkaCluster (kafka-broker-default-headless.ns.svc.cluster.local:9093): no broker certificate names kafka.ns.svc.cluster.local',
    ]);
    env[0].value = 'kafka-broker-default-headless.ns.svc.cluster.local:9092';
    expect(checkKafkaClients(bad)).toEqual([
      'Job/producer container producer env KAFKA_BOOTSTRAP_SERVERS: kafka-broker-default-headless.ns.svc.cluster.local:9092: KafkaCluster/kafka accepts clients on 9093 (port kafka-tls), not 9092',
    ]);
    // The bootstrap Listener's Service is in the certificates only for a cluster-internal class.
    env[0].value = 'kafka-broker-default-bootstrap.ns.svc.cluster.local:9093';
    expect(checkKafkaClients(bad)).toEqual([expect.stringMatching(/: kafka-broker-default-bootstrap.ns.svc.cluster.local:9093 is not the bootstrap servers of a KafkaCluster/)]);
    const internal = objects({ bootstrapListenerClass: 'cluster-internal' });
    producer(internal).containers[0].env[0].value = 'kafka-broker-default-bootstrap.ns.svc.cluster.local:9093';
    expect(checkKafkaClients(internal)).toEqual([]);
  });

  test('a ConfigMap or sparkConf naming servers of no KafkaCluster', () => {
    const bad = objects();
    bad.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'client', namespace: 'ns' }, data: { 'client.properties': 'security.protocol=SSL\nbootstrap.servers=kafka-0.ns.svc.cluster.local:9093\n' } });
    bad.push({ apiVersion: 'spark.stackable.tech/v1alpha1', kind: 'SparkApplication', metadata: { name: 'stream', namespace: 'ns' }, spec: { sparkConf: { 'spark.kafka.bootstrap.servers': 'kafka:9093' } } });
    bad.push({ apiVersion: 'spark.stackable.tech/v1alpha1', kind: 'SparkApplication', metadata: { name: 'stream2', namespace: 'ns' }, spec: { sparkConf: { 'spark.kafka.bootstrap.servers': 'other-broker-default-headless.ns.svc.cluster.local:9093' } } });
    expect(checkKafkaClients(bad)).toEqual([
      expect.stringMatching(/^SparkApplication\/stream2 sparkConf spark.kafka.bootstrap.servers: other-broker-default-headless.ns.svc.cluster.local:9093 is not the bootstrap servers of a KafkaCluster/),
      expect.stringMatching(/^ConfigMap\/client client.properties \(bootstrap.servers=kafka-0.ns.svc.cluster.local:9093\): kafka-0.ns.svc.cluster.local:9093 is not the bootstrap servers of a KafkaCluster/),
    ]);
  });

  test('a client without a certificate the brokers accept: none, only the CA, another SecretClass', () => {
    const none = objects();
    producer(none).containers[0].volumeMounts = [];
    expect(checkKafkaClients(none)).toEqual([
      expect.stringMatching(/^Job\/producer container producer: connects to KafkaCluster\/kafka \(Job\/producer container producer env KAFKA_BOOTSTRAP_SERVERS\), whose brokers require a client certificate of SecretClass tls and are signed by it, but it mounts no such secret-operator volume \(mounted: none\)/),
    ]);
    const publicOnly = objects();
    producer(publicOnly).volumes[0].ephemeral.volumeClaimTemplate.metadata.annotations['secrets.stackable.tech/provision-parts'] = 'public';
    expect(checkKafkaClients(publicOnly)).toEqual([expect.stringMatching(/mounts no such secret-operator volume \(mounted: kafka-tls: tls\)/)]);
    const other = objects();
    producer(other).volumes[0].ephemeral.volumeClaimTemplate.metadata.annotations['secrets.stackable.tech/class'] = 'other-ca';
    expect(checkKafkaClients(other)).toEqual([expect.stringMatching(/require a client certificate of SecretClass tls .* \(mounted: kafka-tls: other-ca\)/)]);
  });

  test('a missing AuthenticationClass, and the discovery key of a ConfigMap that is no KafkaCluster\'s', () => {
    const bad = objects().filter(o => o.kind !== 'AuthenticationClass');
    expect(checkKafkaClients(bad)).toEqual(['KafkaCluster/kafka: AuthenticationClass ns-kafka-client-tls is not in the objects']);
    const discovery = objects();
    producer(discovery).containers[0].env[1].valueFrom.configMapKeyRef.name = 'kafka-discovery';
    expect(checkKafkaClients(discovery)).toEqual([
      'Job/producer container producer: env KAFKA_DISCOVERED reads KAFKA of ConfigMap kafka-discovery, which is not the discovery ConfigMap of a KafkaCluster (named after it)',
    ]);
  });

  test('podOverrides of the operator pods: a container, volume or mount the kafka-operator has', () => {
    const bad = copy(objects());
    const kafka = find(bad, 'KafkaCluster', 'kafka');
    kafka.spec.brokers.podOverrides.spec.containers = [{ name: 'kcat', volumeMounts: [{ name: 'x', mountPath: '/stackable/tls-kcat' }] }];
    kafka.spec.brokers.podOverrides.spec.volumes = [{ name: 'listener-broker', emptyDir: {} }];
    kafka.spec.controllers.podOverrides.spec.containers = [{ name: 'kafka', volumeMounts: [{ name: 'y', mountPath: '/stackable/data' }] }];
    expect(checkOperatorNames(bad)).toEqual([
      'KafkaCluster/kafka brokers.podOverrides: container kcat is not one the operator creates (kafka, kcat-prober, vector); the override would add an image-less container',
      'KafkaCluster/kafka brokers.podOverrides: volume listener-broker would be merged into the operator\'s volume of that name',
      'KafkaCluster/kafka controllers.podOverrides: container kafka mount /stackable/data would replace the operator\'s mount there',
    ]);
  });

  test('NetworkPolicy selectors: the broker pods carry the operator\'s labels', () => {
    const bad = objects({ networkPolicy: true });
    expect(checkNetworkPolicySelectors(bad)).toEqual([]);
    find(bad, 'NetworkPolicy', 'kafka-broker').spec.podSelector.matchLabels['app.kubernetes.io/component'] = 'brokers';
    expect(checkNetworkPolicySelectors(bad)).toEqual([expect.stringMatching(/^NetworkPolicy\/kafka-broker: podSelector .* selects no pod/)]);
  });
});
