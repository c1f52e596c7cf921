import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaCluster as KafkaClusterResource } from '../../imports/kafka.stackable.tech';
import {
  clusterScopedName, dnsLabel, dnsSubdomain, ensureUniqueObjectNames, intInRange, IPodSelectable, LISTENER_CLASSES, LISTENER_PRESETS,
  ListenerClassName, nonEmptySecret, oneOf, OperatorPod, PodNetworkPolicy, qualifiedRoleGroupName, Resources, restrictedPodOverrides,
  roleGroupHeadlessServiceName, serviceFqdn, stackableResources, validateRoleResources, version,
} from '../core';
import { CLUSTER_DOMAIN, SecretScope, scopeAddresses, secretOperatorVolume, TlsSecretFormat } from '../secret-operator';
import { KafkaClientAuthentication } from './kafka-client-authentication';

/** Props of {@link KafkaCluster}. */
export interface KafkaClusterProps {
  /**
   * Name of the KafkaCluster (and of its discovery ConfigMap). At most 29 characters: the
   * listener-operator names a Listener and Service `<name>-broker-default-<i>-listener-broker`
   * per broker (63 at most).
   * @default 'kafka'
   */
  readonly name?: string;
  /** Kafka version (4.x: KRaft, the only metadata mode of Kafka 4). @default '4.2.1' */
  readonly productVersion?: string;
  /** Broker replicas (role group `default`), 1 to 99. @default 5 */
  readonly brokers?: number;
  /** KRaft controller replicas (role group `default`), an odd number from 1 to 9 (a majority must be up). @default 1 */
  readonly controllers?: number;
  /**
   * How the bootstrap Listener `<name>-broker-default-bootstrap` is exposed, whose addresses the
   * discovery ConfigMap publishes (the operator's default is `cluster-internal`).
   * @default 'external-stable'
   */
  readonly bootstrapListenerClass?: ListenerClassName;
  /**
   * How each broker is exposed (the address it advertises to clients after bootstrapping; the
   * operator's default is `cluster-internal`).
   * @default 'external-unstable'
   */
  readonly brokerListenerClass?: ListenerClassName;
  /** CPU and memory per broker. @default 1500m-3 CPU, 2 GiB (`{ cpu: { min: '1500m', max: '3' }, memory: { limit: '2Gi' } }`) */
  readonly brokerResources?: Resources;
  /**
   * CPU and memory per controller.
   * @default - the kafka-operator's defaults: 250m-1000m CPU, 1 GiB memory (and a 2 GiB log volume)
   */
  readonly controllerResources?: Resources;
  /** Size of each broker's log (topic data) volume in GiB. @default 50 */
  readonly logDirsGi?: number;
  /**
   * Broker settings written into `broker.properties` over the defaults `num.partitions` 27,
   * `log.segment.bytes` 50000000 and `log.retention.bytes` 2000000000 (and, with fewer than 3
   * brokers, the internal topics' replication factor set to the broker count). The keys the operator sets
   * itself ({@link KAFKA_OPERATOR_BROKER_PROPERTIES}, and every `listener.name.*`) are refused:
   * an override would silently replace them.
   * @default - the three defaults above
   */
  readonly brokerProperties?: Readonly<Record<string, string>>;
  /**
   * The SecretClass of the brokers' server certificate (`clusterConfig.tls.serverSecretClass`).
   * With client authentication (always here) the kafka-operator issues that certificate from the
   * AuthenticationClass's `clientCertSecretClass` instead, so a class given here must be that
   * class ({@link KafkaCluster.tlsSecretClass} is the one in effect).
   * @default 'tls' (the operator's default, kafka-operator 26.7.0 crd/tls.rs `TLS_DEFAULT_SECRET_CLASS`; not written, and not used)
   */
  readonly serverTlsSecretClass?: string;
  /**
   * Mutual TLS of clients: the AuthenticationClass the brokers require client certificates of.
   * @default - a new KafkaClientAuthentication `<namespace>-<name>-client-tls` with SecretClass `tls`
   */
  readonly clientAuthentication?: KafkaClientAuthentication;
  /**
   * Create NetworkPolicies: brokers accept their client port only from clients added with
   * `allowFrom` (when both listener classes are `cluster-internal`; through an external class
   * clients arrive from node or load-balancer addresses that no pod selector names, so the port is
   * open to anyone there and their client certificate is the guard), and talk only to each other,
   * the controllers and DNS; controllers accept only brokers and controllers.
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** Options of {@link KafkaCluster.clientTlsVolume}. */
export interface KafkaClientTlsVolumeOptions {
  /** File format. @default 'tls-pem' */
  readonly format?: TlsSecretFormat;
  /** Password of the PKCS#12 files (`tls-pkcs12` only). @default - the secret-operator's, empty */
  readonly password?: string;
}

/** The role group this construct creates in each role. */
const ROLE_GROUP = 'default';

/**
 * Ports of kafka-operator 26.7.0 (rust/operator-binary/src/controller/security.rs
 * `ValidatedKafkaSecurity`): with TLS (always here: client authentication turns it on,
 * `tls_enabled`) the CLIENT listener is `SECURE_CLIENT_PORT` 9093, port name `kafka-tls`, on the
 * brokers' headless Service, bootstrap Listener and listener volumes (resource/service.rs
 * `headless_ports`, resource/listener.rs `bootstrap_listener_ports`); the INTERNAL (inter-broker)
 * listener `SECURE_INTERNAL_PORT` 19093 on every broker, advertised as
 * `<pod>.<headless Service>` (properties/listener.rs); the controllers' CONTROLLER listener is
 * their client port 9093 (properties/controller_properties.rs `listeners`, brokers reach them
 * through `controller.quorum.bootstrap.servers`, properties/mod.rs `kraft_controllers`).
 */
export const KAFKA_PORTS = { client: 9093, clientPortName: 'kafka-tls', internal: 19093, controller: 9093, metrics: 9606 } as const;

/**
 * The key of the discovery ConfigMap (named after the cluster) under which the kafka-operator
 * 26.7.0 publishes the bootstrap servers, `host:port` of each address of the bootstrap Listener's
 * status for port `kafka-tls`, comma-separated (controller/build/resource/discovery.rs).
 */
export const KAFKA_DISCOVERY_KEY = 'KAFKA';

/**
 * The `broker.properties` keys the kafka-operator 26.7.0 sets itself for a KRaft cluster with TLS
 * client authentication (controller/build/properties/broker_properties.rs `build`,
 * controller/build/security.rs `broker_config_settings`, graceful_shutdown.rs). `configOverrides`
 * are applied last (`result.extend(overrides)`), so an override of one silently replaces the
 * operator's value, e.g. `listeners`. Keys under `listener.name.` (the TLS stores and client
 * authentication of the CLIENT, INTERNAL and CONTROLLER listeners) are the operator's too.
 */
export const KAFKA_OPERATOR_BROKER_PROPERTIES: readonly string[] = [
  'advertised.listeners', 'broker.id.generation.enable', 'controlled.shutdown.enable', 'controller.listener.names',
  'controller.quorum.bootstrap.servers', 'inter.broker.listener.name', 'listener.security.protocol.map', 'listeners',
  'log.dirs', 'node.id', 'process.roles',
];

/** The `broker.properties` overrides of Stackable's Kafka stack (stackabletech/demos release-26.7, stacks/data-lakehouse-iceberg-trino-spark/kafka.yaml). */
const STACK_BROKER_PROPERTIES: Readonly<Record<string, string>> = {
  'num.partitions': '27',
  'log.segment.bytes': '50000000',
  'log.retention.bytes': '2000000000',
};

/**
 * Settings of Kafka's internal topics for fewer than 3 brokers. Kafka creates `__consumer_offsets`
 * and `__transaction_state` with replication factor 3 by default (`offsets.topic.replication.factor`,
 * `transaction.state.log.replication.factor`: 3, `transaction.state.log.min.isr`: 2; Apache Kafka
 * 4.2 broker configuration, GroupCoordinatorConfig / TransactionLogConfig) and refuses to create
 * them on fewer brokers, so consumer groups and transactional producers would fail; the
 * kafka-operator 26.7.0 sets none of them ("We can not make any assumptions about topic
 * replication factors", controller/build/resource/pdb.rs). With 1 or 2 brokers they default to the
 * broker count here; `brokerProperties` may still set them.
 */
function internalTopicReplication(brokers: number): Record<string, string> {
  if (brokers >= 3) return {};
  return {
    'offsets.topic.replication.factor': String(brokers),
    'transaction.state.log.replication.factor': String(brokers),
    'transaction.state.log.min.isr': String(Math.min(2, brokers)),
  };
}

/**
 * The labels of a KafkaCluster role's pods (kafka-operator 26.7.0 controller/build/labels.rs
 * `recommended_labels`: operator-rs stackable-operator-0.113.3 crates/stackable-operator/src/kvp/label/mod.rs
 * `Labels::recommended` with `app.kubernetes.io/name` = `APP_NAME` "kafka" (crd/mod.rs),
 * `instance` = the cluster, `component` = the role (`broker`, `controller`), `role-group`).
 */
function kafkaPodLabels(cluster: string, role: 'broker' | 'controller'): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'kafka',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/component': role,
    'app.kubernetes.io/role-group': ROLE_GROUP,
  };
}

