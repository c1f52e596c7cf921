/**
 * Rewrites synthesized manifests to the naming used before content hashes: every Job and
 * SparkApplication named `<name>-<hash of its spec>` gets its plain `<name>` back. The cluster
 * suite applies a default and a changed demo in that form to show the upgrade that the hashes fix
 * (Kubernetes rejects the changed Job: its pod template is immutable).
 *
 *   npx --no-install ts-node --transpile-only test/cluster/old-naming.ts IN_DIR OUT_DIR
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { runMain } from '../../scripts/lib/cli';
import { contentBaseName, parseManifests } from '../../scripts/synth-helm';

function main(): void {
  const [inDir, outDir] = process.argv.slice(2);
  if (!inDir || !outDir) throw new Error('usage: old-naming.ts IN_DIR OUT_DIR');
  fs.mkdirSync(outDir, { recursive: true });
  let renamed = 0;
  for (const file of fs.readdirSync(inDir).filter((f) => f.endsWith('.yaml'))) {
    const manifests = parseManifests(fs.readFileSync(path.join(inDir, file), 'utf8')).map((m) => {
      const base = contentBaseName(m);
      if (base === undefined) return m;
      renamed++;
      return { ...m, metadata: { ...(m.metadata as object), name: base } };
    });
    fs.writeFileSync(path.join(outDir, file), Yaml.stringify(...manifests));
  }
  if (renamed === 0) throw new Error(`old-naming: no content-named object in ${inDir}`);
  console.log(`${renamed} objects renamed to their name without hash`);
}

runMain(module, main);
