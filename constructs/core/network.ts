import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DnsEgress } from './dns-egress';
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

/** Every IPv4 and IPv6 address. */
const ANYWHERE: k8s.NetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

type Protocol = 'TCP' | 'UDP';
type Ports = ReadonlyArray<{ readonly protocol: Protocol; readonly port: number }>;

/** What one call allows: connections to or from `peer` on `ports`. */
interface Grant {
  /** @default - any peer */
  readonly peer?: k8s.NetworkPolicyPeer;
  readonly ports: Ports;
}

/** Peers that may connect on the same ports (one ingress or egress rule). */
interface Rule {
  readonly ports: Ports;
  /** @default - any peer (the rule has no `from` or `to`) */
  readonly peers?: k8s.NetworkPolicyPeer[];
}

/**
 * A NetworkPolicy that denies all traffic of the target's pods in both directions (`policyTypes`
 * Ingress and Egress) except what is allowed with its methods until synthesis:
 * - {@link allowFrom}: ingress from a client's pods to some TCP ports;
 * - {@link allowFromAnyone}: ingress from any peer to some TCP ports;
 * - {@link allowTo}: egress to a server's pods on some TCP ports;
 * - {@link allowDns}: egress to DNS resolvers, as the chart's {@link DnsEgress} says (default: UDP
 *   and TCP 53 to any destination, see {@link DnsEgress.anyResolver});
 * - {@link allowInternet}: egress to any address on some TCP ports.
 *
 * Clients and servers are selected by pod labels in the policy's own namespace. Egress to a
 * Service is allowed by selecting the pods behind it (CNI plugins apply egress policies after the
 * Service address was translated), on the pods' (target) port.
 */
export class PodNetworkPolicy extends Construct {
  /** Name of the NetworkPolicy. */
  public readonly name: string;
  private readonly ingress: Grant[] = [];
  /** In call order; `allowDns` adds its grants at synthesis, when the chart's DnsEgress is known. */
  private readonly egress: Array<() => Grant[]> = [];

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
        ingress: Lazy.any({ produce: () => rulesJson(this.ingress, 'from') }) as unknown as k8s.NetworkPolicyIngressRule[],
        egress: Lazy.any({ produce: () => rulesJson(this.egress.flatMap(grants => grants()), 'to') }) as unknown as k8s.NetworkPolicyEgressRule[],
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
    this.ingress.push({ peer: { podSelector: { matchLabels: client.podSelector } }, ports: this.tcp('allowFrom', ports) });
  }

  /**
   * Lets any peer connect to the target's TCP `ports` (an ingress rule without `from`): pods,
   * nodes and, through a NodePort or LoadBalancer Service, clients outside the cluster.
   */
  public allowFromAnyone(ports: readonly number[]): void {
    this.ingress.push({ ports: this.tcp('allowFromAnyone', ports) });
  }

  /** Lets the target connect to the TCP `ports` of the pods of `server`. */
  public allowTo(server: IPodSelectable, ports: readonly number[]): void {
    const grant = { peer: { podSelector: { matchLabels: server.podSelector } }, ports: this.tcp('allowTo', ports) };
    this.egress.push(() => [grant]);
  }

  /**
   * Lets the target resolve names: the egress of `dns`, by default the one set for the chart
   * ({@link DnsEgress.of}, read at synthesis), which defaults to {@link DnsEgress.anyResolver}.
   */
  public allowDns(dns?: DnsEgress): void {
    this.egress.push(() => (dns ?? DnsEgress.of(this)).rules.flatMap(rule => {
      const ports = rule.ports.flatMap(port => [{ protocol: 'UDP' as const, port }, { protocol: 'TCP' as const, port }]);
      return rule.peers === undefined ? [{ ports }] : rule.peers.map(peer => ({ peer, ports }));
    }));
  }

  /**
   * Lets the target connect to the TCP `ports` of any address (IP blocks `0.0.0.0/0` and `::/0`),
   * e.g. to download from the internet. NetworkPolicies cannot name hosts; this includes addresses
   * inside the cluster and private networks on those ports.
   */
  public allowInternet(ports: readonly number[]): void {
    const p = this.tcp('allowInternet', ports);
    this.egress.push(() => ANYWHERE.map(peer => ({ peer, ports: p })));
  }

  private tcp(method: string, ports: readonly number[]): Ports {
    // An empty port list in a NetworkPolicy rule means every port.
    if (ports.length === 0) throw new Error(`PodNetworkPolicy ${this.name}: ${method} needs at least one port`);
    ports.forEach((p, i) => intInRange(`PodNetworkPolicy ${this.name}`, `${method} ports[${i}]`, p, 1, 65535));
    return [...new Set(ports)].map(port => ({ protocol: 'TCP' as const, port }));
  }
}

/**
 * The rules of `grants`: one per port set (in order of first use), each peer once; grants of any
 * peer get a rule of their own, without `from`/`to`. No grants: `undefined` (the field is left out).
 */
function rulesJson(grants: readonly Grant[], peersField: 'from' | 'to'): Array<Record<string, unknown>> | undefined {
  const rules = new Map<string, Rule>();
  for (const { peer, ports } of grants) {
    const key = `${JSON.stringify(ports)}${peer === undefined ? ' any peer' : ''}`;
    const rule = rules.get(key) ?? { ports, peers: peer === undefined ? undefined : [] };
    rules.set(key, rule);
    if (peer !== undefined && rule.peers !== undefined && !rule.peers.some(p => JSON.stringify(p) === JSON.stringify(peer))) rule.peers.push(peer);
  }
  if (rules.size === 0) return undefined;
  return [...rules.values()].map(r => ({ ...(r.peers === undefined ? {} : { [peersField]: r.peers }), ports: portsJson(r) }));
}

function portsJson(r: Rule): k8s.NetworkPolicyPort[] {
  return r.ports.map(p => ({ protocol: p.protocol, port: k8s.IntOrString.fromNumber(p.port) }));
}
