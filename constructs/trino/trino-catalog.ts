import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { TrinoCatalog as TrinoCatalogResource, TrinoCatalogSpecConnector } from '../../imports/trino.stackable.tech';
import { dnsLabel, dnsSubdomain, ensureUniqueObjectNames, intInRange, nonEmpty } from '../core';
import { HiveMetastore } from '../hive';
import { PostgresDatabase } from '../postgres';
import { IS3ConnectionRef } from '../s3';
import { TrinoCluster } from './trino-cluster';

/**
 * The value of a TrinoCatalog's `spec.connector`, as plain JSON: one key, the CRD's name of the
 * connector (`hive`, `iceberg`, `postgresql`, `generic`, `deltaLake`, ...), holding its settings,
 * e.g. `{ tpch: {} }`. It is written as is (see the CRD trinocatalogs.trino.stackable.tech).
 */
export interface CatalogConnectorConfig {
  /** The connector's settings under the CRD's connector key. */
  readonly [crdConnector: string]: unknown;
}

/** What a {@link CatalogConnector} may use when it is bound to its catalog. */
export interface CatalogConnectorBinding {
  /** The TrinoCatalog construct the connector is bound to. */
  readonly catalog: Construct;
  /** Catalog name as seen in SQL (the TrinoCatalog's name). */
  readonly catalogName: string;
  /** The Trino cluster that serves the catalog (its pods open the connections). */
  readonly trino: TrinoCluster;
}

/**
 * What a Trino catalog connects to: the `spec.connector` of a TrinoCatalog. Use the static
 * factories for the connectors of the CRD, or extend this class for one they do not cover: implement
 * {@link bind}, which returns the plain JSON of `spec.connector`.
 *
 * @example
 * class DeltaLake extends CatalogConnector {
 *   public readonly kind = 'delta_lake';
 *   constructor(private readonly metastore: HiveMetastore, private readonly s3: IS3ConnectionRef) { super(); }
 *   public bind(): CatalogConnectorConfig {
 *     return { deltaLake: { metastore: { configMap: this.metastore.discoveryConfigMapName }, s3: this.s3.toSpec() } };
 *   }
 * }
 */
export abstract class CatalogConnector {
  /**
   * Hive tables (parquet, ORC, ...) of a Hive metastore, data in S3 and/or HDFS.
   * @param s3 the S3 connection of the data (give it or `options.hdfsConfigMapName`)
   */
  public static hive(metastore: HiveMetastore, s3?: IS3ConnectionRef, options: MetastoreConnectorOptions = {}): MetastoreConnector {
    return new MetastoreConnector('hive', metastore, s3, options);
  }

  /**
   * Iceberg tables registered in a Hive metastore, data in S3 and/or HDFS.
   * @param s3 the S3 connection of the data (give it or `options.hdfsConfigMapName`)
   */
  public static iceberg(metastore: HiveMetastore, s3?: IS3ConnectionRef, options: MetastoreConnectorOptions = {}): MetastoreConnector {
    return new MetastoreConnector('iceberg', metastore, s3, options);
  }

  /** Trino's generated TPC-H benchmark data (schemas `tiny`, `sf1`, ...; Trino connector `tpch`). */
  public static tpch(): CatalogConnector {
    return new FixedConnector('tpch', { tpch: {} });
  }

  /** Trino's generated TPC-DS benchmark data (Trino connector `tpcds`). */
  public static tpcds(): CatalogConnector {
    return new FixedConnector('tpcds', { tpcds: {} });
  }

  /** A sink that accepts writes and reads nothing (Trino connector `blackhole`). */
  public static blackHole(): CatalogConnector {
    // trino-operator 26.7.0 rust/operator-binary/src/catalog/black_hole.rs: CONNECTOR_NAME "blackhole".
    return new FixedConnector('blackhole', { blackHole: {} });
  }

  /**
   * The database of a {@link PostgresDatabase} of this chart, logged in as its owner. When the
   * database has a NetworkPolicy, the Trino pods are allowed in.
   */
  public static postgresql(database: PostgresDatabase, options: PostgresqlConnectorOptions = {}): CatalogConnector {
    const owner = 'CatalogConnector.postgresql';
    const creds = database.credentials;
    // The connector reads the keys `username` and `password` of its Secret (see POSTGRESQL_SECRET_KEYS).
    if (creds.usernameKey !== POSTGRESQL_SECRET_KEYS.username || creds.passwordKey !== POSTGRESQL_SECRET_KEYS.password) {
      throw new Error(`${owner}: the credentials Secret "${creds.secretName}" of ${database.node.path} has the keys "${creds.usernameKey}" and "${creds.passwordKey}"; the postgresql connector reads "username" and "password"`);
    }
    return new PostgresqlConnector({
      host: database.host, port: database.port, database: database.database, credentialsSecretName: creds.secretName, parameters: options.parameters,
    }, database);
  }

