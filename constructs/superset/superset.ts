import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SupersetCluster } from '../../imports/superset.stackable.tech';
import {
  BoundCredentials, Credentials, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, LISTENER_CLASSES,
  ListenerClassName, nonEmptySecret, oneOf, OperatorPod, Resources, restrictedPodOverrides, serviceFqdn,
  stackableResources, urlSafeSecret, validateRoleResources, version,
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
   * `adminUser.firstname`, `adminUser.lastname`, `adminUser.email` and `adminUser.password`, which
   * the superset-operator 26.7.0 reads as required variables
   * (rust/operator-binary/src/controller/build/resource/mod.rs, `ADMIN_*` from `credentialsSecret`).
   * @default - Credentials.literal('admin', 'adminadmin') in Secret `<name>-credentials`
   */
  readonly admin?: Credentials;
  /**
   * Flask `SECRET_KEY` (signs sessions, encrypts the database passwords Superset stores), in the
   * Secret {@link Superset.secretKeySecretName} that the superset-operator reads it from.
   * @default SupersetSecretKey.generated() - no Secret in the chart; the superset-operator creates
   * `<name>-secret-key` with a random key on first start and keeps it
   */
  readonly secretKey?: SupersetSecretKey;
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
 * The pods of a SupersetCluster's `nodes` role as superset-operator 26.7.0 builds them
 * (rust/operator-binary/src/controller/build/resource/statefulset.rs `build_node_rolegroup_statefulset`
 * and resource/mod.rs): containers `superset`, `metrics` and, only if `vectorAgent`, `vector`
 * (`build_vector_container` adds it when the role group's merged `logging.enableVectorAgent` is
 * true, controller/validate.rs `validate_logging`, which then also requires
 * `clusterConfig.vectorAggregatorConfigMapName`; operator-rs 0.113.3 product_logging/spec.rs
 * `default_logging` defaults it to false, and {@link Superset} leaves it so); volumes `config`,
 * `log-config` and `log` (with or without vector, resource/mod.rs `create_volumes`) and the
 * `listener` volume claim; labels from operator-rs 0.113.3 `recommended_labels`.
 */
export function supersetNodePod(cluster: string, vectorAgent: boolean): OperatorPod {
  const superset = ['/stackable/config', '/stackable/log_config', '/stackable/log', '/stackable/listener'];
  return {
    containers: ['superset', 'metrics', ...(vectorAgent ? ['vector'] : [])],
    volumes: {
      names: ['config', 'log-config', 'log', 'listener'],
      mountPaths: { superset, metrics: [], ...(vectorAgent ? { vector: ['/stackable/config/vector.yaml', '/stackable/log'] } : {}) },
    },
    labels: { 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': cluster },
  };
}

/** The key of Superset's `SECRET_KEY` in {@link Superset.secretKeySecretName}. */
export const SECRET_KEY_KEY = 'SECRET_KEY';

/**
 * Where Superset's `SECRET_KEY` comes from. The superset-operator 26.7 reads it only from the
 * Secret `<cluster>-secret-key` (key `SECRET_KEY`) and creates that Secret with a random key when
 * it is missing, so the choice is: a key of ours in that Secret, or the operator's random one.
 */
export class SupersetSecretKey {
  /**
   * This key, written into `<cluster>-secret-key`. A later change is picked up (the
   * commons-operator restarts Superset when the Secret changes), but the database passwords
   * Superset stored under the old key can then no longer be decrypted: set it before the first
   * install, or re-import the databases afterwards.
   */
  public static literal(value: string): SupersetSecretKey {
    return new SupersetSecretKey(value);
  }

  /**
   * A random key (256 random bytes, base64) that the superset-operator generates into
   * `<cluster>-secret-key` on its first reconcile and keeps; no Secret in the chart. The default:
   * no key is published with the chart.
   */
  public static generated(): SupersetSecretKey {
    return new SupersetSecretKey(undefined);
  }

  private constructor(
    /** The literal key, or undefined when the operator generates it. */
    public readonly value: string | undefined,
  ) {}
}

/**
 * Apache Superset (Stackable `SupersetCluster`) with its admin credentials Secret and PostgreSQL
 * metadata database. Clients reach the web server at `<name>-node:8088`.
 */
export class Superset extends Construct implements IPodSelectable {
  /** The SupersetCluster object (also `ApiObject.of(superset)`). */
  public readonly cluster: ApiObject;
  /** The Secret of `SECRET_KEY`, when the key is a literal (`SupersetSecretKey.literal`). */
  public readonly secretKeySecret?: k8s.KubeSecret;
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
  /** The Secret holding Superset's `SECRET_KEY` (key {@link SECRET_KEY_KEY}). */
  public readonly secretKeySecretName: string;
  /** Labels of the Superset pods. */
  public readonly podSelector: Record<string, string>;
  /** The CA trust mounted in the Superset pods (at `trust.caFile`), which verifies the TLS of the databases it queries. */
  public readonly trust: TlsTrustStore;

  constructor(scope: Construct, id: string, props: SupersetProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `Superset ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'superset', 40);
    this.productVersion = version(owner, 'productVersion', props.productVersion ?? '6.1.0');
    const replicas = intInRange(owner, 'replicas', props.replicas ?? 1, 1);
    const resources = validateRoleResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryMi: 2048 });
    const listenerClass = oneOf(owner, 'listenerClass', props.listenerClass ?? 'external-stable', LISTENER_CLASSES);
    const secretKey = props.secretKey ?? SupersetSecretKey.generated();
    if (secretKey.value !== undefined) nonEmptySecret(owner, 'secretKey', secretKey.value);
    // superset-operator 26.7.0 crd/mod.rs: the nodes role's Listener is `<cluster>-node` (port `http`
    // 8088); the listener-operator 26.7.0 names its Service after the Listener
    // (listener_controller.rs `svc_name`), with a ClusterIP for every listener class.
    this.host = serviceFqdn(this, `${this.name}-node`);
    this.podSelector = { 'app.kubernetes.io/name': 'superset', 'app.kubernetes.io/instance': this.name };
    this.trust = props.trust;

    this.admin = (props.admin ?? Credentials.literal('admin', 'adminadmin')).bind(this, 'Credentials', {
      secretName: `${this.name}-credentials`,
      usernameKey: 'adminUser.username',
      passwordKey: 'adminUser.password',
      extraData: {
        'adminUser.firstname': 'Superset',
        'adminUser.lastname': 'Admin',
        'adminUser.email': 'admin@superset.com',
      },
    });

    // superset-operator 26.7.0 keeps SECRET_KEY in its own Secret `<cluster>-secret-key`, key
    // `SECRET_KEY` (rust/operator-binary/src/crd/mod.rs `shared_secret_key_secret_name`,
    // `INTERNAL_SECRET_SECRET_KEY`), and passes it to the pods as a secretKeyRef. On each reconcile it
    // creates that Secret with a random key only if it is missing and never changes an existing one
    // (controller.rs `create_random_secret_if_not_exists`; operator-rs 0.113.3
    // commons/random_secret_creation.rs): without a literal key we write none and the operator's
    // random one is used; with one, ours is the one used. `connections.secretKey` in the
    // credentials Secret is only read once, to migrate a 26.3 installation, when this Secret is
    // missing (controller.rs `migrate_legacy_secret_key_secret_from_26_3`). The StatefulSet carries
    // `restarter.stackable.tech/enabled=true`, so the commons-operator restarts Superset when a
    // Secret its env references changes (commons-operator main@fa3fb33
    // rust/operator-binary/src/restart_controller/statefulset.rs, secretKeyRef).
    this.secretKeySecretName = `${this.name}-secret-key`;
    if (secretKey.value !== undefined) {
      this.secretKeySecret = new k8s.KubeSecret(this, 'SecretKey', {
        metadata: { name: this.secretKeySecretName },
        type: 'Opaque',
        stringData: { [SECRET_KEY_KEY]: secretKey.value },
      });
    }

    const db = props.database;
    // superset-operator 26.7.0 controller/build/properties/superset_config.rs `core_config_properties`:
    // SQLALCHEMY_DATABASE_URI = os.path.expandvars('postgresql+psycopg2://${METADATA_DATABASE_USERNAME}:
    // ${METADATA_DATABASE_PASSWORD}@host:port/db') (operator-rs stackable-operator-0.113.3
    // database_connections/databases/postgresql.rs): user and password go into the URL unencoded, so
    // '@', ':', '/', '#' or '%' in them would break Superset's connection (checked when literal).
    const inUrl = 'the metadata database URL the superset-operator writes';
    urlSafeSecret(owner, 'database.credentials.username', db.credentials.username, 1, inUrl);
    if (db.credentials.password !== undefined) urlSafeSecret(owner, 'database.credentials.password', db.credentials.password, 1, inUrl);
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
    this.cluster = new SupersetCluster(this, 'Resource', {
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
          // A pooled connection to the metadata database that PostgreSQL dropped (a restart, a
          // failover) fails the next request with a 500 (psycopg2 OperationalError; Superset 6.1.0
          // config.py: SQLALCHEMY_ENGINE_OPTIONS = {}, no pre-ping). pool_pre_ping tests each
          // connection before use and replaces a dead one: e2e fault 8 (PostgreSQL crash-restarted)
          // found it and checks it. A key the superset-operator does not know is written into
          // superset_config.py as a Python expression (superset-operator 26.7.0
          // controller/build/properties/superset_config.rs `rolegroup_properties`, operator-rs
          // stackable-operator-0.113.3 v2/flask_config_writer.rs `write`).
          configOverrides: { supersetConfigPy: { SQLALCHEMY_ENGINE_OPTIONS: "{'pool_pre_ping': True}" } },
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