/**
 * The broker pods as kafka-operator 26.7.0 builds them with TLS client authentication
 * (controller/build/resource/statefulset.rs `build_broker_rolegroup_statefulset`;
 * controller/build/security.rs `add_broker_volume_and_volume_mounts`; crd/mod.rs constants):
 * containers `kafka`, `kcat-prober` and, with vector logging, `vector` (crd/role/broker.rs
 * `BrokerContainer`); volumes `tls-kcat` (PEM, mounted by kcat-prober at /stackable/tls-kcat),
 * `tls-kafka-server` and `tls-kafka-internal` (PKCS#12, kafka at /stackable/tls-kafka-server and
 * /stackable/tls-kafka-internal), `config` (the role group ConfigMap, /stackable/config), `log`
 * (emptyDir, /stackable/log), `log-config` (/stackable/log_config), the ephemeral listener volume
 * `listener-broker` (/stackable/listener-broker) and the StatefulSet's claims `log-dirs`
 * (/stackable/data) and `listener-bootstrap` (/stackable/listener-bootstrap); vector mounts
 * /stackable/config/vector.yaml and /stackable/log (operator-rs 0.113.3 v2/product_logging/framework.rs).
 */
export function kafkaBrokerPod(cluster: string): OperatorPod {
  return {
    containers: ['kafka', 'kcat-prober', 'vector'],
    volumes: {
      names: ['tls-kcat', 'tls-kafka-server', 'tls-kafka-internal', 'config', 'log', 'log-config', 'listener-broker', 'log-dirs', 'listener-bootstrap'],
      mountPaths: {
        'kafka': ['/stackable/data', '/stackable/config', '/stackable/listener-bootstrap', '/stackable/listener-broker', '/stackable/log_config',
          '/stackable/log', '/stackable/tls-kafka-server', '/stackable/tls-kafka-internal'],
        'kcat-prober': ['/stackable/listener-bootstrap', '/stackable/listener-broker', '/stackable/tls-kcat'],
        'vector': ['/stackable/config/vector.yaml', '/stackable/log'],
      },
    },
    labels: kafkaPodLabels(cluster, 'broker'),
  };
}

