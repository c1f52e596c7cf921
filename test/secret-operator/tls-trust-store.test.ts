/**
 * Tests of constructs/secret-operator/tls-trust-store.ts: the TrustStore that publishes a
 * SecretClass CA into a ConfigMap, and the volume and mount that put it at `caFile`.
 * Run: npx jest test/secret-operator
 */
import { Testing } from 'cdk8s';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { find, namespacedChart, synth } from '../util';

describe('TlsTrustStore', () => {
  it('asks the secret-operator for the tls CA in a ConfigMap of the same name', () => {
    const chart = namespacedChart('ns');
    const trust = new TlsTrustStore(chart, 'Trust');
    const obj = find(synth(chart), 'TrustStore', 'tls-ca');
    expect(obj.apiVersion).toMatch(/^secrets\.stackable\.tech\//);
    expect(obj.metadata.namespace).toBe('ns');
    expect(obj.spec).toEqual({ secretClassName: 'tls', format: 'tls-pem', targetKind: 'ConfigMap' });
    expect(trust).toMatchObject({ configMapName: 'tls-ca', secretClass: 'tls' });
  });

  it('mounts the ConfigMap so that the CA is at caFile', () => {
    const trust = new TlsTrustStore(Testing.chart(), 'Trust', { name: 'corp-ca', secretClass: 'corp-tls' });
    const volume = trust.volume();
    const mount = trust.volumeMount();
    expect(volume).toEqual({ name: 'tls-trust', configMap: { name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expect(mount).toMatchObject({ name: volume.name, readOnly: true });
    expect(`${mount.mountPath}/${volume.configMap!.items![0].path}`).toBe(trust.caFile);
    expect(trust.volume('other').name).toBe('other');
    expect(trust.volumeMount('other').name).toBe('other');
  });

  it('rejects bad names', () => {
    expect(() => new TlsTrustStore(Testing.chart(), 'Trust', { name: 'CA' })).toThrow(/TlsTrustStore: name "CA" is not a valid object name/);
    expect(() => new TlsTrustStore(Testing.chart(), 'Trust', { secretClass: 'tls class' })).toThrow(/TlsTrustStore: secretClass "tls class" is not a valid object name/);
  });
});
