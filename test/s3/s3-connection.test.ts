/**
 * Tests of constructs/s3/s3-connection.ts: the S3Connection resource and S3Ref.
 * Run: npx jest test/s3
 */
import { MinioServer } from '../../constructs/minio';
import { IS3ConnectionRef, S3Connection, S3CredentialsClass, S3Ref } from '../../constructs/s3';
import { find, namespacedChart, synth } from '../util';

const endpoint = { host: 'minio.ns.svc.cluster.local', apiPort: 9000, tlsSecretClass: 'tls' };

describe('S3Connection', () => {
  it('describes a path-style TLS endpoint with a credentials SecretClass', () => {
    const chart = namespacedChart('ns');
    const credentialsClass = new S3CredentialsClass(chart, 'Class');
    const conn = new S3Connection(chart, 'S3', { endpoint, credentialsClass });
    const obj = find(synth(chart), 'S3Connection', 'minio');
    expect(conn.name).toBe('minio');
    expect(obj.apiVersion).toMatch(/^s3\.stackable\.tech\//);
    expect(obj.metadata.namespace).toBe('ns');
    expect(obj.spec).toEqual({
      host: 'minio.ns.svc.cluster.local',
      port: 9000,
      accessStyle: 'Path',
      credentials: { secretClass: 'ns-s3-credentials-class' },
      tls: { verification: { server: { caCert: { secretClass: 'tls' } } } },
    });
  });

  it('takes a custom name and SecretClass names', () => {
    const chart = namespacedChart();
    const credentialsClass = new S3CredentialsClass(chart, 'Class', { name: 'corp-s3' });
    new S3Connection(chart, 'S3', { name: 'object-store', endpoint: { ...endpoint, tlsSecretClass: 'corp-tls' }, credentialsClass });
    const spec = find(synth(chart), 'S3Connection', 'object-store').spec;
    expect(spec.credentials.secretClass).toBe('corp-s3');
    expect(spec.tls.verification.server.caCert.secretClass).toBe('corp-tls');
  });

  it('takes the credentials class from a MinIO server, and refuses another one or none, naming both sides', () => {
    const chart = namespacedChart();
    const credentialsClass = new S3CredentialsClass(chart, 'Class');
    const labelled = new MinioServer(chart, 'Minio', { credentialsClass });
    expect(new S3Connection(chart, 'S3', { endpoint: labelled }).credentialsClass).toBe(credentialsClass);
    const other = new S3CredentialsClass(chart, 'Other', { name: 'other-class' });
    expect(() => new S3Connection(chart, 'S3b', { name: 'b', endpoint: labelled, credentialsClass: other }))
      .toThrow(/^S3Connection S3b: credentialsClass "other-class" \(test\/Other\) is not the class the endpoint's credentials are labelled for, "ns-s3-credentials-class" \(test\/Class\)/);
    const unlabelled = new MinioServer(chart, 'Minio2', { name: 'minio2' });
    expect(() => new S3Connection(chart, 'S3c', { name: 'c', endpoint: unlabelled, credentialsClass }))
      .toThrow(/^S3Connection S3c: the endpoint test\/Minio2 labels its credentials for no S3CredentialsClass/);
    expect(() => new S3Connection(chart, 'S3d', { name: 'd', endpoint: unlabelled }))
      .toThrow(/^S3Connection S3d: credentialsClass is missing/);
  });

  it('rejects a name that is not an object name', () => {
    const chart = namespacedChart();
    const credentialsClass = new S3CredentialsClass(chart, 'Class');
    expect(() => new S3Connection(chart, 'S3', { name: 'My S3', endpoint, credentialsClass })).toThrow(/S3Connection S3: name "My S3" is not a valid object name/);
  });
});

describe('S3Ref', () => {
  it('references a connection of the chart or one by name', () => {
    const chart = namespacedChart();
    const conn = new S3Connection(chart, 'S3', { name: 'store', endpoint, credentialsClass: new S3CredentialsClass(chart, 'Class') });
    expect(S3Ref.reference(conn).toSpec()).toEqual({ reference: 'store' });
    expect(S3Ref.fromConnectionName('shared-s3').toSpec()).toEqual({ reference: 'shared-s3' });
    expect(S3Ref.fromConnectionName('shared-s3').connectionName).toBe('shared-s3');
  });

  it('is not needed for a connection of the chart: the S3Connection is a reference itself', () => {
    const chart = namespacedChart();
    const conn: IS3ConnectionRef = new S3Connection(chart, 'S3', { name: 'store', endpoint, credentialsClass: new S3CredentialsClass(chart, 'Class') });
    expect(conn.toSpec()).toEqual(S3Ref.reference(conn as S3Connection).toSpec());
    expect(conn.connectionName).toBe('store');
  });

  it('rejects a bad connection name', () => {
    expect(() => S3Ref.fromConnectionName('Shared_S3')).toThrow(/S3Ref\.fromConnectionName: name "Shared_S3" is not a valid object name/);
  });
});
