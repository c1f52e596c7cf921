import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isClusterScoped } from './cluster-scoped';

const checked = new WeakSet<IConstruct>();

/**
 * Makes synthesis of `scope`'s app fail when two objects share apiVersion group, kind, namespace
 * and name: Kubernetes would keep only one of them (the later `kubectl apply` wins, Helm refuses
 * the release), e.g. two `PostgresDatabase`s or two `TrinoCluster`s left at their default names.
 * Cluster-scoped objects (marked by {@link clusterScoped}) have no namespace: two charts of the app
 * writing one (e.g. two charts of one namespace, each with an `S3CredentialsClass` at its default
 * name) collide whatever their namespaces. The error names both constructs. Every construct of this
 * library calls it; it adds one validation to the app (the root construct), which cdk8s runs at
 * `synth()` and `Testing.synth()`.
 */
export function ensureUniqueObjectNames(scope: IConstruct): void {
  const app = Chart.of(scope).node.root;
  if (checked.has(app)) return;
  checked.add(app);
  app.node.addValidation({
    validate: () => {
      const seen = new Map<string, ApiObject>();
      const errors: string[] = [];
      for (const obj of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
        const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
        // cdk8s keeps the chart's namespace in `metadata` of a cluster-scoped object (clusterScoped removes it from the output only).
        const clusterScoped = isClusterScoped(obj);
        const key = `${group}/${obj.kind}/${clusterScoped ? '' : obj.metadata.namespace ?? ''}/${obj.name}`;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, obj);
        } else {
          const why = clusterScoped && Chart.of(first) !== Chart.of(obj) ? ' (cluster-scoped: one object for every chart and namespace)' : '';
          errors.push(`${obj.kind} "${obj.name}" is created by both ${owner(first)} and ${owner(obj)}${why}: give one of them another name`);
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
