import { Construct } from 'constructs';
import { SecretClass } from '../../imports/secrets.stackable.tech';
import { clusterScoped, clusterScopedName, dnsSubdomain, ensureUniqueObjectNames } from '../core';

/** Props of {@link S3CredentialsClass}. */
export interface S3CredentialsClassProps {
  /**
   * Name of the SecretClass. It is cluster-scoped, shared by every namespace, so the default
   * carries the chart's namespace (two demos in two namespaces get a class each); a name given
   * here is used as is. It is also the value of the Secret label the class finds credentials by,
   * so at most 63 characters.
   * @default '<namespace>-s3-credentials-class', e.g. 'default-s3-credentials-class'
   */
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
    this.name = props.name === undefined ? clusterScopedName(this, 's3-credentials-class') : dnsSubdomain('S3CredentialsClass', 'name', props.name);
    if (this.name.length > 63) {
      throw new Error(`S3CredentialsClass: name "${this.name}" is longer than 63 characters, the limit of the label value secrets.stackable.tech/class it is used in: give a shorter name (or use a shorter namespace)`);
    }
    this.secretLabels = { 'secrets.stackable.tech/class': this.name };
    clusterScoped(new SecretClass(this, 'Resource', {
      metadata: { name: this.name },
      spec: { backend: { k8SSearch: { searchNamespace: { pod: {} } } } },
    }));
  }
}
