import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  baseUrl, containerResources, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange, IPodSelectable, JOB_NAME_MAX_LENGTH,
  months as validMonths, PodNetworkPolicy, Resources, restrictedContainer, restrictedJob, scratchVolume, validateResources,
} from '../core';
import { IS3Data } from '../s3';
import { TlsTrustStore } from '../secret-operator';
import { connectToMinio, MC_ALIAS, MC_RESOURCES, mcContainer, mcVolumes, RETRY_FUNCTION } from './mc-client';
import { MinioBuckets } from './minio-buckets';
import { MinioServer } from './minio-server';

/** Props of {@link TaxiDataLoad}. */
export interface TaxiDataLoadProps {
  /** The MinIO server. */
  readonly minio: MinioServer;
  /** The bucket bootstrap; the data bucket must be one of its buckets. */
  readonly buckets: MinioBuckets;
  /** Trust for MinIO's certificate. */
  readonly trust: TlsTrustStore;
  /** Months of NYC TLC high-volume for-hire trip data to load, as `YYYY-MM`. @default ['2020-09', '2020-10', '2020-11', '2020-12'] */
  readonly months?: string[];
  /**
   * Where `fhvhv_tripdata_<month>.parquet` files are downloaded from (ending in '/').
   * @default 'https://repo.stackable.tech/repository/misc/ny-taxi-data/' (the mirror Stackable's demo uses)
   */
  readonly sourceUrl?: string;
  /** Bucket the files go to. @default 'demo' */
  readonly bucket?: string;
  /** Key prefix of the files in the bucket (ending in '/'). @default 'ny-taxi-data/raw/' */
  readonly prefix?: string;
  /**
   * Scratch space for the downloads in GiB: all missing months are downloaded before they are
   * uploaded, and a month is about 0.5 GiB, so the default holds about 8 months. The pod requests
   * this much node-local storage (plus 256 MiB) while it runs, and is evicted if it writes more.
   * @default 4
   */
  readonly scratchGi?: number;
  /** Name of the Job, before its content hash (see `restrictedJob`). @default 'load-ny-taxi-data' */
  readonly name?: string;
  /** How long the Job waits for the bucket before it fails. @default 1800 */
  readonly waitSeconds?: number;
  /** curl image (download step). @default IMAGES.curl */
  readonly curlImage?: string;
  /** `mc` image (check and upload steps). @default IMAGES.mc */
  readonly mcImage?: string;
  /**
   * CPU and memory of the download step. Its ephemeral storage defaults to the scratch space
   * plus 256 MiB (it fills the scratch volume).
   * @default 100m-1000m CPU, 256 MiB
   */
  readonly downloadResources?: Resources;
  /**
   * Create a NetworkPolicy: no ingress; egress only to MinIO's S3 API, the cluster DNS and, for the
   * download, any address on TCP 443 and 80 (and the source URL's port, if it names one).
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** Name of the marker object written after every month was loaded. */
const MARKER = '_SUCCESS';

/**
 * A Job that loads NYC taxi trip files into MinIO (`s3://<bucket>/<prefix>`):
 * 1. `check` (mc) waits for the bucket and lists which months are present already;
 * 2. `download` (curl) fetches only the missing months, failing with the URL on any error;
 * 3. `upload` (mc) uploads them, checks every month is present and writes the marker object
 *    `<prefix>_SUCCESS` containing the month list — what consumers wait for
 *    ({@link waitForDataContainer}). Rerunning it downloads nothing that is present.
 */
export class TaxiDataLoad extends Construct implements IPodSelectable, IS3Data {
  /** The months loaded. */
  public readonly months: string[];
  /** Bucket of the data. */
  public readonly bucket: string;
  /** Key prefix of the data (ending in '/'). */
  public readonly prefix: string;
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;
  private readonly minio: MinioServer;
  private readonly trust: TlsTrustStore;
  private readonly mcImage?: string;

  constructor(scope: Construct, id: string, props: TaxiDataLoadProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `TaxiDataLoad ${id}`;
    const name = dnsLabel(owner, 'name', props.name ?? 'load-ny-taxi-data', JOB_NAME_MAX_LENGTH);
    props.trust.checkTrusts(owner, props.minio);
    this.months = validMonths(owner, 'months', props.months ?? ['2020-09', '2020-10', '2020-11', '2020-12']);
    const sourceUrl = baseUrl(owner, 'sourceUrl', props.sourceUrl ?? 'https://repo.stackable.tech/repository/misc/ny-taxi-data/');
    this.bucket = props.bucket ?? 'demo';
    if (!props.buckets.buckets.includes(this.bucket)) {
      throw new Error(`${owner}: bucket "${this.bucket}" is not created by the bucket bootstrap: use one of ${props.buckets.buckets.map(b => `"${b}"`).join(', ')}`);
    }
    this.prefix = props.prefix ?? 'ny-taxi-data/raw/';
    if (!/^([A-Za-z0-9._-]+\/)+$/.test(this.prefix)) {
      throw new Error(`${owner}: prefix "${this.prefix}" must be a key prefix like "ny-taxi-data/raw/" (segments of A-Z a-z 0-9 . _ -, each ending in '/')`);
    }
    const scratchGi = intInRange(owner, 'scratchGi', props.scratchGi ?? 4, 1);
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 1800, 1);
    // The scratch volume counts against the ephemeral storage of the containers that fill it.
    const scratchLimitMi = scratchGi * 1024 + 256;
    const requested = validateResources(owner, 'downloadResources', props.downloadResources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: 256 });
    const downloadResources: Resources = { ...requested, ephemeralStorageMi: requested.ephemeralStorageMi ?? scratchLimitMi };
    this.minio = props.minio;
    this.trust = props.trust;
    this.mcImage = props.mcImage;
    this.podSelector = { 'app.kubernetes.io/name': 'taxi-data-load', 'app.kubernetes.io/instance': name };
    const target = `${MC_ALIAS}/${this.bucket}/${this.prefix}`;

