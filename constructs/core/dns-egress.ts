/**
 * Where a pod's DNS queries go, as a NetworkPolicy sees them, and {@link DnsEgress}: the egress a
 * {@link PodNetworkPolicy} allows for them.
 *
 * The facts (sources in brackets; research notes of issue 17):
 * - A NetworkPolicy applies to a connection with a pod at one or both ends, after the Service
 *   address was translated: an egress rule matches the resolver *pod* and its *target port*, not
 *   the DNS Service or its port 53 ["Network Policies", kubernetes.io/docs/concepts/services-networking/network-policies/:
 *   "What you can't do" lists "targeting of services by name"; whether ipBlock rules see Service
 *   IPs is not defined. GKE's FQDN network policy page: GKE translates the Service VIP to the
 *   backend Pod IPs before it evaluates network policy].
 * - The resolver pods differ per distribution: `kube-system` pods labelled `k8s-app: kube-dns` on
 *   53 for the upstream addon and kubeadm (kind, minikube), k3s, EKS, GKE
 *   [kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base,
 *   cmd/kubeadm/app/phases/addons/dns/manifests.go]; `k8s-app: coredns` on Canonical Kubernetes
 *   [tigera/operator PR #4652]; on OpenShift/OKD the `openshift-dns` pods labelled
 *   `dns.operator.openshift.io/daemonset-dns: default`, whose CoreDNS listens on **5353** behind the
 *   Service `dns-default` port 53, so a rule for port 53 misses it even without any `to`
 *   [openshift/cluster-dns-operator assets/dns/daemonset.yaml, assets/dns/service.yaml,
 *   pkg/operator/controller/names.go].
 * - Many clusters answer on the node instead: NodeLocal DNSCache, a `hostNetwork: true` DaemonSet
 *   listening on a link-local address (169.254.20.10 in the docs' example, any of 169.254.0.0/16;
 *   169.254.25.10 by default in kubespray, where it is on by default) and, in iptables mode, on the
 *   kube-dns ClusterIP itself [kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml
 *   and its README, "Network policy and DNS connectivity"; kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/];
 *   GKE, always on Autopilot, where Cloud DNS gives pods 169.254.169.254
 *   [cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache]; AKS LocalDNS, a node
 *   service on 169.254.10.10 and 169.254.10.11 [learn.microsoft.com/azure/aks/localdns-custom];
 *   EKS Auto Mode, CoreDNS as a system service on each node [docs.aws.amazon.com/eks/latest/userguide/auto-networking.html].
 * - A pod selector cannot select those: "NetworkPolicy behaviour for hostNetwork pods is undefined";
 *   the common implementations ignore them when matching podSelector and namespaceSelector and
 *   treat their traffic like the node's, which only an `ipBlock` can allow ["Network Policies",
 *   section "NetworkPolicy and hostNetwork pods"]; a node service is no pod at all.
 * - Even an ipBlock may miss them: Cilium gives addresses of the node's own devices the `host`
 *   identity, which CIDR rules do not match, where a rule without `to` did (cilium/cilium issues
 *   #18644, #34387). Only a rule without `to` matches every resolver above.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { cidr, dnsLabel, intInRange, labels } from './validate';

/** A cluster DNS resolver, as a NetworkPolicy on a pod that queries it sees it. */
export interface DnsResolver {
  /** What it is, e.g. `NodeLocal DNSCache`. */
  readonly name: string;
  /** A resolver on the pod network: its pods' namespace and labels. */
  readonly pod?: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  /** A resolver on the node (host network or node service): the address pods send queries to. */
  readonly hostAddress?: string;
  /** The port it listens on (UDP and TCP): a pod's target port, not the Service's. */
  readonly port: number;
  /** Where this is written upstream. */
  readonly source: string;
}

const KUBE_DNS_PODS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const OPENSHIFT_DNS_PODS = { namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } };
const OPENSHIFT_DNS_PORT = 5353;

/**
 * The cluster DNS resolvers a pod may have to reach, per distribution (see the notes at the top of
 * constructs/core/dns-egress.ts). {@link DnsEgress.anyResolver} reaches all of them; the runtime
 * contract checks that every NetworkPolicy that allows egress does.
 */
