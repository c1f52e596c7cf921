import { k8s } from 'cdk8s-plus-28';

/**
 * Pod Security Standards "restricted" settings for the workloads this library writes.
 * The `manifests` test suite checks every pod template with the Pod Security admission code.
 */

/** Container security context meeting the "restricted" profile, with a read-only root file system. */
export function restrictedContainer(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * {@link restrictedContainer} with the user pinned: for images that run as root by default, or
 * have a user of their own, in pods whose user we set (the container's setting also holds where
 * the pod's is overridden).
 */
export function restrictedContainerAs(uid: number, gid = uid): k8s.SecurityContext {
  return { ...restrictedContainer(), runAsUser: uid, runAsGroup: gid };
}

/**
 * The UID/GID of the containers whose images run with any UID (MinIO, mc, curl, the Superset
 * import). Above 10000, so it cannot collide with a user of the node.
 */
export const NON_ROOT_UID = 10001;

/** Pod security context running as `uid` (group `gid`, volumes owned by `fsGroup`), "restricted" compliant. */
export function restrictedPod(uid: number, gid: number = uid, fsGroup: number = gid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** An `emptyDir` volume for a writable path (e.g. `/tmp`) under a read-only root file system. */
export function scratchVolume(name: string, sizeLimitMi = 64): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(`${sizeLimitMi}Mi`) } };
}
