import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  containerResources, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange, IPodSelectable, JOB_NAME_MAX_LENGTH,
  PodNetworkPolicy, Resources, restrictedJob, scratchVolume, validateResources,
} from '../core';
import { IS3Data } from '../s3';
import { TlsTrustStore } from '../secret-operator';
import { connectToMinio, MC_ALIAS, MC_RESOURCES, mcContainer, mcSecurityContext, mcVolumes, RETRY_FUNCTION } from './mc-client';
import { MinioBuckets } from './minio-buckets';
import { MinioServer } from './minio-server';

/** One file of an {@link S3FileLoad}. */
export interface S3File {
  /** Where the file is downloaded from (http or https). */
  readonly url: string;
  /**
   * Its key below the load's prefix: segments of A-Z a-z 0-9 . _ - separated by '/'.
   * @default - the URL's last path segment
   */
  readonly key?: string;
}

/** Props of {@link S3FileLoad}. */
export interface S3FileLoadProps {
  /** The MinIO server. */
  readonly minio: MinioServer;
  /** The bucket bootstrap; `bucket` must be one of its buckets. */
  readonly buckets: MinioBuckets;
  /** Trust for MinIO's certificate. */
  readonly trust: TlsTrustStore;
  /** Bucket the files go to. */
  readonly bucket: string;
  /** Key prefix of the files in the bucket: segments ending in '/', e.g. 'raw/trips/'. */
  readonly prefix: string;
  /** The files, loaded in this order. */
  readonly files: S3File[];
  /** Name of the Job, before its content hash (see `restrictedJob`). @default '<minio name>-load-<bucket>' */
  readonly name?: string;
  /**
   * Scratch space in GiB for the file being loaded: files are downloaded, uploaded and deleted one
   * at a time, so it must hold the largest file. The pod requests this much node-local storage
   * (plus the `mc` binary and 256 MiB) while it runs, and is evicted if it writes more.
   * @default 2
   */
  readonly scratchGi?: number;
  /** How long the Job waits for the bucket before it fails. @default 1800 */
  readonly waitSeconds?: number;
  /** curl image: runs the load (curl, and the `mc` binary copied from `mcImage`). @default IMAGES.curl */
  readonly curlImage?: string;
  /** `mc` image: the `mc` binary is copied out of it. @default IMAGES.mc */
  readonly mcImage?: string;
  /**
   * CPU and memory of the load. Its ephemeral storage defaults to the scratch space plus the
   * `mc` binary plus 256 MiB (it fills both volumes).
   * @default 100m-1000m CPU, 256 MiB
   */
  readonly resources?: Resources;
  /**
   * Create a NetworkPolicy: no ingress; egress only to MinIO's S3 API, the cluster DNS and, for the
   * downloads, any address on TCP 443 and 80 (and every port a file URL names).
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** Name of the marker object written after every file was loaded. */
const MARKER = '_SUCCESS';

/** A key: segments of characters that need no quoting in a shell word nor escaping in S3, separated by '/'. */
const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

// minio/mc tag RELEASE.2025-04-16T18-13-26Z, Dockerfile.release: `ADD .../mc.${RELEASE} /usr/bin/mc`;
// .goreleaser.yml builds that release binary with `env: CGO_ENABLED=0`, so it is statically linked
// and runs in the curl image too (Alpine, musl libc). Checked by the jobs suite, which builds mc
// the same way and runs the copy in the curl image's sandbox.
const MC_IN_IMAGE = '/usr/bin/mc';
/** Where the load's container finds the `mc` binary (a volume the init container fills). */
const MC_BIN_DIR = '/mc-bin';
/** Size of that volume: the mc release binary is about 40 MiB. */
const MC_BIN_MI = 128;
/** The scratch file: the one file being loaded. */
const SCRATCH_FILE = '/work/download';

/**
 * A Job that loads files from http(s) URLs into MinIO (`s3://<bucket>/<prefix><key>`), one file at
 * a time: it waits for the bucket; for each file, skips it if present, else downloads it into the
 * scratch volume (failing with the URL on any error), uploads it and deletes the local copy. Then it
 * checks every key is present and writes the marker object `<prefix>_SUCCESS` listing the keys —
 * what consumers wait for ({@link waitForDataContainer}). Rerunning it downloads nothing present.
 *
 * One pod: an init container copies `mc` out of the mc image into a shared volume, and the load
 * runs in the curl image with that `mc`.
 */
export class S3FileLoad extends Construct implements IPodSelectable, IS3Data {
  /** Bucket of the files. */
  public readonly bucket: string;
  /** Key prefix of the files (ending in '/'). */
  public readonly prefix: string;
  /** The keys loaded, below {@link prefix}, in order. */
  public readonly keys: string[];
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;
  private readonly minio: MinioServer;
  private readonly trust: TlsTrustStore;
  private readonly mcImage?: string;

