/**
 * Container images of the workloads this library writes itself (the Stackable operators pick the
 * images of their products from `productVersion`). Pinned tags, never `latest`; every construct
 * lets users override its image.
 */
export const IMAGES = {
  /** MinIO server. */
  minio: 'quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z',
  /** MinIO client (`mc`), for the bucket bootstrap, data load and wait steps. */
  mc: 'quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z',
  /** curl, for downloading files into S3 (S3FileLoad). */
  curl: 'docker.io/curlimages/curl:8.14.1',
  /** PostgreSQL (official image; runs as its own UID 999). */
  postgres: 'docker.io/library/postgres:17.5',
} as const;

/** The Stackable Data Platform release whose operators and product images this library targets. */
export const STACKABLE_RELEASE = '26.7.0';

/** A Stackable product image, e.g. `oci.stackable.tech/sdp/superset:6.1.0-stackable26.7.0`. */
export function stackableImage(product: string, productVersion: string): string {
  return `oci.stackable.tech/sdp/${product}:${productVersion}-stackable${STACKABLE_RELEASE}`;
}

/** A container user: UID and primary GID. */
export interface ImageUser {
  readonly uid: number;
  readonly gid: number;
  /** The pod's `fsGroup`, owner group of writable volumes. */
  readonly fsGroup: number;
}

/**
 * The user Stackable product images are built for: `USER ${STACKABLE_USER_UID}` at the end of each
 * product Dockerfile with `STACKABLE_USER_UID = "1000"` and `STACKABLE_USER_GID = "1000"`
 * (stackabletech/docker-images tag 26.7.0, boil.toml; superset/Dockerfile; the user is created
 * with `useradd --uid 1000 --gid 1000 --home-dir /stackable` in stackable-base/Dockerfile). Every
 * file under `/stackable` (the Superset image's Python venv is `/stackable/app`) belongs to UID 1000
 * and group 0 with group permissions equal to the owner's (`COPY --chown=${STACKABLE_USER_UID}:0`,
 * `chmod g=u`, enforced by `check-permissions-ownership.sh ${HOME} ${STACKABLE_USER_UID} 0`), so
 * another UID reaches it only with group 0 and nothing with another group (the issue the
 * dashboard import had as UID/GID 10001). The operators set no user, only `fsGroup: 1000`
 * (superset-operator 26.7.0 controller/build/resource/statefulset.rs, `SECRET_OPERATOR_FS_GROUP`),
 * so their pods run as 1000:1000: pods of ours that run a Stackable image do the same.
 */
export const STACKABLE_IMAGE_USER: ImageUser = { uid: 1000, gid: 1000, fsGroup: 1000 };
