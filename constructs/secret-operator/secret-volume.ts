import { k8s } from 'cdk8s-plus-28';
import { dnsLabel } from '../core';

/**
 * Volumes provisioned by the Stackable secret-operator (CSI storage class
 * `secrets.stackable.tech`), and what the secret-operator 26.7 puts into them.
 *
 * Everything here follows stackabletech/secret-operator tag 26.7.0:
 * - volume annotations: rust/operator-binary/src/backend/mod.rs (`SecretVolumeSelector`) and
 *   rust/operator-binary/src/format/well_known.rs (`NamingOptions`, `CompatibilityOptions`).
 *   The selector is deserialized without `deny_unknown_fields`: an annotation the operator does
 *   not know (e.g. a misspelt file-name option) is silently ignored, so {@link SECRET_VOLUME_ANNOTATIONS}
 *   lists the keys 26.7 reads and the runtime-contract test rejects any other.
 * - file names: well_known.rs `FILE_PEM_CERT_CERT` / `FILE_PEM_CERT_KEY` / `FILE_PEM_CERT_CA`
 *   (`tls.crt`, `tls.key`, `ca.crt`), `FILE_PKCS12_CERT_KEYSTORE` / `_TRUSTSTORE`
 *   (`keystore.p12`, `truststore.p12`), renamed by `secrets.stackable.tech/format.<format>.<file>-name`.
 * - certificate SANs per scope: backend/mod.rs `SecretVolumeSelector::scope_addresses`.
 */

/** The CSI storage class of secret-operator volumes. */
export const SECRET_OPERATOR_STORAGE_CLASS = 'secrets.stackable.tech';

/** The volume annotations the secret-operator 26.7 reads (backend/mod.rs, format/well_known.rs). */
export const SECRET_VOLUME_ANNOTATIONS = [
  'secrets.stackable.tech/class',
  'secrets.stackable.tech/scope',
  'secrets.stackable.tech/format',
  'secrets.stackable.tech/kerberos.service.names',
  'secrets.stackable.tech/backend.autotls.cert.lifetime',
  'secrets.stackable.tech/backend.autotls.cert.restart-buffer',
  'secrets.stackable.tech/backend.autotls.cert.jitter-factor',
  'secrets.stackable.tech/backend.autotls.cert.domain-components-in-subject-dn',
  'secrets.stackable.tech/backend.cert-manager.cert.lifetime',
  'secrets.stackable.tech/provision-parts',
  'secrets.stackable.tech/format.compatibility.tls-pkcs12.password',
  'secrets.stackable.tech/format.tls-pkcs12.keystore-name',
  'secrets.stackable.tech/format.tls-pkcs12.truststore-name',
  'secrets.stackable.tech/format.tls-pem.cert-name',
  'secrets.stackable.tech/format.tls-pem.key-name',
  'secrets.stackable.tech/format.tls-pem.ca-name',
] as const;

/** The file formats of the TLS secret classes. */
export type TlsSecretFormat = 'tls-pem' | 'tls-pkcs12';

/** Default file names per format (well_known.rs `FILE_*` constants), by their naming option. */
const DEFAULT_FILES: Record<TlsSecretFormat, Record<string, string>> = {
  'tls-pem': { 'cert-name': 'tls.crt', 'key-name': 'tls.key', 'ca-name': 'ca.crt' },
  'tls-pkcs12': { 'keystore-name': 'keystore.p12', 'truststore-name': 'truststore.p12' },
};

/** Names of the files of a `tls-pem` volume; each defaults to the secret-operator's name. */
export interface TlsPemFileNames {
  /** The certificate (chain). @default 'tls.crt' */
  readonly cert?: string;
  /** The private key. @default 'tls.key' */
  readonly key?: string;
  /** The CA certificate. @default 'ca.crt' */
  readonly ca?: string;
}

/**
 * What a secret's certificate is issued for (the `secrets.stackable.tech/scope` annotation).
 * Each scope adds subject alternative names to the certificate ({@link scopeAddresses}).
 */
