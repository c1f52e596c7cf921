import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, IMAGES, IPodSelectable, NON_ROOT_UID, PodNetworkPolicy, ResourceAmounts, Resources, restrictedContainerAs, scratchVolume } from '../core';
import { TlsTrustStore } from '../secret-operator';
import { MinioServer } from './minio-server';

/** The `mc` alias under which scripts reach the MinIO server. */
export const MC_ALIAS = 'minio';

/** Default CPU and memory of a MinIO client container. */
export const MC_RESOURCES: ResourceAmounts = { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryMi: 128 };

/** Options of {@link mcContainer}. */
export interface McContainerOptions {
  /** Container name. */
  readonly name: string;
  /** The server the `minio` alias points to. */
  readonly minio: MinioServer;
  /** Trust for the server certificate. */
  readonly trust: TlsTrustStore;
  /** POSIX shell script to run; `mc` has the alias {@link MC_ALIAS} configured. */
  readonly script: string;
  /** Further environment variables. */
  readonly env?: k8s.EnvVar[];
  /** Further volume mounts. */
  readonly volumeMounts?: k8s.VolumeMount[];
  /** Container image. @default IMAGES.mc */
  readonly image?: string;
  /** CPU and memory. @default MC_RESOURCES */
  readonly resources?: Resources;
}

/**
 * A MinIO client (`mc`) container whose script can use `minio/<bucket>` right away. Credentials
 * reach `mc` through the `MC_HOST_minio` variable, composed by the kubelet from Secret-backed
 * variables, so they appear neither in the manifests nor on a command line. TLS is verified
 * against the secret-operator CA (`SSL_CERT_FILE`). Needs the pod volumes {@link mcVolumes}.
 */
export function mcContainer(o: McContainerOptions): k8s.Container {
  return {
    name: o.name,
    image: o.image ?? IMAGES.mc,
    command: ['/bin/sh', '-c', o.script],
    env: [
      o.minio.credentials.usernameEnv('S3_ACCESS_KEY'),
      o.minio.credentials.passwordEnv('S3_SECRET_KEY'),
      { name: `MC_HOST_${MC_ALIAS}`, value: `https://$(S3_ACCESS_KEY):$(S3_SECRET_KEY)@${o.minio.host}:${o.minio.apiPort}` },
      { name: 'SSL_CERT_FILE', value: o.trust.caFile },
      { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
      { name: 'HOME', value: '/tmp' },
      ...(o.env ?? []),
    ],
    resources: containerResources(o.resources ?? MC_RESOURCES),
    securityContext: mcSecurityContext(),
    volumeMounts: [o.trust.volumeMount(), { name: 'mc-tmp', mountPath: '/tmp' }, ...(o.volumeMounts ?? [])],
  };
}

/**
 * The security context of a container of the mc image: restricted, and a pinned non-root user,
 * since the image runs as root by default (also in pods whose security context we do not own).
 */
export function mcSecurityContext(): k8s.SecurityContext {
  return restrictedContainerAs(NON_ROOT_UID);
}

/** The pod volumes {@link mcContainer} mounts. */
export function mcVolumes(trust: TlsTrustStore): k8s.Volume[] {
  return [trust.volume(), scratchVolume('mc-tmp', 64)];
}

/** Shell snippet: retry `$1` (a command) every 5 s until it succeeds or `$2` seconds passed. */
export const RETRY_FUNCTION = `retry() {
  deadline=$(( $(date +%s) + $2 ))
  until sh -c "$1" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "gave up after $2 s: $1" >&2; return 1; fi
    echo "waiting: $1"; sleep 5
  done
}`;

/**
 * Makes `client` a MinIO client: MinIO accepts its pods, and with `networkPolicy` the client gets
 * a PodNetworkPolicy (id `NetworkPolicy`, named `name`) that accepts no ingress and allows egress to
 * MinIO's S3 port and DNS. Returns that policy, for further egress rules.
 */
export function connectToMinio(client: Construct & IPodSelectable, minio: MinioServer, name: string, networkPolicy: boolean): PodNetworkPolicy | undefined {
  minio.allowFrom(client);
  if (!networkPolicy) return undefined;
  const policy = new PodNetworkPolicy(client, 'NetworkPolicy', { name, target: client });
  policy.allowTo(minio, [minio.apiPort]);
  policy.allowDns();
  return policy;
}
