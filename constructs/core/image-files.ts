import { IMAGES, STACKABLE_IMAGE_USER } from './images';

/**
 * A file (or directory) of a container image that pods of this library read, run or look into:
 * its owner, group and permission bits as the image's build file makes them. Whether a pod's user
 * may do what it needs follows from these (POSIX: the owner's bits for the owner, the group's bits
 * for a member of the group, the other bits for everyone else; root may do anything).
 */
export interface ImageFile {
  /** Absolute path in the image (a link's target has the bits; they are written here). */
  readonly path: string;
  /** Owner UID. */
  readonly uid: number;
  /** Group GID. */
  readonly gid: number;
  /** Permission bits, e.g. `0o711`. */
  readonly mode: number;
  /**
   * What the file is: a `binary` needs execute permission to run; a `script` (a `#!` file, which
   * its interpreter opens) needs read and execute; a `data` file needs read; a `directory` needs
   * execute to reach what is below it.
   */
  readonly kind: 'binary' | 'script' | 'data' | 'directory';
  /** Files the program always reads when it runs (e.g. a CA bundle named by the image's ENV). */
  readonly reads?: readonly string[];
  /** The build file (repository, tag, path, line) that makes the path, owner and mode so. */
  readonly source: string;
}

/** What a pod of this library relies on in one image. */
export interface ImageFacts {
  /** The image's `USER`, for containers whose pod sets none (undefined: root, no USER line). */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** The image's `PATH`: where a command word such as `mc` is found. */
  readonly path: readonly string[];
  /** The image's `ENTRYPOINT`, run when a container gives no `command`. */
  readonly entrypoint?: readonly string[];
  /** The files our pods use. */
  readonly files: readonly ImageFile[];
}

