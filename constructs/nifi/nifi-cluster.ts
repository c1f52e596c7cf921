import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthenticationClass } from '../../imports/authentication.stackable.tech';
import { NifiCluster as NifiClusterResource } from '../../imports/nifi.stackable.tech';
import {
  BoundCredentials, clusterScoped, clusterScopedName, Credentials, dnsLabel, dnsSubdomain, ensureUniqueObjectNames, intInRange,
  IPodSelectable, LISTENER_CLASSES, LISTENER_PRESETS, ListenerClassName, oneOf, OperatorPod, PodNetworkPolicy, qualifiedRoleGroupName,
  Resources, restrictedPodOverrides, roleGroupHeadlessServiceName, serviceFqdn, STACKABLE_RELEASE, stackableResources, validateRoleResources, version,
} from '../core';
import { CLUSTER_DOMAIN, SecretScope, scopeAddresses } from '../secret-operator';

/** Sizes of the persistent volumes of each NiFi node, in GiB (the NifiCluster's `resources.storage`). */
export interface NifiStorage {
  /** Content repository (the FlowFiles' data). @default 10 */
  readonly contentRepoGi?: number;
  /** Database repository (flow configuration history, users' keys). @default 1 */
  readonly databaseRepoGi?: number;
  /** FlowFile repository (the FlowFiles' attributes and queues). @default 2 */
  readonly flowfileRepoGi?: number;
  /** Provenance repository (the events of each FlowFile). @default 4 */
  readonly provenanceRepoGi?: number;
  /** Local state of the processors. @default 1 */
  readonly stateRepoGi?: number;
}

