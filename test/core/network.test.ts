/**
 * Tests of constructs/core/network.ts and dns-egress.ts: a PodNetworkPolicy always restricts both
 * directions, admits exactly the clients and destinations allowed (grouped by port set, each once),
 * and a server policy refuses to synthesize without any client; its DNS egress reaches every known
 * resolver by default, is narrower when asked, and is set per chart or per policy.
 * Run: npx jest test/core
 */
import { Chart, Testing } from 'cdk8s';
import { DnsEgress, KNOWN_DNS_RESOLVERS, PodNetworkPolicy } from '../../constructs/core';
import { find, synth } from '../util';

const server = { podSelector: { app: 'db' } };
const a = { podSelector: { app: 'a' } };
const b = { podSelector: { app: 'b' } };
const peer = (labels: Record<string, string>) => ({ podSelector: { matchLabels: labels } });
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: 'TCP', port }));
const udpTcp = (...ports: number[]) => ports.flatMap(port => [{ protocol: 'UDP', port }, { protocol: 'TCP', port }]);
/** The default DNS egress: 53 to any destination, and OpenShift's DNS pods on 5353. */
const ANY_RESOLVER = [
  { ports: udpTcp(53) },
  {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } }],
    ports: udpTcp(5353),
  },
];
const KUBE_DNS_PODS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const NODE_LOCAL = ['169.254.20.10/32', '169.254.25.10/32', '169.254.10.10/32', '169.254.10.11/32', '169.254.169.254/32'].map(cidr => ({ ipBlock: { cidr } }));

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

  it('allows egress to servers, DNS resolvers and the internet, and no ingress', () => {
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
      ...ANY_RESOLVER,
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

describe('DnsEgress', () => {
  const egress = (dns?: DnsEgress) => {
    const { p, np } = policy();
    p.allowDns(dns);
    return np().spec.egress;
  };

  it('by default allows UDP and TCP 53 to any destination (no `to`), and 5353 to OpenShift\'s DNS pods', () => {
    expect(egress()).toEqual(ANY_RESOLVER);
    expect(egress(DnsEgress.anyResolver())).toEqual(ANY_RESOLVER);
  });

  it('clusterDns: the cluster DNS pods, plus the node-local resolvers\' addresses on 53', () => {
    expect(egress(DnsEgress.clusterDns())).toEqual([{ to: [KUBE_DNS_PODS, ...NODE_LOCAL], ports: udpTcp(53) }]);
    // The addresses are those of the known node-local resolvers.
    expect(NODE_LOCAL.map(b => b.ipBlock.cidr)).toEqual(KNOWN_DNS_RESOLVERS.filter(r => r.hostAddress !== undefined).map(r => `${r.hostAddress}/32`));
  });

  it('clusterDns: another namespace, labels, ports and addresses; the pods\' ports apart from the addresses\' 53', () => {
    const openshift = DnsEgress.clusterDns({ namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [5353], ipBlocks: [] });
    expect(egress(openshift)).toEqual([ANY_RESOLVER[1]]);
    const kubeSystem = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };
    expect(egress(DnsEgress.clusterDns({ podLabels: {}, ports: [53, 5353, 53], ipBlocks: ['10.96.0.10/32'] }))).toEqual([
      { to: [kubeSystem], ports: udpTcp(53, 5353) },
      { to: [{ ipBlock: { cidr: '10.96.0.10/32' } }], ports: udpTcp(53) },
    ]);
  });

  it('peers: any peers on the ports given (53 by default)', () => {
    const resolver = { ipBlock: { cidr: '10.0.0.53/32' } };
    expect(egress(DnsEgress.peers([resolver]))).toEqual([{ to: [resolver], ports: udpTcp(53) }]);
    expect(egress(DnsEgress.peers([peer({ app: 'dns' })], [5353]))).toEqual([{ to: [peer({ app: 'dns' })], ports: udpTcp(5353) }]);
  });

  it('is set once for a chart, read at synthesis: policies created before and after use it, unless they name their own', () => {
    const chart = Testing.chart();
    const before = new PodNetworkPolicy(chart, 'Before', { name: 'before', target: a });
    before.allowDns();
    const inner = new Chart(chart, 'Inner');
    DnsEgress.setForChart(chart, DnsEgress.clusterDns());
    const after = new PodNetworkPolicy(inner, 'After', { name: 'after', target: b });
    after.allowDns();
    const own = new PodNetworkPolicy(chart, 'Own', { name: 'own', target: server });
    own.allowDns(DnsEgress.anyResolver());
    const objs = [...synth(chart), ...synth(inner)];
    expect(find(objs, 'NetworkPolicy', 'before').spec.egress).toEqual([{ to: [KUBE_DNS_PODS, ...NODE_LOCAL], ports: udpTcp(53) }]);
    expect(find(objs, 'NetworkPolicy', 'after').spec.egress).toEqual([{ to: [KUBE_DNS_PODS, ...NODE_LOCAL], ports: udpTcp(53) }]);
    expect(find(objs, 'NetworkPolicy', 'own').spec.egress).toEqual(ANY_RESOLVER);
    expect(DnsEgress.of(before)).toBe(DnsEgress.of(after));
    expect(() => DnsEgress.setForChart(chart, DnsEgress.anyResolver())).toThrow(/DnsEgress.setForChart: chart test has its DNS egress set already; set it once/);
  });

  it('rejects bad input at construction, naming the prop and the value', () => {
    expect(() => DnsEgress.clusterDns({ ports: [] })).toThrow('DnsEgress.clusterDns: ports [] must list at least one port (an empty list would allow every port)');
    expect(() => DnsEgress.clusterDns({ ports: [53, 70000] })).toThrow('DnsEgress.clusterDns: ports[1] 70000 must be an integer between 1 and 65535');
    expect(() => DnsEgress.clusterDns({ ipBlocks: ['169.254.20.10'] })).toThrow('DnsEgress.clusterDns: ipBlocks[0] "169.254.20.10" is not a CIDR');
    expect(() => DnsEgress.clusterDns({ podLabels: { 'k8s-app': 'kube dns' } })).toThrow('DnsEgress.clusterDns: podLabels["k8s-app"] "kube dns" is not a valid label value');
    expect(() => DnsEgress.clusterDns({ podLabels: { 'k8s app': 'kube-dns' } })).toThrow('DnsEgress.clusterDns: podLabels key "k8s app" is not a valid label key');
    expect(() => DnsEgress.clusterDns({ namespace: 'Kube_System' })).toThrow('DnsEgress.clusterDns: namespace "Kube_System" is not a valid name');
    expect(() => DnsEgress.peers([])).toThrow('DnsEgress.peers: peers [] must list at least one peer (an empty list would allow any destination: use DnsEgress.anyResolver())');
    expect(() => DnsEgress.peers([{ ipBlock: { cidr: '10.0.0.0/8' } }], [])).toThrow('DnsEgress.peers: ports [] must list at least one port');
    expect(() => DnsEgress.peers([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0'] } }])).toThrow('DnsEgress.peers: peers[0].ipBlock.except[0] "10.1.0.0" is not a CIDR');
    expect(() => DnsEgress.peers([{ podSelector: { matchLabels: { 'a/b/c': 'x' } } }])).toThrow('DnsEgress.peers: peers[0].podSelector.matchLabels key "a/b/c" is not a valid label key');
    expect(() => DnsEgress.peers([{}])).toThrow('DnsEgress.peers: peers[0] {} must set either ipBlock or namespaceSelector/podSelector');
    expect(() => DnsEgress.peers([{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }])).toThrow(/DnsEgress.peers: peers\[0\] .* must set either ipBlock or namespaceSelector\/podSelector/);
  });
});
