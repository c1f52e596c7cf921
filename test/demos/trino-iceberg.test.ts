/**
 * Tests of the example app demos/trino-iceberg: who holds which MinIO credentials, in its committed
 * dist/ (which the manifests suite keeps equal to a fresh synthesis) and from its props. Its Jobs
 * and products run for real in the e2e suite (test/demos/trino-iceberg/).
 * Run: npx jest test/demos/trino-iceberg
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs';
import { TrinoIcebergChart } from '../../demos/trino-iceberg/iceberg-chart';
import { parseManifests } from '../../scripts/lib/manifests';
import { collect, container, envOf, envValue, find, K8sObject, ofKind, podSpec, s3ConnectionSecret, secretKeyRefHolders, synth } from '../util';

const DIST = path.join(__dirname, '..', '..', 'demos', 'trino-iceberg', 'dist', 'trino-iceberg.k8s.yaml');
const objs = parseManifests(fs.readFileSync(DIST, 'utf8')) as unknown as K8sObject[];

describe('trino-iceberg: S3 credentials', () => {
  it('gives Hive and Trino the MinIO user lakehouse, not MinIO\'s root user', () => {
    expect(find(objs, 'HiveCluster', 'hive-iceberg').spec.clusterConfig.s3).toEqual({ reference: 'minio' });
    expect(find(objs, 'TrinoCatalog', 'lakehouse').spec.connector.iceberg.s3).toEqual({ reference: 'minio' });
    const products = s3ConnectionSecret(objs, 'minio');
    expect(products.metadata.name).toBe('minio-lakehouse-s3-credentials');
    expect(products.stringData).toEqual({ accessKey: 'lakehouse', secretKey: 'lakehouse-secret-key' });
    const root = envOf(container(podSpec(find(objs, 'Deployment', 'minio')), 'minio')).MINIO_ROOT_USER.valueFrom.secretKeyRef.name;
    expect(root).toBe('minio-s3-credentials');
    expect(find(objs, 'Secret', root).metadata.labels).toBeUndefined();
  });

  it('hands MinIO\'s root user to MinIO, the bucket Job and the table Job\'s wait for the bucket only', () => {
    const holders = secretKeyRefHolders(objs, 'minio-s3-credentials');
    expect(holders).toEqual(['Deployment/minio', 'Job/minio-buckets', 'Job/create-tpch-tables']);
    // The table Job: only its init container (mc stat of the bucket); the Trino CLI has the Trino admin.
    const sql = podSpec(find(objs, 'Job', 'create-tpch-tables'));
    expect(collect(sql.containers, 'secretKeyRef').map(r => r.name)).not.toContain('minio-s3-credentials');
  });

  it('lets the user read and write bucket lakehouse and nothing else, and keeps the stack\'s anonymous access to it', () => {
    const job = container(podSpec(find(objs, 'Job', 'minio-buckets')), 'create-buckets');
    expect(envOf(job).USER_0_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({ name: 'minio-lakehouse-s3-credentials', key: 'accessKey' });
    expect(JSON.parse(envValue(job, 'USER_0_POLICY'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: ['arn:aws:s3:::lakehouse'] },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: ['arn:aws:s3:::lakehouse/*'] },
      ],
    });
    expect(job.command[2]).toContain('mc admin policy attach minio lakehouse --user "$USER_0_ACCESS_KEY"');
    // stacks/trino-iceberg: the bucket is public (`mc anonymous set public`), whatever user the products have.
    expect(envValue(job, 'BUCKET_POLICIES')).toBe('lakehouse=public');
  });

  it('takes the user\'s credentials from the props, a literal or an existing Secret', () => {
    const literal = synth(new TrinoIcebergChart(Testing.app(), 'trino-iceberg', { lakehouse: Credentials.literal('iceberg', 'iceberg-secret-key') }));
    expect(s3ConnectionSecret(literal, 'minio').stringData).toEqual({ accessKey: 'iceberg', secretKey: 'iceberg-secret-key' });
    const existing = synth(new TrinoIcebergChart(Testing.app(), 'trino-iceberg', { lakehouse: Credentials.fromSecret('corp-lakehouse', 'svc-lakehouse') }));
    expect(ofKind(existing, 'Secret').map(s => s.metadata.name)).not.toContain('minio-lakehouse-s3-credentials');
    const job = container(podSpec(find(existing, 'Job', 'minio-buckets')), 'create-buckets');
    expect(envOf(job).USER_0_SECRET_KEY.valueFrom.secretKeyRef).toEqual({ name: 'corp-lakehouse', key: 'secretKey' });
    expect(() => new TrinoIcebergChart(Testing.app(), 'trino-iceberg', { lakehouse: Credentials.literal('admin', 'lakehouse-secret-key') }))
      .toThrow('users.lakehouse.credentials.username "admin" is MinIO\'s root user');
  });
});
