import { Construct } from 'constructs';
import { AuthenticationClass } from '../../imports/authentication.stackable.tech';
import { TrinoCluster as TrinoClusterResource } from '../../imports/trino.stackable.tech';
import {
  BoundCredentials, clusterScoped, LISTENER_CLASSES, ListenerClassName, Credentials, dnsLabel, dnsSubdomain, intInRange, IPodSelectable, oneOf, Resources,
  restrictedPodOverrides, roleGroupHeadlessServiceName, serviceFqdn, stackableResources, validateResources, version,
} from '../core';
import { OpaServer, TrinoPolicy } from '../opa';

/** Props of {@link TrinoCluster}. */
export interface TrinoClusterProps {
  /** Name of the TrinoCluster. @default 'trino' */
  readonly name?: string;
  /** Trino version. @default '481' */
  readonly productVersion?: string;
  /**
   * The user that logs in with a password (static AuthenticationClass). An existing Secret must
   * hold the password under the user name as key.
   * @default - Credentials.literal('admin', 'adminadmin') in Secret `<name>-users`
   */
  readonly admin?: Credentials;
  /** The OPA server authorizing queries. */
  readonly opa: OpaServer;
  /** The Rego policy in OPA (its package is queried). */
  readonly policy: TrinoPolicy;
  /** Name of the AuthenticationClass (cluster-scoped). @default '<name>-users' */
  readonly authenticationClassName?: string;
  /** Worker replicas (at least 1: the Stackable coordinator does not run tasks itself). @default 1 */
  readonly workers?: number;
  /** CPU and memory of the coordinator. @default 500m-2000m CPU, 4096 MiB */
  readonly coordinatorResources?: Resources;
  /** CPU and memory per worker. @default 500m-2000m CPU, 4096 MiB */
  readonly workerResources?: Resources;
  /** How the coordinator is exposed. @default 'external-stable' */
  readonly listenerClass?: ListenerClassName;
  /** secret-operator SecretClass of the server certificate (clients must trust its CA). @default 'tls' */
  readonly tlsSecretClass?: string;
}

/** The role group this construct creates for each role. */
const ROLE_GROUP = 'default';

const HTTPS_PORT = 8443;

/**
 * A Trino cluster (Stackable `TrinoCluster`): password authentication through a static
 * AuthenticationClass, authorization by OPA, catalogs selected by the label `trino: <name>`
 * (see {@link TrinoCatalog}). Authentication forces HTTPS: clients reach the coordinator at
 * {@link host}:8443, a name its certificate holds.
 */
export class TrinoCluster extends Construct implements IPodSelectable {
  /** Name of the TrinoCluster. */
  public readonly name: string;
  /**
   * In-cluster DNS name of the coordinator that its TLS certificate holds: the role group's
   * headless Service `<name>-coordinator-default-headless`. The trino-operator 26.7.0
   * (rust/operator-binary/src/controller/build/resource/statefulset.rs `create_tls_volume`) asks
   * the secret-operator for a certificate with pod scope (SANs: the pod's `subdomain`, which is the
   * headless Service, statefulset.rs `service_name`) and the listener volume's scope (only the
   * listener's addresses: for `external-*` classes the node or load-balancer addresses). The
   * listener Service `<name>-coordinator` is in neither, so TLS clients that verify the host
   * name connect here.
   */
  public readonly host: string;
  /** Name of the Service the listener-operator creates for the coordinator (its listener class decides its type). */
  public readonly listenerServiceName: string;
  /** The SecretClass of the server certificate. */
  public readonly tlsSecretClass: string;
  /** HTTPS port of the coordinator. */
  public readonly port = HTTPS_PORT;
  /** The admin user's credentials. */
  public readonly admin: BoundCredentials;
  /** Labels a TrinoCatalog needs to be picked up by this cluster. */
  public readonly catalogLabels: Record<string, string>;
  /** Labels of the Trino pods. */
  public readonly podSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: TrinoClusterProps) {
    super(scope, id);
    const owner = `TrinoCluster ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'trino', 40);
    const workers = intInRange(owner, 'workers', props.workers ?? 1, 1);
    const defaults: Resources = { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 4096 };
    const coordinatorResources = validateResources(owner, 'coordinatorResources', props.coordinatorResources ?? defaults);
    const workerResources = validateResources(owner, 'workerResources', props.workerResources ?? defaults);
    const listenerClass = oneOf(owner, 'listenerClass', props.listenerClass ?? 'external-stable', LISTENER_CLASSES);
    const authClassName = dnsSubdomain(owner, 'authenticationClassName', props.authenticationClassName ?? `${this.name}-users`);
    this.tlsSecretClass = dnsSubdomain(owner, 'tlsSecretClass', props.tlsSecretClass ?? 'tls');
    this.host = serviceFqdn(this, roleGroupHeadlessServiceName(this.name, 'coordinator', ROLE_GROUP));
    // trino-operator 26.7.0 controller/build/resource/listener.rs `group_listener_name`: `<cluster>-coordinator`.
    this.listenerServiceName = `${this.name}-coordinator`;
    this.catalogLabels = { trino: this.name };
    this.podSelector = { 'app.kubernetes.io/name': 'trino', 'app.kubernetes.io/instance': this.name };

    const admin = props.admin ?? Credentials.literal('admin', 'adminadmin');
    this.admin = admin.bind(this, 'Users', { secretName: `${this.name}-users`, passwordKey: admin.username });
    clusterScoped(new AuthenticationClass(this, 'AuthenticationClass', {
      metadata: { name: authClassName },
      spec: { provider: { static: { userCredentialsSecret: { name: this.admin.secretName } } } },
    }));

    new TrinoClusterResource(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: version(owner, 'productVersion', props.productVersion ?? '481') },
        clusterConfig: {
          catalogLabelSelector: { matchLabels: this.catalogLabels },
          authentication: [{ authenticationClass: authClassName }],
          authorization: { opa: { configMapName: props.opa.discoveryConfigMapName, package: props.policy.packageName } },
          tls: { serverSecretClass: this.tlsSecretClass },
        },
        coordinators: {
          roleConfig: { listenerClass },
          config: { resources: stackableResources(coordinatorResources) },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas: 1 } },
        },
        workers: {
          config: { resources: stackableResources(workerResources) },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas: workers } },
        },
      },
    });
    // Apply order: OPA and its policy first, so Trino finds them when it starts.
    this.node.addDependency(props.opa, props.policy);
  }

  /** The coordinator's HTTPS URL. */
  public get url(): string {
    return `https://${this.host}:${this.port}`;
  }
}
