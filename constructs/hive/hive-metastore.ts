import { Construct } from 'constructs';
import { HiveCluster } from '../../imports/hive.stackable.tech';
import {
  dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, OperatorPod, Resources, restrictedPodOverrides,
  serviceFqdn, stackableResources, validateRoleResources, version,
} from '../core';
import { PostgresDatabase } from '../postgres';
import { IS3ConnectionRef } from '../s3';

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
}
