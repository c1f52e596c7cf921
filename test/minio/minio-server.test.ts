/**
 * Tests of constructs/minio/minio-server.ts: the MinIO Deployment, Service, PVC, credentials
 * Secret, secret-operator certificate and optional NetworkPolicy, and its prop validation.
 * Run: npx jest test/minio
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { MinioServer } from '../../constructs/minio';
import { S3CredentialsClass } from '../../constructs/s3';
import { container, envOf, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';

describe('MinioServer', () => {
  it('matches the snapshot with defaults', () => {
    const chart = namespacedChart();
    new MinioServer(chart, 'Minio');
    expect(synth(chart)).toMatchSnapshot();
  });

  it('serves S3 on 9000 and the console on 9001, selecting its own pods', () => {
    const chart = namespacedChart('ns');
    const minio = new MinioServer(chart, 'Minio');
    const objs = synth(chart);
    expect(minio).toMatchObject({ serviceName: 'minio', host: 'minio.ns.svc.cluster.local', apiPort: 9000, consolePort: 9001 });
    const svc = find(objs, 'Service', 'minio');
    const dep = find(objs, 'Deployment', 'minio');
    expect(svc.spec.ports).toEqual([
      { name: 'https', port: 9000, targetPort: 9000 },
      { name: 'console', port: 9001, targetPort: 9001 },
    ]);
    expect(svc.spec.selector).toEqual(minio.podSelector);
    expect(dep.spec.selector.matchLabels).toEqual(minio.podSelector);
    expect(dep.spec.template.metadata.labels).toEqual(minio.podSelector);
    const c = container(podSpec(dep), 'minio');
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([9000, 9001]);
    expect(c.args).toEqual(expect.arrayContaining(['--address', ':9000', '--console-address', ':9001']));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 9000, scheme: 'HTTPS' });
    // One pod owns the ReadWriteOnce volume.
    expect(dep.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('reads its root credentials from a Secret in the S3 credentials layout', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio', { credentials: Credentials.literal('root', 'rootpassword') });
    const objs = synth(chart);
    expect(find(objs, 'Secret', 'minio-s3-credentials').stringData).toEqual({ accessKey: 'root', secretKey: 'rootpassword' });
    const env = envOf(container(podSpec(find(objs, 'Deployment', 'minio')), 'minio'));
    expect(env.MINIO_ROOT_USER.valueFrom.secretKeyRef).toEqual({ name: 'minio-s3-credentials', key: 'accessKey' });
    expect(env.MINIO_ROOT_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'minio-s3-credentials', key: 'secretKey' });
    expect(expectSecretRefsResolve(objs)).toHaveLength(2);
    expect(minio.credentials).toMatchObject({ secretName: 'minio-s3-credentials', usernameKey: 'accessKey', passwordKey: 'secretKey' });
  });

  it('labels the credentials Secret for the S3 credentials class', () => {
    const chart = namespacedChart();
    const credentialsClass = new S3CredentialsClass(chart, 'S3Class', { name: 'my-s3' });
    new MinioServer(chart, 'Minio', { credentialsClass });
    expect(find(synth(chart), 'Secret', 'minio-s3-credentials').metadata.labels).toEqual({ 'secrets.stackable.tech/class': 'my-s3' });
  });

  it('uses an existing Secret without creating one', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio', { credentials: Credentials.fromSecret('corp-s3', 'svc-user') });
    const objs = synth(chart);
    expect(ofKind(objs, 'Secret')).toEqual([]);
    const env = envOf(container(podSpec(find(objs, 'Deployment', 'minio')), 'minio'));
    expect(env.MINIO_ROOT_USER.valueFrom.secretKeyRef).toEqual({ name: 'corp-s3', key: 'accessKey' });
    expect(env.MINIO_ROOT_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'corp-s3', key: 'secretKey' });
    expect(minio.credentials.secretName).toBe('corp-s3');
  });

  it('gets its certificate from the secret-operator for its service scope', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio', { name: 's3', tlsSecretClass: 'corp-tls' });
    const pod = podSpec(find(synth(chart), 'Deployment', 's3'));
    const tls = pod.volumes.find((v: any) => v.name === 'tls').ephemeral.volumeClaimTemplate;
    expect(tls.spec.storageClassName).toBe('secrets.stackable.tech');
    expect(tls.metadata.annotations).toMatchObject({
      'secrets.stackable.tech/class': 'corp-tls',
      'secrets.stackable.tech/scope': 'service=s3',
      'secrets.stackable.tech/format': 'tls-pem',
    });
    expect(minio.tlsSecretClass).toBe('corp-tls');
    // The certificate files land where `--certs-dir` points.
    const c = container(pod, 'minio');
    const certsDir = c.args[c.args.indexOf('--certs-dir') + 1];
    const tlsMounts = c.volumeMounts.filter((m: any) => m.name === 'tls').map((m: any) => m.mountPath).sort();
    expect(tlsMounts).toEqual([`${certsDir}/private.key`, `${certsDir}/public.crt`]);
  });

  it('applies storage, image and resource overrides', () => {
    const chart = namespacedChart();
    new MinioServer(chart, 'Minio', {
      storageGi: 50, storageClassName: 'fast', image: 'registry.local/minio:1',
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryMi: 300, ephemeralStorageMi: 2048 },
    });
    const objs = synth(chart);
    const pvc = find(objs, 'PersistentVolumeClaim', 'minio-data');
    expect(pvc.spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '50Gi' } }, accessModes: ['ReadWriteOnce'] });
    const pod = podSpec(find(objs, 'Deployment', 'minio'));
    expect(pod.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('minio-data');
    const c = container(pod, 'minio');
    expect(c.image).toBe('registry.local/minio:1');
    expect(c.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '300Mi', 'ephemeral-storage': '2048Mi' },
      limits: { 'cpu': '200m', 'memory': '300Mi', 'ephemeral-storage': '2048Mi' },
    });
  });

  it('runs restricted: non-root pod, locked-down container, every mount backed by a volume', () => {
    const chart = namespacedChart();
    new MinioServer(chart, 'Minio');
    const pod = podSpec(find(synth(chart), 'Deployment', 'minio'));
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const c = container(pod, 'minio');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const volumes = pod.volumes.map((v: any) => v.name);
    for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    // Its scratch volumes fit in the container's ephemeral storage, requested as much as limited.
    const scratchMi = pod.volumes.filter((v: any) => v.emptyDir).reduce((n: number, v: any) => n + parseInt(v.emptyDir.sizeLimit, 10), 0);
    expect(c.resources.requests['ephemeral-storage']).toBe(c.resources.limits['ephemeral-storage']);
    expect(parseInt(c.resources.limits['ephemeral-storage'], 10)).toBeGreaterThan(scratchMi);
  });

  it('has no NetworkPolicy unless enabled', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio');
    minio.allowFrom({ podSelector: { app: 'client' } });
    expect(minio.networkPolicy).toBeUndefined();
    expect(ofKind(synth(chart), 'NetworkPolicy')).toEqual([]);
  });

  it('with a NetworkPolicy, admits exactly the clients allowed, on the S3 API port, and has no egress', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio', { networkPolicy: true });
    minio.allowFrom({ podSelector: { app: 'a' } });
    minio.allowFrom({ podSelector: { app: 'b' } });
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.podSelector.matchLabels).toEqual(minio.podSelector);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { app: 'a' } } }, { podSelector: { matchLabels: { app: 'b' } } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
    expect(np.spec.egress).toBeUndefined();
  });

  it('with a NetworkPolicy, lets a client reach the console when asked to', () => {
    const chart = namespacedChart();
    const minio = new MinioServer(chart, 'Minio', { networkPolicy: true });
    minio.allowFrom({ podSelector: { app: 'ingress' } }, [minio.apiPort, minio.consolePort]);
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'ingress' } } }], ports: [{ protocol: 'TCP', port: 9000 }, { protocol: 'TCP', port: 9001 }] }]);
  });

  it('with a NetworkPolicy but no client, fails synthesis', () => {
    const chart = namespacedChart();
    new MinioServer(chart, 'Minio', { networkPolicy: true });
    expect(() => synth(chart)).toThrow(/PodNetworkPolicy minio: no client was allowed/);
  });

  it('asks for a 7-day certificate, so that the single server restarts weekly for renewal, not daily', () => {
    const lifetime = (props: ConstructorParameters<typeof MinioServer>[2]) => {
      const chart = namespacedChart();
      new MinioServer(chart, 'Minio', props);
      const dep = Testing.synth(chart).find((o: any) => o.kind === 'Deployment');
      return dep.spec.template.spec.volumes.find((v: any) => v.name === 'tls').ephemeral.volumeClaimTemplate.metadata.annotations['secrets.stackable.tech/backend.autotls.cert.lifetime'];
    };
    expect(lifetime({})).toBe('7d');
    expect(lifetime({ certificateLifetimeDays: 15 })).toBe('15d');
  });

  it('runs without a CPU limit when the resources give none (as Stackable\'s MinIO stacks do)', () => {
    const chart = namespacedChart();
    new MinioServer(chart, 'Minio', { resources: { cpuRequestMillis: 500, memoryMi: 1024 } });
    const c = container(podSpec(find(synth(chart), 'Deployment', 'minio')), 'minio');
    expect(c.resources).toEqual({
      requests: { 'cpu': '500m', 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
    });
  });

  describe('with a listenerClass', () => {
    function exposed(listenerClass: 'external-unstable' | 'cluster-internal', networkPolicy = false) {
      const chart = namespacedChart('ns');
      const minio = new MinioServer(chart, 'Minio', { listenerClass, networkPolicy });
      if (networkPolicy) minio.allowFrom({ podSelector: { app: 'client' } });
      return { minio, objs: synth(chart) };
    }

    it('creates a Listener of that class for both ports, named apart from its own Service', () => {
      const { minio, objs } = exposed('external-unstable');
      const listener = find(objs, 'Listener', 'minio-listener');
      expect(listener.apiVersion).toBe('listeners.stackable.tech/v1alpha1');
      expect(listener.spec).toEqual({
        className: 'external-unstable',
        ports: [{ name: 'https', port: 9000, protocol: 'TCP' }, { name: 'console', port: 9001, protocol: 'TCP' }],
      });
      expect(minio.listener?.name).toBe('minio-listener');
      expect(minio.listenerClass).toBe('external-unstable');
      // The in-cluster Service and host stay.
      expect(find(objs, 'Service', 'minio').spec.type).toBeUndefined();
      expect(minio.host).toBe('minio.ns.svc.cluster.local');
    });

    it('mounts the Listener as a listener volume and adds its addresses to the certificate', () => {
      const { minio, objs } = exposed('external-unstable');
      const spec = podSpec(find(objs, 'Deployment', 'minio'));
      const volume = spec.volumes.find((v: any) => v.name === 'listener');
      expect(volume.ephemeral.volumeClaimTemplate).toEqual({
        metadata: { annotations: { 'listeners.stackable.tech/listener-name': 'minio-listener' } },
        spec: { storageClassName: 'listeners.stackable.tech', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1' } } },
      });
      expect(container(spec, 'minio').volumeMounts).toContainEqual({ name: 'listener', mountPath: '/stackable/listener', readOnly: true });
      const tls = spec.volumes.find((v: any) => v.name === 'tls');
      expect(tls.ephemeral.volumeClaimTemplate.metadata.annotations['secrets.stackable.tech/scope']).toBe('service=minio,listener-volume=listener');
      expect(minio.tlsScopes.map(String)).toEqual(['service=minio', 'listener-volume=listener']);
    });

    it('with a NetworkPolicy, admits anyone on the API and console ports (external clients have no pod labels)', () => {
      const np = find(exposed('external-unstable', true).objs, 'NetworkPolicy', 'minio');
      expect(np.spec.ingress).toEqual([
        { ports: [{ protocol: 'TCP', port: 9000 }, { protocol: 'TCP', port: 9001 }] },
        { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ]);
    });

    it('is not there by default: no Listener, no listener volume, the service scope only', () => {
      const chart = namespacedChart();
      const minio = new MinioServer(chart, 'Minio');
      const objs = synth(chart);
      expect(ofKind(objs, 'Listener')).toEqual([]);
      expect(minio.listener).toBeUndefined();
      expect(podSpec(find(objs, 'Deployment', 'minio')).volumes.map((v: any) => v.name)).not.toContain('listener');
      expect(minio.tlsScopes.map(String)).toEqual(['service=minio']);
    });
  });

  describe('rejects bad props', () => {
    const build = (props: ConstructorParameters<typeof MinioServer>[2]) => () => new MinioServer(namespacedChart(), 'Minio', props);

    it('a chart without a namespace (its host name derives from it)', () => {
      expect(() => new MinioServer(Testing.chart(), 'Minio')).toThrow(/^MinioServer test\/Minio: the chart "test" has no namespace/);
    });

    it('a name that is not a DNS label', () => {
      expect(build({ name: 'My_Minio' })).toThrow(/MinioServer Minio: name "My_Minio" is not a valid name/);
    });
    it('a certificate lifetime the default tls SecretClass does not issue', () => {
      expect(build({ certificateLifetimeDays: 30 })).toThrow(/MinioServer Minio: certificateLifetimeDays 30 must be an integer between 1 and 15/);
      expect(build({ certificateLifetimeDays: 0 })).toThrow(/MinioServer Minio: certificateLifetimeDays 0 must be an integer between 1 and 15/);
    });
    it('a non-integer storageGi', () => {
      expect(build({ storageGi: 1.5 })).toThrow(/MinioServer Minio: storageGi 1\.5 must be an integer >= 1/);
    });
    it('a zero storageGi', () => {
      expect(build({ storageGi: 0 })).toThrow(/MinioServer Minio: storageGi 0 must be an integer >= 1/);
    });
    it('a password shorter than 8 characters, without echoing it', () => {
      expect(build({ credentials: Credentials.literal('admin', 'short') })).toThrow(/MinioServer Minio: credentials\.password "\*{5}" must be at least 8 characters/);
    });
    it('a password that is not URL-safe, without echoing it', () => {
      const f = build({ credentials: Credentials.literal('admin', 'p@ss:word/1') });
      expect(f).toThrow(/MinioServer Minio: credentials\.password "\*{11}" must be at least 8 characters of A-Z a-z 0-9/);
      expect(f).not.toThrow(/p@ss/);
    });
    it('a user name that is not URL-safe, also from an existing Secret', () => {
      expect(build({ credentials: Credentials.fromSecret('s3', 'user@corp') })).toThrow(/MinioServer Minio: credentials\.username "\*{9}" must be at least 3 characters/);
    });
    it('a listener class the listener-operator does not create', () => {
      expect(build({ listenerClass: 'public' as any })).toThrow(/MinioServer Minio: listenerClass "public"/);
    });
    it('Stackable-form resources with cpu.max below cpu.min, naming the fields as written', () => {
      expect(build({ resources: { cpu: { min: '2', max: '500m' }, memory: { limit: '1Gi' } } }))
        .toThrow('MinioServer Minio: resources.cpu.max "500m" must be >= cpu.min "2"');
    });
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 500, cpuLimitMillis: 250, memoryMi: 512 } }))
        .toThrow(/MinioServer Minio: resources\.cpuLimitMillis 250 must be an integer >= 500/);
    });
    // The SecretClass name goes into the volume annotation and the S3Connection; TlsTrustStore
    // validates the same value, MinioServer does not (a bad one leaves the pod waiting for its volume).
    it('a TLS SecretClass name that is not an object name', () => {
      expect(build({ tlsSecretClass: 'Corp TLS' })).toThrow(/MinioServer Minio: tlsSecretClass "Corp TLS" is not a valid object name/);
    });
  });
});
