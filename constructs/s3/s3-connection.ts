import { Construct } from 'constructs';
import { S3Connection as S3ConnectionResource, S3ConnectionSpecAccessStyle } from '../../imports/s3.stackable.tech';
import { dnsSubdomain, ensureUniqueObjectNames } from '../core';
import { S3CredentialsClass } from './s3-credentials-class';

/** An S3 endpoint served with TLS, as the Stackable S3 resources describe it. */
export interface IS3Endpoint {
  /** In-cluster DNS name of the S3 API. */
  readonly host: string;
  /** Port of the S3 API. */
  readonly apiPort: number;
  /** The secret-operator SecretClass whose CA signs the endpoint's certificate. */
  readonly tlsSecretClass: string;
  /** The SecretClass its credentials Secret is labelled for, if it has one. */
  readonly credentialsClass?: S3CredentialsClass;
}

/**
 * How a Stackable resource (HiveCluster, TrinoCatalog, SparkApplication) refers to its S3
 * connection: an {@link S3Connection} of the chart itself, or {@link S3Ref.fromConnectionName} for
 * one that exists outside the chart.
 */
export interface IS3ConnectionRef {
  /** Name of the S3Connection. */
  readonly connectionName: string;
  /** The `{ reference }` shape shared by the Stackable CRDs. */
  toSpec(): { reference: string };
}

/** Props of {@link S3Connection}. */
export interface S3ConnectionProps {
  /** Name of the S3Connection. @default 'minio' */
  readonly name?: string;
  /** The S3 server. */
  readonly endpoint: IS3Endpoint;
  /**
   * Where the products get the credentials from; the endpoint's credentials Secret must be
   * labelled for it.
   * @default - the endpoint's `credentialsClass`
   */
  readonly credentialsClass?: S3CredentialsClass;
}


/**
 * A Stackable `S3Connection`: an S3 endpoint (path-style, TLS verified against the
 * secret-operator CA) and the SecretClass of its credentials, referenced by name from the Hive
 * metastores, Trino catalogs and the SparkApplication.
 */
export class S3Connection extends Construct implements IS3ConnectionRef {
  /** Name of the S3Connection. */
  public readonly name: string;
  /** The SecretClass the products get the credentials through. */
  public readonly credentialsClass: S3CredentialsClass;

  constructor(scope: Construct, id: string, props: S3ConnectionProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `S3Connection ${id}`;
    this.name = dnsSubdomain(owner, 'name', props.name ?? 'minio');
    const endpointClass = props.endpoint.credentialsClass;
    const credentialsClass = props.credentialsClass ?? endpointClass;
    if (credentialsClass === undefined) {
      throw new Error(`${owner}: credentialsClass is missing and the endpoint's credentials are labelled for no S3CredentialsClass: give the endpoint (e.g. MinioServer credentialsClass) an S3CredentialsClass`);
    }
    if (endpointClass !== undefined && credentialsClass.name !== endpointClass.name) {
      throw new Error(`${owner}: credentialsClass "${credentialsClass.name}" (${credentialsClass.node.path}) is not the class the endpoint's credentials are labelled for, "${endpointClass.name}" (${endpointClass.node.path}): products would find no credentials; leave credentialsClass out to use the endpoint's`);
    }
    if (endpointClass === undefined && props.endpoint instanceof Construct) {
      throw new Error(`${owner}: the endpoint ${props.endpoint.node.path} labels its credentials for no S3CredentialsClass, so products would find none through "${credentialsClass.name}": pass the class to the endpoint (e.g. MinioServer credentialsClass) instead`);
    }
    this.credentialsClass = credentialsClass;
    new S3ConnectionResource(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        host: props.endpoint.host,
        port: props.endpoint.apiPort,
        accessStyle: S3ConnectionSpecAccessStyle.PATH,
        credentials: { secretClass: credentialsClass.name },
        tls: { verification: { server: { caCert: { secretClass: props.endpoint.tlsSecretClass } } } },
      },
    });
  }

  /** Name of the S3Connection (same as {@link name}). */
  public get connectionName(): string {
    return this.name;
  }

  /** The CRD field value. */
  public toSpec(): { reference: string } {
    return { reference: this.name };
  }
}

/**
 * A reference to an S3Connection by name. An S3Connection of the chart can be passed as it is;
 * this is for connections outside the chart. (Inline connections are not offered: each CRD types
 * them with its own enums, and a shared S3Connection is what the demo wants anyway.)
 */
export class S3Ref implements IS3ConnectionRef {
  /** Refers to an S3Connection of the chart (the same as passing the S3Connection itself). */
  public static reference(connection: S3Connection): S3Ref {
    return new S3Ref(connection.name);
  }

  /** Refers to an S3Connection that exists outside the chart, in the same namespace. */
  public static fromConnectionName(name: string): S3Ref {
    return new S3Ref(dnsSubdomain('S3Ref.fromConnectionName', 'name', name));
  }

  private constructor(
    /** Name of the S3Connection. */
    public readonly connectionName: string,
  ) {}

  /** The CRD field value. */
  public toSpec(): { reference: string } {
    return { reference: this.connectionName };
  }
}