export class SecretScope {
  /** The node the pod runs on: its name and IPs. */
  public static node(): SecretScope { return new SecretScope('node'); }
  /** The pod: its IPs and, when it has `spec.subdomain`, `<subdomain>.<ns>.svc.<domain>` and `<pod>.<subdomain>.<ns>.svc.<domain>`. */
  public static pod(): SecretScope { return new SecretScope('pod'); }
  /** A Service: `<name>.<ns>.svc.<domain>`. */
  public static service(name: string): SecretScope { return new SecretScope('service', name); }
  /** The addresses of the pod's listener volume `name` (listener-operator). */
  public static listenerVolume(name: string): SecretScope { return new SecretScope('listener-volume', name); }

  /** Parses the annotation value (`service=minio,pod`). Throws on an unknown scope type. */
  public static parseAll(annotation: string): SecretScope[] {
    return annotation.split(',').map(s => {
      const [type, param] = s.split('=', 2) as [string, string | undefined];
      switch (type) {
        case 'node': case 'pod': return new SecretScope(type);
        case 'service': case 'listener-volume':
          if (param === undefined) throw new Error(`secret scope "${s}" needs a name`);
          return new SecretScope(type, param);
        default: throw new Error(`unknown secret scope type "${type}" in "${annotation}" (node, pod, service=NAME, listener-volume=NAME)`);
      }
    });
  }

  private constructor(
    /** `node`, `pod`, `service` or `listener-volume`. */
    public readonly type: 'node' | 'pod' | 'service' | 'listener-volume',
    /** The Service or listener volume name. */
    public readonly name?: string,
  ) {}

  /** The annotation form, e.g. `service=minio`. */
  public toString(): string {
    return this.name === undefined ? this.type : `${this.type}=${this.name}`;
  }
}

/** What {@link scopeAddresses} needs to know about the pod holding the volume. */
export interface ScopeContext {
  /** The pod's namespace (no default: a name guessed for `default` would be in no certificate elsewhere). */
  readonly namespace: string;
  /** The pod's name (for pod scope). */
  readonly podName?: string;
  /** The pod's `spec.subdomain` (StatefulSets: their `serviceName`). */
  readonly podSubdomain?: string;
  /** DNS names the listener-operator publishes for each listener volume (IPs and node names are left out). */
  readonly listenerDnsNames?: Record<string, readonly string[]>;
  /** The cluster domain. @default CLUSTER_DOMAIN */
  readonly clusterDomain?: string;
}

/**
 * The cluster domain the secret-operator writes into SANs. operator-rs 0.113.3
 * (crates/stackable-operator/src/utils/cluster_info.rs) reads `KUBERNETES_CLUSTER_DOMAIN` or
 * detects it from the kubelet; `cluster.local` is the Kubernetes default, and the one every
 * in-cluster host name of this library uses (core/cluster-dns.ts).
 */
export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * The DNS subject alternative names the secret-operator issues for `scopes`
 * (backend/mod.rs `scope_addresses`; IP addresses are left out, clients here use names).
 */
export function scopeAddresses(scopes: readonly SecretScope[], ctx: ScopeContext): string[] {
  dnsLabel('scopeAddresses', 'namespace', ctx.namespace);
  const domain = ctx.clusterDomain ?? CLUSTER_DOMAIN;
  const names: string[] = [];
  for (const scope of scopes) {
    switch (scope.type) {
      case 'node': break; // the node's name and IPs: not a name a client of ours uses
      case 'pod':
        if (ctx.podSubdomain !== undefined) {
          names.push(`${ctx.podSubdomain}.${ctx.namespace}.svc.${domain}`);
          if (ctx.podName !== undefined) names.push(`${ctx.podName}.${ctx.podSubdomain}.${ctx.namespace}.svc.${domain}`);
        }
        break;
      case 'service': names.push(`${scope.name}.${ctx.namespace}.svc.${domain}`); break;
      case 'listener-volume': names.push(...(ctx.listenerDnsNames?.[scope.name!] ?? [])); break;
    }
  }
  return names;
}

