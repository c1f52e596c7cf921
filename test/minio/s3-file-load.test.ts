/**
 * Tests of constructs/minio/s3-file-load.ts: the load Job (one curl container, one file at a time),
 * the marker consumers wait for, its scratch space, its NetworkPolicy, and the prop validation.
 * (Its script runs for real in the jobs suite, test/jobs/.)
 * Run: npx jest test/minio
 */
import { IMAGES, PodNetworkPolicy } from '../../constructs/core';
import { MinioBuckets, S3File, S3FileLoad } from '../../constructs/minio';
import { allContainers, container, containerJson, dnsEgressRules, envOf, envValue, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, storage, synth } from '../util';

type Props = ConstructorParameters<typeof S3FileLoad>[2];

const FILES: S3File[] = [
  { url: 'https://data.example.org/trips/a.parquet' },
  { url: 'https://data.example.org/trips/b.parquet?raw=1', key: 'y2020/b.parquet' },
];

function setup(props: Partial<Props> = {}, scope = namespacedChart()) {
  // MinIO with its NetworkPolicy, so that the load's registration as a client can be checked.
  const s = storage(scope, { networkPolicy: true });
  const load = new S3FileLoad(scope, 'Load', { minio: s.minio, buckets: s.buckets, trust: s.trust, bucket: 'demo', prefix: 'raw/', files: FILES, ...props });
  return { chart: scope, s, load };
}

const JOB = 'minio-load-demo';