/** Props of {@link NifiCluster}. */
export interface NifiClusterProps {
  /** Name of the NifiCluster. @default 'nifi' */
  readonly name?: string;
  /** NiFi version (a Stackable 26.7 image of it: `oci.stackable.tech/sdp/nifi:<version>-stackable26.7.0`). @default '2.9.0' */
  readonly productVersion?: string;
  /** NiFi nodes, in the role group `default`. @default 2 */
  readonly replicas?: number;
  /**
   * The user who logs in with a password (static AuthenticationClass). The nifi-operator 26.7.0
   * turns a static provider into NiFi's single-user login with the fixed user name `admin` and the
   * password under the Secret's key `admin` (rust/operator-binary/src/security/authentication.rs
   * `STACKABLE_ADMIN_USERNAME`, `SingleUserLoginIdentityProvider`, the volume's item `admin`), so the
   * user name must be `admin`; an existing Secret must hold the password under the key `admin`.
   * @default - Credentials.literal('admin', 'adminadmin') in Secret `<name>-admin-credentials`
   */
  readonly admin?: Credentials;
  /**
   * Name of the static AuthenticationClass (cluster-scoped, see TrinoCluster).
   * @default '<namespace>-<name>-admin-credentials'
   */
  readonly authenticationClassName?: string;
  /** How the nodes are exposed (the role's Listener `<name>-node`). @default 'external-stable' */
  readonly listenerClass?: ListenerClassName;
  /** CPU and memory per node. @default 2-4 CPU, 6 GiB memory */
  readonly resources?: Resources;
  /** Sizes of the repositories' volumes per node. @default - 10, 1, 2, 4 and 1 GiB (see {@link NifiStorage}) */
  readonly storage?: NifiStorage;
  /**
   * The Secret holding the key that encrypts sensitive processor properties (key
   * `nifiSensitivePropsKey`). The nifi-operator generates it when missing (`autoGenerate: true`).
   * @default '<name>-sensitive-property-key'
   */
  readonly sensitivePropertiesKeySecret?: string;
  /** secret-operator SecretClass of the nodes' server certificate (clients must trust its CA). @default 'tls' */
  readonly tlsSecretClass?: string;
  /**
   * Create a NetworkPolicy for the nodes: ingress on 8443 from clients allowed with
   * {@link NifiCluster.allowFrom} (and from anyone when the listener class is not
   * `cluster-internal`), the nodes' own cluster traffic (8443, 9088, 6243), the Kubernetes API
   * (any address on 443 and 6443: the Kubernetes clustering backend), DNS, and the egress the
   * flows need through {@link NifiCluster.allowEgressTo} and {@link NifiCluster.allowInternet}.
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** See {@link NifiCluster.keystore}. */
const NIFI_KEYSTORE = {
  keystoreFile: '/stackable/keystore/keystore.p12', truststoreFile: '/stackable/keystore/truststore.p12', password: 'secret', type: 'PKCS12',
} as const;

/** The role group this construct creates. */
const ROLE_GROUP = 'default';
/** The NifiCluster's only role (nifi-operator 26.7.0 controller/mod.rs `role_name`: `node`). */
const ROLE = 'node';

/**
 * The ports of a NiFi node: nifi-operator 26.7.0 rust/operator-binary/src/controller/build.rs
 * `HTTPS_PORT` 8443 (UI and REST API, the headless Service's and the Listener's port `https`),
 * `PROTOCOL_PORT` 9088 (cluster protocol between nodes), `BALANCE_PORT` 6243 (load-balanced connections).
 */
export const NIFI_PORTS = { https: 8443, protocol: 9088, balance: 6243 } as const;

/**
 * The Kubernetes API server's usual ports (a Service `kubernetes` on 443, its endpoints on 443 or
 * 6443 depending on the distribution): a NetworkPolicy sees the endpoint's port.
 */
const KUBERNETES_API_PORTS = [443, 6443];

/**
 * The user name the nifi-operator 26.7.0 gives the single-user login of a static
 * AuthenticationClass (rust/operator-binary/src/security/authentication.rs `STACKABLE_ADMIN_USERNAME`);
 * it reads the password from the Secret's key of the same name.
 */
export const NIFI_ADMIN_USERNAME = 'admin';

/**
 * The Listener of the `node` role, and so the Service the listener-operator creates for it:
 * nifi-operator 26.7.0 controller/build/resource/listener.rs `group_listener_name` (`<cluster>-<role>`).
 */
export function nifiListenerName(cluster: string): string {
  return `${cluster}-${ROLE}`;
}

/**
 * The pods of a NifiCluster's role group as nifi-operator 26.7.0 builds them
 * (rust/operator-binary/src/controller/build/resource/statefulset.rs: init container `prepare`,
 * containers `nifi` and, with the vector agent, `vector` (`PREPARE_CONTAINER_NAME`,
 * `NIFI_CONTAINER_NAME`, `VECTOR_CONTAINER_NAME`); `git-sync` containers only with
 * `customComponentsGitSync`, which we do not set); labels from operator-rs `recommended_labels`
 * with product name `nifi`. Our overrides add no volumes or containers, so only names are modelled.
 */
export function nifiNodePod(cluster: string): OperatorPod {
  return {
    containers: ['prepare', 'nifi', 'vector'],
    labels: { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': cluster },
  };
}

/**
 * The DNS names in a node's certificate. nifi-operator 26.7.0 (statefulset.rs, security/tls.rs
 * `build_tls_volume`) requests the volume `keystore` of the server SecretClass in PKCS#12 with
 * the scopes: service `<cluster>-node-<group>-metrics`, the listener volume `listener`, and pod
 * (the pod's `subdomain` is the StatefulSet's `serviceName`, the role group's headless Service,
 * statefulset.rs `service_name`). Listener names are DNS names only for ClusterIP classes, see
 * TrinoCluster's `coordinatorCertificateNames`.
 */
export function nifiCertificateNames(cluster: string, namespace: string, listenerClass: ListenerClassName, roleGroups: Readonly<Record<string, number>>): string[] {
  const clusterIp = Object.values(LISTENER_PRESETS).every(preset => preset[listenerClass] === 'ClusterIP');
  const listenerDnsNames = { listener: clusterIp ? [`${nifiListenerName(cluster)}.${namespace}.svc.${CLUSTER_DOMAIN}`] : [] };
  const names: string[] = [];
  for (const [roleGroup, replicas] of Object.entries(roleGroups)) {
    const statefulSet = qualifiedRoleGroupName(cluster, ROLE, roleGroup);
    const podSubdomain = roleGroupHeadlessServiceName(cluster, ROLE, roleGroup);
    const scopes = [SecretScope.service(`${statefulSet}-metrics`), SecretScope.listenerVolume('listener'), SecretScope.pod()];
    for (let i = 0; i < replicas; i++) {
      names.push(...scopeAddresses(scopes, { namespace, podName: `${statefulSet}-${i}`, podSubdomain, listenerDnsNames }));
    }
  }
  return [...new Set(names)];
}

const DEFAULT_STORAGE: Required<NifiStorage> = { contentRepoGi: 10, databaseRepoGi: 1, flowfileRepoGi: 2, provenanceRepoGi: 4, stateRepoGi: 1 };

/**
 * Apache NiFi (Stackable `NifiCluster`), clustered with the Kubernetes backend (no ZooKeeper):
 * the nifi-operator 26.7.0 uses it when `clusterConfig.zookeeperConfigMapName` is unset
 * (crd/mod.rs `NifiClusteringBackend`, untagged: `Kubernetes {}`; controller/build/properties/
 * nifi_properties.rs `KubernetesLeaderElectionManager`, state_management_xml.rs
 * `KubernetesConfigMapStateProvider`). Login with a password through a static
 * AuthenticationClass (user `admin`); HTTPS on 8443 with a certificate of {@link tlsSecretClass}.
 * Defaults are those of the Stackable 26.7 NiFi stack (2 nodes, 2-4 CPU, 6 GiB, SNI checks off).
 */
export class NifiCluster extends Construct implements IPodSelectable {
  /** The NifiCluster object (also `ApiObject.of(nifi)`). */
  public readonly resource: ApiObject;
  /** The static AuthenticationClass of the admin's login (cluster-scoped). */
  public readonly authenticationClass: ApiObject;
  /** Name of the NifiCluster. */
  public readonly name: string;
  /** NiFi version. */
  public readonly productVersion: string;
  /**
   * The version of the NARs in the Stackable NiFi image, which flow definitions name in their
   * bundles: `<productVersion>-stackable<release>`, e.g. `2.9.0-stackable26.7.0`. The image is built
   * from source after `mvn versions:set -DnewVersion=${PRODUCT_VERSION}-stackable${RELEASE_VERSION}`
   * (stackabletech/docker-images 26.7.0 nifi/Dockerfile: `NEW_VERSION`, and the NAR file names
   * `lib/*-${NEW_VERSION}.nar`), so every module, each NAR included, has that version.
   */
  public readonly bundleVersion: string;
  /** The admin's credentials (user `admin`, password under the key `admin`). */
  public readonly admin: BoundCredentials;
  /** HTTPS port of the nodes. */
  public readonly port = NIFI_PORTS.https;
  /**
   * In-cluster DNS name of the first node, the host of {@link apiUrl}:
   * `<name>-node-default-0.<name>-node-default-headless.<ns>.svc.cluster.local`. It is in the
   * node's certificate (pod scope, see {@link nifiCertificateNames}), so clients verify TLS for
   * it. NiFi 2.9.0 itself checks only the port of the Host header (nifi-jetty
   * HostPortValidatorCustomizer: the server's port or one of `nifi.web.proxy.host`, else 421) and,
   * with SNI, the host name against its certificate, which the SNI overrides of this construct turn
   * off; the nifi-operator also sets `nifi.web.https.host` to this name
   * (`$POD_NAME.<headless Service>.<ns>.svc.<domain>`, controller/build/properties/nifi_properties.rs).
   * One node rather than a Service: every request of a client run (its token included) goes to
   * the same node, which replicates changes to the cluster.
   */
  public readonly host: string;
  /** The REST API's base URL for clients in the cluster: `https://<host>:8443`. */
  public readonly apiUrl: string;
  /** Name of the Service the listener-operator creates for the nodes' Listener. */
  public readonly listenerServiceName: string;
  /** The SecretClass of the nodes' certificate. */
  public readonly tlsSecretClass: string;
  /**
   * The nodes' own certificate and trust, in the NiFi container: PKCS#12 files issued by
   * {@link tlsSecretClass} with the password `secret` (nifi-operator 26.7.0 security/tls.rs
   * `build_tls_volume`: volume `keystore` mounted at `KEYSTORE_NIFI_CONTAINER_MOUNT`
   * `/stackable/keystore`, format tls-pkcs12 with `STACKABLE_TLS_STORE_PASSWORD`,
   * security/authentication.rs; secret-operator 26.7.0 format/well_known.rs: `keystore.p12`,
   * `truststore.p12`). A flow's SSL context service can use them as a client certificate towards
   * servers that trust that SecretClass's CA (e.g. Kafka brokers whose client authentication uses
   * the same class), as Stackable's own demo flows do.
   */
  public readonly keystore = NIFI_KEYSTORE;
  /** The Secret with the sensitive-properties key. */
  public readonly sensitivePropertiesKeySecret: string;
  /** Labels of the NiFi pods. */
  public readonly podSelector: Record<string, string>;
  /** The nodes' NetworkPolicy, when `networkPolicy` is on. */
  public readonly networkPolicy?: PodNetworkPolicy;

  constructor(scope: Construct, id: string, props: NifiClusterProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `NifiCluster ${id}`;
    // The StatefulSet `<name>-node-default` stays within 52 characters unhashed (qualifiedRoleGroupName).
    this.name = dnsLabel(owner, 'name', props.name ?? 'nifi', 40);
    this.productVersion = version(owner, 'productVersion', props.productVersion ?? '2.9.0');
    this.bundleVersion = `${this.productVersion}-stackable${STACKABLE_RELEASE}`;
    if (!this.productVersion.startsWith('2.')) {
      throw new Error(`${owner}: productVersion ${JSON.stringify(this.productVersion)} is not a NiFi 2 version: the flows of NifiFlow are NiFi 2 flow definitions; use e.g. "2.9.0"`);
    }
    const replicas = intInRange(owner, 'replicas', props.replicas ?? 2, 1);
    const listenerClass = oneOf(owner, 'listenerClass', props.listenerClass ?? 'external-stable', LISTENER_CLASSES);
    const resources = validateRoleResources(owner, 'resources', props.resources ?? { cpu: { min: '2', max: '4' }, memory: { limit: '6Gi' } });
    const storage = { ...DEFAULT_STORAGE };
    for (const [key, value] of Object.entries(props.storage ?? {}) as Array<[keyof NifiStorage, number | undefined]>) {
      if (!(key in DEFAULT_STORAGE)) throw new Error(`${owner}: storage.${key} is not a repository: use ${Object.keys(DEFAULT_STORAGE).join(', ')}`);
      if (value !== undefined) storage[key] = intInRange(owner, `storage.${key}`, value, 1);
    }
    this.tlsSecretClass = dnsSubdomain(owner, 'tlsSecretClass', props.tlsSecretClass ?? 'tls');
    this.sensitivePropertiesKeySecret = dnsSubdomain(owner, 'sensitivePropertiesKeySecret', props.sensitivePropertiesKeySecret ?? `${this.name}-sensitive-property-key`);
    const authClassName = props.authenticationClassName === undefined
      ? clusterScopedName(this, `${this.name}-admin-credentials`)
      : dnsSubdomain(owner, 'authenticationClassName', props.authenticationClassName);

    const statefulSet = qualifiedRoleGroupName(this.name, ROLE, ROLE_GROUP);
    this.host = serviceFqdn(this, `${statefulSet}-0.${roleGroupHeadlessServiceName(this.name, ROLE, ROLE_GROUP)}`);
    this.apiUrl = `https://${this.host}:${this.port}`;
    this.listenerServiceName = nifiListenerName(this.name);
    this.podSelector = { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': this.name };

    const admin = props.admin ?? Credentials.literal(NIFI_ADMIN_USERNAME, 'adminadmin');
    if (admin.username !== NIFI_ADMIN_USERNAME) {
      throw new Error(`${owner}: admin.username ${JSON.stringify(admin.username)} is not allowed: the nifi-operator logs in the static AuthenticationClass's user as "${NIFI_ADMIN_USERNAME}" only (single-user login); use Credentials.literal("${NIFI_ADMIN_USERNAME}", ...) or a Secret with the key "${NIFI_ADMIN_USERNAME}"`);
    }
    this.admin = admin.bind(this, 'AdminCredentials', { secretName: `${this.name}-admin-credentials`, passwordKey: NIFI_ADMIN_USERNAME });
    this.authenticationClass = clusterScoped(new AuthenticationClass(this, 'AuthenticationClass', {
      metadata: { name: authClassName },
      spec: { provider: { static: { userCredentialsSecret: { name: this.admin.secretName } } } },
    }));

    const capacity = (gi: number) => ({ capacity: `${gi}Gi` });
    this.resource = new NifiClusterResource(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: this.productVersion },
        clusterConfig: {
          authentication: [{ authenticationClass: authClassName }],
          sensitiveProperties: { keySecret: this.sensitivePropertiesKeySecret, autoGenerate: true },
          tls: { serverSecretClass: this.tlsSecretClass },
          // No zookeeperConfigMapName: the Kubernetes clustering backend (see the class comment).
        },
        nodes: {
          roleConfig: { listenerClass },
          config: {
            resources: {
              ...stackableResources(resources),
              storage: {
                contentRepo: capacity(storage.contentRepoGi),
                databaseRepo: capacity(storage.databaseRepoGi),
                flowfileRepo: capacity(storage.flowfileRepoGi),
                provenanceRepo: capacity(storage.provenanceRepoGi),
                stateRepo: capacity(storage.stateRepoGi),
              },
            },
          },
          // As the Stackable 26.7 stack: NiFi 2's Jetty otherwise requires SNI and checks the
          // request's host against the certificate, which refuses clients that connect by an
          // address (e.g. a NodePort's node IP) rather than a name in the certificate.
          configOverrides: { nifiProperties: { 'nifi.web.https.sni.required': 'false', 'nifi.web.https.sni.host.check': 'false' } },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas } },
        },
      },
    });

    if (props.networkPolicy ?? false) {
      const policy = this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name: this.name, target: this });
      const cluster = [NIFI_PORTS.https, NIFI_PORTS.protocol, NIFI_PORTS.balance];
      policy.allowFrom(this, cluster);
      policy.allowTo(this, cluster);
      if (listenerClass !== 'cluster-internal') policy.allowFromAnyone([NIFI_PORTS.https]);
      policy.allowInternet(KUBERNETES_API_PORTS);
      policy.allowDns();
    }
  }

  /** Lets `client`'s pods connect to the REST API and UI (effective when `networkPolicy` is on). */
  public allowFrom(client: IPodSelectable): void {
    this.networkPolicy?.allowFrom(client, [NIFI_PORTS.https]);
  }

  /**
   * Lets the nodes connect to `server`'s pods on `ports`, e.g. Kafka brokers a flow publishes to
   * (effective when `networkPolicy` is on).
   */
  public allowEgressTo(server: IPodSelectable, ports: readonly number[]): void {
    this.networkPolicy?.allowTo(server, ports);
  }

  /**
   * Lets the nodes connect to any address on `ports`, e.g. 443 for a flow that fetches public
   * HTTPS feeds (effective when `networkPolicy` is on; NetworkPolicies cannot name hosts).
   */
  public allowInternet(ports: readonly number[]): void {
    this.networkPolicy?.allowInternet(ports);
  }
}
