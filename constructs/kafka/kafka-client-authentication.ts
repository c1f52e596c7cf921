import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthenticationClass } from '../../imports/authentication.stackable.tech';
import { clusterScoped, clusterScopedName, dnsSubdomain, ensureUniqueObjectNames } from '../core';

/** Props of {@link KafkaClientAuthentication}. */
export interface KafkaClientAuthenticationProps {
  /**
   * Name of the AuthenticationClass. It is cluster-scoped, shared by every namespace, so the
   * default carries the chart's namespace; a name given here is used as is.
   * @default '<namespace>-kafka-client-tls', e.g. 'default-kafka-client-tls'
   */
  readonly name?: string;
  /**
   * The secret-operator SecretClass whose CA signs the client certificates the brokers accept.
   * With this class the kafka-operator also issues the brokers' own server certificate (see
   * {@link KafkaClientAuthentication}), so a client needs one volume of it for both.
   * @default 'tls'
   */
  readonly clientCertSecretClass?: string;
}

/**
 * Mutual TLS for Kafka clients: a cluster-scoped `AuthenticationClass` with the `tls` provider.
 * A KafkaCluster that uses it requires every client to present a certificate signed by the CA of
 * {@link clientCertSecretClass}.
 *
 * What the kafka-operator 26.7.0 does with it (stackabletech/kafka-operator tag 26.7.0,
 * rust/operator-binary/src/controller/build/security.rs): `tls_secret_class` returns the
 * AuthenticationClass's `clientCertSecretClass` before `clusterConfig.tls.serverSecretClass`, and
 * the brokers' volume `tls-kafka-server` (keystore and truststore of the CLIENT listener,
 * `create_tls_keystore_volume`) is issued by it; `broker_config_settings` sets
 * `listener.name.client.ssl.client.auth=required`. So this one class signs the brokers' server
 * certificate and is the only CA they accept client certificates from.
 */
export class KafkaClientAuthentication extends Construct {
  /** Name of the AuthenticationClass. */
  public readonly name: string;
  /** The SecretClass whose CA signs accepted client certificates (and the brokers' own). */
  public readonly clientCertSecretClass: string;
  /** The AuthenticationClass object (also `ApiObject.of(auth)`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KafkaClientAuthenticationProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `KafkaClientAuthentication ${id}`;
    this.name = props.name === undefined ? clusterScopedName(this, 'kafka-client-tls') : dnsSubdomain(owner, 'name', props.name);
    this.clientCertSecretClass = dnsSubdomain(owner, 'clientCertSecretClass', props.clientCertSecretClass ?? 'tls');
    this.resource = clusterScoped(new AuthenticationClass(this, 'Resource', {
      metadata: { name: this.name },
      spec: { provider: { tls: { clientCertSecretClass: this.clientCertSecretClass } } },
    }));
  }
}
