import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

const checked = new WeakSet<Chart>();

/**
 * Makes synthesis of `scope`'s chart fail when two objects share apiVersion group, kind,
 * namespace and name: Kubernetes would keep only one of them (the later `kubectl apply` wins, Helm
 * refuses the release), e.g. two `PostgresDatabase`s or two `TrinoCluster`s left at their default
 * names. The error names both constructs. Every construct of this library calls it; it adds one
 * validation per chart, which cdk8s runs at `synth()`.
 */
export function ensureUniqueObjectNames(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (checked.has(chart)) return;
  checked.add(chart);
  chart.node.addValidation({
    validate: () => {
      const seen = new Map<string, ApiObject>();
      const errors: string[] = [];
      for (const obj of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
        const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
        const key = `${group}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.name}`;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, obj);
        } else {
          errors.push(`${obj.kind} "${obj.name}" is created by both ${owner(first)} and ${owner(obj)}: give one of them another name`);
        }
      }
      return errors;
    },
  });
}

/** The construct that made `obj`: its parent when `obj` is a construct's `Resource` or a named child. */
function owner(obj: ApiObject): string {
  const parent = obj.node.scope;
  return parent === undefined || parent instanceof Chart ? obj.node.path : parent.node.path;
}