/** Options of {@link secretOperatorVolume}. */
export interface SecretOperatorVolumeOptions {
  /** The SecretClass issuing the secret. */
  readonly secretClass: string;
  /** Scopes of the certificate. */
  readonly scopes: readonly SecretScope[];
  /** File format. */
  readonly format: TlsSecretFormat;
  /** File names for `tls-pem` (only those differing from the defaults are annotated). */
  readonly pemFiles?: TlsPemFileNames;
  /**
   * Requested certificate lifetime in days (autoTls backends; capped by the SecretClass's
   * `maxCertificateLifetime`, 15 days for the default `tls` class). The secret-operator marks the
   * pod to be evicted by the commons-operator 6 hours (less up to 20 % jitter) before the
   * certificate expires (backend/auto_tls/mod.rs `DEFAULT_CERT_LIFETIME` 24h,
   * `DEFAULT_CERT_RESTART_BUFFER` 6h; csi_server/node.rs `tag_pod`): that restart is how the
   * certificate is renewed.
   * @default - the secret-operator's 24 hours
   */
  readonly lifetimeDays?: number;
}

/** An ephemeral secret-operator volume with a TLS certificate. */
export function secretOperatorVolume(name: string, o: SecretOperatorVolumeOptions): k8s.Volume {
  const annotations: Record<string, string> = {
    'secrets.stackable.tech/class': o.secretClass,
    'secrets.stackable.tech/scope': o.scopes.map(s => s.toString()).join(','),
    'secrets.stackable.tech/format': o.format,
  };
  if (o.lifetimeDays !== undefined) annotations['secrets.stackable.tech/backend.autotls.cert.lifetime'] = `${o.lifetimeDays}d`;
  if (o.pemFiles !== undefined) {
    if (o.format !== 'tls-pem') throw new Error(`secretOperatorVolume ${name}: pemFiles need format tls-pem, not ${o.format}`);
    const wanted: Record<string, string | undefined> = { 'cert-name': o.pemFiles.cert, 'key-name': o.pemFiles.key, 'ca-name': o.pemFiles.ca };
    for (const [option, file] of Object.entries(wanted)) {
      if (file !== undefined && file !== DEFAULT_FILES['tls-pem'][option]) annotations[`secrets.stackable.tech/format.tls-pem.${option}`] = file;
    }
  }
  return {
    name,
    ephemeral: {
      volumeClaimTemplate: {
        metadata: { annotations },
        spec: {
          storageClassName: SECRET_OPERATOR_STORAGE_CLASS,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: k8s.Quantity.fromString('1') } },
        },
      },
    },
  };
}

/**
 * The files the secret-operator writes into a volume with these annotations (format and naming
 * options; the private parts only when `provision-parts` is not `public`). Throws on an
 * annotation the secret-operator 26.7 does not read, which it would silently ignore.
 */
export function secretVolumeFiles(annotations: Record<string, string>): string[] {
  return Object.values(secretVolumeFilesByOption(annotations));
}

/**
 * {@link secretVolumeFiles} by the naming option each file answers to (`cert-name`, `key-name`,
 * `ca-name` for `tls-pem`; `keystore-name`, `truststore-name` for `tls-pkcs12`).
 */
export function secretVolumeFilesByOption(annotations: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(annotations)) {
    if (key.startsWith('secrets.stackable.tech/') && !(SECRET_VOLUME_ANNOTATIONS as readonly string[]).includes(key)) {
      throw new Error(`annotation "${key}" is not read by the secret-operator 26.7 (it would be ignored); known: ${SECRET_VOLUME_ANNOTATIONS.join(', ')}`);
    }
  }
  const format = annotations['secrets.stackable.tech/format'] as TlsSecretFormat | undefined;
  if (format === undefined || !(format in DEFAULT_FILES)) {
    throw new Error(`secrets.stackable.tech/format "${format}" is not a TLS format this library models (${Object.keys(DEFAULT_FILES).join(', ')})`);
  }
  const publicOnly = annotations['secrets.stackable.tech/provision-parts'] === 'public';
  const publicOptions = format === 'tls-pem' ? ['ca-name'] : ['truststore-name'];
  return Object.fromEntries(Object.entries(DEFAULT_FILES[format])
    .filter(([option]) => !publicOnly || publicOptions.includes(option))
    .map(([option, file]) => [option, annotations[`secrets.stackable.tech/format.${format}.${option}`] ?? file]));
}
