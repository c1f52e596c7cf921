import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  containerResources, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange, IPodSelectable, JOB_NAME_MAX_LENGTH,
  NON_ROOT_UID, PodNetworkPolicy, Resources, restrictedContainerAs, restrictedJob, scratchVolume, validateResources,
} from '../core';
import { IS3Data } from '../s3';
import { TlsTrustStore } from '../secret-operator';
import { connectToMinio, MC_ALIAS, mcContainer, mcVolumes } from './mc-client';
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
  /**
   * A download that moves less than 1 KiB/s for this many seconds is aborted and retried, like a
   * dropped connection: a server that sends part of a file and then nothing would otherwise hold
   * the Job forever. curl measures the speed over the last 5 seconds, so a stall is noticed up to
   * 5 s later than this. Between 1 and 3600.
   * @default 60
   */
  readonly stallSeconds?: number;
  /** curl image: runs the load (curl downloads the files and, signing its requests, uploads them). @default IMAGES.curl */
  readonly curlImage?: string;
  /** `mc` image of the consumers' wait-for-data containers ({@link S3FileLoad.waitForDataContainer}). @default IMAGES.mc */
  readonly mcImage?: string;
  /**
   * CPU and memory of the load. Its ephemeral storage defaults to the scratch space plus 256 MiB
   * (it fills the scratch volume).
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

/** The scratch file: the one file being loaded. */
const SCRATCH_FILE = '/work/download';
/** The marker's content before its upload. */
const MARKER_FILE = '/work/marker';

/**
 * The region in the requests' signatures. MinIO checks it only when its region is configured
 * (minio/minio RELEASE.2025-04-22T22-12-26Z cmd/signature-v4-utils.go `isValidRegion`: any region
 * when the configured one is empty, cmd/globals.go `globalMinioDefaultRegion = ""`); MinioServer
 * configures none. `us-east-1` is also the region of Stackable's S3Connection by default.
 */
const SIGV4_REGION = 'us-east-1';

/**
 * Shell function `s3 CURL_ARGS...`: one request to MinIO's S3 API; prints the HTTP status (`000`
 * when there was no answer) and never fails. curl signs the request with AWS Signature V4
 * (`--aws-sigv4`, curl ≥ 7.75; for S3 an upload from a file is sent with `x-amz-content-sha256:
 * UNSIGNED-PAYLOAD`, curl 8.14.1 lib/http_aws_sigv4.c `calc_s3_payload_hash`, which MinIO accepts
 * over TLS) and verifies MinIO's certificate against the secret-operator CA only. A MinIO that
 * accepts the connection and then sends nothing (or too slowly) ends the request after
 * `$STALL_SECONDS` like a stalled download (see {@link DOWNLOAD_FUNCTION}): status `000`, so the bucket
 * wait goes on to its deadline and an upload or check fails the run instead of hanging. The credentials
 * reach curl on its standard input (`--config -`; `printf` is a shell builtin), never on a command line.
 * Checked against a real MinIO by the jobs suite.
 */
const S3_FUNCTION = `s3() {
  printf 'user = "%s:%s"\\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" |
    curl --config - --aws-sigv4 "aws:amz:${SIGV4_REGION}:s3" --cacert "$S3_CA_FILE" --silent --show-error \\
      --connect-timeout 10 --speed-limit 1024 --speed-time "$STALL_SECONDS" \\
      --output /dev/null --write-out '%{http_code}' "$@" || true
}`;

/** Retries of a download after a transient failure (as curl's `--retry 5` before). */
const DOWNLOAD_RETRIES = 5;

