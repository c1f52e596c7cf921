import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthenticationClass } from '../../imports/authentication.stackable.tech';
import { TrinoCluster as TrinoClusterResource, TrinoClusterSpecCoordinatorsConfigOverrides } from '../../imports/trino.stackable.tech';
import {
  BoundCredentials, clusterScoped, clusterScopedName, Credentials, dnsLabel, dnsSubdomain, ensureUniqueObjectNames, intInRange,
  IPodSelectable, LISTENER_CLASSES, LISTENER_PRESETS, ListenerClassName, oneOf, OperatorPod, qualifiedRoleGroupName,
  Resources, restrictedPodOverrides, roleGroupHeadlessServiceName, serviceFqdn, shellWord, StackableRoleResources, stackableResources,
  validateRoleResources, version,
} from '../core';
import { ITrinoPolicy, OpaServer } from '../opa';
import { CLUSTER_DOMAIN, SecretScope, scopeAddresses } from '../secret-operator';

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
  /** The Rego policy in OPA (its package is queried): a {@link TrinoPolicy}, or any bundle through `TrinoPolicy.fromBundle`. */
  readonly policy: ITrinoPolicy;
  /**
   * Name of the AuthenticationClass. It is cluster-scoped, shared by every namespace, so the
   * default carries the chart's namespace (two demos in two namespaces get a class each); a name
   * given here is used as is.
   * @default '<namespace>-<name>-users', e.g. 'default-trino-users'
   */
  readonly authenticationClassName?: string;
  /**
   * Worker replicas (at least 1: the Stackable coordinator does not run tasks itself), in the role
   * group `default`. Give either this or {@link workerRoleGroups}.
   * @default 1
   */
  readonly workers?: number;
  /**
   * The worker role groups by name, each with its replicas and resources (in total at least 1
   * worker). Give either this or {@link workers}.
   * @default - one role group `default` with {@link workers} replicas
   */
  readonly workerRoleGroups?: Readonly<Record<string, TrinoWorkerRoleGroup>>;
  /** CPU and memory of the coordinator. @default 500m-2000m CPU, 4096 MiB */
  readonly coordinatorResources?: Resources;
  /** CPU and memory per worker. @default 500m-2000m CPU, 4096 MiB */
  readonly workerResources?: Resources;
  /** How the coordinator is exposed. @default 'external-stable' */
  readonly listenerClass?: ListenerClassName;
  /** secret-operator SecretClass of the server certificate (clients must trust its CA). @default 'tls' */
  readonly tlsSecretClass?: string;
  /**
   * Most user memory a query may use across the cluster (`query.max-memory`, set on the
   * coordinator), a Trino data size such as '10TB' or '512MB'.
   * @default - the operator's default, '50GB'
   */
  readonly queryMaxMemory?: string;
  /**
   * Most user memory a query may use on one worker (`query.max-memory-per-node`, set on the
   * workers), a Trino data size such as '4GB'.
   * @default - Trino's default, 30% of the JVM heap
   */
  readonly queryMaxMemoryPerNode?: string;
  /**
   * Whether Trino asks OPA for column masks (the policy's `batchColumnMasks` rule); the Stackable
   * stacks turn it off. Written only when given.
   * @default - the operator's default, true
   */
  readonly enableColumnMasking?: boolean;
  /** Properties written over the operator's in the coordinator's files. @default - none */
  readonly coordinatorConfigOverrides?: TrinoConfigOverrides;
  /** Properties written over the operator's in the workers' files. @default - none */
  readonly workerConfigOverrides?: TrinoConfigOverrides;
}

/** A group of Trino workers (a role group of the TrinoCluster's `workers`). */
export interface TrinoWorkerRoleGroup {
  /** Workers in the group. @default 1 */
  readonly replicas?: number;
  /** CPU and memory per worker of the group. @default - the cluster's `workerResources` */
  readonly resources?: Resources;
}

/**
 * Trino configuration files by name, each a map of properties written over the operator's (the
 * CRD's `configOverrides` of a role; these are the files the TrinoCluster CRD of 26.7 lists).
 */
