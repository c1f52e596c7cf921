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
