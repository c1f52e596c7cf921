import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { intInRange } from './validate';

/** Something whose pods can be selected by labels: a client or a server of a network connection. */
export interface IPodSelectable {
  /** Labels that select exactly this workload's pods. */
  readonly podSelector: Record<string, string>;
}

/** Props of {@link PodNetworkPolicy}. */
export interface PodNetworkPolicyProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** The pods the policy applies to. */
  readonly target: IPodSelectable;
  /**
   * The target is a server: synthesis fails when no client was allowed with
   * {@link PodNetworkPolicy.allowFrom}, as nothing could reach it.
   * @default false
   */
  readonly requireClients?: boolean;
}

/** The pods of the cluster DNS (CoreDNS or kube-dns), by the labels both deployments carry. */
const KUBE_DNS: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** Every IPv4 and IPv6 address. */
const ANYWHERE: k8s.NetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

type Protocol = 'TCP' | 'UDP';

/** Peers that may connect on the same ports (one ingress or egress rule). */
interface Rule {
  readonly ports: ReadonlyArray<{ readonly protocol: Protocol; readonly port: number }>;
  readonly peers: k8s.NetworkPolicyPeer[];
}

/**
 * A NetworkPolicy that denies all traffic of the target's pods in both directions (`policyTypes`
 * Ingress and Egress) except what is allowed with its methods until synthesis:
 * - {@link allowFrom}: ingress from a client's pods to some TCP ports;
 * - {@link allowTo}: egress to a server's pods on some TCP ports;
 * - {@link allowDns}: egress to the cluster DNS (UDP and TCP 53);
 * - {@link allowInternet}: egress to any address on some TCP ports.
 *
 * Clients and servers are selected by pod labels in the policy's own namespace. Egress to a
 * Service is allowed by selecting the pods behind it (CNI plugins apply egress policies after the
 * Service address was translated), on the pods' (target) port.
 */
export class PodNetworkPolicy extends Construct {
  /** Name of the NetworkPolicy. */
  public readonly name: string;
  private readonly ingress: Rule[] = [];
  private readonly egress: Rule[] = [];

  constructor(scope: Construct, id: string, props: PodNetworkPolicyProps) {
    super(scope, id);
    this.name = props.name;
    // Rules are added until synthesis; `toJson` resolves the lazy values before it converts them.
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        podSelector: { matchLabels: props.target.podSelector },
        policyTypes: ['Ingress', 'Egress'],
        // No rules: the field is left out, not `[]` (same meaning with both policyTypes). The API
        // server stores an empty list as absent, so `kubectl apply` (client-side) would send `[]`
        // again on every apply and move the generation (found by the cluster suite).
        ingress: Lazy.any({ produce: () => rulesOrNothing(this.ingress.map(r => ({ from: r.peers, ports: portsJson(r) }))) }) as unknown as k8s.NetworkPolicyIngressRule[],
        egress: Lazy.any({ produce: () => rulesOrNothing(this.egress.map(r => ({ to: r.peers, ports: portsJson(r) }))) }) as unknown as k8s.NetworkPolicyEgressRule[],
      },
    });
    if (props.requireClients ?? false) {
      this.node.addValidation({
        validate: () => (this.ingress.length === 0 ? [`PodNetworkPolicy ${props.name}: no client was allowed; the server would be unreachable`] : []),
      });
    }
  }

  /** Lets the pods of `client` connect to the target's TCP `ports`. */
  public allowFrom(client: IPodSelectable, ports: readonly number[]): void {
    add(this.ingress, { podSelector: { matchLabels: client.podSelector } }, this.tcp('allowFrom', ports));
  }

  /** Lets the target connect to the TCP `ports` of the pods of `server`. */
  public allowTo(server: IPodSelectable, ports: readonly number[]): void {
    add(this.egress, { podSelector: { matchLabels: server.podSelector } }, this.tcp('allowTo', ports));
  }

  /** Lets the target resolve names: UDP and TCP 53 to the cluster DNS pods in `kube-system` (label `k8s-app: kube-dns`). */
  public allowDns(): void {
    add(this.egress, KUBE_DNS, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  }

  /**
   * Lets the target connect to the TCP `ports` of any address (IP blocks `0.0.0.0/0` and `::/0`),
   * e.g. to download from the internet. NetworkPolicies cannot name hosts; this includes addresses
   * inside the cluster and private networks on those ports.
   */
  public allowInternet(ports: readonly number[]): void {
    const p = this.tcp('allowInternet', ports);
    for (const peer of ANYWHERE) add(this.egress, peer, p);
  }

  private tcp(method: string, ports: readonly number[]): Rule['ports'] {
    // An empty port list in a NetworkPolicy rule means every port.
    if (ports.length === 0) throw new Error(`PodNetworkPolicy ${this.name}: ${method} needs at least one port`);
    ports.forEach((p, i) => intInRange(`PodNetworkPolicy ${this.name}`, `${method} ports[${i}]`, p, 1, 65535));
    return [...new Set(ports)].map(port => ({ protocol: 'TCP' as const, port }));
  }
}

function portsJson(r: Rule): k8s.NetworkPolicyPort[] {
  return r.ports.map(p => ({ protocol: p.protocol, port: k8s.IntOrString.fromNumber(p.port) }));
}

/** Adds `peer` to the rule for exactly `ports` (created on first use), once. */
function add(rules: Rule[], peer: k8s.NetworkPolicyPeer, ports: Rule['ports']): void {
  const key = JSON.stringify(ports);
  let rule = rules.find(r => JSON.stringify(r.ports) === key);
  if (rule === undefined) {
    rule = { ports, peers: [] };
    rules.push(rule);
  }
  if (!rule.peers.some(p => JSON.stringify(p) === JSON.stringify(peer))) rule.peers.push(peer);
}

function rulesOrNothing<T>(rules: T[]): T[] | undefined {
  return rules.length === 0 ? undefined : rules;
}
