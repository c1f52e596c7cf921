import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The namespace of the chart `scope` belongs to. Every in-cluster host name and the default name
 * of every cluster-scoped object derive from it, so a chart without one is refused: cdk8s writes
 * its objects without `metadata.namespace`, `kubectl apply -n X` puts them into X, and a host name
 * guessed for `default` would reach nothing there.
 */
export function namespaceOf(scope: IConstruct): string {
  const chart = Chart.of(scope);
  if (chart.namespace === undefined) {
    throw new Error(`${scope.constructor.name} ${scope.node.path}: the chart "${chart.node.path}" has no namespace, and in-cluster host names and cluster-scoped object names derive from it: set it, e.g. \`new Chart(app, id, { namespace: '...' })\``);
  }
  return chart.namespace;
}

/** The in-cluster DNS name of Service `serviceName` in the chart's namespace. */
export function serviceFqdn(scope: IConstruct, serviceName: string): string {
  return `${serviceName}.${namespaceOf(scope)}.svc.cluster.local`;
}