describe('S3FileLoad', () => {
  it('loads its files into s3://<bucket>/<prefix> with one container of the curl image', () => {
    const { chart, load } = setup();
    expect(load.bucket).toBe('demo');
    expect(load.prefix).toBe('raw/');
    expect(load.keys).toEqual(['a.parquet', 'y2020/b.parquet']);
    expect(load.s3aUrl).toBe('s3a://demo/raw/');
    expect(load.markerPath).toBe('minio/demo/raw/_SUCCESS');
    const objs = synth(chart);
    const job = find(objs, 'Job', JOB);
    const pod = podSpec(job);
    expect(job.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 's3-file-load', 'app.kubernetes.io/instance': JOB });
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers.map((c: any) => c.name)).toEqual(['load']);
    const main = container(pod, 'load');
    expect(main.image).toBe(IMAGES.curl);
    expect(main.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(envValue(main, 'FILES')).toBe('a.parquet https://data.example.org/trips/a.parquet\ny2020/b.parquet https://data.example.org/trips/b.parquet?raw=1');
    expect(envValue(main, 'KEYS')).toBe('a.parquet y2020/b.parquet');
    expect(envValue(main, 'BUCKET_URL')).toBe('https://minio.ns.svc.cluster.local:9000/demo');
    expect(envValue(main, 'TARGET')).toBe('https://minio.ns.svc.cluster.local:9000/demo/raw/');
    expect(envValue(main, 'S3_CA_FILE')).toBe('/stackable/trust/ca.crt');
    expect(envValue(main, 'WAIT_SECONDS')).toBe('1800');
    expect(envValue(main, 'STALL_SECONDS')).toBe('60');
    // The marker is uploaded after the check of every key.
    expect(main.command[2]).toMatch(/missing after upload[\s\S]*s3 --upload-file \/work\/marker "\$\{TARGET\}_SUCCESS"/);
    expectSecretRefsResolve(objs, pod);
  });

  it('signs its S3 requests, gives curl the credentials on stdin only and MinIO\'s CA only to the S3 requests', () => {
    const main = container(podSpec(find(synth(setup().chart), 'Job', JOB)), 'load');
    const script: string = main.command[2];
    expect(script).toContain('printf \'user = "%s:%s"\\n\' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" |\n    curl --config - --aws-sigv4 "aws:amz:us-east-1:s3" --cacert "$S3_CA_FILE"');
    // No variable of the container holds a credential in clear, none points curl at the MinIO CA.
    expect(Object.keys(envOf(main))).not.toContain('SSL_CERT_FILE');
    expect(Object.keys(envOf(main))).not.toContain('CURL_CA_BUNDLE');
    const downloads = script.split('\n').filter(l => /\bcurl --silent --show-error --location\b/.test(l));
    expect(downloads.length).toBe(1);
    expect(downloads[0]).not.toContain('--cacert');
    expect(script).not.toMatch(/\bmc\b/);
  });

  it('aborts a download that stalls for STALL_SECONDS and retries only transient failures', () => {
    const script: string = container(podSpec(find(synth(setup().chart), 'Job', JOB)), 'load').command[2];
    expect(script).toContain('--speed-limit 1024 --speed-time "$STALL_SECONDS"');
    expect(script).not.toContain('--retry');
    // A client error but 408 and 429 fails at once; 408, 429, 5xx and curl errors are retried.
    expect(script).toContain('*/408 | */429 | */5??) why="HTTP $status" ;;');
    expect(script).toMatch(/\*\/4\?\? \| 0\/\*\) .*download failed: \$1: HTTP \$status" >&2; exit 1 ;;/);
  });

  it('downloads, uploads and deletes one file at a time, in a single scratch file', () => {
    const script: string = container(podSpec(find(synth(setup().chart), 'Job', JOB)), 'load').command[2];
    const start = script.indexOf('while read -r key url');
    const loop = script.slice(start, script.indexOf('\ndone\n', start));
    const inOrder = (text: string, steps: string[]) => {
      let at = 0;
      for (const step of steps) {
        const i = text.indexOf(step, at);
        expect([step, i >= at]).toEqual([step, true]);
        at = i + step.length;
      }
    };
    inOrder(loop, ['s3 --head', 'download "$url"', 's3 --upload-file /work/download', 'rm -f /work/download']);
    // Each attempt of a download starts from an empty scratch file.
    const download = script.slice(script.indexOf('download() {'), script.indexOf('\n}\n', script.indexOf('download() {')));
    inOrder(download, ['while :; do', 'rm -f /work/download', 'curl --silent', '--output /work/download']);
  });

  it('applies name, scratch, wait, image and resource overrides', () => {
    const { chart } = setup({
      bucket: 'prediction', prefix: 'trips/v1/', name: 'load-trips', scratchGi: 5, waitSeconds: 30, stallSeconds: 20,
      curlImage: 'registry.local/curl:1', mcImage: 'registry.local/mc:1', resources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32 },
    });
    const pod = podSpec(find(synth(chart), 'Job', 'load-trips'));
    const main = container(pod, 'load');
    expect(envValue(main, 'TARGET')).toBe('https://minio.ns.svc.cluster.local:9000/prediction/trips/v1/');
    expect(envValue(main, 'WAIT_SECONDS')).toBe('30');
    expect(envValue(main, 'STALL_SECONDS')).toBe('20');
    expect(main.image).toBe('registry.local/curl:1');
    expect(pod.volumes.find((v: any) => v.name === 'work').emptyDir.sizeLimit).toBe('5120Mi');
    expect(main.resources.limits).toEqual({ 'cpu': '20m', 'memory': '32Mi', 'ephemeral-storage': `${5 * 1024 + 256}Mi` });
  });

  it('gives the scratch space 2 GiB by default, whatever the number of files', () => {
    const many = Array.from({ length: 28 }, (_, i) => ({ url: `https://data.example.org/f${i}.parquet` }));
    for (const files of [FILES.slice(0, 1), many]) {
      const pod = podSpec(find(synth(setup({ files }).chart), 'Job', JOB));
      expect(pod.volumes.find((v: any) => v.name === 'work').emptyDir.sizeLimit).toBe('2048Mi');
      expect(pod.volumes.map((v: any) => v.name).sort()).toEqual(['tls-trust', 'work']);
    }
  });

  it('gives the load the scratch size and 256 MiB of ephemeral storage, requested as limited; an explicit one wins', () => {
    const storageOf = (props: Partial<Props>) => {
      const r = container(podSpec(find(synth(setup(props).chart), 'Job', JOB)), 'load').resources;
      expect(r.requests['ephemeral-storage']).toBe(r.limits['ephemeral-storage']);
      return r.limits['ephemeral-storage'];
    };
    expect(storageOf({})).toBe(`${2 * 1024 + 256}Mi`);
    expect(storageOf({ scratchGi: 3 })).toBe(`${3 * 1024 + 256}Mi`);
    expect(storageOf({ resources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 32, ephemeralStorageMi: 9000 } })).toBe('9000Mi');
  });

  it('runs restricted as UID 10001 with resources on every container, mounting only volumes of its pod', () => {
    const pod = podSpec(find(synth(setup().chart), 'Job', JOB));
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const volumes = pod.volumes.map((v: any) => v.name);
    const quantities = { 'cpu': expect.any(String), 'memory': expect.any(String), 'ephemeral-storage': expect.any(String) };
    for (const c of allContainers(pod)) {
      expect(c.resources.requests).toEqual(quantities);
      expect(c.resources.limits).toEqual(quantities);
      expect(c.securityContext).toMatchObject({ runAsUser: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    }
    expect(container(pod, 'load').resources.limits).toMatchObject({ cpu: '1000m', memory: '256Mi' });
  });

  it('registers itself as a client of the MinIO NetworkPolicy', () => {
    const { chart, s, load } = setup();
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: s.buckets.podSelector } }, { podSelector: { matchLabels: load.podSelector } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
  });

  it('lets a reader (allowReader) into MinIO and, with the reader\'s own policy, out to MinIO\'s S3 port', () => {
    const { chart, s, load } = setup();
    const reader = { podSelector: { app: 'reader' } };
    const policy = new PodNetworkPolicy(chart, 'ReaderPolicy', { name: 'reader', target: reader });
    load.allowReader(reader, policy);
    const objs = synth(chart);
    expect(find(objs, 'NetworkPolicy', 'minio').spec.ingress[0].from).toContainEqual({ podSelector: { matchLabels: { app: 'reader' } } });
    expect(find(objs, 'NetworkPolicy', 'reader').spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: s.minio.podSelector } }], ports: [{ protocol: 'TCP', port: 9000 }],
    });
  });

  it('has no NetworkPolicy of its own unless enabled', () => {
    expect(ofKind(synth(setup().chart), 'NetworkPolicy').map(o => o.metadata.name)).toEqual(['minio']);
  });

  it('with a NetworkPolicy, accepts no connection and reaches only MinIO, DNS and the internet on 443 and 80', () => {
    const { chart, s, load } = setup({ networkPolicy: true });
    const objs = synth(chart);
    const np = find(objs, 'NetworkPolicy', JOB);
    expect(np.spec.podSelector.matchLabels).toEqual(load.podSelector);
    expect(np.spec.podSelector.matchLabels).toEqual(find(objs, 'Job', JOB).spec.template.metadata.labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: s.minio.podSelector } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ...dnsEgressRules(),
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 80 }] },
    ]);
  });

  it('with a NetworkPolicy, also reaches every port a file URL names, once', () => {
    const files = [{ url: 'http://mirror.local:8080/a' }, { url: 'https://other.local:8443/b' }, { url: 'http://mirror.local:8080/c' }, { url: 'https://x.local:443/d' }];
    const internet = find(synth(setup({ networkPolicy: true, files }).chart), 'NetworkPolicy', JOB).spec.egress
      .find((r: any) => r.to?.some((p: any) => p.ipBlock?.cidr === '0.0.0.0/0'));
    // (new URL drops a scheme's default port: https://x.local:443 names none.)
    expect(internet.ports.map((p: any) => p.port)).toEqual([443, 80, 8080, 8443]);
  });

  it('gives consumers a wait container for the marker listing exactly its keys', () => {
    const { load } = setup({}, namespacedChart('ns'));
    const wait = containerJson(load.waitForDataContainer('wait'));
    expect(wait.name).toBe('wait');
    expect(wait.image).toBe(IMAGES.mc);
    expect(envValue(wait, 'MARKER')).toBe('minio/demo/raw/_SUCCESS');
    expect(envValue(wait, 'KEYS')).toBe('a.parquet y2020/b.parquet');
    expect(envValue(wait, 'MC_HOST_minio')).toContain('@minio.ns.svc.cluster.local:9000');
    expect(wait.command[2]).toContain('mc cat "$MARKER"');
    const volumes = load.waitForDataVolumes().map(v => v.name);
    for (const m of wait.volumeMounts) expect(volumes).toContain(m.name);
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<Props>) => () => setup(props);
    it('a bucket that the bootstrap does not create', () => {
      expect(build({ bucket: 'raw' })).toThrow(/S3FileLoad Load: bucket "raw" is not created by the bucket bootstrap \(buckets\): use one of "demo", "prediction"/);
    });
    it('a prefix without trailing slash', () => {
      expect(build({ prefix: 'ny-taxi-data/raw' })).toThrow(/S3FileLoad Load: prefix "ny-taxi-data\/raw" must be a key prefix/);
    });
    it('a prefix starting with a slash', () => {
      expect(build({ prefix: '/raw/' })).toThrow(/S3FileLoad Load: prefix "\/raw\/" must be a key prefix/);
    });
    it('no files', () => {
      expect(build({ files: [] })).toThrow(/S3FileLoad Load: files must list at least one file/);
    });
    it('a URL that is not http(s)', () => {
      expect(build({ files: [FILES[0], { url: 'ftp://mirror.local/a.parquet' }] })).toThrow(/S3FileLoad Load: files\[1\]\.url "ftp:\/\/mirror\.local\/a\.parquet" is not an http\(s\) URL/);
    });
    it('something that is not a URL', () => {
      expect(build({ files: [{ url: 'mirror.local/a.parquet' }] })).toThrow(/S3FileLoad Load: files\[0\]\.url "mirror\.local\/a\.parquet" is not an http\(s\) URL/);
    });
    it('a URL with whitespace', () => {
      expect(build({ files: [{ url: 'https://mirror.local/a b.parquet', key: 'a.parquet' }] })).toThrow(/S3FileLoad Load: files\[0\]\.url "https:\/\/mirror\.local\/a b\.parquet" is not an http\(s\) URL without whitespace/);
    });
    it('a URL whose last segment is no key, naming the url', () => {
      expect(build({ files: [{ url: 'https://mirror.local/data/' }] })).toThrow(/S3FileLoad Load: files\[0\]\.url "https:\/\/mirror\.local\/data\/" gives the key "" \(its last path segment\): set files\[0\]\.key/);
      expect(build({ files: [{ url: 'https://mirror.local/a%20b.parquet' }] })).toThrow(/files\[0\]\.url .* gives the key "a b\.parquet"/);
    });
    it.each(['a b', 'a/../b', './a', 'a//b', '/a', 'a/', 'a$b', 'a*b', 'ä'])('the key %j', key => {
      expect(build({ files: [{ url: 'https://mirror.local/a', key }] })).toThrow(/S3FileLoad Load: files\[0\]\.key .* is not a key: use segments of A-Z a-z 0-9 \. _ - separated by '\/'/);
    });
    it('the marker\'s key', () => {
      expect(build({ files: [{ url: 'https://mirror.local/_SUCCESS' }] })).toThrow(/S3FileLoad Load: files\[0\]\.url "https:\/\/mirror\.local\/_SUCCESS" gives the key "_SUCCESS", the name of the marker object/);
    });
    it('two files with the same key', () => {
      expect(build({ files: [{ url: 'https://a.local/x.parquet' }, { url: 'https://b.local/y.parquet', key: 'x.parquet' }] }))
        .toThrow(/S3FileLoad Load: files\[1\] has the key "x\.parquet" of files\[0\]: keys must be unique/);
    });
    it('a zero scratchGi', () => {
      expect(build({ scratchGi: 0 })).toThrow(/S3FileLoad Load: scratchGi 0 must be an integer >= 1/);
    });
    it('a zero waitSeconds', () => {
      expect(build({ waitSeconds: 0 })).toThrow(/S3FileLoad Load: waitSeconds 0 must be an integer >= 1/);
    });
    it.each([0, 3601, 2.5])('a stallSeconds of %p, naming the range', stallSeconds => {
      expect(build({ stallSeconds })).toThrow(new RegExp(`S3FileLoad Load: stallSeconds ${stallSeconds} must be an integer between 1 and 3600`));
    });
    it('a Job name that is not a DNS label', () => {
      expect(build({ name: 'Load_Taxi' })).toThrow(/S3FileLoad Load: name "Load_Taxi" is not a valid name/);
    });
    it('a default Job name that is too long, naming the prop', () => {
      expect(() => {
        const chart = namespacedChart();
        const s = storage(chart);
        const long = 'b'.repeat(50);
        const buckets = new MinioBuckets(chart, 'More', { minio: s.minio, trust: s.trust, buckets: [long], name: 'more' });
        new S3FileLoad(chart, 'Load', { minio: s.minio, buckets, trust: s.trust, bucket: long, prefix: 'raw/', files: FILES });
      }).toThrow(/S3FileLoad Load: name "minio-load-b+" is not a valid name: use 1-\d+ lower-case/);
    });
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 1000, cpuLimitMillis: 100, memoryMi: 256 } }))
        .toThrow(/S3FileLoad Load: resources\.cpuLimitMillis 100 must be an integer >= 1000/);
    });
  });
});