  /**
   * A PostgreSQL server outside this chart, given by address and a Secret with the keys `username`
   * and `password` in the catalog's namespace.
   */
  public static postgresqlServer(server: PostgresqlServer): CatalogConnector {
    return new PostgresqlConnector(server);
  }

  /**
   * Any Trino connector by its name, configured with catalog properties; each is a literal value or
   * read from a Secret or ConfigMap key (see {@link CatalogProperty}).
   * @param connectorName Trino's `connector.name`, e.g. `mysql`, `memory`, `delta_lake`
   * @param properties catalog properties by name (without `connector.name`)
   */
  public static generic(connectorName: string, properties: Readonly<Record<string, CatalogProperty>> = {}): CatalogConnector {
    return new GenericConnector(connectorName, properties);
  }

  /** Trino's connector name (the catalog property `connector.name`), e.g. `hive` or `blackhole`. */
  public abstract readonly kind: string;

  /**
   * Returns the `spec.connector` of the catalog, as plain JSON with one key. Called once, by the
   * {@link TrinoCatalog} constructor; a connector may wire neighbours here (e.g. open a NetworkPolicy
   * for the Trino pods). A connector may be bound to several catalogs.
   */
  public abstract bind(binding: CatalogConnectorBinding): CatalogConnectorConfig;
}

/** Options of {@link CatalogConnector.hive} and {@link CatalogConnector.iceberg}. */
export interface MetastoreConnectorOptions {
  /**
   * The discovery ConfigMap of an HDFS cluster holding the data (a Stackable HdfsCluster's is
   * named after it).
   * @default - no HDFS: the data is in S3
   */
  readonly hdfsConfigMapName?: string;
}

/** A Hive or Iceberg connector: tables of a Hive metastore. */
export class MetastoreConnector extends CatalogConnector {
  /** The S3 connection of the data, if in S3. */
  public readonly s3?: IS3ConnectionRef;
  /** The discovery ConfigMap of the HDFS cluster of the data, if in HDFS. */
  public readonly hdfsConfigMapName?: string;

  /** Prefer {@link CatalogConnector.hive} and {@link CatalogConnector.iceberg}. */
  constructor(
    /** Trino connector name. */
    public readonly kind: 'hive' | 'iceberg',
    /** The metastore the catalog reads. */
    public readonly metastore: HiveMetastore,
    s3?: IS3ConnectionRef,
    options: MetastoreConnectorOptions = {},
  ) {
    super();
    const owner = `CatalogConnector.${kind}`;
    this.s3 = s3;
    if (options.hdfsConfigMapName !== undefined) this.hdfsConfigMapName = dnsSubdomain(owner, 'options.hdfsConfigMapName', options.hdfsConfigMapName);
    if (s3 === undefined && this.hdfsConfigMapName === undefined) {
      throw new Error(`${owner}: the catalog of ${metastore.node.path} has no storage: give s3 or options.hdfsConfigMapName`);
    }
  }

  /** `{ hive | iceberg: { metastore, s3?, hdfs? } }`. */
  public bind(): CatalogConnectorConfig {
    const hdfs = this.hdfsConfigMapName === undefined ? undefined : { configMap: this.hdfsConfigMapName };
    const settings = { metastore: { configMap: this.metastore.discoveryConfigMapName }, s3: this.s3?.toSpec(), hdfs };
    return typed(this.kind === 'hive' ? { hive: settings } : { iceberg: settings });
  }
}

