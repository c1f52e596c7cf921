import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  BoundCredentials, containerResources, Credentials, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange,
  IPodSelectable, PodNetworkPolicy, Resources, restrictedContainer, restrictedPod, scratchVolume, serviceFqdn,
  sqlIdentifier, validateResources,
} from '../core';

/** Props of {@link PostgresDatabase}. */
export interface PostgresDatabaseProps {
  /** Name of the StatefulSet and of its Service. @default 'postgresql' */
  readonly name?: string;
  /** Name of the database created on first start. @default - the `name` with '-' as '_' (e.g. 'postgresql') */
  readonly database?: string;
  /**
   * Owner of the database. An existing Secret must hold the keys `username` and `password`
   * (the layout the Stackable operators expect).
   * @default - user and password equal to the database name, written into Secret `<name>-credentials`
   */
  readonly credentials?: Credentials;
  /** Size of the data volume in GiB. @default 2 */
  readonly storageGi?: number;
  /** Storage class of the data volume. @default - the cluster's default storage class */
  readonly storageClassName?: string;
  /** CPU and memory. @default 100m-500m CPU, 256 MiB */
  readonly resources?: Resources;
  /** Container image. @default IMAGES.postgres */
  readonly image?: string;
  /**
   * Create a NetworkPolicy: only clients added with `allowFrom` reach the database, and the server
   * opens no connection (no egress).
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** UID and GID of the `postgres` user in the official image. */
const POSTGRES_UID = 999;
const PORT = 5432;

/**
 * A single-instance PostgreSQL server for the metadata of one product: StatefulSet with a
 * persistent volume, a Service for clients and a headless one governing the StatefulSet,
 * credentials Secret, readiness and liveness probes. Runs as the image's own
 * non-root user from the start (the official image supports that only with UID 999).
 */
export class PostgresDatabase extends Construct implements IPodSelectable {
  /** The StatefulSet (also `ApiObject.of(db)`). */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The Service clients connect to. */
  public readonly service: k8s.KubeService;
  /** The StatefulSet's headless Service. */
  public readonly headlessService: k8s.KubeService;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** In-cluster DNS name of the server. */
  public readonly host: string;
  /** TCP port. */
  public readonly port = PORT;
  /** Name of the database. */
  public readonly database: string;
  /** The Secret with `username` and `password`. */
  public readonly credentials: BoundCredentials;
  /** Labels of the server pod. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the server pod, when `networkPolicy` is on. */
  public readonly networkPolicy?: PodNetworkPolicy;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `PostgresDatabase ${id}`;
    // StatefulSet pods carry `controller-revision-hash: <name>-<10 chars>`, a label value of at most 63.
    const name = dnsLabel(owner, 'name', props.name ?? 'postgresql', 52);
    this.database = sqlIdentifier(owner, 'database', props.database ?? name.replace(/-/g, '_'));
    const storageGi = intInRange(owner, 'storageGi', props.storageGi ?? 2, 1);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryMi: 256 });
    this.serviceName = name;
    this.host = serviceFqdn(this, name);
    this.podSelector = { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': name };
    this.credentials = (props.credentials ?? Credentials.literal(this.database, this.database)).bind(this, 'Credentials', {
      secretName: `${name}-credentials`, usernameKey: 'username', passwordKey: 'password',
    });

    const ports: k8s.ServicePort[] = [{ name: 'postgresql', port: PORT, targetPort: k8s.IntOrString.fromNumber(PORT) }];
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name, labels: this.podSelector },
      spec: { selector: this.podSelector, ports },
    });
    // The StatefulSet's governing Service: headless, gives the pod its stable DNS name.
    const headless = this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: `${name}-headless`, labels: this.podSelector },
      spec: { selector: this.podSelector, ports, clusterIp: 'None', publishNotReadyAddresses: true },
    });
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name, labels: this.podSelector },
      spec: {
        serviceName: headless.name,
        replicas: 1,
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: { labels: this.podSelector },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPod(POSTGRES_UID),
            containers: [{
              name: 'postgresql',
              image: props.image ?? IMAGES.postgres,
              ports: [{ name: 'postgresql', containerPort: PORT }],
              env: [
                this.credentials.usernameEnv('POSTGRES_USER'),
                this.credentials.passwordEnv('POSTGRES_PASSWORD'),
                { name: 'POSTGRES_DB', value: this.database },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              ],
              resources: containerResources(resources),
              securityContext: restrictedContainer(),
              // Ready: the server accepts connections to the database. Alive: the port answers
              // (a busy server that is slow to log in is not restarted).
              readinessProbe: {
                exec: { command: ['sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'] },
                initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6,
              },
              livenessProbe: {
                tcpSocket: { port: k8s.IntOrString.fromNumber(PORT) },
                initialDelaySeconds: Duration.minutes(1).toSeconds(), periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 6,
              },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/postgresql/data' },
                { name: 'run', mountPath: '/var/run/postgresql' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [scratchVolume('run', 16), scratchVolume('tmp', 256)],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(`${storageGi}Gi`) } },
          },
        }],
      },
    });

    if (props.networkPolicy ?? false) {
      // A single server without replication answers connections and initiates none: no egress rule.
      this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, target: this, requireClients: true });
    }
  }

  /** Lets `client`'s pods connect to the database port (effective when `networkPolicy` is on). */
  public allowFrom(client: IPodSelectable): void {
    this.networkPolicy?.allowFrom(client, [PORT]);
  }
}
