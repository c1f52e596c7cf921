/**
 * Tests of constructs/core/network.ts: a PodNetworkPolicy always restricts both directions, admits
 * exactly the clients and destinations allowed (grouped by port set, each once), and a server
 * policy refuses to synthesize without any client.
 * Run: npx jest test/core
 */
import { Testing } from 'cdk8s';
import { PodNetworkPolicy } from '../../constructs/core';
import { find, synth } from '../util';

const server = { podSelector: { app: 'db' } };
const a = { podSelector: { app: 'a' } };
const b = { podSelector: { app: 'b' } };
const peer = (labels: Record<string, string>) => ({ podSelector: { matchLabels: labels } });
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: 'TCP', port }));

function policy(props: Partial<ConstructorParameters<typeof PodNetworkPolicy>[2]> = {}) {
  const chart = Testing.chart();
  const p = new PodNetworkPolicy(chart, 'Policy', { name: 'db', target: server, ...props });
  return { chart, p, np: () => find(synth(chart), 'NetworkPolicy', 'db') };
}

describe('PodNetworkPolicy', () => {
  it('with nothing allowed, selects the target and denies all ingress and egress', () => {
    const { np } = policy();
    // Empty rule lists are left out: the API server would store them as absent, and client-side apply would resend them.
    expect(np().spec).toEqual({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress', 'Egress'] });
  });

  it('allows clients in on their ports: one rule per port set, each client once', () => {
    const { p, np } = policy({ requireClients: true });
    p.allowFrom(a, [5432, 8080]);
    p.allowFrom(b, [5432, 8080]);
    p.allowFrom(a, [5432, 8080]);
    p.allowFrom(b, [9090]);
    expect(np().spec.ingress).toEqual([
      { from: [peer({ app: 'a' }), peer({ app: 'b' })], ports: tcp(5432, 8080) },
      { from: [peer({ app: 'b' })], ports: tcp(9090) },
    ]);
    expect(np().spec.egress).toBeUndefined();
  });

  it('allows egress to servers, the cluster DNS and the internet, and no ingress', () => {
    const { p, np } = policy();
    p.allowTo(a, [9000]);
    p.allowDns();
    p.allowDns();
    p.allowInternet([443, 80, 443]);
    const spec = np().spec;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress).toBeUndefined();
    expect(spec.egress).toEqual([
      { to: [peer({ app: 'a' })], ports: tcp(9000) },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: tcp(443, 80) },
    ]);
  });

  it('a server policy fails synthesis when no client was allowed; a client policy does not', () => {
    expect(() => synth(policy({ requireClients: true }).chart)).toThrow(/PodNetworkPolicy db: no client was allowed; the server would be unreachable/);
    expect(() => synth(policy().chart)).not.toThrow();
  });

  it('refuses an empty port list (which would mean every port) and invalid ports', () => {
    const { p } = policy();
    expect(() => p.allowFrom(a, [])).toThrow(/PodNetworkPolicy db: allowFrom needs at least one port/);
    expect(() => p.allowTo(a, [])).toThrow(/PodNetworkPolicy db: allowTo needs at least one port/);
    expect(() => p.allowInternet([])).toThrow(/PodNetworkPolicy db: allowInternet needs at least one port/);
    expect(() => p.allowTo(a, [70000])).toThrow(/PodNetworkPolicy db: allowTo ports\[0\] 70000 must be an integer between 1 and 65535/);
    expect(() => p.allowFrom(a, [80, 0])).toThrow(/PodNetworkPolicy db: allowFrom ports\[1\] 0 must be an integer between 1 and 65535/);
  });
});
