/**
 * Tests of constructs/minio/minio-buckets.ts: the bucket bootstrap Job, its NetworkPolicy and its
 * prop validation.
 * Run: npx jest test/minio
 */
import { Credentials } from '../../constructs/core';
import { MinioBuckets, MinioServer, MinioUser } from '../../constructs/minio';
import { S3Connection, S3CredentialsClass } from '../../constructs/s3';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { allContainers, container, dnsEgressRules, envValue, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';

function setup(minioProps: ConstructorParameters<typeof MinioServer>[2] = {}) {
  const chart = namespacedChart();
  const trust = new TlsTrustStore(chart, 'Trust');
  const minio = new MinioServer(chart, 'Minio', minioProps);
  return { chart, trust, minio };
}

describe('MinioBuckets', () => {
  it('creates its buckets in a Job named after the server', () => {
    const { chart, trust, minio } = setup({ name: 's3' });
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', 'prediction'] });
    expect(buckets.buckets).toEqual(['demo', 'prediction']);
    const objs = synth(chart);
    const job = find(objs, 'Job', 's3-buckets');
    const c = container(podSpec(job), 'create-buckets');
    expect(envValue(c, 'BUCKETS')).toBe('demo prediction');
    expect(envValue(c, 'WAIT_SECONDS')).toBe('900');
    expect(c.command[2]).toContain('mc mb --ignore-existing');
    expect(envValue(c, 'MC_HOST_minio')).toContain('@s3.ns.svc.cluster.local:9000');
    expectSecretRefsResolve(objs, job);
  });

  it('applies bucket list, name, wait time and image overrides', () => {
    const { chart, trust, minio } = setup();
    new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['raw-data', 'out'], name: 'init-buckets', waitSeconds: 60, image: 'registry.local/mc:2' });
    const c = container(podSpec(find(synth(chart), 'Job', 'init-buckets')), 'create-buckets');
    expect(envValue(c, 'BUCKETS')).toBe('raw-data out');
    expect(envValue(c, 'WAIT_SECONDS')).toBe('60');
    expect(c.image).toBe('registry.local/mc:2');
  });

  it('runs restricted, with resources, and mounts only volumes of its pod', () => {
    const { chart, trust, minio } = setup();
    new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'] });
    const job = find(synth(chart), 'Job', 'minio-buckets');
    const pod = podSpec(job);
    expect(job.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'minio-buckets', 'app.kubernetes.io/instance': 'minio-buckets' });
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const volumes = pod.volumes.map((v: any) => v.name);
    expect(pod.volumes.find((v: any) => v.name === 'tls-trust').configMap.name).toBe('tls-ca');
    for (const c of allContainers(pod)) {
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
      for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    }
  });

  it('registers itself as a client of a MinIO NetworkPolicy', () => {
    const { chart, trust, minio } = setup({ networkPolicy: true });
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'] });
    const np = find(synth(chart), 'NetworkPolicy', 'minio');
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: buckets.podSelector } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
  });

  it('with a NetworkPolicy, accepts no connection and reaches only MinIO\'s S3 API and DNS', () => {
    const { chart, trust, minio } = setup({ name: 's3' });
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'], networkPolicy: true });
    const objs = synth(chart);
    expect(ofKind(objs, 'NetworkPolicy').map(o => o.metadata.name)).toEqual(['s3-buckets']);
    const np = find(objs, 'NetworkPolicy', 's3-buckets');
    expect(np.spec.podSelector.matchLabels).toEqual(buckets.podSelector);
    expect(np.spec.podSelector.matchLabels).toEqual(find(objs, 'Job', 's3-buckets').spec.template.metadata.labels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: minio.podSelector } }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ...dnsEgressRules(),
    ]);
  });

  it('sets anonymous access per bucket with mc anonymous set, only for buckets with a policy', () => {
    const { chart, trust, minio } = setup();
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['private', { name: 'lakehouse', policy: 'public' }, { name: 'drop', policy: 'upload' }, { name: 'closed', policy: 'none' }] });
    expect(buckets.buckets).toEqual(['private', 'lakehouse', 'drop', 'closed']);
    expect(buckets.policies).toEqual({ lakehouse: 'public', drop: 'upload', closed: 'none' });
    const c = container(podSpec(find(synth(chart), 'Job', 'minio-buckets')), 'create-buckets');
    expect(envValue(c, 'BUCKETS')).toBe('private lakehouse drop closed');
    expect(envValue(c, 'BUCKET_POLICIES')).toBe('lakehouse=public drop=upload closed=none');
    expect(c.command[2]).toContain('mc anonymous set "${entry#*=}" "minio/${entry%%=*}"');
  });

  it('without policies, writes no policy step (the Job stays as it was)', () => {
    const { chart, trust, minio } = setup();
    new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', { name: 'other' }] });
    const c = container(podSpec(find(synth(chart), 'Job', 'minio-buckets')), 'create-buckets');
    expect(c.command[2]).not.toContain('anonymous');
    expect(c.env.map((e: any) => e.name)).not.toContain('BUCKET_POLICIES');
  });

  describe('rejects bad props', () => {
    const build = (props: Partial<ConstructorParameters<typeof MinioBuckets>[2]>) => () => {
      const { chart, trust, minio } = setup();
      return new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo'], ...props });
    };
    it('trust in another SecretClass than the one issuing MinIO\'s certificate, naming both', () => {
      const { chart, minio } = setup();
      const other = new TlsTrustStore(chart, 'OtherTrust', { name: 'other-ca', secretClass: 'other' });
      expect(() => new MinioBuckets(chart, 'Buckets', { minio, trust: other, buckets: ['demo'] }))
        .toThrow(/^MinioBuckets Buckets: trust \(test\/OtherTrust\) holds the CA of SecretClass "other", but the certificate of test\/Minio is issued by "tls"/);
    });
    it('a policy mc anonymous set does not know', () => {
      const { chart, trust, minio } = setup();
      expect(() => new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', { name: 'open', policy: 'readwrite' as any }] }))
        .toThrow(/MinioBuckets Buckets: buckets\[1\]\.policy "readwrite"/);
    });
    it('a bucket listed twice', () => {
      const { chart, trust, minio } = setup();
      expect(() => new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['demo', { name: 'demo', policy: 'public' }] }))
        .toThrow(/MinioBuckets Buckets: buckets\[1\] "demo" is listed twice/);
    });
    it('an empty bucket list', () => {
      expect(build({ buckets: [] })).toThrow(/MinioBuckets Buckets: buckets must list at least one bucket/);
    });
    it('a bucket name with upper-case letters', () => {
      expect(build({ buckets: ['demo', 'Prediction'] })).toThrow(/MinioBuckets Buckets: buckets\[1\] "Prediction" is not a valid name/);
    });
    it('a bucket name shorter than 3 characters', () => {
      expect(build({ buckets: ['ab'] })).toThrow(/MinioBuckets Buckets: buckets\[0\] "ab" must have at least 3 characters/);
    });
    it('a Job name that is not a DNS label', () => {
      expect(build({ name: 'Create Buckets' })).toThrow(/MinioBuckets Buckets: name "Create Buckets" is not a valid name/);
    });
    it('a zero waitSeconds', () => {
      expect(build({ waitSeconds: 0 })).toThrow(/MinioBuckets Buckets: waitSeconds 0 must be an integer >= 1/);
    });
  });
});