/** Options of {@link CatalogConnector.postgresql}. */
export interface PostgresqlConnectorOptions {
  /**
   * JDBC connection parameters appended to the URL as `?key=value&...` (unescaped, see
   * {@link PostgresqlServer.parameters}).
   * @default - none
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A PostgreSQL server for {@link CatalogConnector.postgresqlServer}. */
export interface PostgresqlServer extends PostgresqlConnectorOptions {
  /** Host name or IP address of the server. */
  readonly host: string;
  /** TCP port. @default 5432 */
  readonly port?: number;
  /** Name of the database. */
  readonly database: string;
  /** Name of a Secret in the catalog's namespace with the keys `username` and `password`. */
  readonly credentialsSecretName: string;
}

/**
 * The keys the postgresql connector reads from its credentials Secret: operator-rs
 * stackable-operator-0.113.3 (the trino-operator 26.7.0's, Cargo.toml)
 * crates/stackable-operator/src/database_connections/helpers.rs `username_and_password_envs`.
 */
export const POSTGRESQL_SECRET_KEYS = { username: 'username', password: 'password' } as const;

// operator-rs stackable-operator-0.113.3 database_connections/helpers.rs
// `connection_parameters_as_url_query_parameters` joins `key=value` with '&' after '?' without
// escaping: these characters would change the URL's meaning.
const URL_PARAMETER_UNSAFE = /[\s&=?#/]/;

class PostgresqlConnector extends CatalogConnector {
  public readonly kind = 'postgresql';
  private readonly spec: TrinoCatalogSpecConnector;

  constructor(server: PostgresqlServer, private readonly database?: PostgresDatabase) {
    super();
    const owner = database === undefined ? 'CatalogConnector.postgresqlServer' : 'CatalogConnector.postgresql';
    const host = hostName(owner, 'host', server.host);
    const port = server.port === undefined ? undefined : intInRange(owner, 'port', server.port, 1, 65535);
    const db = nonEmpty(owner, 'database', server.database);
    if (/[/?#\s]/.test(db)) throw new Error(`${owner}: database ${JSON.stringify(db)} must not contain '/', '?', '#' or whitespace (it is part of the JDBC URL)`);
    const credentialsSecretName = dnsSubdomain(owner, 'credentialsSecretName', server.credentialsSecretName);
    const parameters = server.parameters === undefined ? undefined : { ...server.parameters };
    for (const [key, value] of Object.entries(parameters ?? {})) {
      if (key.length === 0 || URL_PARAMETER_UNSAFE.test(key)) throw new Error(`${owner}: parameters key ${JSON.stringify(key)} must be non-empty without whitespace, '&', '=', '?', '#' or '/'`);
      if (/[\s&?#]/.test(value)) throw new Error(`${owner}: parameters.${key} ${JSON.stringify(value)} must not contain whitespace, '&', '?' or '#' (the URL is not escaped)`);
    }
    this.spec = { postgresql: { host, port, database: db, credentialsSecretName, parameters } };
  }

  public bind(binding: CatalogConnectorBinding): CatalogConnectorConfig {
    this.database?.allowFrom(binding.trino);
    return typed(this.spec);
  }
}

/** A host name (RFC 1123, any case) or an IPv4 address, as operator-rs `HostName` accepts. */
function hostName(owner: string, prop: string, value: string): string {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\.?$/.test(value) || value.length > 253) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} is not a host name or IPv4 address`);
  }
  return value;
}

/**
 * A catalog property of a {@link CatalogConnector.generic} connector: a literal, or the value of a
 * Secret or ConfigMap key (the trino-operator passes those through an environment variable).
 */
export class CatalogProperty {
  /** A literal value. */
  public static value(value: string): CatalogProperty {
    return new CatalogProperty({ value });
  }

  /** The value of `key` in the Secret `secretName` in the catalog's namespace. */
  public static fromSecret(secretName: string, key: string): CatalogProperty {
    const owner = 'CatalogProperty.fromSecret';
    return new CatalogProperty({ valueFromSecret: { name: dnsSubdomain(owner, 'secretName', secretName), key: configKey(owner, key) } });
  }

  /** The value of `key` in the ConfigMap `configMapName` in the catalog's namespace. */
  public static fromConfigMap(configMapName: string, key: string): CatalogProperty {
    const owner = 'CatalogProperty.fromConfigMap';
    return new CatalogProperty({ valueFromConfigMap: { name: dnsSubdomain(owner, 'configMapName', configMapName), key: configKey(owner, key) } });
  }

  private constructor(private readonly spec: CatalogConnectorConfig) {}

  /** The CRD's property value (`{ value }`, `{ valueFromSecret }` or `{ valueFromConfigMap }`), plain JSON. */
  public toSpec(): CatalogConnectorConfig {
    return this.spec;
  }
}

/** A Secret or ConfigMap data key (apimachinery IsConfigMapKey: `[-._a-zA-Z0-9]+`, at most 253). */
function configKey(owner: string, key: string): string {
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key) || key === '.' || key === '..') {
    throw new Error(`${owner}: key ${JSON.stringify(key)} is not a valid Secret or ConfigMap key: use letters, digits, '-', '_' and '.'`);
  }
  return key;
}

class GenericConnector extends CatalogConnector {
  public readonly kind: string;
  private readonly properties: Record<string, CatalogProperty>;

  constructor(connectorName: string, properties: Readonly<Record<string, CatalogProperty>>) {
    super();
    const owner = 'CatalogConnector.generic';
    this.kind = nonEmpty(owner, 'connectorName', connectorName);
    if (/\s/.test(connectorName)) throw new Error(`${owner}: connectorName ${JSON.stringify(connectorName)} must not contain whitespace`);
    for (const name of Object.keys(properties)) {
      if (name.length === 0 || /[\s=:]/.test(name)) throw new Error(`${owner}: properties key ${JSON.stringify(name)} is not a property name: use no whitespace, '=' or ':'`);
      // trino-operator 26.7.0 rust/operator-binary/src/catalog/config.rs `CatalogConfig::new`: the
      // operator writes `connector.name` from connectorName; a property of that name would replace it.
      if (name === 'connector.name') throw new Error(`${owner}: properties key "connector.name" is set from connectorName ("${connectorName}"); remove it`);
    }
    this.properties = { ...properties };
  }

  public bind(): CatalogConnectorConfig {
    const properties: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(this.properties)) properties[name] = property.toSpec();
    return { generic: { connectorName: this.kind, properties } };
  }
}

class FixedConnector extends CatalogConnector {
  constructor(public readonly kind: string, private readonly spec: TrinoCatalogSpecConnector) {
    super();
  }

  public bind(): CatalogConnectorConfig {
    return typed(this.spec);
  }
}

/** Our own connectors are type-checked against the generated CRD types, then handed on as plain JSON. */
function typed(spec: TrinoCatalogSpecConnector): CatalogConnectorConfig {
  return spec as CatalogConnectorConfig;
}

/** Props of {@link TrinoCatalog}. */
export interface TrinoCatalogProps {
  /** The Trino cluster that serves the catalog. */
  readonly trino: TrinoCluster;
  /** Catalog name as seen in SQL (and name of the TrinoCatalog). */
  readonly name: string;
  /** What the catalog connects to. */
  readonly connector: CatalogConnector;
  /**
   * Catalog properties written over the operator's (the CRD's `configOverrides`), e.g.
   * `{ 'hive.metastore.authentication.type': 'KERBEROS' }`.
   * @default - none
   */
  readonly configOverrides?: Readonly<Record<string, string>>;
}

/**
 * A Trino catalog (Stackable `TrinoCatalog`), labelled for its cluster. It is ordered before the
 * TrinoCluster in the output: the trino-operator on Kubernetes 1.35 does not pick up catalogs
 * created after the cluster.
 */
export class TrinoCatalog extends Construct {
  /** Catalog name. */
  public readonly name: string;
  /** Trino's connector name (`connector.name`), e.g. `hive`, `tpch`, `postgresql`. */
  public readonly kind: string;
  /** The Trino cluster that serves the catalog. */
  public readonly trino: TrinoCluster;
  /** The TrinoCatalog object (also `ApiObject.of(catalog)`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: TrinoCatalogProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `TrinoCatalog ${id}`;
    // Trino catalog names in SQL: keep to lower-case names without '-' (no quoting needed).
    this.name = dnsLabel(owner, 'name', props.name);
    if (this.name.includes('-')) throw new Error(`${owner}: name "${this.name}" must not contain '-' (it is used unquoted in SQL)`);
    this.trino = props.trino;
    this.kind = props.connector.kind;
    const connector = props.connector.bind({ catalog: this, catalogName: this.name, trino: props.trino });
    const keys = Object.keys(connector);
    if (keys.length !== 1) {
      throw new Error(`${owner}: connector (${props.connector.constructor.name}, kind "${this.kind}") gave spec.connector the keys [${keys.join(', ')}]: it takes exactly one connector key, e.g. { tpch: {} }`);
    }
    const configOverrides = props.configOverrides === undefined ? undefined : { ...props.configOverrides };
    for (const key of Object.keys(configOverrides ?? {})) {
      if (key.length === 0 || /[\s=:]/.test(key)) throw new Error(`${owner}: configOverrides key ${JSON.stringify(key)} is not a property name: use no whitespace, '=' or ':'`);
    }
    // A plain ApiObject: the generated class would re-serialize spec.connector field by field and
    // drop what a user-defined connector writes beyond the imported schema.
    this.resource = new ApiObject(this, 'Resource', {
      ...TrinoCatalogResource.GVK,
      metadata: { name: this.name, labels: props.trino.catalogLabels },
      spec: { connector, configOverrides },
    });
    props.trino.node.addDependency(this);
  }
}
