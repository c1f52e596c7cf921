/**
 * Tests of constructs/core/network.ts: an IngressPolicy admits exactly the registered clients on
 * the given ports, and refuses to synthesize without any client.
 * Run: npx jest test/core
 */
import { Testing } from 'cdk8s';
import { IngressPolicy } from '../../constructs/core';
import { find, synth } from '../util';

const server = { podSelector: { app: 'db' } };
const a = { podSelector: { app: 'a' } };
const b = { podSelector: { app: 'b' } };

describe('IngressPolicy', () => {
  it('selects the server, allows the clients added (once each) on the ports', () => {
    const chart = Testing.chart();
    const policy = new IngressPolicy(chart, 'Policy', { name: 'db', target: server, ports: [5432, 8080] });
    policy.allowFrom(a);
    policy.allowFrom(b);
    policy.allowFrom(a);
    const np = find(synth(chart), 'NetworkPolicy', 'db');
    expect(np.spec.podSelector).toEqual({ matchLabels: { app: 'db' } });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { app: 'a' } } }, { podSelector: { matchLabels: { app: 'b' } } }],
      ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 8080 }],
    }]);
  });

  it('fails synthesis when no client was allowed', () => {
    const chart = Testing.chart();
    new IngressPolicy(chart, 'Policy', { name: 'db', target: server, ports: [5432] });
    expect(() => synth(chart)).toThrow(/IngressPolicy db: no client was allowed/);
  });
});
