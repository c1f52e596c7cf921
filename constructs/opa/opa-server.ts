import { Construct } from 'constructs';
import { OpaCluster } from '../../imports/opa.stackable.tech';
import {
  dnsLabel, ensureUniqueObjectNames, Resources, restrictedPodOverrides, stackableResources, validateRoleResources,
  version,
} from '../core';

/** Props of {@link OpaServer}. */
export interface OpaServerProps {
  /** Name of the OpaCluster, and of its discovery ConfigMap. @default 'opa' */
  readonly name?: string;
  /** OPA version. @default '1.16.2' */
  readonly productVersion?: string;
  /** CPU and memory per OPA server (one per node). @default 100m-500m CPU, 256 MiB */
  readonly resources?: Resources;
}

/**
 * An Open Policy Agent (Stackable `OpaCluster`, one server per node). It serves every Rego bundle
 * ConfigMap labelled `opa.stackable.tech/bundle` in its namespace (see {@link RegoBundle});
 * clients find it through the discovery ConfigMap `<name>`.
 */
export class OpaServer extends Construct {
  /** Name of the OpaCluster. */
  public readonly name: string;
  /** Name of the discovery ConfigMap. */
  public readonly discoveryConfigMapName: string;

  constructor(scope: Construct, id: string, props: OpaServerProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `OpaServer ${id}`;
    this.name = dnsLabel(owner, 'name', props.name ?? 'opa', 40);
    this.discoveryConfigMapName = this.name;
    const resources = validateRoleResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryMi: 256 });
    new OpaCluster(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        image: { productVersion: version(owner, 'productVersion', props.productVersion ?? '1.16.2') },
        servers: {
          config: { resources: stackableResources(resources) },
          podOverrides: restrictedPodOverrides(),
          roleGroups: { default: {} },
        },
      },
    });
  }
}