export interface TrinoConfigOverrides {
  /** The server's `config.properties`. @default - none */
  readonly 'config.properties'?: Readonly<Record<string, string>>;
  /** `node.properties`. @default - none */
  readonly 'node.properties'?: Readonly<Record<string, string>>;
  /** `log.properties`. @default - none */
  readonly 'log.properties'?: Readonly<Record<string, string>>;
  /** The JVM's `security.properties`. @default - none */
  readonly 'security.properties'?: Readonly<Record<string, string>>;
  /** `access-control.properties`. @default - none */
  readonly 'access-control.properties'?: Readonly<Record<string, string>>;
  /** `exchange-manager.properties` (fault-tolerant execution). @default - none */
  readonly 'exchange-manager.properties'?: Readonly<Record<string, string>>;
  /** `spooling-manager.properties` (spooling client protocol). @default - none */
  readonly 'spooling-manager.properties'?: Readonly<Record<string, string>>;
}

/**
 * The files a TrinoCluster role's `configOverrides` takes (the CRD trinoclusters.trino.stackable.tech
 * of 26.7 lists exactly these; trino-operator 26.7.0 controller/build/properties/mod.rs), with
 * their field names in the generated import.
 */
const CONFIG_OVERRIDE_FILES: Readonly<Record<keyof TrinoConfigOverrides, keyof TrinoClusterSpecCoordinatorsConfigOverrides>> = {
  'access-control.properties': 'accessControlProperties',
  'config.properties': 'configProperties',
  'exchange-manager.properties': 'exchangeManagerProperties',
  'log.properties': 'logProperties',
  'node.properties': 'nodeProperties',
  'security.properties': 'securityProperties',
  'spooling-manager.properties': 'spoolingManagerProperties',
};

/**
 * A data size in Trino's syntax: airlift units io/airlift/units/DataSize.java `valueOf`, a number
 * (decimals allowed) and a unit among B, kB, MB, GB, TB, PB, EB (case-sensitive, 1024-based).
 */
const DATA_SIZE = /^\d+(\.\d+)?(B|kB|MB|GB|TB|PB|EB)$/;