describe('MinioBuckets.location', () => {
  it('is a location below a bucket the Job creates, whose wait container blocks until the bucket exists', () => {
    const { chart, trust, minio } = setup({ networkPolicy: true });
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['lake', { name: 'public-lake', policy: 'public' }], image: 'registry.local/mc:2' });
    const at = buckets.location('public-lake', 'tables/tpch/');
    expect([at.bucket, at.prefix, at.s3aUrl]).toEqual(['public-lake', 'tables/tpch/', 's3a://public-lake/tables/tpch/']);
    expect(buckets.location('lake').s3aUrl).toBe('s3a://lake/');
    const wait = at.waitForDataContainer();
    expect(wait.name).toBe('wait-for-bucket');
    expect(wait.image).toBe('registry.local/mc:2');
    expect(envValue(wait, 'BUCKET')).toBe('minio/public-lake');
    expect(wait.command).toEqual(['/bin/sh', '-c', expect.stringContaining('until mc stat "$BUCKET"')]);
    expect(at.waitForDataVolumes()).toEqual([trust.volume(), expect.objectContaining({ name: 'mc-tmp' })]);
  });

  it('refuses a bucket it does not create and a malformed prefix, naming the argument', () => {
    const { chart, trust, minio } = setup();
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['lake'] });
    expect(() => buckets.location('other')).toThrow('MinioBuckets Buckets: location(bucket) "other" is not created by the bucket bootstrap: use one of "lake"');
    expect(() => buckets.location('lake', 'tpch')).toThrow(/location\(prefix\) "tpch" must be '' or a key prefix like "tpch\/"/);
    expect(() => buckets.location('lake', '/tpch/')).toThrow(/location\(prefix\)/);
  });
});