    const common: k8s.EnvVar[] = [
      { name: 'MONTHS', value: this.months.join(' ') },
      { name: 'TARGET', value: target },
    ];
    const work: k8s.VolumeMount = { name: 'work', mountPath: '/work' };
    const check = [
      'set -eu',
      RETRY_FUNCTION,
      `retry "mc ls ${MC_ALIAS}/${this.bucket}" "$WAIT_SECONDS"`,
      ': > /work/present',
      'for month in $MONTHS; do',
      '  file="fhvhv_tripdata_${month}.parquet"',
      '  if mc stat "${TARGET}${file}" >/dev/null 2>&1; then echo "$file" >> /work/present; echo "present: $file"; fi',
      'done',
    ].join('\n');
    const download = [
      'set -eu',
      'for month in $MONTHS; do',
      '  file="fhvhv_tripdata_${month}.parquet"',
      '  if grep -qx "$file" /work/present; then continue; fi',
      '  echo "downloading ${SOURCE_URL}${file}"',
      '  if ! curl --fail --silent --show-error --location --retry 5 --retry-all-errors --connect-timeout 30 -o "/work/${file}.part" "${SOURCE_URL}${file}"; then',
      '    echo "download failed: ${SOURCE_URL}${file}" >&2; exit 1',
      '  fi',
      '  mv "/work/${file}.part" "/work/${file}"',
      'done',
    ].join('\n');
    const upload = [
      'set -eu',
      'for month in $MONTHS; do',
      '  file="fhvhv_tripdata_${month}.parquet"',
      '  if [ -f "/work/${file}" ]; then mc cp --quiet "/work/${file}" "${TARGET}${file}"; rm -f "/work/${file}"; fi',
      '  mc stat "${TARGET}${file}" >/dev/null || { echo "missing after upload: ${TARGET}${file}" >&2; exit 1; }',
      'done',
      `echo "$MONTHS" | mc pipe "\${TARGET}${MARKER}"`,
      'echo "loaded months: $MONTHS"',
    ].join('\n');

    const policy = connectToMinio(this, props.minio, name, props.networkPolicy ?? false);
    if (policy !== undefined) {
      // curl follows redirects, which may switch between http and https.
      const sourcePort = Number(new URL(sourceUrl).port);
      policy.allowInternet(sourcePort ? [443, 80, sourcePort] : [443, 80]);
    }
    restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      pod: {
        initContainers: [
          mcContainer({
            name: 'check', minio: props.minio, trust: props.trust, script: check, image: props.mcImage,
            env: [...common, { name: 'WAIT_SECONDS', value: String(waitSeconds) }], volumeMounts: [work],
          }),
          {
            name: 'download',
            image: props.curlImage ?? IMAGES.curl,
            command: ['/bin/sh', '-c', download],
            env: [...common, { name: 'SOURCE_URL', value: sourceUrl }],
            resources: containerResources(downloadResources),
            securityContext: restrictedContainer(),
            volumeMounts: [work],
          },
        ],
        containers: [mcContainer({
          name: 'upload', minio: props.minio, trust: props.trust, script: upload, image: props.mcImage,
          env: common, volumeMounts: [work], resources: { ...MC_RESOURCES, ephemeralStorageMi: scratchLimitMi },
        })],
        volumes: [...mcVolumes(props.trust), scratchVolume('work', scratchGi * 1024)],
      },
    });
  }

  /** The marker object's path under the `mc` alias. */
  public get markerPath(): string {
    return `${MC_ALIAS}/${this.bucket}/${this.prefix}${MARKER}`;
  }

  /** The data's S3A URL, e.g. `s3a://demo/ny-taxi-data/raw/`. */
  public get s3aUrl(): string {
    return `s3a://${this.bucket}/${this.prefix}`;
  }

  /**
   * An init container for consumers of the data: waits (indefinitely, logging every 5 s) until the
   * marker object lists exactly this load's months. Needs the pod volumes {@link mcVolumes}.
   */
  public waitForDataContainer(name = 'wait-for-data'): k8s.Container {
    const script = [
      'set -eu',
      'until [ "$(mc cat "$MARKER" 2>/dev/null)" = "$MONTHS" ]; do echo "waiting for $MARKER to list: $MONTHS"; sleep 5; done',
      'echo "data present: $MONTHS"',
    ].join('\n');
    return mcContainer({
      name, minio: this.minio, trust: this.trust, script, image: this.mcImage,
      env: [{ name: 'MARKER', value: this.markerPath }, { name: 'MONTHS', value: this.months.join(' ') }],
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