/**
 * The KRaft controller pods as kafka-operator 26.7.0 builds them (statefulset.rs
 * `build_controller_rolegroup_statefulset`, security.rs `add_controller_volume_and_volume_mounts`):
 * containers `kafka` and, with vector logging, `vector` (crd/role/controller.rs
 * `ControllerContainer`); volumes `tls-kafka-internal` (/stackable/tls-kafka-internal), `config`,
 * `log`, `log-config` and the claim `log-dirs` (/stackable/data), mounted as on the brokers.
 */
export function kafkaControllerPod(cluster: string): OperatorPod {
  return {
    containers: ['kafka', 'vector'],
    volumes: {
      names: ['tls-kafka-internal', 'config', 'log', 'log-config', 'log-dirs'],
      mountPaths: {
        kafka: ['/stackable/data', '/stackable/config', '/stackable/log_config', '/stackable/log', '/stackable/tls-kafka-internal'],
        vector: ['/stackable/config/vector.yaml', '/stackable/log'],
      },
    },
    labels: kafkaPodLabels(cluster, 'controller'),
  };
}

/** The bootstrap Listener of a broker role group: `<cluster>-broker-<group>-bootstrap` (kafka-operator 26.7.0 controller.rs `bootstrap_listener_name`). */
export function kafkaBootstrapListenerName(cluster: string, roleGroup = ROLE_GROUP): string {
  return `${qualifiedRoleGroupName(cluster, 'broker', roleGroup)}-bootstrap`;
}

