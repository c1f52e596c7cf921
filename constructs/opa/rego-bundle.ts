import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dnsSubdomain, ensureUniqueObjectNames } from '../core';

/** Props of {@link RegoBundle}. */
export interface RegoBundleProps {
  /** Name of the ConfigMap. */
  readonly name: string;
  /** Rego files by file name (`*.rego`). */
  readonly files: Record<string, string>;
}

/**
 * A ConfigMap of Rego files that the OPA operator's bundle builder serves to every OpaCluster in
 * the namespace (it watches ConfigMaps labelled `opa.stackable.tech/bundle: "true"`).
 */
export class RegoBundle extends Construct {
  /** The bundle's ConfigMap (its object is `ApiObject.of(bundle)`). */
  public readonly configMap: kplus.ConfigMap;
  /** Name of the ConfigMap. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: RegoBundleProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    this.name = dnsSubdomain(`RegoBundle ${id}`, 'name', props.name);
    for (const file of Object.keys(props.files)) {
      if (!/^[A-Za-z0-9_-]+\.rego$/.test(file)) {
        throw new Error(`RegoBundle ${id}: files key "${file}" must be a file name ending in .rego`);
      }
    }
    this.configMap = new kplus.ConfigMap(this, 'Resource', {
      metadata: { name: this.name, labels: { 'opa.stackable.tech/bundle': 'true' } },
      data: props.files,
    });
  }
}
