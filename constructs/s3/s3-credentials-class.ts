import { Construct } from 'constructs';
import { SecretClass } from '../../imports/secrets.stackable.tech';
import { clusterScoped, dnsSubdomain, ensureUniqueObjectNames } from '../core';

/** Props of {@link S3CredentialsClass}. */
export interface S3CredentialsClassProps {
  /** Name of the SecretClass (cluster-scoped). @default 's3-credentials-class' */
  readonly name?: string;
}

/**
 * The SecretClass through which Stackable products get S3 credentials: a `k8sSearch` backend that
 * finds, in the namespace of the pod that asks, the Secret labelled
 * `secrets.stackable.tech/class: <name>` with keys `accessKey` and `secretKey`.
 * Cluster-scoped: it carries no namespace.
 */
export class S3CredentialsClass extends Construct {
  /** Name of the SecretClass. */
  public readonly name: string;
  /** Labels an S3 credentials Secret needs to be found through this class. */
  public readonly secretLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: S3CredentialsClassProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    this.name = dnsSubdomain('S3CredentialsClass', 'name', props.name ?? 's3-credentials-class');
    this.secretLabels = { 'secrets.stackable.tech/class': this.name };
    clusterScoped(new SecretClass(this, 'Resource', {
      metadata: { name: this.name },
      spec: { backend: { k8SSearch: { searchNamespace: { pod: {} } } } },
    }));
  }
}
