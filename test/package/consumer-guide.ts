/**
 * The README's consumer guide as runnable steps: every fenced block after a
 * `<!-- consumer-guide: shell -->` or `<!-- consumer-guide: file NAME -->` marker, in order.
 * Writes the files into DIR and prints a bash script of the shell blocks, each command echoed and
 * stopping at the first failure (scripts/test-package.sh runs it in DIR).
 *
 * Usage: node consumer-guide.js README DIR > steps.sh   (compiled, or through ts-node)
 */
import * as fs from 'fs';
import * as path from 'path';

/** One step of the guide. */
export type GuideStep = { readonly kind: 'shell'; readonly text: string } | { readonly kind: 'file'; readonly name: string; readonly text: string };

/** The marked blocks of `markdown`, in order; a marker without a fenced block right after it throws. */
export function guideSteps(markdown: string): GuideStep[] {
  const steps: GuideStep[] = [];
  const marker = /<!-- consumer-guide: (shell|file ([\w./-]+)) -->\n```[a-z]*\n([\s\S]*?)\n```/g;
  let m: RegExpExecArray | null;
  while ((m = marker.exec(markdown)) !== null) {
    steps.push(m[2] !== undefined ? { kind: 'file', name: m[2], text: `${m[3]}\n` } : { kind: 'shell', text: m[3] });
  }
  const markers = (markdown.match(/<!-- consumer-guide:/g) ?? []).length;
  if (markers !== steps.length) throw new Error(`consumer-guide: ${markers} markers but ${steps.length} blocks right after one`);
  return steps;
}

function main(): void {
  const [readme, dir] = process.argv.slice(2);
  if (readme === undefined || dir === undefined) throw new Error('usage: consumer-guide README DIR');
  const lines = ['set -euo pipefail'];
  for (const step of guideSteps(fs.readFileSync(readme, 'utf8'))) {
    if (step.kind === 'file') {
      fs.writeFileSync(path.join(dir, step.name), step.text);
    } else {
      for (const cmd of step.text.split('\n').filter(l => l.trim() !== '')) lines.push(`echo "+ ${cmd.replace(/"/g, '\\"')}" >&2`, cmd);
    }
  }
  console.log(lines.join('\n'));
}

if (require.main === module) main();