  constructor(scope: Construct, id: string, props: S3FileLoadProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `S3FileLoad ${id}`;
    props.trust.checkTrusts(owner, props.minio);
    this.bucket = props.buckets.requireBucket(owner, 'bucket', props.bucket, 'buckets');
    if (!/^([A-Za-z0-9._-]+\/)+$/.test(props.prefix)) {
      throw new Error(`${owner}: prefix "${props.prefix}" must be a key prefix like "raw/trips/" (segments of A-Z a-z 0-9 . _ -, each ending in '/')`);
    }
    this.prefix = props.prefix;
    const files = validFiles(owner, props.files);
    this.keys = files.map(f => f.key);
    const name = dnsLabel(owner, 'name', props.name ?? `${props.minio.serviceName}-load-${this.bucket}`, JOB_NAME_MAX_LENGTH);
    const scratchGi = intInRange(owner, 'scratchGi', props.scratchGi ?? 2, 1);
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 1800, 1);
    // The volumes count against the ephemeral storage of the container that fills them.
    const requested = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 256 });
    const resources: Resources = { ...requested, ephemeralStorageMi: requested.ephemeralStorageMi ?? scratchGi * 1024 + MC_BIN_MI + 256 };
    this.minio = props.minio;
    this.trust = props.trust;
    this.mcImage = props.mcImage;
    this.podSelector = { 'app.kubernetes.io/name': 's3-file-load', 'app.kubernetes.io/instance': name };

    const script = [
      'set -eu',
      `export PATH="${MC_BIN_DIR}:$PATH"`,
      RETRY_FUNCTION,
      `retry "mc ls ${MC_ALIAS}/${this.bucket}" "$WAIT_SECONDS"`,
      // One line per file: "<key> <url>" (neither contains whitespace).
      'printf \'%s\\n\' "$FILES" | while read -r key url; do',
      '  if mc stat "${TARGET}${key}" >/dev/null 2>&1 </dev/null; then echo "present: $key"; continue; fi',
      '  echo "downloading $url"',
      // curl reads CURL_CA_BUNDLE, else SSL_CERT_FILE as its CA bundle (curl 8.14.1
      // src/tool_operate.c cacertpaths()); SSL_CERT_FILE is the MinIO CA here (for mc), which would
      // reject public servers. The curl image sets CURL_CA_BUNDLE=/cacert.pem (curl/curl-container
      // 8.14.1 create_base_image.sh), another curl image may not: curl runs without SSL_CERT_FILE.
      // BusyBox env (the curl image's, Alpine) has -u NAME; checked by the jobs suite.
      `  rm -f ${SCRATCH_FILE}`,
      `  if ! env -u SSL_CERT_FILE curl --fail --silent --show-error --location --retry 5 --retry-all-errors --connect-timeout 30 -o ${SCRATCH_FILE} "$url" </dev/null; then`,
      '    echo "download failed: $url" >&2; exit 1',
      '  fi',
      `  mc cp --quiet ${SCRATCH_FILE} "\${TARGET}\${key}" </dev/null`,
      `  rm -f ${SCRATCH_FILE}`,
      '  echo "uploaded: $key"',
      'done',
      'for key in $KEYS; do',
      '  mc stat "${TARGET}${key}" >/dev/null || { echo "missing after upload: ${TARGET}${key}" >&2; exit 1; }',
      'done',
      `echo "$KEYS" | mc pipe "\${TARGET}${MARKER}"`,
      'echo "loaded: $KEYS"',
    ].join('\n');

    const policy = connectToMinio(this, props.minio, name, props.networkPolicy ?? false);
    if (policy !== undefined) {
      // curl follows redirects, which may switch between http and https.
      const ports = new Set([443, 80]);
      for (const f of files) if (f.port !== undefined) ports.add(f.port);
      policy.allowInternet([...ports]);
    }
    const mcBin: k8s.VolumeMount = { name: 'mc-bin', mountPath: MC_BIN_DIR };
    restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      pod: {
        initContainers: [{
          name: 'copy-mc',
          image: props.mcImage ?? IMAGES.mc,
          // No shell needed: cp is the mc image's (ubi-micro's coreutils-single, see IMAGE_RUNTIMES in
          // test/jobs/kubelet.py, which runs this container).
          command: ['cp', MC_IN_IMAGE, `${MC_BIN_DIR}/mc`],
          resources: containerResources(MC_RESOURCES),
          securityContext: mcSecurityContext(),
          volumeMounts: [mcBin],
        }],
        containers: [mcContainer({
          name: 'load', minio: props.minio, trust: props.trust, script, image: props.curlImage ?? IMAGES.curl,
          env: [
            { name: 'FILES', value: files.map(f => `${f.key} ${f.url}`).join('\n') },
            { name: 'KEYS', value: this.keys.join(' ') },
            { name: 'TARGET', value: `${MC_ALIAS}/${this.bucket}/${this.prefix}` },
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
          ],
          volumeMounts: [{ name: 'work', mountPath: '/work' }, { ...mcBin, readOnly: true }],
          resources,
        })],
        volumes: [...mcVolumes(props.trust), scratchVolume('mc-bin', MC_BIN_MI), scratchVolume('work', scratchGi * 1024)],
      },
    });
  }

  /** The marker object's path under the `mc` alias. */
  public get markerPath(): string {
    return `${MC_ALIAS}/${this.bucket}/${this.prefix}${MARKER}`;
  }

  /** The files' S3A URL, e.g. `s3a://lake/raw/trips/`. */
  public get s3aUrl(): string {
    return `s3a://${this.bucket}/${this.prefix}`;
  }

  /**
   * An init container for consumers of the data: waits (indefinitely, logging every 5 s) until the
   * marker object lists exactly this load's keys. Needs the pod volumes {@link waitForDataVolumes}.
   */
  public waitForDataContainer(name = 'wait-for-data'): k8s.Container {
    const script = [
      'set -eu',
      'until [ "$(mc cat "$MARKER" 2>/dev/null)" = "$KEYS" ]; do echo "waiting for $MARKER to list: $KEYS"; sleep 5; done',
      'echo "data present: $KEYS"',
    ].join('\n');
    return mcContainer({
      name, minio: this.minio, trust: this.trust, script, image: this.mcImage,
      env: [{ name: 'MARKER', value: this.markerPath }, { name: 'KEYS', value: this.keys.join(' ') }],
    });
  }

  /** The pod volumes {@link waitForDataContainer} needs. */
  public waitForDataVolumes(): k8s.Volume[] {
    return mcVolumes(this.trust);
  }

  /** MinIO accepts the pods of `client`; its `policy`, if any, allows egress to MinIO's S3 API. */
  public allowReader(client: IPodSelectable, policy?: PodNetworkPolicy): void {
    this.minio.allowFrom(client);
    policy?.allowTo(this.minio, [this.minio.apiPort]);
  }
}