/**
 * Shell function `download URL`: the file at URL into the scratch file, or the script exits
 * naming the URL. One curl request per attempt, classified by its exit code and the last HTTP
 * status (`--write-out '%{http_code}'`, after redirects; `000` when there was no answer):
 * - 2xx and exit 0: done;
 * - a permanent client error (4xx but 408 and 429): the file is not there; fails at once with
 *   the status (curl's `--retry-all-errors` retried a 404 five times, 31 s, in every run);
 * - 408, 429, 5xx, or no complete answer (a connection error, a transfer cut short: curl exit 18
 *   when fewer bytes than the Content-Length arrived; a stall: exit 28): retried
 *   {@link DOWNLOAD_RETRIES} times, waiting 1 s, then twice as long each time (31 s in all), as
 *   curl's `--retry` does (curl 8.14.1 docs/cmdline-opts/retry.md; its transient statuses are
 *   408, 429, 500, 502, 503 and 504, src/tool_operate.c; unlike curl, `Retry-After` is not read);
 * - any other final answer (a 3xx without Location, a 1xx): fails at once with the status.
 * Without `--fail` curl writes an error answer's body to the file and exits 0 (the status decides);
 * the file is deleted before each attempt and after a failure.
 * A stall: `--speed-limit 1024 --speed-time $STALL_SECONDS` aborts a transfer (also one still
 * waiting for the answer's headers) that moves less than 1024 bytes/s for STALL_SECONDS (curl
 * 8.14.1 lib/speedcheck.c, called from lib/transfer.c while the answer is read); the speed is the
 * average over the last 5 s (lib/progress.c progress_calc, lib/urldata.h CURR_TIME = 6 samples).
 * `--speed-time` does not cover the connection (docs/cmdline-opts/speed-time.md): `--connect-timeout` does.
 * The curl image's own CA bundle verifies the public servers (CURL_CA_BUNDLE=/cacert.pem,
 * curl/curl-container 8.14.1 create_base_image.sh); MinIO's CA is given to the s3 requests only.
 * curl's standard input is /dev/null: the caller's loop reads the file list from it.
 */
const DOWNLOAD_FUNCTION = `download() {
  attempt=1 delay=1
  while :; do
    rm -f ${SCRATCH_FILE}
    code=0
    status=$(curl --silent --show-error --location --connect-timeout 30 --speed-limit 1024 --speed-time "$STALL_SECONDS" \\
      --output ${SCRATCH_FILE} --write-out '%{http_code}' "$1" </dev/null) || code=$?
    case "$code/$status" in
      0/2??) return 0 ;;
      */408 | */429 | */5??) why="HTTP $status" ;;
      */4?? | 0/*) rm -f ${SCRATCH_FILE}; echo "download failed: $1: HTTP $status" >&2; exit 1 ;;
      *) why="curl exit $code" ;;
    esac
    if [ "$attempt" -gt ${DOWNLOAD_RETRIES} ]; then
      rm -f ${SCRATCH_FILE}; echo "download failed: $1: $why, after $attempt attempts" >&2; exit 1
    fi
    echo "retrying in \${delay}s: $1: $why"
    sleep "$delay"
    attempt=$((attempt + 1)) delay=$((delay * 2))
  done
}`;

/**
 * A Job that loads files from http(s) URLs into MinIO (`s3://<bucket>/<prefix><key>`), one file at
 * a time: it waits for the bucket; for each file, skips it if present, else downloads it into the
 * scratch volume (retrying transient errors and stalls, failing with the URL and the status when the
 * server says the file is not there), uploads it and deletes the local copy. Then it
 * checks every key is present and writes the marker object `<prefix>_SUCCESS` listing the keys —
 * what consumers wait for ({@link waitForDataContainer}). Rerunning it downloads nothing present.
 *
 * One container of the curl image does it all: curl downloads the files and, signing its requests
 * with AWS Signature V4, talks to MinIO's S3 API. (It copied no `mc` out of the mc image: the
 * image's `/usr/bin/mc` is mode 0711, which no user but root can read; see `IMAGE_FILES`.)
 */