describe('MinioBuckets.objectsUnder', () => {
  it('waits until an object exists below the prefix of a bucket the Job creates', () => {
    const { chart, trust, minio } = setup({ networkPolicy: true });
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['lake'], image: 'registry.local/mc:2' });
    const at = buckets.objectsUnder('lake', 'smart-city/stations/metadata/');
    expect([at.bucket, at.prefix, at.s3aUrl]).toEqual(['lake', 'smart-city/stations/metadata/', 's3a://lake/smart-city/stations/metadata/']);
    const wait = at.waitForDataContainer();
    expect(wait.name).toBe('wait-for-objects');
    expect(wait.image).toBe('registry.local/mc:2');
    expect(envValue(wait, 'PREFIX')).toBe('minio/lake/smart-city/stations/metadata/');
    expect(wait.command).toEqual(['/bin/sh', '-c', expect.stringContaining('until [ -n "$(mc ls --recursive "$PREFIX" 2>/dev/null)" ]')]);
    expect(at.waitForDataVolumes()).toEqual([trust.volume(), expect.objectContaining({ name: 'mc-tmp' })]);
  });

  it('refuses a bucket it does not create and a prefix that is not one, naming the argument', () => {
    const { chart, trust, minio } = setup();
    const buckets = new MinioBuckets(chart, 'Buckets', { minio, trust, buckets: ['lake'] });
    expect(() => buckets.objectsUnder('other', 'a/')).toThrow('MinioBuckets Buckets: objectsUnder(bucket) "other" is not created by the bucket bootstrap: use one of "lake"');
    for (const prefix of ['', 'a', '/a/', 'a//']) {
      expect(() => buckets.objectsUnder('lake', prefix)).toThrow(`MinioBuckets Buckets: objectsUnder(prefix) "${prefix}" must be a key prefix like "schema/table/metadata/"`);
    }
  });
});

