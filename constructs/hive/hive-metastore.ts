import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HiveCluster } from '../../imports/hive.stackable.tech';
import {
  containerResources, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange, IPodSelectable, NON_ROOT_UID, OperatorPod, Resources,
  restrictedContainerAs, restrictedPodOverrides, serviceFqdn, stackableResources, validateRoleResources, version,
} from '../core';
import { PostgresDatabase } from '../postgres';
import { IS3ConnectionRef } from '../s3';

/** CPU and memory of {@link HiveMetastore.waitForMetastoreContainer}. */
const WAIT_RESOURCES: Resources = { cpuRequestMillis: 10, cpuLimitMillis: 100, memoryMi: 32 };

/** Props of {@link HiveMetastore}. */
export interface HiveMetastoreProps {
  /** Name of the HiveCluster. @default 'hive' */
  readonly name?: string;
  /** The PostgreSQL database holding the metastore's metadata. */
  readonly database: PostgresDatabase;
  /** The S3 connection of the tables' data. */
  readonly s3: IS3ConnectionRef;
  /** Hive version. @default '4.0.0' */
  readonly productVersion?: string;
  /** Metastore replicas. @default 1 */
  readonly replicas?: number;
  /** CPU and memory per metastore. @default 250m-1000m CPU, 768 MiB */
  readonly resources?: Resources;
}

const THRIFT_PORT = 9083;

/**
 * The metastore pods as hive-operator 26.7.0 builds them (rust/operator-binary/src/crd/mod.rs:
 * containers `hive` and, with vector logging, `vector`; recommended labels with
 * `app.kubernetes.io/name` = `APP_NAME` "hive" and `instance` = the cluster name, which the
 * NetworkPolicies of MinIO and PostgreSQL select). Our overrides add no volumes or containers.
 */
export function hiveMetastorePod(cluster: string): OperatorPod {
  return { containers: ['hive', 'vector'], labels: { 'app.kubernetes.io/name': 'hive', 'app.kubernetes.io/instance': cluster } };
}

/**
 * A Hive metastore (Stackable `HiveCluster`) backed by PostgreSQL, with S3 access. The operator
 * publishes the discovery ConfigMap `<name>` (used by Trino catalogs) and the Service
 * `<name>-metastore` on port 9083 (thrift, used by Spark).
 */
export class HiveMetastore extends Construct implements IPodSelectable {
  /** Name of the HiveCluster, and of its discovery ConfigMap. */
  public readonly name: string;
  /** Name of the discovery ConfigMap. */
  public readonly discoveryConfigMapName: string;
  /** In-cluster DNS name of the metastore Service. */
  public readonly host: string;
  /** Thrift port. */
  public readonly port = THRIFT_PORT;
  /** The metastore's thrift URI. */
  public readonly thriftUri: string;
  /** Labels of the metastore pods. */
  public readonly podSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: HiveMetastoreProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `HiveMetastore ${id}`;
    // The operator derives `<name>-metastore-<rolegroup>-...` names: keep room for the suffixes.
    this.name = dnsLabel(owner, 'name', props.name ?? 'hive', 40);
    const replicas = intInRange(owner, 'replicas', props.replicas ?? 1, 1);
    const resources = validateRoleResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryMi: 768 });
    this.discoveryConfigMapName = this.name;
    // hive-operator 26.7.0 controller.rs: the metastore role's Listener is `<cluster>-metastore`
    // (port `hive` 9083, class cluster-internal by default); the listener-operator names its Service
    // after it, and the discovery ConfigMap `<cluster>` holds `thrift://<that Service>:9083`.
    this.host = serviceFqdn(this, `${this.name}-metastore`);
    this.thriftUri = `thrift://${this.host}:${THRIFT_PORT}`;
    this.podSelector = { 'app.kubernetes.io/name': 'hive', 'app.kubernetes.io/instance': this.name };

    const db = props.database;
    db.allowFrom(this);
    new HiveCluster(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: version(owner, 'productVersion', props.productVersion ?? '4.0.0') },
        clusterConfig: {
          metadataDatabase: {
            postgresql: { host: db.host, port: db.port, database: db.database, credentialsSecretName: db.credentials.secretName },
          },
          s3: props.s3.toSpec(),
        },
        metastore: {
          config: { resources: stackableResources(resources) },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { default: { replicas } },
        },
      },
    });
  }

  /**
   * An init container that blocks until the metastore accepts connections on its thrift port, for
   * pods that need it from their start (a `SparkJob`'s submit pod adds one per metastore of its
   * catalogs). Every 5 s it opens a TCP connection with bash's `/dev/tcp` (a bash feature, not
   * POSIX sh: the script runs as `/bin/bash`), so its image must have bash: the default, the mc image
   * already pulled for the wait-for-data containers, is `ubi9/ubi-micro` with RHEL's bash package
   * (`/usr/bin/bash`, and RHEL 9's `/bin` is `/usr/bin`) (minio/mc RELEASE.2025-04-16T18-13-26Z
   * Dockerfile.release; test/jobs/kubelet.py IMAGE_RUNTIMES; the jobs suite runs it). The host name
   * resolves only once the listener-operator has made the Service, which the loop also waits for.
   */
  public waitForMetastoreContainer(name = 'wait-for-metastore', image: string = IMAGES.mc): k8s.Container {
    return {
      name, image,
      command: ['/bin/bash', '-c', [
        'until (exec 3<>"/dev/tcp/$METASTORE_HOST/$METASTORE_PORT") 2>/dev/null; do',
        '  echo "waiting for the Hive metastore at $METASTORE_HOST:$METASTORE_PORT"; sleep 5',
        'done',
        'echo "Hive metastore answers at $METASTORE_HOST:$METASTORE_PORT"',
      ].join('\n')],
      env: [{ name: 'METASTORE_HOST', value: this.host }, { name: 'METASTORE_PORT', value: String(this.port) }],
      resources: containerResources(WAIT_RESOURCES),
      securityContext: restrictedContainerAs(NON_ROOT_UID),
    };
  }
}
