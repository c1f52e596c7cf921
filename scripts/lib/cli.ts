import * as fs from 'fs';
import * as path from 'path';

/**
 * The repository's root: the nearest folder above this file with package.json (scripts/lib/ when
 * run through ts-node, build/app/scripts/lib/ when compiled; build/app has no package.json).
 */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || dir.includes(`${path.sep}build${path.sep}app`)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

/**
 * Runs a script's `main` when the file is executed directly (not imported): an Error ends the
 * process with its message on stderr and exit status 1, without a stack trace (prop errors are
 * meant to be read as they are).
 */
export function runMain(mod: NodeModule, main: () => void): void {
  if (require.main !== mod) return;
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