const ROOT = { uid: 0, gid: 0 };
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The image repository of an image reference: `quay.io/minio/mc:TAG` → `quay.io/minio/mc`. */
export function imageRepository(image: string): string {
  const name = image.split('@', 1)[0];
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * The facts of the images this library runs, by repository (tags as pinned in {@link IMAGES}).
 * RHEL UBI bases (ubi-micro, ubi-minimal) have `/bin/sh` → bash and GNU coreutils in `/usr/bin`,
 * 0755 root:root from their RPMs (the `bash` and `coreutils(-single)` packages); Alpine has
 * BusyBox as `/bin/sh` (`ln -s /bin/busybox /bin/sh`, busybox APKBUILD), 0755 root:root.
 */
export const IMAGE_FILES: Readonly<Record<string, ImageFacts>> = {
  [imageRepository(IMAGES.mc)]: {
    // minio/mc RELEASE.2025-04-16T18-13-26Z Dockerfile.release: no USER line, `ENTRYPOINT ["mc"]`.
    path: DEFAULT_PATH,
    entrypoint: ['mc'],
    files: [
      {
        path: '/usr/bin/mc', ...ROOT, mode: 0o711, kind: 'binary',
        // L20 `ADD https://dl.minio.io/client/mc/release/linux-${TARGETARCH}/archive/mc.${RELEASE} /usr/bin/mc`:
        // a file ADDed from a URL gets mode 0600 (Dockerfile reference, ADD: "the destination will
        // have permissions of 600"; BuildKit source/http/httpsource.go `perm := 0600`), then L22
        // `RUN chmod +x /usr/bin/mc`: 0711. Any user may run it; only root may read (copy) it
        // (shown in minio/mc issue #4932, closed without a change).
        source: 'minio/mc RELEASE.2025-04-16T18-13-26Z Dockerfile.release L20 ADD <url> /usr/bin/mc, L22 chmod +x',
      },
      { path: '/bin/sh', ...ROOT, mode: 0o755, kind: 'binary', source: 'ubi9/ubi-micro (FROM in minio/mc Dockerfile.release): bash package, /bin/sh -> bash' },
      {
        path: '/bin/bash', ...ROOT, mode: 0o755, kind: 'binary',
        source: 'ubi9/ubi-micro (FROM in minio/mc Dockerfile.release): bash package /usr/bin/bash 0755 root:root; RHEL 9 /bin -> usr/bin (filesystem package)',
      },
    ],
  },
  [imageRepository(IMAGES.curl)]: {
    // curl/curl-container 8.14.1 create_appliance_image.sh L38 `USER curl_user` (adduser -S: a
    // system UID without a fixed number); our pods set their own user.
    path: DEFAULT_PATH,
    files: [
      {
        path: '/usr/bin/curl', ...ROOT, mode: 0o755, kind: 'binary', reads: ['/cacert.pem'],
        source: 'curl/curl-container 8.14.1 create_base_image.sh L76 `cp .../build/usr/local/bin/curl $ctrmnt/usr/bin/curl` (a built executable: 0755)',
      },
      {
        path: '/cacert.pem', ...ROOT, mode: 0o644, kind: 'data',
        source: 'curl/curl-container 8.14.1 create_base_image.sh L86 `buildah run $ctr curl ... -o /cacert.pem` as root (umask 022: 0644), L87 ENV CURL_CA_BUNDLE=/cacert.pem',
      },
      { path: '/bin/sh', ...ROOT, mode: 0o755, kind: 'binary', source: 'alpine:3.22.0 (curl/curl-container 8.14.1 Makefile base): /bin/sh -> /bin/busybox (busybox APKBUILD)' },
    ],
  },
  [imageRepository(IMAGES.minio)]: {
    // minio/minio RELEASE.2025-04-22T22-12-26Z Dockerfile.release: no USER line,
    // `ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]`, which execs `minio "$@"`.
    path: DEFAULT_PATH,
    entrypoint: ['/usr/bin/docker-entrypoint.sh'],
    files: [
      {
        path: '/usr/bin/docker-entrypoint.sh', ...ROOT, mode: 0o755, kind: 'script', reads: ['/usr/bin/minio'],
        source: 'minio/minio RELEASE.2025-04-22T22-12-26Z Dockerfile.release `COPY dockerscripts/docker-entrypoint.sh /usr/bin/docker-entrypoint.sh` (git mode 100755)',
      },
      {
        path: '/usr/bin/minio', ...ROOT, mode: 0o755, kind: 'binary',
        source: 'minio/minio RELEASE.2025-04-22T22-12-26Z Dockerfile.release: `curl ... -o /go/bin/minio`, `chmod +x`, `COPY --from=build /go/bin/minio* /usr/bin/`',
      },
    ],
  },
  [imageRepository(IMAGES.postgres)]: {
    // docker-library/postgres 17/bookworm/Dockerfile (tag 17.5): `useradd -r -g postgres --uid=999`,
    // no USER line, `ENTRYPOINT ["docker-entrypoint.sh"]`, `ENV PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin`.
    path: [...DEFAULT_PATH, '/usr/lib/postgresql/17/bin'],
    entrypoint: ['docker-entrypoint.sh'],
    files: [
      {
        path: '/usr/local/bin/docker-entrypoint.sh', ...ROOT, mode: 0o755, kind: 'script', reads: ['/usr/lib/postgresql/17/bin/postgres'],
        source: 'docker-library/postgres 17/bookworm/Dockerfile `COPY docker-entrypoint.sh docker-ensure-initdb.sh /usr/local/bin/` (git mode 100755)',
      },
      { path: '/usr/lib/postgresql/17/bin/postgres', ...ROOT, mode: 0o755, kind: 'binary', source: 'postgresql-17 Debian package (apt.postgresql.org, 17.5-1.pgdg120+1)' },
      { path: '/usr/lib/postgresql/17/bin/pg_isready', ...ROOT, mode: 0o755, kind: 'binary', source: 'postgresql-client-17 Debian package' },
      { path: '/bin/sh', ...ROOT, mode: 0o755, kind: 'binary', source: 'debian:bookworm-slim: /bin/sh -> dash' },
    ],
  },
  'oci.stackable.tech/sdp/trino-cli': {
    // stackabletech/docker-images 26.7.0 trino-cli/Dockerfile: `curl -O .../trino-cli-${PRODUCT_VERSION}`,
    // `chmod +x`, `ln -s trino-cli-${PRODUCT_VERSION} trino-cli`, `chown -R ${STACKABLE_USER_UID}:0
    // /stackable`, `chmod -R g=u /stackable`, `USER ${STACKABLE_USER_UID}` (boil.toml: 1000).
    user: { uid: STACKABLE_IMAGE_USER.uid, gid: 0 },
    path: [...DEFAULT_PATH, '/stackable'],
    files: [
      { path: '/stackable', uid: STACKABLE_IMAGE_USER.uid, gid: 0, mode: 0o770, kind: 'directory', source: 'stackabletech/docker-images 26.7.0 stackable-base/Dockerfile `useradd --create-home --home-dir /stackable` (0700), then `chmod -R g=u /stackable` in trino-cli/Dockerfile' },
      {
        path: '/stackable/trino-cli/trino-cli', uid: STACKABLE_IMAGE_USER.uid, gid: 0, mode: 0o775, kind: 'script', reads: ['/usr/bin/java'],
        // Trino's executable jar: a `#!/bin/sh` preamble that runs `exec java <flags> -jar "$0"`
        // (trinodb/trino client/trino-cli/pom.xml, really-executable-jar-maven-plugin).
        source: 'stackabletech/docker-images 26.7.0 trino-cli/Dockerfile: curl -O (0644), chmod +x (0755), chmod -R g=u (0775), chown -R 1000:0',
      },
      { path: '/usr/bin/java', ...ROOT, mode: 0o755, kind: 'binary', source: 'stackabletech/docker-images 26.7.0 java-base/Dockerfile: temurin-25-jre RPM (alternatives link /usr/bin/java)' },
      { path: '/bin/bash', ...ROOT, mode: 0o755, kind: 'binary', source: 'ubi9/ubi-minimal (stackable-base/Dockerfile FROM): bash package' },
    ],
  },
  'oci.stackable.tech/sdp/superset': {
    // stackabletech/docker-images 26.7.0 superset/Dockerfile: the venv `/stackable/app` (`python3.12
    // -m venv`), `COPY --chown=${STACKABLE_USER_UID}:0`, `chmod --recursive g=u /stackable`,
    // `PATH="${HOME}/app/bin:${PATH}"`, `USER ${STACKABLE_USER_UID}`; checked at build by
    // `check-permissions-ownership.sh ${HOME} 1000 0`.
    user: { uid: STACKABLE_IMAGE_USER.uid, gid: 0 },
    path: ['/stackable/app/bin', ...DEFAULT_PATH],
    files: [
      { path: '/stackable', uid: STACKABLE_IMAGE_USER.uid, gid: 0, mode: 0o770, kind: 'directory', source: 'stackabletech/docker-images 26.7.0 stackable-base/Dockerfile `useradd --create-home --home-dir /stackable`, superset/Dockerfile `chmod --recursive g=u /stackable`' },
      { path: '/stackable/app', uid: STACKABLE_IMAGE_USER.uid, gid: 0, mode: 0o775, kind: 'directory', source: 'stackabletech/docker-images 26.7.0 superset/Dockerfile `COPY --chown=${STACKABLE_USER_UID}:0 ... /stackable/app`, `chmod g=u`' },
      {
        path: '/stackable/app/bin/python3', ...ROOT, mode: 0o755, kind: 'binary',
        // A venv link (owned 1000:0) to /usr/bin/python3.12 of the python3.12 RPM: the bits are the target's.
        source: 'stackabletech/docker-images 26.7.0 superset/Dockerfile `python${PYTHON_VERSION} -m venv --system-site-packages /stackable/app` (python-version 3.12), python3.12 RPM',
      },
    ],
  },
};

/** The facts of `image`'s repository, or undefined when this library has none. */
export function imageFacts(image: string): ImageFacts | undefined {
  return IMAGE_FILES[imageRepository(image)];
}
