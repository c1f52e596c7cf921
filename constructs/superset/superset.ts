import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SupersetCluster } from '../../imports/superset.stackable.tech';
import {
  BoundCredentials, Credentials, dnsLabel, intInRange, IPodSelectable, LISTENER_CLASSES, ListenerClassName,
  nonEmptySecret, oneOf, Resources, restrictedPodOverrides, serviceFqdn, stackableResources, validateResources, version,
} from '../core';
import { PostgresDatabase } from '../postgres';
import { TlsTrustStore } from '../secret-operator';

/** Props of {@link Superset}. */
export interface SupersetProps {
  /** Name of the SupersetCluster. @default 'superset' */
  readonly name?: string;
  /** Superset version. @default '6.1.0' */
  readonly productVersion?: string;
  /**
   * The admin user. An existing Secret must hold the keys `adminUser.username`,
   * `adminUser.firstname`, `adminUser.lastname`, `adminUser.email`, `adminUser.password` and
   * `connections.secretKey`, as the superset-operator expects.
   * @default - Credentials.literal('admin', 'adminadmin') in Secret `<name>-credentials`
   */
  readonly admin?: Credentials;
  /** Flask `SECRET_KEY` written into a created credentials Secret (signs sessions, encrypts stored passwords). @default 'demo-superset-secret-key' */
  readonly secretKey?: string;
  /** The PostgreSQL database for Superset's metadata. */
  readonly database: PostgresDatabase;
  /** CA trust mounted at `/stackable/trust/ca.crt`, for verifying TLS of the databases Superset queries (Trino). */
  readonly trust: TlsTrustStore;
  /** Web server replicas. @default 1 */
  readonly replicas?: number;
  /** CPU and memory per node. @default 250m-1000m CPU, 2048 MiB */
  readonly resources?: Resources;
  /** How the web server is exposed. @default 'external-stable' */
  readonly listenerClass?: ListenerClassName;
}

const HTTP_PORT = 8088;

/**
 * Apache Superset (Stackable `SupersetCluster`) with its admin credentials Secret and PostgreSQL
 * metadata database. Clients reach the web server at `<name>-node:8088`.
 */
export class Superset extends Construct implements IPodSelectable {
  /** Name of the SupersetCluster. */
  public readonly name: string;
  /** Superset version. */
  public readonly productVersion: string;
  /** In-cluster DNS name of the web server. */
  public readonly host: string;
  /** HTTP port of the web server. */
  public readonly port = HTTP_PORT;
  /** The admin credentials. */
  public readonly admin: BoundCredentials;
  /** Labels of the Superset pods. */
  public readonly podSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: SupersetProps) {
    super(scope, id);
    const owner = `Superset ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'superset', 40);
    this.productVersion = version(owner, 'productVersion', props.productVersion ?? '6.1.0');
    const replicas = intInRange(owner, 'replicas', props.replicas ?? 1, 1);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryMi: 2048 });
    const listenerClass = oneOf(owner, 'listenerClass', props.listenerClass ?? 'external-stable', LISTENER_CLASSES);
    const secretKey = nonEmptySecret(owner, 'secretKey', props.secretKey ?? 'demo-superset-secret-key');
    this.host = serviceFqdn(this, `${this.name}-node`);
    this.podSelector = { 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': this.name };

    this.admin = (props.admin ?? Credentials.literal('admin', 'adminadmin')).bind(this, 'Credentials', {
      secretName: `${this.name}-credentials`,
      usernameKey: 'adminUser.username',
      passwordKey: 'adminUser.password',
      extraData: {
        'adminUser.firstname': 'Superset',
        'adminUser.lastname': 'Admin',
        'adminUser.email': 'admin@superset.com',
        'connections.secretKey': secretKey,
      },
    });

    const db = props.database;
    db.allowFrom(this);
    // The web server container of the superset-operator is named `superset`: it gets the CA and,
    // as it is named anyway, the container-level "restricted" settings.
    const trustOverride: k8s.PodSpec = {
      containers: [{
        name: 'superset',
        volumeMounts: [props.trust.volumeMount()],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
      volumes: [props.trust.volume()],
    };
    new SupersetCluster(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: this.productVersion },
        clusterConfig: {
          credentialsSecret: this.admin.secretName,
          metadataDatabase: {
            postgresql: { host: db.host, port: db.port, database: db.database, credentialsSecretName: db.credentials.secretName },
          },
        },
        nodes: {
          roleConfig: { listenerClass },
          config: { resources: stackableResources(resources) },
          podOverrides: restrictedPodOverrides(trustOverride),
          roleGroups: { default: { replicas } },
        },
      },
    });
  }

  /** The web server's URL. */
  public get url(): string {
    return `http://${this.host}:${this.port}`;
  }
}