/** The files with their keys, checked; `port` is the port a URL names explicitly. */
function validFiles(owner: string, files: readonly S3File[]): { url: string; key: string; port?: number }[] {
  if (files.length === 0) throw new Error(`${owner}: files must list at least one file`);
  const out = files.map((f, i) => {
    let url: URL | undefined;
    try {
      url = new URL(f.url);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || /\s/.test(f.url)) {
      throw new Error(`${owner}: files[${i}].url ${JSON.stringify(f.url)} is not an http(s) URL without whitespace`);
    }
    const key = f.key ?? decodeURIComponent(url.pathname.split('/').pop() ?? '');
    const prop = f.key === undefined ? `files[${i}].url` : `files[${i}].key`;
    if (!KEY.test(key) || key.split('/').some(s => s === '.' || s === '..')) {
      const what = f.key === undefined ? `gives the key ${JSON.stringify(key)} (its last path segment): set files[${i}].key` : 'is not a key';
      throw new Error(`${owner}: ${prop} ${JSON.stringify(f.key ?? f.url)} ${what}: use segments of A-Z a-z 0-9 . _ - separated by '/'`);
    }
    if (key === MARKER) throw new Error(`${owner}: ${prop} ${JSON.stringify(f.key ?? f.url)} gives the key "${MARKER}", the name of the marker object: set another files[${i}].key`);
    return { url: f.url, key, port: url.port === '' ? undefined : Number(url.port) };
  });
  out.forEach((f, i) => {
    const first = out.findIndex(o => o.key === f.key);
    if (first !== i) throw new Error(`${owner}: files[${i}] has the key "${f.key}" of files[${first}]: keys must be unique (set files[${i}].key)`);
  });
  return out;
}