function dataSize(owner: string, prop: string, value: string): string {
  if (!DATA_SIZE.test(value)) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} is not a Trino data size: use a number and one of B, kB, MB, GB, TB, PB, EB, e.g. "10TB" or "4GB"`);
  }
  return value;
}

function configOverrides(owner: string, prop: string, value: TrinoConfigOverrides | undefined): TrinoClusterSpecCoordinatorsConfigOverrides | undefined {
  if (value === undefined) return undefined;
  const out: { [field: string]: Record<string, string> } = {};
  for (const [file, properties] of Object.entries(value)) {
    const field = Object.prototype.hasOwnProperty.call(CONFIG_OVERRIDE_FILES, file) ? CONFIG_OVERRIDE_FILES[file as keyof TrinoConfigOverrides] : undefined;
    if (field === undefined) {
      throw new Error(`${owner}: ${prop} file ${JSON.stringify(file)} is not one the operator takes: use one of ${Object.keys(CONFIG_OVERRIDE_FILES).map(f => `"${f}"`).join(', ')}`);
    }
    if (properties === undefined) continue;
    for (const [key, v] of Object.entries<string>(properties)) {
      if (key.length === 0 || /[\s=:]/.test(key)) throw new Error(`${owner}: ${prop}["${file}"] key ${JSON.stringify(key)} is not a property name: use no whitespace, '=' or ':'`);
      if (typeof v !== 'string') throw new Error(`${owner}: ${prop}["${file}"].${key} ${JSON.stringify(v)} must be a string`);
    }
    out[field] = { ...properties };
  }
  return out;
}

/** The role group this construct creates for each role. */
const ROLE_GROUP = 'default';

/**
 * The pods of a TrinoCluster role as trino-operator 26.7.0 builds them (crd/mod.rs `Container`:
 * init container `prepare`, `trino`, `vector` with vector logging, `password-file-updater` on the
 * coordinator with a static AuthenticationClass; controller/build/resource/statefulset.rs). Our
 * overrides add no volumes or containers, so only the names are modelled.
 */
export function trinoPod(cluster: string): OperatorPod {
  return {
    containers: ['prepare', 'trino', 'vector', 'password-file-updater'],
    labels: { 'app.kubernetes.io/name': 'trino', 'app.kubernetes.io/instance': cluster },
  };
}

const HTTPS_PORT = 8443;

/**
 * The coordinator's Listener, and so the Service the listener-operator creates for it (named after
 * the Listener): trino-operator 26.7.0 controller/build/resource/listener.rs `group_listener_name`.
 */
export function coordinatorListenerName(cluster: string): string {
  return `${cluster}-coordinator`;
}

/**
 * The DNS names in a coordinator's TLS certificate. trino-operator 26.7.0
 * (controller/build/resource/statefulset.rs `create_tls_volume`, `secret_volume_listener_scope`)
 * requests pod scope and the scope of the listener volume `listener`; pod scope names the pod's
 * `subdomain`, which the StatefulSet controller sets to the StatefulSet's `serviceName`, the role
 * group's headless Service (statefulset.rs `service_name`); the listener volume contributes the
 * Listener's addresses, which are DNS names only for ClusterIP classes (listener-operator 26.7.0
 * listener_controller.rs: `<listener>.<ns>.svc.<domain>`; NodePort and LoadBalancer give node or
 * load-balancer addresses). See secret-operator/secret-volume.ts `scopeAddresses`.
 */
export function coordinatorCertificateNames(cluster: string, namespace: string, listenerClass: ListenerClassName, roleGroups: Readonly<Record<string, number>>): string[] {
  const listenerService = coordinatorListenerName(cluster);
  const clusterIp = Object.values(LISTENER_PRESETS).every(preset => preset[listenerClass] === 'ClusterIP');
  const listenerDnsNames = { listener: clusterIp ? [`${listenerService}.${namespace}.svc.${CLUSTER_DOMAIN}`] : [] };
  const names: string[] = [];
  for (const [roleGroup, replicas] of Object.entries(roleGroups)) {
    const statefulSet = qualifiedRoleGroupName(cluster, 'coordinator', roleGroup);
    const podSubdomain = roleGroupHeadlessServiceName(cluster, 'coordinator', roleGroup);
    for (let i = 0; i < replicas; i++) {
      names.push(...scopeAddresses([SecretScope.pod(), SecretScope.listenerVolume('listener')], { namespace, podName: `${statefulSet}-${i}`, podSubdomain, listenerDnsNames }));
    }
  }
  return [...new Set(names)];
}

/**
 * A Trino cluster (Stackable `TrinoCluster`): password authentication through a static
 * AuthenticationClass, authorization by OPA, catalogs selected by the label `trino: <name>`
 * (see {@link TrinoCatalog}). Authentication forces HTTPS: clients reach the coordinator at
 * {@link host}:8443, a name its certificate holds.
 */
export class TrinoCluster extends Construct implements IPodSelectable {
  /** The TrinoCluster object (also `ApiObject.of(trino)`). */
  public readonly cluster: ApiObject;
  /** The static AuthenticationClass of the admin's login (cluster-scoped). */
  public readonly authenticationClass: ApiObject;
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
  /** Trino version. */
  public readonly productVersion: string;
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
    ensureUniqueObjectNames(this);
    const owner = `TrinoCluster ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'trino', 40);
    const defaults: Resources = { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 4096 };
    const coordinatorResources = validateRoleResources(owner, 'coordinatorResources', props.coordinatorResources ?? defaults);
    const workerResources = validateRoleResources(owner, 'workerResources', props.workerResources ?? defaults);
    const workerRoleGroups = this.workerRoleGroups(owner, props);
    const queryMaxMemory = props.queryMaxMemory === undefined ? undefined : dataSize(owner, 'queryMaxMemory', props.queryMaxMemory);
    const queryMaxMemoryPerNode = props.queryMaxMemoryPerNode === undefined ? undefined : dataSize(owner, 'queryMaxMemoryPerNode', props.queryMaxMemoryPerNode);
    const coordinatorOverrides = configOverrides(owner, 'coordinatorConfigOverrides', props.coordinatorConfigOverrides);
    const workerOverrides = configOverrides(owner, 'workerConfigOverrides', props.workerConfigOverrides);
    const listenerClass = oneOf(owner, 'listenerClass', props.listenerClass ?? 'external-stable', LISTENER_CLASSES);
    const authClassName = props.authenticationClassName === undefined
      ? clusterScopedName(this, `${this.name}-users`)
      : dnsSubdomain(owner, 'authenticationClassName', props.authenticationClassName);
    this.tlsSecretClass = dnsSubdomain(owner, 'tlsSecretClass', props.tlsSecretClass ?? 'tls');
    this.productVersion = version(owner, 'productVersion', props.productVersion ?? '481');
    this.host = serviceFqdn(this, roleGroupHeadlessServiceName(this.name, 'coordinator', ROLE_GROUP));
    this.listenerServiceName = coordinatorListenerName(this.name);
    this.catalogLabels = { trino: this.name };
    this.podSelector = { 'app.kubernetes.io/name': 'trino', 'app.kubernetes.io/instance': this.name };

    const admin = props.admin ?? Credentials.literal('admin', 'adminadmin');
    // trino-operator 26.7.0 authentication/password/file.rs: the password-file-updater sidecar runs
    // `htpasswd -nbBC 12 ${user_name} ${password}` unquoted and splits its output on spaces, so
    // whitespace or glob characters silently break the login of every user of the Secret.
    shellWord(owner, 'admin.username', admin.username, false, [':']);
    if (admin.password !== undefined) shellWord(owner, 'admin.password', admin.password, true);
    if (props.policy.admins !== undefined && !props.policy.admins.includes(admin.username)) {
      throw new Error(`${owner}: admin "${admin.username}" is not an admin of ${props.policy.node.path} (admins: ${props.policy.admins.map(a => `"${a}"`).join(', ')}): OPA would deny it everything; add it to the policy's admins`);
    }
    this.admin = admin.bind(this, 'Users', { secretName: `${this.name}-users`, passwordKey: admin.username });
    this.authenticationClass = clusterScoped(new AuthenticationClass(this, 'AuthenticationClass', {
      metadata: { name: authClassName },
      spec: { provider: { static: { userCredentialsSecret: { name: this.admin.secretName } } } },
    }));

    this.cluster = new TrinoClusterResource(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: this.productVersion },
        clusterConfig: {
          catalogLabelSelector: { matchLabels: this.catalogLabels },
          authentication: [{ authenticationClass: authClassName }],
          // trino-operator 26.7.0 rust/operator-binary/src/authorization/opa.rs: with enableColumnMasking
          // (CRD default true, crd/mod.rs `enabled_column_masking_default`) Trino asks OPA's
          // `batchColumnMasks` rule (opa.policy.batch-column-masking-uri); false leaves it unset.
          authorization: { opa: { configMapName: props.opa.discoveryConfigMapName, package: props.policy.packageName, enableColumnMasking: props.enableColumnMasking } },
          tls: { serverSecretClass: this.tlsSecretClass },
        },
        coordinators: {
          roleConfig: { listenerClass },
          // trino-operator 26.7.0 controller/build/properties/config_properties.rs `build`: the
          // role group's queryMaxMemory(PerNode) becomes query.max-memory(-per-node) in
          // config.properties (default query.max-memory 50GB); configOverrides win over both.
          config: { resources: stackableResources(coordinatorResources), queryMaxMemory },
          configOverrides: coordinatorOverrides,
          podOverrides: restrictedPodOverrides(),
          roleGroups: { [ROLE_GROUP]: { replicas: 1 } },
        },
        workers: {
          config: { resources: stackableResources(workerResources), queryMaxMemoryPerNode },
          configOverrides: workerOverrides,
          podOverrides: restrictedPodOverrides(),
          roleGroups: workerRoleGroups,
        },
      },
    });
    // Apply order: OPA and its policy first, so Trino finds them when it starts.
    this.node.addDependency(props.opa, props.policy);
  }

  /** The worker role groups of `props` in the CRD's shape, validated. */
  private workerRoleGroups(owner: string, props: TrinoClusterProps): Record<string, { replicas: number; config?: { resources: StackableRoleResources } }> {
    if (props.workerRoleGroups === undefined) {
      return { [ROLE_GROUP]: { replicas: intInRange(owner, 'workers', props.workers ?? 1, 1) } };
    }
    if (props.workers !== undefined) {
      throw new Error(`${owner}: workers (${props.workers}) and workerRoleGroups are both given: give the replicas in workerRoleGroups only`);
    }
    const groups: Record<string, { replicas: number; config?: { resources: StackableRoleResources } }> = {};
    let total = 0;
    for (const [name, group] of Object.entries(props.workerRoleGroups)) {
      dnsLabel(owner, 'workerRoleGroups key', name);
      const replicas = intInRange(owner, `workerRoleGroups.${name}.replicas`, group.replicas ?? 1, 0);
      total += replicas;
      const resources = group.resources === undefined ? undefined : validateRoleResources(owner, `workerRoleGroups.${name}.resources`, group.resources);
      groups[name] = { replicas, config: resources === undefined ? undefined : { resources: stackableResources(resources) } };
    }
    if (total < 1) {
      throw new Error(`${owner}: workerRoleGroups ${JSON.stringify(props.workerRoleGroups)} has ${total} workers: give at least 1 (the Stackable coordinator does not run tasks itself)`);
    }
    return groups;
  }

  /** The coordinator's HTTPS URL. */
  public get url(): string {
    return `https://${this.host}:${this.port}`;
  }
}
