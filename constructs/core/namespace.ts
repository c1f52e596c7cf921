import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScoped } from './cluster-scoped';
import { ensureUniqueObjectNames } from './unique-names';

/**
 * The Namespace object of the chart's namespace, so that `kubectl apply -f` of the chart works on
 * a cluster without it. Put it first in the chart: kubectl applies the objects in file order, and a
 * namespaced object before its Namespace fails. Refuses a chart without a namespace or in
 * `default` (which every cluster has, and which must never be deleted with the chart).
 */
export class ChartNamespace extends Construct {
  /** The namespace's name. */
  public readonly name: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined || namespace === 'default') {
      throw new Error(`ChartNamespace ${id}: the chart's namespace is ${namespace === undefined ? 'not set' : '"default"'}: give the chart a namespace of its own (Chart props \`namespace\`)`);
    }
    this.name = namespace;
    clusterScoped(new k8s.KubeNamespace(this, 'Resource', { metadata: { name: namespace } }));
  }
}
