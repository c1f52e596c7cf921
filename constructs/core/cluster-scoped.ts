import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { namespaceOf } from './cluster-dns';
import { dnsSubdomain } from './validate';

const marked = new WeakSet<ApiObject>();

/**
 * Marks a cluster-scoped object (SecretClass, AuthenticationClass, Namespace, ...).
 *
 * cdk8s stamps the chart's namespace on every object it synthesizes; the API server rejects
 * (or, with `kubectl apply`, silently ignores) a namespace on cluster-scoped kinds, and our schema
 * checks reject it. This removes `metadata.namespace` from the synthesized object, and records the
 * object as cluster-scoped for the app-wide name check ({@link ensureUniqueObjectNames}).
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) {
    obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  marked.add(obj);
  return obj;
}

/** Whether `obj` was marked by {@link clusterScoped}. */
export function isClusterScoped(obj: ApiObject): boolean {
  return marked.has(obj);
}

/**
 * The default name of a cluster-scoped object a chart writes: `<namespace>-<base>`, e.g.
 * `default-s3-credentials-class`. Cluster-scoped objects are shared by every namespace, so two
 * demos in two namespaces that both wrote `base` would share one object, and `kubectl delete -f`
 * of one would delete what the other still uses; prefixed with the namespace they are the chart's
 * own. The Namespace object itself is named after the namespace already (ChartNamespace). Throws
 * when the chart has no namespace (namespaceOf) or the result is no object name (RFC 1123
 * subdomain). A name the user gives is used as given, without this prefix.
 */
export function clusterScopedName(scope: IConstruct, base: string): string {
  return dnsSubdomain(`${scope.constructor.name} ${scope.node.path}`, `cluster-scoped name (namespace + "${base}")`, `${namespaceOf(scope)}-${base}`);
}
