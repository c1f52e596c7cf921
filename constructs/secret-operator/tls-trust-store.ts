import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { TrustStore, TrustStoreSpecTargetKind } from '../../imports/secrets.stackable.tech';
import { dnsSubdomain, ensureUniqueObjectNames } from '../core';

/**
 * The key under which the secret-operator 26.7.0 writes the CA of a `tls-pem` TrustStore into its
 * ConfigMap (rust/operator-binary/src/crd/trust_store/mod.rs `tlsPemCaName`, default `ca.crt`;
 * truststore_controller.rs writes a ConfigMap of the TrustStore's own name).
 */
export const TRUST_STORE_CA_KEY = 'ca.crt';

/** Props of {@link TlsTrustStore}. */
export interface TlsTrustStoreProps {
  /** Name of the TrustStore and of the ConfigMap the secret-operator writes. @default 'tls-ca' */
  readonly name?: string;
  /** The SecretClass whose CA the clients should trust. @default 'tls' */
  readonly secretClass?: string;
}

/**
 * The CA certificate of a secret-operator SecretClass, published by the secret-operator into a
 * ConfigMap (`ca.crt`) of the same name, for clients that verify TLS servers of the demo
 * (MinIO, Trino) without a secret-operator volume of their own.
 */
export class TlsTrustStore extends Construct {
  /** Name of the ConfigMap with `ca.crt`. */
  public readonly configMapName: string;
  /** The SecretClass whose CA this is. */
  public readonly secretClass: string;
  /** Where {@link volumeMount} puts the CA certificate file. */
  public readonly caFile = `/stackable/trust/${TRUST_STORE_CA_KEY}`;

  constructor(scope: Construct, id: string, props: TlsTrustStoreProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    this.configMapName = dnsSubdomain('TlsTrustStore', 'name', props.name ?? 'tls-ca');
    this.secretClass = dnsSubdomain('TlsTrustStore', 'secretClass', props.secretClass ?? 'tls');
    new TrustStore(this, 'Resource', {
      metadata: { name: this.configMapName },
      spec: { secretClassName: this.secretClass, format: 'tls-pem', targetKind: TrustStoreSpecTargetKind.CONFIG_MAP },
    });
  }

  /** A pod volume with the CA certificate. */
  public volume(name = 'tls-trust'): k8s.Volume {
    return { name, configMap: { name: this.configMapName, items: [{ key: TRUST_STORE_CA_KEY, path: TRUST_STORE_CA_KEY }] } };
  }

  /**
   * Throws unless this trust store holds the CA of the SecretClass that issues `server`'s
   * certificate, so that its clients can verify it; the message names both constructs, then
   * `consequence` (what breaks) if given.
   */
  public checkTrusts(owner: string, server: IConstruct & { readonly tlsSecretClass: string }, consequence?: string): void {
    if (this.secretClass !== server.tlsSecretClass) {
      throw new Error(`${owner}: trust (${this.node.path}) holds the CA of SecretClass "${this.secretClass}", but the certificate of ${server.node.path} is issued by "${server.tlsSecretClass}": ${consequence === undefined ? '' : `${consequence}; `}use a TlsTrustStore of that class`);
    }
  }

  /** Mounts {@link volume} so that the CA is at {@link caFile}. */
  public volumeMount(name = 'tls-trust'): k8s.VolumeMount {
    return { name, mountPath: '/stackable/trust', readOnly: true };
  }
}
