import * as YAML from 'yaml';
import { Manifest } from '../../constructs/helm/expose-values';

/** Parses multi-document YAML the way cdk8s writes it (YAML 1.1), skipping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return YAML.parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors[0].message}`);
      return d.toJSON() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object' && Object.keys(m).length > 0);
}
