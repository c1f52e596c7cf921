import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The namespace of the chart `scope` belongs to (`default` when the chart sets none). */
export function namespaceOf(scope: IConstruct): string {
  return Chart.of(scope).namespace ?? 'default';
}

/** The in-cluster DNS name of Service `serviceName` in the chart's namespace. */
export function serviceFqdn(scope: IConstruct, serviceName: string): string {
  return `${serviceName}.${namespaceOf(scope)}.svc.cluster.local`;
}
