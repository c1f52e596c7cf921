/**
 * Tests of constructs/minio/taxi-data-load.ts: the three-step load Job (check, download, upload),
 * the marker consumers wait for, and the prop validation.
 * Run: npx jest test/minio
 */
import { Testing } from 'cdk8s';
import { TaxiDataLoad } from '../../constructs/minio';
import { allContainers, container, containerJson, envOf, envValue, expectSecretRefsResolve, find, namespacedChart, podSpec, storage, synth } from '../util';

type Props = ConstructorParameters<typeof TaxiDataLoad>[2];

function setup(props: Partial<Props> = {}, scope = Testing.chart()) {
  const s = storage(scope, { networkPolicy: true });
  const load = new TaxiDataLoad(scope, 'Load', { minio: s.minio, buckets: s.buckets, trust: s.trust, ...props });
  return { chart: scope, s, load };
}

describe('TaxiDataLoad', () => {
  it('loads the four demo months from the Stackable mirror into s3://demo/ny-taxi-data/raw/', () => {
    const { chart, load } = setup();
    expect(load.months).toEqual(['2020-09', '2020-10', '2020-11', '2020-12']);
    expect(load.s3aUrl).toBe('s3a://demo/ny-taxi-data/raw/');
    expect(load.markerPath).toBe('minio/demo/ny-taxi-data/raw/_SUCCESS');
    const objs = synth(chart);
    const pod = podSpec(find(objs, 'Job', 'load-ny-taxi-data'));
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['check', 'download']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['upload']);
    for (const c of allContainers(pod)) {
      expect(envValue(c, 'MONTHS')).toBe('2020-09 2020-10 2020-11 2020-12');
      expect(envValue(c, 'TARGET')).toBe('minio/demo/ny-taxi-data/raw/');
    }
    expect(envValue(container(pod, 'download'), 'SOURCE_URL')).toBe('https://repo.stackable.tech/repository/misc/ny-taxi-data/');
    expect(envValue(container(pod, 'check'), 'WAIT_SECONDS')).toBe('1800');
    // The upload writes the marker object after checking every month.
    expect(container(pod, 'upload').command[2]).toMatch(/mc pipe "\$\{TARGET\}_SUCCESS"/);
    expectSecretRefsResolve(objs, pod);
  });

  it('does not give the download step S3 credentials', () => {
    const { chart } = setup();
    const download = container(podSpec(find(synth(chart), 'Job', 'load-ny-taxi-data')), 'download');
    expect(Object.values(envOf(download)).filter(e => e.valueFrom !== undefined)).toEqual([]);
  });

  it('applies months, source, bucket, prefix, name, scratch and image overrides', () => {
    const { chart, load } = setup({
      months: ['2021-01', '2021-02'], sourceUrl: 'https://mirror.local/tlc/', bucket: 'prediction', prefix: 'trips/v1/',
      name: 'load-trips', scratchGi: 5, waitSeconds: 30, curlImage: 'registry.local/curl:1', mcImage: 'registry.local/mc:1',
    });
    expect(load.s3aUrl).toBe('s3a://prediction/trips/v1/');
    const pod = podSpec(find(synth(chart), 'Job', 'load-trips'));
    const download = container(pod, 'download');
    expect(envValue(download, 'MONTHS')).toBe('2021-01 2021-02');
    expect(envValue(download, 'SOURCE_URL')).toBe('https://mirror.local/tlc/');
    expect(envValue(container(pod, 'upload'), 'TARGET')).toBe('minio/prediction/trips/v1/');
    expect(envValue(container(pod, 'check'), 'WAIT_SECONDS')).toBe('30');
    expect(download.image).toBe('registry.local/curl:1');
    expect(container(pod, 'check').image).toBe('registry.local/mc:1');
    expect(container(pod, 'upload').image).toBe('registry.local/mc:1');
    expect(pod.volumes.find((v: any) => v.name === 'work').emptyDir.sizeLimit).toBe('5120Mi');
  });

  it('sizes the scratch space by the number of months by default', () => {
    const { chart } = setup({ months: ['2020-01', '2020-02', '2020-03'] });
    const pod = podSpec(find(synth(chart), 'Job', 'load-ny-taxi-data'));
    expect(pod.volumes.find((v: any) => v.name === 'work').emptyDir.sizeLimit).toBe(`${4 * 1024}Mi`);
  });

  it('runs restricted with resources on every step; all steps share the work volume', () => {
    const { chart } = setup({ downloadResources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32 } });
    const pod = podSpec(find(synth(chart), 'Job', 'load-ny-taxi-data'));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const volumes = pod.volumes.map((v: any) => v.name);
    for (const c of allContainers(pod)) {
      expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts).toContainEqual({ name: 'work', mountPath: '/work' });
      for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    }
    expect(container(pod, 'download').resources.limits).toEqual({ cpu: '20m', memory: '32Mi' });
  });

  it('registers itself as a client of the MinIO NetworkPolicy', () => {
    const { chart, s, load } = setup();
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: s.buckets.podSelector } },
      { podSelector: { matchLabels: load.podSelector } },
    ]);
  });

  it('gives consumers a wait container for the marker listing exactly its months', () => {
    const { load } = setup({ months: ['2020-11', '2020-12'] }, namespacedChart('ns'));
    const wait = containerJson(load.waitForDataContainer('wait'));
    expect(wait.name).toBe('wait');
    expect(envValue(wait, 'MARKER')).toBe('minio/demo/ny-taxi-data/raw/_SUCCESS');
    expect(envValue(wait, 'MONTHS')).toBe('2020-11 2020-12');
    expect(envValue(wait, 'MC_HOST_minio')).toContain('@minio.ns.svc.cluster.local:9000');
    expect(wait.command[2]).toContain('mc cat "$MARKER"');
    const volumes = load.waitForDataVolumes().map(v => v.name);
    for (const m of wait.volumeMounts) expect(volumes).toContain(m.name);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('an empty month list', () => {
      expect(build({ months: [] })).toThrow(/TaxiDataLoad Load: months \[\] must list at least one YYYY-MM month/);
    });
    it('a malformed month', () => {
      expect(build({ months: ['2020-12', '2020-13'] })).toThrow(/TaxiDataLoad Load: months\[1\] "2020-13" is not a YYYY-MM month/);
    });
    it('a duplicate month', () => {
      expect(build({ months: ['2020-09', '2020-09'] })).toThrow(/TaxiDataLoad Load: months \["2020-09","2020-09"\] lists 2020-09 twice/);
    });
    it('a source URL that is not http(s)', () => {
      expect(build({ sourceUrl: 'ftp://mirror.local/tlc/' })).toThrow(/TaxiDataLoad Load: sourceUrl "ftp:\/\/mirror\.local\/tlc\/" must be an http\(s\) URL ending in '\/'/);
    });
    it('a source URL without trailing slash', () => {
      expect(build({ sourceUrl: 'https://mirror.local/tlc' })).toThrow(/TaxiDataLoad Load: sourceUrl "https:\/\/mirror\.local\/tlc" must be an http\(s\) URL ending in '\/'/);
    });
    it('a source that is not a URL', () => {
      expect(build({ sourceUrl: 'mirror.local/tlc/' })).toThrow(/TaxiDataLoad Load: sourceUrl "mirror\.local\/tlc\/" is not a URL/);
    });
    it('a bucket that the bootstrap does not create', () => {
      expect(build({ bucket: 'raw' })).toThrow(/TaxiDataLoad Load: bucket "raw" is not created by the bucket bootstrap: use one of "demo", "prediction"/);
    });
    it('a prefix without trailing slash', () => {
      expect(build({ prefix: 'ny-taxi-data/raw' })).toThrow(/TaxiDataLoad Load: prefix "ny-taxi-data\/raw" must be a key prefix/);
    });
    it('a prefix starting with a slash', () => {
      expect(build({ prefix: '/raw/' })).toThrow(/TaxiDataLoad Load: prefix "\/raw\/" must be a key prefix/);
    });
    it('a zero scratchGi', () => {
      expect(build({ scratchGi: 0 })).toThrow(/TaxiDataLoad Load: scratchGi 0 must be an integer >= 1/);
    });
    it('a Job name that is not a DNS label', () => {
      expect(build({ name: 'Load_Taxi' })).toThrow(/TaxiDataLoad Load: name "Load_Taxi" is not a valid name/);
    });
    // Kubernetes rejects a container whose CPU limit is below its request; the other constructs
    // validate their resources, this one passes downloadResources through unchecked.
    it('a download CPU limit below the request', () => {
      expect(build({ downloadResources: { cpuRequestMillis: 1000, cpuLimitMillis: 100, memoryMi: 256 } }))
        .toThrow(/TaxiDataLoad Load: downloadResources\.cpuLimitMillis 100 must be an integer >= 1000/);
    });
  });
});
