import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Marks a cluster-scoped object (SecretClass, AuthenticationClass, Namespace, ...).
 *
 * cdk8s stamps the chart's namespace on every object it synthesizes; the API server rejects
 * (or, with `kubectl apply`, silently ignores) a namespace on cluster-scoped kinds, and our schema
 * checks reject it. This removes `metadata.namespace` from the synthesized object.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) {
    obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return obj;
}