export const KNOWN_DNS_RESOLVERS: readonly DnsResolver[] = [
  {
    name: 'cluster DNS (upstream addon, kubeadm, kind, minikube, k3s, EKS, GKE)',
    pod: KUBE_DNS_PODS,
    port: 53,
    source: 'kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base, cmd/kubeadm/app/phases/addons/dns/manifests.go',
  },
  {
    name: 'Canonical Kubernetes CoreDNS',
    pod: { namespace: 'kube-system', labels: { 'k8s-app': 'coredns' } },
    port: 53,
    source: 'tigera/operator PR #4652',
  },
  {
    name: 'OpenShift DNS (dns-default)',
    pod: OPENSHIFT_DNS_PODS,
    port: OPENSHIFT_DNS_PORT,
    source: 'openshift/cluster-dns-operator assets/dns/daemonset.yaml (containerPort 5353), assets/dns/service.yaml, pkg/operator/controller/names.go',
  },
  {
    name: 'Cilium local redirect to node-local-dns',
    pod: { namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } },
    port: 53,
    source: 'docs.cilium.io, Local Redirect Policy, "Node-local DNS cache"',
  },
  { name: 'NodeLocal DNSCache (documented example address)', hostAddress: '169.254.20.10', port: 53, source: 'kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/' },
  { name: 'NodeLocal DNSCache (kubespray default)', hostAddress: '169.254.25.10', port: 53, source: 'kubernetes-sigs/kubespray roles/kubespray_defaults/defaults/main/main.yml nodelocaldns_ip' },
  { name: 'AKS LocalDNS (VnetDNS)', hostAddress: '169.254.10.10', port: 53, source: 'learn.microsoft.com/azure/aks/localdns-custom' },
  { name: 'AKS LocalDNS (KubeDNS)', hostAddress: '169.254.10.11', port: 53, source: 'learn.microsoft.com/azure/aks/localdns-custom' },
  { name: 'GKE Cloud DNS (metadata server)', hostAddress: '169.254.169.254', port: 53, source: 'cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache' },
];

/** The link-local addresses of the node-local resolvers above, as `/32` CIDRs. */
const NODE_LOCAL_DNS_CIDRS: readonly string[] = KNOWN_DNS_RESOLVERS.flatMap(r => (r.hostAddress === undefined ? [] : [`${r.hostAddress}/32`]));

/** One egress rule of a {@link DnsEgress}. */
export interface DnsEgressRule {
  /** Destinations. @default - any destination (the rule has no `to`) */
  readonly peers?: readonly k8s.NetworkPolicyPeer[];
  /** Destination ports, each allowed for UDP and TCP. */
  readonly ports: readonly number[];
}

/** Options of {@link DnsEgress.clusterDns}. */
export interface ClusterDnsOptions {
  /** Namespace of the resolver pods (matched by its `kubernetes.io/metadata.name` label). @default 'kube-system' */
  readonly namespace?: string;
  /** Labels of the resolver pods; `{}` selects every pod of the namespace. @default { 'k8s-app': 'kube-dns' } */
  readonly podLabels?: Record<string, string>;
  /**
   * Addresses of node-local resolvers, allowed on port 53 (a pod selector cannot select a
   * host-network cache); `[]` for none. Add the kube-dns ClusterIP (`/32`) for NodeLocal DNSCache
   * in iptables mode.
   * @default - 169.254.20.10, 169.254.25.10, 169.254.10.10, 169.254.10.11, 169.254.169.254 (each /32)
   */
  readonly ipBlocks?: string[];
  /** Ports of the resolver pods (their target port, e.g. 5353 on OpenShift), UDP and TCP each. @default [53] */
  readonly ports?: number[];
}

/** The chart-wide settings of {@link DnsEgress.setForChart}. */
const CHART_DNS = new WeakMap<Chart, DnsEgress>();

/**
 * The egress a {@link PodNetworkPolicy} allows for DNS ({@link PodNetworkPolicy.allowDns}): to any
 * resolver (the default), to the cluster DNS pods and node-local addresses, or to peers of your own.
 * Set once for a chart with {@link DnsEgress.setForChart}, or per policy.
 */
export class DnsEgress {
  /**
   * UDP and TCP 53 to any destination, plus UDP and TCP 5353 to OpenShift's DNS pods (which listen
   * there behind the Service port 53; the rule matches nothing elsewhere). Works with every
   * resolver of {@link KNOWN_DNS_RESOLVERS}, node-local caches included. The cost: the pods can
   * send anything on port 53 to any host, e.g. tunnel data through DNS to an outside resolver.
   */
  public static anyResolver(): DnsEgress {
    return new DnsEgress([{ ports: [53] }, { peers: [podsPeer(OPENSHIFT_DNS_PODS.namespace, OPENSHIFT_DNS_PODS.labels)], ports: [OPENSHIFT_DNS_PORT] }]);
  }

