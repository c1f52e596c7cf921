/**
 * Tests of constructs/minio/mc-client.ts: the MinIO client container gets the server alias from
 * Secret-backed variables (never literal credentials) and verifies TLS with the CA trust store.
 * Run: npx jest test/minio
 */
import { Credentials } from '../../constructs/core';
import { MC_ALIAS, MC_RESOURCES, mcContainer, mcVolumes } from '../../constructs/minio';
import { containerJson, envOf, namespacedChart, storage } from '../util';

describe('mcContainer', () => {
  const build = (extra: Partial<Parameters<typeof mcContainer>[0]> = {}) => {
    const s = storage(namespacedChart('ns'));
    const c = containerJson(mcContainer({ name: 'mc', minio: s.minio, trust: s.trust, script: 'mc ls minio', ...extra }));
    return { s, c };
  };

  it('defines the alias from Secret-backed variables declared before it', () => {
    const { c } = build();
    const names = c.env.map((e: any) => e.name);
    const env = envOf(c);
    expect(MC_ALIAS).toBe('minio');
    expect(env.MC_HOST_minio.value).toBe('https://$(S3_ACCESS_KEY):$(S3_SECRET_KEY)@minio.ns.svc.cluster.local:9000');
    // The kubelet expands $(VAR) only for variables defined earlier in the list.
    expect(names.indexOf('S3_ACCESS_KEY')).toBeLessThan(names.indexOf('MC_HOST_minio'));
    expect(names.indexOf('S3_SECRET_KEY')).toBeLessThan(names.indexOf('MC_HOST_minio'));
    expect(env.S3_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({ name: 'minio-s3-credentials', key: 'accessKey' });
    expect(env.S3_SECRET_KEY.valueFrom.secretKeyRef).toEqual({ name: 'minio-s3-credentials', key: 'secretKey' });
    expect(JSON.stringify(c)).not.toContain('adminadmin');
  });

  it('verifies TLS against the mounted CA and keeps state under a writable /tmp', () => {
    const { s, c } = build();
    const env = envOf(c);
    expect(env.SSL_CERT_FILE.value).toBe(s.trust.caFile);
    const trustMount = c.volumeMounts.find((m: any) => m.name === 'tls-trust');
    expect(s.trust.caFile.startsWith(`${trustMount.mountPath}/`)).toBe(true);
    expect(env.MC_CONFIG_DIR.value.startsWith('/tmp/')).toBe(true);
    const volumes = mcVolumes(s.trust).map(v => v.name);
    for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
  });

  it('runs the script with sh, as non-root, restricted, with default resources', () => {
    const { c } = build();
    expect(c.command).toEqual(['/bin/sh', '-c', 'mc ls minio']);
    // The mc image runs as root by default: the container pins UID/GID 10001 itself.
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(c.resources).toEqual({
      requests: { 'cpu': `${MC_RESOURCES.cpuRequestMillis}m`, 'memory': `${MC_RESOURCES.memoryMi}Mi`, 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': `${MC_RESOURCES.cpuLimitMillis}m`, 'memory': `${MC_RESOURCES.memoryMi}Mi`, 'ephemeral-storage': '512Mi' },
    });
  });

  it('appends extra env and mounts and honours image and resource overrides', () => {
    const { c } = build({
      env: [{ name: 'X', value: '1' }], volumeMounts: [{ name: 'work', mountPath: '/work' }],
      image: 'registry.local/mc:1', resources: { cpuRequestMillis: 10, cpuLimitMillis: 20, memoryMi: 64, ephemeralStorageMi: 128 },
    });
    expect(c.env[c.env.length - 1]).toEqual({ name: 'X', value: '1' });
    expect(c.volumeMounts[c.volumeMounts.length - 1]).toEqual({ name: 'work', mountPath: '/work' });
    expect(c.image).toBe('registry.local/mc:1');
    expect(c.resources.limits).toEqual({ 'cpu': '20m', 'memory': '64Mi', 'ephemeral-storage': '128Mi' });
    expect(c.resources.requests).toEqual({ 'cpu': '10m', 'memory': '64Mi', 'ephemeral-storage': '128Mi' });
  });

  it('reads credentials from an existing Secret', () => {
    const chart = namespacedChart();
    const s = storage(chart, { credentials: Credentials.fromSecret('corp-s3', 'svc') });
    const env = envOf(containerJson(mcContainer({ name: 'mc', minio: s.minio, trust: s.trust, script: 'true' })));
    expect(env.S3_ACCESS_KEY.valueFrom.secretKeyRef.name).toBe('corp-s3');
    expect(env.S3_SECRET_KEY.valueFrom.secretKeyRef.name).toBe('corp-s3');
  });
});
