/**
 * Tests of constructs/minio/taxi-data-load.ts: the three-step load Job (check, download, upload),
 * the marker consumers wait for, its scratch space, its NetworkPolicy, and the prop validation.
 * Run: npx jest test/minio
 */
import { Testing } from 'cdk8s';
import { TaxiDataLoad } from '../../constructs/minio';
import { allContainers, container, containerJson, envOf, envValue, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, storage, synth } from '../util';

const KUBE_DNS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };

type Props = ConstructorParameters<typeof TaxiDataLoad>[2];

function setup(props: Partial<Props> = {}, scope = Testing.chart()) {
  // MinIO with its NetworkPolicy, so that the load's registration as a client can be checked.
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

  it('gives the scratch space 4 GiB by default, whatever the number of months', () => {
    for (const months of [['2020-01'], ['2020-01', '2020-02', '2020-03'], Array.from({ length: 12 }, (_, i) => `2019-${String(i + 1).padStart(2, '0')}`)]) {
      const { chart } = setup({ months });
      const pod = podSpec(find(synth(chart), 'Job', 'load-ny-taxi-data'));
      expect(pod.volumes.find((v: any) => v.name === 'work').emptyDir.sizeLimit).toBe('4096Mi');
    }
  });

  it('gives the steps that fill the scratch volume its size plus 256 MiB of ephemeral storage, requested as limited', () => {
    const scratchOf = (props: Partial<Props>) => {
      const pod = podSpec(find(synth(setup(props).chart), 'Job', 'load-ny-taxi-data'));
      return ['download', 'upload', 'check'].map(name => {
        const r = container(pod, name).resources;
        expect(r.requests['ephemeral-storage']).toBe(r.limits['ephemeral-storage']);
        return r.limits['ephemeral-storage'];
      });
    };
    // check writes only the list of present months.
    expect(scratchOf({})).toEqual([`${4 * 1024 + 256}Mi`, `${4 * 1024 + 256}Mi`, '512Mi']);
    expect(scratchOf({ scratchGi: 2 })).toEqual([`${2 * 1024 + 256}Mi`, `${2 * 1024 + 256}Mi`, '512Mi']);
    // Download resources without ephemeral storage still get the scratch size; an explicit one wins.
    expect(scratchOf({ scratchGi: 2, downloadResources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32 } })[0]).toBe(`${2 * 1024 + 256}Mi`);
    expect(scratchOf({ downloadResources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32, ephemeralStorageMi: 9000 } })[0]).toBe('9000Mi');
  });

  it('runs restricted as UID 10001 with resources on every step; all steps share the work volume', () => {
    const { chart } = setup({ downloadResources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32 } });
    const pod = podSpec(find(synth(chart), 'Job', 'load-ny-taxi-data'));
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const volumes = pod.volumes.map((v: any) => v.name);
    const quantities = { 'cpu': expect.any(String), 'memory': expect.any(String), 'ephemeral-storage': expect.any(String) };
    for (const c of allContainers(pod)) {
      expect(c.resources.requests).toEqual(quantities);
      expect(c.resources.limits).toEqual(quantities);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts).toContainEqual({ name: 'work', mountPath: '/work' });
      for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    }
    expect(container(pod, 'download').resources.limits).toEqual({ 'cpu': '20m', 'memory': '32Mi', 'ephemeral-storage': `${4 * 1024 + 256}Mi` });
  });

  it('registers itself as a client of the MinIO NetworkPolicy', () => {
    const { chart, s, load } = setup();
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: s.buckets.podSelector } }, { podSelector: { matchLabels: load.podSelector } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
  });

  it('has no NetworkPolicy of its own unless enabled', () => {
    const { chart } = setup();
    expect(ofKind(synth(chart), 'NetworkPolicy').map(o => o.metadata.name)).toEqual(['minio']);
  });

  it('with a NetworkPolicy, accepts no connection and reaches only MinIO, DNS and the data source', () => {
    const { chart, s, load } = setup({ networkPolicy: true });
    const objs = synth(chart);
    const np = find(objs, 'NetworkPolicy', 'load-ny-taxi-data');
    expect(np.spec.podSelector.matchLabels).toEqual(load.podSelector);
    expect(np.spec.podSelector.matchLabels).toEqual(find(objs, 'Job', 'load-ny-taxi-data').spec.template.metadata.labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: s.minio.podSelector } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      { to: [KUBE_DNS], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 80 }] },
    ]);
  });

  it('with a NetworkPolicy, also lets the download reach the port its source URL names', () => {
    const { chart } = setup({ networkPolicy: true, sourceUrl: 'http://mirror.local:8080/tlc/' });
    const internet = find(synth(chart), 'NetworkPolicy', 'load-ny-taxi-data').spec.egress
      .find((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === '0.0.0.0/0'));
    expect(internet.ports.map((p: any) => p.port)).toEqual([443, 80, 8080]);
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
