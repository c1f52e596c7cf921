import { Construct } from 'constructs';
import { TrinoCatalog as TrinoCatalogResource, TrinoCatalogSpecConnector } from '../../imports/trino.stackable.tech';
import { dnsLabel, ensureUniqueObjectNames } from '../core';
import { HiveMetastore } from '../hive';
import { IS3ConnectionRef } from '../s3';
import { TrinoCluster } from './trino-cluster';

/** What a Trino catalog connects to. */
export class CatalogConnector {
  /** Hive tables (parquet, ORC, ...) of a Hive metastore, data in S3. */
  public static hive(metastore: HiveMetastore, s3: IS3ConnectionRef): CatalogConnector {
    return new CatalogConnector('hive', { hive: { metastore: { configMap: metastore.discoveryConfigMapName }, s3: s3.toSpec() } }, metastore);
  }

  /** Iceberg tables registered in a Hive metastore, data in S3. */
  public static iceberg(metastore: HiveMetastore, s3: IS3ConnectionRef): CatalogConnector {
    return new CatalogConnector('iceberg', { iceberg: { metastore: { configMap: metastore.discoveryConfigMapName }, s3: s3.toSpec() } }, metastore);
  }

  private constructor(
    /** Trino connector name. */
    public readonly kind: 'hive' | 'iceberg',
    /** The CRD's `connector` value. */
    public readonly spec: TrinoCatalogSpecConnector,
    /** The metastore the catalog reads. */
    public readonly metastore: HiveMetastore,
  ) {}
}

/** Props of {@link TrinoCatalog}. */
export interface TrinoCatalogProps {
  /** The Trino cluster that serves the catalog. */
  readonly trino: TrinoCluster;
  /** Catalog name as seen in SQL (and name of the TrinoCatalog). */
  readonly name: string;
  /** What the catalog connects to. */
  readonly connector: CatalogConnector;
}

/**
 * A Trino catalog (Stackable `TrinoCatalog`), labelled for its cluster. It is ordered before the
 * TrinoCluster in the output: the trino-operator on Kubernetes 1.35 does not pick up catalogs
 * created after the cluster.
 */
export class TrinoCatalog extends Construct {
  /** Catalog name. */
  public readonly name: string;
  /** Connector kind. */
  public readonly kind: 'hive' | 'iceberg';

  constructor(scope: Construct, id: string, props: TrinoCatalogProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    // Trino catalog names in SQL: keep to lower-case names without '-' (no quoting needed).
    this.name = dnsLabel(`TrinoCatalog ${id}`, 'name', props.name);
    if (this.name.includes('-')) throw new Error(`TrinoCatalog ${id}: name "${this.name}" must not contain '-' (it is used unquoted in SQL)`);
    this.kind = props.connector.kind;
    new TrinoCatalogResource(this, 'Resource', {
      metadata: { name: this.name, labels: props.trino.catalogLabels },
      spec: { connector: props.connector.spec },
    });
    props.trino.node.addDependency(this);
  }
}
