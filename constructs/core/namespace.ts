import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScoped } from './cluster-scoped';
import { ensureUniqueObjectNames } from './unique-names';

/**
 * The Namespace object of the chart's namespace, so that `kubectl apply -f` of the chart works on
 * a cluster without it. It is written first wherever in the chart it is created: kubectl applies
 * the objects in file order, and a namespaced object before its Namespace fails (`namespaces "X"
 * not found`; the cluster suite applies every app to a real API server). Refuses a chart without a
 * namespace or in `default` (which every cluster has, and which must never be deleted with the chart).
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
    const object = new k8s.KubeNamespace(this, 'Resource', { metadata: { name: namespace } });
    clusterScoped(object);
    // Every other object of the chart depends on it, so cdk8s orders it first (its synthesis sorts
    // each chart's objects by their dependencies, after validating the app: cdk8s lib/app.js).
    const chart = Chart.of(this);
    chart.node.addValidation({
      validate: () => {
        for (const c of chart.node.findAll()) {
          if (c instanceof ApiObject && c !== object && Chart.of(c) === chart) c.node.addDependency(object);
        }
        return [];
      },
    });
  }
}