/**
 * The DNS names in a broker's server certificate. kafka-operator 26.7.0 (controller/build/security.rs
 * `create_tls_keystore_volume`) requests pod scope and the scopes of the listener volumes
 * `listener-broker` and `listener-bootstrap`. Pod scope names the pod's `subdomain`, the
 * StatefulSet's `serviceName`, i.e. the role group's headless Service (resource/statefulset.rs
 * `service_name`), and `<pod>.<that Service>`; the listener volumes add the Listeners' addresses,
 * DNS names only for ClusterIP classes (listener-operator 26.7.0 listener_controller.rs: the
 * Service is named after the Listener; `listener-broker` is a listener-class volume, so the
 * listener-operator creates a Listener named after its PVC, `<pod>-listener-broker`,
 * csi_server/node.rs; `listener-bootstrap` mounts `<cluster>-broker-<group>-bootstrap`).
 * See secret-operator/secret-volume.ts `scopeAddresses`.
 */
export function kafkaBrokerCertificateNames(
  cluster: string, namespace: string, bootstrapListenerClass: ListenerClassName, brokerListenerClass: ListenerClassName,
  roleGroups: Readonly<Record<string, number>>,
): string[] {
  const clusterIp = (c: ListenerClassName) => Object.values(LISTENER_PRESETS).every(preset => preset[c] === 'ClusterIP');
  const fqdn = (service: string) => `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  const names: string[] = [];
  for (const [roleGroup, replicas] of Object.entries(roleGroups)) {
    const statefulSet = qualifiedRoleGroupName(cluster, 'broker', roleGroup);
    const podSubdomain = roleGroupHeadlessServiceName(cluster, 'broker', roleGroup);
    for (let i = 0; i < replicas; i++) {
      const podName = `${statefulSet}-${i}`;
      const listenerDnsNames = {
        'listener-broker': clusterIp(brokerListenerClass) ? [fqdn(`${podName}-listener-broker`)] : [],
        'listener-bootstrap': clusterIp(bootstrapListenerClass) ? [fqdn(kafkaBootstrapListenerName(cluster, roleGroup))] : [],
      };
      names.push(...scopeAddresses([SecretScope.pod(), SecretScope.listenerVolume('listener-broker'), SecretScope.listenerVolume('listener-bootstrap')],
        { namespace, podName, podSubdomain, listenerDnsNames }));
    }
  }
  return [...new Set(names)];
}

/** The secret-operator annotation of a PKCS#12 file password (secret-operator 26.7.0 format/well_known.rs `CompatibilityOptions`; default empty). */
const PKCS12_PASSWORD_ANNOTATION = 'secrets.stackable.tech/format.compatibility.tls-pkcs12.password';

/** A KafkaCluster's pods of one role, for NetworkPolicy rules. */
class KafkaPods implements IPodSelectable {
  constructor(public readonly podSelector: Record<string, string>) {}
}

/**
 * An Apache Kafka cluster in KRaft mode (Stackable `KafkaCluster`): brokers and KRaft controllers,
 * clients authenticated by mutual TLS ({@link KafkaClientAuthentication}). Defaults are those of
 * Stackable's Kafka stack for 26.7: Kafka 4.2.1, 5 brokers of 1500m-3 CPU and 2 GiB with 50 GiB
 * of log volume, 1 controller, bootstrap Listener `external-stable`, brokers `external-unstable`,
 * `num.partitions` 27, segments of 50 MB and 2 GB retained per partition.
 *
 * Topics: the operator leaves `auto.create.topics.enable` at Kafka's default, true (kafka-operator
 * 26.7.0 sets it nowhere; its docs/modules/kafka/pages/usage-guide/overrides.adoc shows how to
 * turn it off), so a producer's first record to a topic creates it with `num.partitions`
 * partitions; set `brokerProperties` to change either.
 *
 * Clients connect to {@link bootstrapServers} over TLS with a client certificate of the
 * authentication's SecretClass, e.g. from {@link clientTlsVolume}.
 */
export class KafkaCluster extends Construct implements IPodSelectable {
  /** Name of the KafkaCluster. */
  public readonly name: string;
  /** The KafkaCluster object (also `ApiObject.of(kafka)`). */
  public readonly resource: ApiObject;
  /**
   * `host:port` for in-cluster clients: the brokers' headless Service
   * `<name>-broker-default-headless` on the TLS client port 9093 (kafka-operator 26.7.0
   * resource/service.rs `build_rolegroup_headless_service`, port `kafka-tls`). Its name is in
   * every broker's certificate (pod scope, see {@link kafkaBrokerCertificateNames}), so a client
   * that verifies host names accepts it; after bootstrapping, clients connect to the address each
   * broker advertises (its `listener-broker` Listener's, also in its certificate). The bootstrap
   * Listener's Service `<name>-broker-default-bootstrap` is not in the certificate unless
   * `bootstrapListenerClass` is `cluster-internal`; the discovery ConfigMap publishes that
   * Listener's addresses ({@link bootstrapServersEnv}).
   */
  public readonly bootstrapServers: string;
  /** Name of the discovery ConfigMap (the cluster's name); its key `KAFKA` holds the bootstrap Listener's `host:port` list. */
  public readonly discoveryConfigMapName: string;
  /** The key of the discovery ConfigMap with the bootstrap servers. */
  public readonly discoveryConfigMapKey: string = KAFKA_DISCOVERY_KEY;
  /** The TLS client port of the brokers. */
  public readonly port: number = KAFKA_PORTS.client;
  /** The SecretClass that issues the brokers' server certificate (the client authentication's). */
  public readonly tlsSecretClass: string;
  /** Labels of the broker pods. */
  public readonly podSelector: Record<string, string>;
  /** Labels of the KRaft controller pods. */
  public readonly controllerPodSelector: Record<string, string>;
  /** The AuthenticationClass of client certificates. */
  public readonly clientAuthentication: KafkaClientAuthentication;
  /** The brokers' NetworkPolicy, when `networkPolicy` is on. */
  public readonly networkPolicy?: PodNetworkPolicy;
  private clients = 0;

  constructor(scope: Construct, id: string, props: KafkaClusterProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `KafkaCluster ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'kafka', 29);
    const productVersion = version(owner, 'productVersion', props.productVersion ?? '4.2.1');
    // kafka-operator 26.7.0 crd/mod.rs `effective_metadata_manager`: 3.x defaults to ZooKeeper,
    // which this construct does not deploy; 3.7 also lacks `--initial-controllers` (command.rs).
    if (!/^[4-9]\.|^[1-9][0-9]+\./.test(productVersion)) {
      throw new Error(`${owner}: productVersion "${productVersion}" is not Kafka 4 or later: this construct runs KRaft controllers, which the kafka-operator 26.7 uses by default from Kafka 4 (use e.g. "4.2.1")`);
    }
    const brokers = intInRange(owner, 'brokers', props.brokers ?? 5, 1, 99);
    const controllers = intInRange(owner, 'controllers', props.controllers ?? 1, 1, 9);
    if (controllers % 2 === 0) throw new Error(`${owner}: controllers ${controllers} must be odd: a KRaft quorum of ${controllers} survives no more failures than one of ${controllers - 1}`);
    const bootstrapListenerClass = oneOf(owner, 'bootstrapListenerClass', props.bootstrapListenerClass ?? 'external-stable', LISTENER_CLASSES);
    const brokerListenerClass = oneOf(owner, 'brokerListenerClass', props.brokerListenerClass ?? 'external-unstable', LISTENER_CLASSES);
    const brokerResources = validateRoleResources(owner, 'brokerResources', props.brokerResources ?? { cpu: { min: '1500m', max: '3' }, memory: { limit: '2Gi' } });
    const controllerResources = props.controllerResources === undefined ? undefined : validateRoleResources(owner, 'controllerResources', props.controllerResources);
    const logDirsGi = intInRange(owner, 'logDirsGi', props.logDirsGi ?? 50, 1);
    const brokerProperties = { ...STACK_BROKER_PROPERTIES, ...internalTopicReplication(brokers), ...validateBrokerProperties(owner, props.brokerProperties ?? {}) };

    this.clientAuthentication = props.clientAuthentication
      ?? new KafkaClientAuthentication(this, 'ClientAuthentication', { name: clusterScopedName(this, `${this.name}-client-tls`) });
    this.tlsSecretClass = this.clientAuthentication.clientCertSecretClass;
    const serverTlsSecretClass = props.serverTlsSecretClass === undefined ? undefined : dnsSubdomain(owner, 'serverTlsSecretClass', props.serverTlsSecretClass);
    if (serverTlsSecretClass !== undefined && serverTlsSecretClass !== this.tlsSecretClass) {
      throw new Error(`${owner}: serverTlsSecretClass "${serverTlsSecretClass}" differs from clientAuthentication's clientCertSecretClass "${this.tlsSecretClass}": with a TLS AuthenticationClass the kafka-operator 26.7 issues the brokers' server certificate from the clientCertSecretClass (controller/build/security.rs tls_secret_class), so "${serverTlsSecretClass}" would not be used; give both the same class or leave this out`);
    }

    this.discoveryConfigMapName = this.name;
    this.bootstrapServers = `${serviceFqdn(this, roleGroupHeadlessServiceName(this.name, 'broker', ROLE_GROUP))}:${KAFKA_PORTS.client}`;
    this.podSelector = kafkaPodLabels(this.name, 'broker');
    this.controllerPodSelector = kafkaPodLabels(this.name, 'controller');

    // Pods run as the image's user: docker-images 26.7.0 kafka/Dockerfile ends with
    // `USER ${STACKABLE_USER_UID}` (1000, boil.toml; files under /stackable are 1000:0, checked by
    // check-permissions-ownership.sh) and the operator sets only `fsGroup: 1000`
    // (resource/statefulset.rs `add_common_pod_config`), so `restrictedPodOverrides`' runAsNonRoot holds.
    this.resource = new KafkaClusterResource(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion },
        clusterConfig: {
          authentication: [{ authenticationClass: this.clientAuthentication.name }],
          ...(serverTlsSecretClass === undefined ? {} : { tls: { serverSecretClass: serverTlsSecretClass } }),
        },
        controllers: {
          ...(controllerResources === undefined ? {} : { config: { resources: stackableResources(controllerResources) } }),
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas: controllers } },
        },
        brokers: {
          config: {
            bootstrapListenerClass,
            brokerListenerClass,
            resources: { ...stackableResources(brokerResources), storage: { logDirs: { capacity: `${logDirsGi}Gi` } } },
          },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas: brokers, configOverrides: { brokerProperties } } },
        },
      },
    });

    if (props.networkPolicy ?? false) {
      const brokerPods = new KafkaPods(this.podSelector);
      const controllerPods = new KafkaPods(this.controllerPodSelector);
      const np = this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name: `${this.name}-broker`, target: this });
      np.allowFrom(brokerPods, [KAFKA_PORTS.internal]);
      np.allowTo(brokerPods, [KAFKA_PORTS.internal]);
      np.allowTo(controllerPods, [KAFKA_PORTS.controller]);
      np.allowDns();
      const external = bootstrapListenerClass !== 'cluster-internal' || brokerListenerClass !== 'cluster-internal';
      // NodePort and LoadBalancer Listeners: clients arrive from node or load-balancer addresses
      // (kube-proxy may SNAT them), which no pod selector names.
      if (external) np.allowFromAnyone([KAFKA_PORTS.client]);
      else {
        this.node.addValidation({
          validate: () => (this.clients === 0 ? [`${owner}: networkPolicy is on but no client was allowed with allowFrom; the brokers would be unreachable`] : []),
        });
      }
      const cp = new PodNetworkPolicy(this, 'ControllerNetworkPolicy', { name: `${this.name}-controller`, target: controllerPods });
      cp.allowFrom(brokerPods, [KAFKA_PORTS.controller]);
      cp.allowFrom(controllerPods, [KAFKA_PORTS.controller]);
      cp.allowTo(controllerPods, [KAFKA_PORTS.controller]);
      cp.allowDns();
    }
  }

  /** Lets `client`'s pods connect to the brokers' TLS client port (effective when `networkPolicy` is on). */
  public allowFrom(client: IPodSelectable): void {
    this.clients++;
    this.networkPolicy?.allowFrom(client, [KAFKA_PORTS.client]);
  }

  /**
   * An environment variable with the bootstrap servers the operator publishes in the discovery
   * ConfigMap (the bootstrap Listener's addresses, e.g. node addresses and node ports for an
   * `external-*` class), for clients that should use the same addresses as clients outside the
   * cluster. Those addresses are in the brokers' certificates (scope `listener-volume=listener-bootstrap`).
   */
  public bootstrapServersEnv(name = 'KAFKA_BOOTSTRAP_SERVERS'): k8s.EnvVar {
    return { name, valueFrom: { configMapKeyRef: { name: this.discoveryConfigMapName, key: KAFKA_DISCOVERY_KEY } } };
  }

  /**
   * A secret-operator volume for a client pod of this cluster, issued by the client
   * authentication's SecretClass, which is both the CA the brokers accept client certificates
   * from and the issuer of the brokers' server certificate (see {@link KafkaClientAuthentication}):
   * - `tls-pem` (default): `tls.crt` (the client certificate), `tls.key` (its private key) and
   *   `ca.crt` (the CA to verify the brokers with); e.g. librdkafka's `ssl.certificate.location`,
   *   `ssl.key.location`, `ssl.ca.location`;
   * - `tls-pkcs12`: `keystore.p12` (certificate and key) and `truststore.p12` (the CA), both
   *   protected by `password` (the secret-operator's default: empty); e.g. Java's
   *   `ssl.keystore.location` / `ssl.truststore.location` with type PKCS12.
   * The certificate has pod scope (the brokers do not check client host names) and the
   * secret-operator's lifetime of 24 hours: the pod is restarted before it expires.
   * (secret-operator 26.7.0 format/well_known.rs file names and `tls_pkcs12_password`.)
   */
  public clientTlsVolume(volumeName: string, options: KafkaClientTlsVolumeOptions = {}): k8s.Volume {
    const owner = `KafkaCluster ${this.node.id}`;
    dnsLabel(owner, 'clientTlsVolume volumeName', volumeName);
    const format = oneOf<TlsSecretFormat>(owner, 'clientTlsVolume format', options.format ?? 'tls-pem', ['tls-pem', 'tls-pkcs12']);
    if (options.password !== undefined && format !== 'tls-pkcs12') {
      throw new Error(`${owner}: clientTlsVolume password is for format "tls-pkcs12" only (PEM files have no password), not "${format}"`);
    }
    if (options.password !== undefined) nonEmptySecret(owner, 'clientTlsVolume password', options.password);
    const volume = secretOperatorVolume(volumeName, { secretClass: this.tlsSecretClass, scopes: [SecretScope.pod()], format });
    if (options.password === undefined) return volume;
    const template = volume.ephemeral!.volumeClaimTemplate!;
    return {
      ...volume,
      ephemeral: {
        volumeClaimTemplate: {
          ...template,
          metadata: { ...template.metadata, annotations: { ...template.metadata?.annotations, [PKCS12_PASSWORD_ANNOTATION]: options.password } },
        },
      },
    };
  }
}

/** Validates `brokerProperties`: property names, string values, and no key the operator sets. */
function validateBrokerProperties(owner: string, value: Readonly<Record<string, string>>): Record<string, string> {
  for (const [key, v] of Object.entries(value)) {
    if (key.length === 0 || /[\s=:]/.test(key)) throw new Error(`${owner}: brokerProperties key ${JSON.stringify(key)} is not a property name: use no whitespace, '=' or ':'`);
    if (typeof v !== 'string') throw new Error(`${owner}: brokerProperties["${key}"] ${JSON.stringify(v)} must be a string`);
    if (KAFKA_OPERATOR_BROKER_PROPERTIES.includes(key) || key.startsWith('listener.name.')) {
      throw new Error(`${owner}: brokerProperties key "${key}" is set by the kafka-operator (its listeners, TLS stores and KRaft settings); an override would silently replace it: leave it out (the operator's keys: ${KAFKA_OPERATOR_BROKER_PROPERTIES.join(', ')}, listener.name.*)`);
    }
  }
  return { ...value };
}