export class S3FileLoad extends Construct implements IPodSelectable, IS3Data {
  /** The Job (also `ApiObject.of(this)`); content-named, see `restrictedJob`. */
  public readonly job: k8s.KubeJob;
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
    const stallSeconds = intInRange(owner, 'stallSeconds', props.stallSeconds ?? 60, 1, 3600);
    // The volumes count against the ephemeral storage of the container that fills them.
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 256 });
    this.minio = props.minio;
    this.trust = props.trust;
    this.mcImage = props.mcImage;
    this.podSelector = { 'app.kubernetes.io/name': 's3-file-load', 'app.kubernetes.io/instance': name };

    const script = [
      'set -eu',
      S3_FUNCTION,
      DOWNLOAD_FUNCTION,
      'deadline=$(( $(date +%s) + WAIT_SECONDS ))',
      'until [ "$(s3 --head "$BUCKET_URL/")" = 200 ]; do',
      '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "gave up after $WAIT_SECONDS s: bucket $BUCKET_URL" >&2; exit 1; fi',
      '  echo "waiting for bucket $BUCKET_URL"; sleep 5',
      'done',
      // One line per file: "<key> <url>" (neither contains whitespace).
      'printf \'%s\\n\' "$FILES" | while read -r key url; do',
      '  status=$(s3 --head "${TARGET}${key}")',
      '  case "$status" in',
      '    200) echo "present: $key"; continue ;;',
      '    404) ;;',
      '    *) echo "cannot check ${TARGET}${key}: HTTP $status" >&2; exit 1 ;;',
      '  esac',
      '  echo "downloading $url"',
      '  download "$url"',
      `  status=$(s3 --upload-file ${SCRATCH_FILE} "\${TARGET}\${key}")`,
      '  [ "$status" = 200 ] || { echo "upload failed: ${TARGET}${key}: HTTP $status" >&2; exit 1; }',
      `  rm -f ${SCRATCH_FILE}`,
      '  echo "uploaded: $key"',
      'done',
      'for key in $KEYS; do',
      '  [ "$(s3 --head "${TARGET}${key}")" = 200 ] || { echo "missing after upload: ${TARGET}${key}" >&2; exit 1; }',
      'done',
      `printf '%s\\n' "$KEYS" >${MARKER_FILE}`,
      `status=$(s3 --upload-file ${MARKER_FILE} "\${TARGET}${MARKER}")`,
      `[ "$status" = 200 ] || { echo "upload failed: \${TARGET}${MARKER}: HTTP $status" >&2; exit 1; }`,
      'echo "loaded: $KEYS"',
    ].join('\n');

    const policy = connectToMinio(this, props.minio, name, props.networkPolicy ?? false);
    if (policy !== undefined) {
      // curl follows redirects, which may switch between http and https.
      const ports = new Set([443, 80]);
      for (const f of files) if (f.port !== undefined) ports.add(f.port);
      policy.allowInternet([...ports]);
    }
    const bucketUrl = `https://${props.minio.host}:${props.minio.apiPort}/${this.bucket}`;
    this.job = restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      pod: {
        containers: [{
          name: 'load',
          image: props.curlImage ?? IMAGES.curl,
          command: ['/bin/sh', '-c', script],
          env: [
            props.minio.credentials.usernameEnv('S3_ACCESS_KEY'),
            props.minio.credentials.passwordEnv('S3_SECRET_KEY'),
            { name: 'S3_CA_FILE', value: props.trust.caFile },
            { name: 'BUCKET_URL', value: bucketUrl },
            { name: 'TARGET', value: `${bucketUrl}/${this.prefix}` },
            { name: 'FILES', value: files.map(f => `${f.key} ${f.url}`).join('\n') },
            { name: 'KEYS', value: this.keys.join(' ') },
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
            { name: 'STALL_SECONDS', value: String(stallSeconds) },
          ],
          resources: containerResources(resources, scratchGi * 1024 + 256),
          // The pod's user, pinned here too, like the mc containers': the curl image has a user of its own.
          securityContext: restrictedContainerAs(NON_ROOT_UID),
          volumeMounts: [props.trust.volumeMount(), { name: 'work', mountPath: '/work' }],
        }],
        volumes: [props.trust.volume(), scratchVolume('work', scratchGi * 1024)],
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