describe('MinioBuckets users', () => {
  function withUser(user: Record<string, MinioUser> = {}) {
    const { chart, trust, minio } = setup();
    const credentialsClass = new S3CredentialsClass(chart, 'S3Credentials');
    const buckets = new MinioBuckets(chart, 'Buckets', {
      minio, trust, buckets: ['demo', 'prediction', 'other'],
      users: { lakehouse: { credentials: Credentials.literal('lakehouse', 'lakehouse-key'), access: { demo: 'readwrite', prediction: 'read' }, credentialsClass }, ...user },
    });
    return { chart, buckets, credentialsClass, minio };
  }

  it('writes each user into a Secret labelled for its class and creates it in the Job, the secret key on stdin', () => {
    const { chart, buckets, credentialsClass } = withUser();
    const objs = synth(chart);
    const secret = find(objs, 'Secret', 'minio-lakehouse-s3-credentials');
    expect(secret.stringData).toEqual({ accessKey: 'lakehouse', secretKey: 'lakehouse-key' });
    expect(secret.metadata.labels).toEqual(credentialsClass.secretLabels);
    expect(buckets.users.lakehouse.secretName).toBe('minio-lakehouse-s3-credentials');
    const c = container(podSpec(find(objs, 'Job', 'minio-buckets')), 'create-buckets');
    const script = c.command[2];
    expect(script).toContain('printf \'%s\\n\' "$USER_0_SECRET_KEY" | mc admin user add minio "$USER_0_ACCESS_KEY"');
    expect(script).toContain('mc admin policy create minio lakehouse /dev/stdin');
    expect(script).toContain('mc admin policy attach minio lakehouse --user "$USER_0_ACCESS_KEY"');
    expect(script).not.toContain('lakehouse-key');
    const env = c.env.find((e: any) => e.name === 'USER_0_SECRET_KEY');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'minio-lakehouse-s3-credentials', key: 'secretKey' });
    expect(JSON.parse(envValue(c, 'USER_0_POLICY'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: ['arn:aws:s3:::demo'] },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: ['arn:aws:s3:::demo/*'] },
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::prediction'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::prediction/*'] },
      ],
    });
    expectSecretRefsResolve(objs, find(objs, 'Job', 'minio-buckets'));
  });

  it('gives an S3 endpoint with the user\'s class, which an S3Connection accepts', () => {
    const { chart, buckets, credentialsClass, minio } = withUser();
    const endpoint = buckets.endpointFor('lakehouse');
    expect(endpoint).toEqual({ host: minio.host, apiPort: minio.apiPort, tlsSecretClass: minio.tlsSecretClass, credentialsClass });
    const connection = new S3Connection(chart, 'S3', { endpoint });
    expect(connection.credentialsClass).toBe(credentialsClass);
    expect(() => buckets.endpointFor('nobody')).toThrow('MinioBuckets Buckets: endpointFor(user) "nobody" is not one of the users ("lakehouse")');
  });

  it('refuses a user without a class as an endpoint, an unknown bucket, an unknown access, the root user\'s name and unsafe keys', () => {
    const noClass = withUser({ reader: { credentials: Credentials.literal('reader', 'reader-key'), access: { demo: 'read' } } });
    expect(() => noClass.buckets.endpointFor('reader')).toThrow('users.reader has no credentialsClass');
    expect(() => withUser({ x: { credentials: Credentials.literal('xuser', 'x-secret-key'), access: { lake: 'read' } } }))
      .toThrow('users.x.access bucket "lake" is not created by the bucket bootstrap: use one of "demo", "prediction", "other"');
    expect(() => withUser({ x: { credentials: Credentials.literal('xuser', 'x-secret-key'), access: { demo: 'write' as any } } }))
      .toThrow(/users\.x\.access\.demo.*"read", "readwrite"/);
    expect(() => withUser({ x: { credentials: Credentials.literal('xuser', 'x-secret-key'), access: {} } })).toThrow('users.x.access must name at least one bucket');
    expect(() => withUser({ x: { credentials: Credentials.literal('admin', 'x-secret-key'), access: { demo: 'read' } } }))
      .toThrow('users.x.credentials.username "admin" is MinIO\'s root user');
    expect(() => withUser({ x: { credentials: Credentials.literal('xuser', 'short'), access: { demo: 'read' } } }))
      .toThrow(/users\.x\.credentials\.password.*at least 8 characters/);
    expect(() => withUser({ Bad_Name: { credentials: Credentials.literal('xuser', 'x-secret-key'), access: { demo: 'read' } } })).toThrow(/users key "Bad_Name"/);
  });
});
