/**
 * Synthesizes the DemoChart in-process for the jobs suite (test/jobs/), once per variant, and
 * prints `{ "<variant>": [objects in apply order], ... }` as JSON on stdout. The suite runs the
 * shell scripts of these objects; nothing about them is re-typed in the tests.
 *
 * Usage: ts-node --transpile-only test/jobs/synth-demo.ts '{"<variant>": <DemoChartProps as JSON>, ...}'
 * (only JSON-expressible props: months, dataSourceUrl, namespace, networkPolicies, ...). A variant
 * `{"tlcLoad": {"kind", "months", "baseUrl", "prefix"}}` is instead a chart of MinIO (as DemoChart
 * has it), a bucket `demo` and an S3FileLoad of those TLC trip files: another user of S3FileLoad.
 * A variant `{"buckets": [...]}` is MinIO and a MinioBuckets of those buckets (with policies), and
 * the Pod `bucket-location-consumer`: a stand-in for a consumer of `MinioBuckets.location(<last
 * bucket>, 'tables/')`, its wait container as init container (the test runs only that), and the Pod
 * `objects-under-consumer`, the same for `MinioBuckets.objectsUnder(<last bucket>, 'tables/t/metadata/')`.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Credentials, MinioBuckets, MinioBucketsProps, MinioServer, S3CredentialsClass, S3FileLoad, TlsTrustStore } from '../../constructs';
import { TlcTripData, TlcTripDataOptions } from '../../demos/lib/tlc-trip-data';
import { DemoChart, DemoChartProps } from '../../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';

/** MinIO's root user as DemoChart has it by default: the suite's MinIO runs with the DemoChart's. */
const DEMO_MINIO_ROOT = Credentials.literal('admin', 'minio-root-password');

interface TlcLoadVariant {
  readonly tlcLoad: TlcTripDataOptions & { readonly prefix: string };
}

/** MinIO as DemoChart has it and a bucket Job with these buckets (names or `{name, policy}`). */
interface BucketsVariant {
  readonly buckets: MinioBucketsProps['buckets'];
}

function bucketsChart(buckets: BucketsVariant['buckets']): Chart {
  const chart = new Chart(Testing.app(), 'demo', { namespace: 'default', disableResourceNameHashes: true });
  const trust = new TlsTrustStore(chart, 'TlsCa');
  const minio = new MinioServer(chart, 'Minio', { credentials: DEMO_MINIO_ROOT, credentialsClass: new S3CredentialsClass(chart, 'S3Credentials') });
  const bootstrap = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets });
  const location = bootstrap.location(bootstrap.buckets[bootstrap.buckets.length - 1], 'tables/');
  new ApiObject(chart, 'LocationConsumer', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bucket-location-consumer' },
    spec: { initContainers: [location.waitForDataContainer()], containers: [], volumes: location.waitForDataVolumes() },
  });
  const objects = bootstrap.objectsUnder(bootstrap.buckets[bootstrap.buckets.length - 1], 'tables/t/metadata/');
  new ApiObject(chart, 'ObjectsConsumer', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'objects-under-consumer' },
    spec: { initContainers: [objects.waitForDataContainer()], containers: [], volumes: objects.waitForDataVolumes() },
  });
  return chart;
}

function tlcLoadChart(v: TlcLoadVariant['tlcLoad']): Chart {
  const chart = new Chart(Testing.app(), 'demo', { namespace: 'default', disableResourceNameHashes: true });
  const trust = new TlsTrustStore(chart, 'TlsCa');
  const minio = new MinioServer(chart, 'Minio', { credentials: DEMO_MINIO_ROOT, credentialsClass: new S3CredentialsClass(chart, 'S3Credentials') });
  const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'] });
  new S3FileLoad(chart, 'Load', { minio, buckets, trust, bucket: 'demo', prefix: v.prefix, files: TlcTripData.files(v) });
  return chart;
}

function main(): void {
  const variants = JSON.parse(process.argv[2] ?? '{}') as Record<string, DemoChartProps | TlcLoadVariant | BucketsVariant>;
  const out: Record<string, unknown[]> = {};
  for (const [name, props] of Object.entries(variants)) {
    const chart = 'tlcLoad' in props ? tlcLoadChart(props.tlcLoad)
      : 'buckets' in props ? bucketsChart(props.buckets)
        : new DemoChart(Testing.app(), 'demo', props);
    out[name] = Testing.synth(chart);
  }
  process.stdout.write(JSON.stringify(out));
}

main();
