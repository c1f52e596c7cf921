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
  /** curl, for downloading the taxi data. */
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
