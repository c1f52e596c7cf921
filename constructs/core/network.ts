import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Something whose pods can be selected by labels: a client or a server of a network connection. */
export interface IPodSelectable {
  /** Labels that select exactly this workload's pods. */
  readonly podSelector: Record<string, string>;
}

/** Props of {@link IngressPolicy}. */
export interface IngressPolicyProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** The pods the policy protects. */
  readonly target: IPodSelectable;
  /** TCP ports the clients may reach. */
  readonly ports: number[];
}

/**
 * A NetworkPolicy that lets only registered clients reach a server's ports: all other ingress to
 * the selected pods is denied. Clients are added with {@link allowFrom} until synthesis.
 */
export class IngressPolicy extends Construct {
  private readonly peers: IPodSelectable[] = [];

  constructor(scope: Construct, id: string, props: IngressPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        podSelector: { matchLabels: props.target.podSelector },
        policyTypes: ['Ingress'],
        ingress: [{
          from: Lazy.any({ produce: () => this.peers.map(p => ({ podSelector: { matchLabels: p.podSelector } })) }),
          ports: props.ports.map(port => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
        }],
      },
    });
    this.node.addValidation({
      validate: () => (this.peers.length === 0 ? [`IngressPolicy ${props.name}: no client was allowed; the server would be unreachable`] : []),
    });
  }

  /** Lets the pods of `client` reach the server. */
  public allowFrom(client: IPodSelectable): void {
    if (!this.peers.includes(client)) this.peers.push(client);
  }
}