  /**
   * A narrower rule: the resolver pods of one namespace on their ports, plus node-local addresses
   * on 53. The defaults reach kube-dns/CoreDNS of kubeadm-style clusters and the usual node-local
   * caches; not OpenShift (use `{ namespace: 'openshift-dns', podLabels:
   * { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [5353] }`), not EKS Auto Mode,
   * and on Cilium a node-local cache may be missed (see constructs/core/dns-egress.ts).
   */
  public static clusterDns(options: ClusterDnsOptions = {}): DnsEgress {
    const owner = 'DnsEgress.clusterDns';
    const namespace = dnsLabel(owner, 'namespace', options.namespace ?? KUBE_DNS_PODS.namespace);
    const podLabels = labels(owner, 'podLabels', options.podLabels ?? KUBE_DNS_PODS.labels);
    const ipBlocks = (options.ipBlocks ?? NODE_LOCAL_DNS_CIDRS).map((c, i) => cidr(owner, `ipBlocks[${i}]`, c));
    const ports = dnsPorts(owner, 'ports', options.ports ?? [53]);
    const rules: DnsEgressRule[] = [{ peers: [podsPeer(namespace, podLabels)], ports }];
    if (ipBlocks.length > 0) rules.push({ peers: ipBlocks.map(c => ({ ipBlock: { cidr: c } })), ports: [53] });
    return new DnsEgress(rules);
  }

  /** UDP and TCP `ports` to `peers`, for any other resolver. */
  public static peers(peers: k8s.NetworkPolicyPeer[], ports: number[] = [53]): DnsEgress {
    const owner = 'DnsEgress.peers';
    if (peers.length === 0) throw new Error(`${owner}: peers [] must list at least one peer (an empty list would allow any destination: use DnsEgress.anyResolver())`);
    peers.forEach((p, i) => validatePeer(owner, `peers[${i}]`, p));
    return new DnsEgress([{ peers: [...peers], ports: dnsPorts(owner, 'ports', ports) }]);
  }

  /**
   * Sets the DNS egress of the PodNetworkPolicies of `chart` (and of charts inside it) whose
   * `allowDns()` names none. Read at synthesis, so it may be called before or after the policies
   * are created; once per chart.
   */
  public static setForChart(chart: Chart, dns: DnsEgress): void {
    if (CHART_DNS.has(chart)) throw new Error(`DnsEgress.setForChart: chart ${chart.node.path} has its DNS egress set already; set it once`);
    CHART_DNS.set(chart, dns);
  }

  /** The DNS egress for `scope`: the one set for the nearest chart around it, else {@link anyResolver}. */
  public static of(scope: IConstruct): DnsEgress {
    for (const s of [...scope.node.scopes].reverse()) {
      const dns = Chart.isChart(s) ? CHART_DNS.get(s) : undefined;
      if (dns !== undefined) return dns;
    }
    return DnsEgress.anyResolver();
  }

  /** The egress rules, in order. */
  public readonly rules: readonly DnsEgressRule[];

  private constructor(rules: DnsEgressRule[]) {
    this.rules = rules;
  }
}

function podsPeer(namespace: string, podLabels: Readonly<Record<string, string>>): k8s.NetworkPolicyPeer {
  const ns = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
  return Object.keys(podLabels).length === 0 ? ns : { ...ns, podSelector: { matchLabels: { ...podLabels } } };
}

/** A non-empty list of ports (an empty one would mean every port), without duplicates. */
function dnsPorts(owner: string, prop: string, ports: readonly number[]): number[] {
  if (ports.length === 0) throw new Error(`${owner}: ${prop} [] must list at least one port (an empty list would allow every port)`);
  ports.forEach((p, i) => intInRange(owner, `${prop}[${i}]`, p, 1, 65535));
  return [...new Set(ports)];
}

function validatePeer(owner: string, prop: string, peer: k8s.NetworkPolicyPeer): void {
  if (peer.ipBlock !== undefined) {
    cidr(owner, `${prop}.ipBlock.cidr`, peer.ipBlock.cidr);
    (peer.ipBlock.except ?? []).forEach((c, i) => cidr(owner, `${prop}.ipBlock.except[${i}]`, c));
  }
  labels(owner, `${prop}.namespaceSelector.matchLabels`, peer.namespaceSelector?.matchLabels ?? {});
  labels(owner, `${prop}.podSelector.matchLabels`, peer.podSelector?.matchLabels ?? {});
  const selectors = peer.namespaceSelector !== undefined || peer.podSelector !== undefined;
  if (peer.ipBlock === undefined ? !selectors : selectors) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(peer)} must set either ipBlock or namespaceSelector/podSelector`);
  }
}
