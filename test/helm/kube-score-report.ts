/**
 * Applies .kube-score.yaml to kube-score's JSON output (called by scripts/test-lint.sh): prints
 * every finding (warning or critical) that no exclusion covers, as `check  Kind/name (container):
 * message`, and exits 1 if there is one, or if an exclusion that applies to the run matches no
 * finding (stale).
 *
 *   npx --no-install ts-node --transpile-only test/helm/kube-score-report.ts .kube-score.yaml --runs
 *     prints the lint runs, one a line: NAME and its scripts/synth.ts options;
 *   kube-score score -o json --all-default-optional ... | \
 *     npx --no-install ts-node --transpile-only test/helm/kube-score-report.ts .kube-score.yaml RUN
 *     reports on the synthesis of run RUN.
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { CONTENT_HASH_LENGTH } from '../../constructs/core';

/** One exclusion of .kube-score.yaml. */
interface Exclusion {
  readonly check: string;
  /** `Kind/name` of the objects it applies to. @default - all objects */
  readonly objects?: readonly string[];
  /** Names of the runs it applies to. @default - all runs */
  readonly runs?: readonly string[];
  readonly reason: string;
}

/** .kube-score.yaml. */
export interface KubeScoreConfig {
  readonly kubernetesVersion: string;
  /** The syntheses linted: run name -> options of scripts/synth.ts. */
  readonly runs: Readonly<Record<string, readonly string[]>>;
  readonly exclude: readonly Exclusion[];
}

/** The parts of kube-score's JSON output (format v2) we read. */
interface ScoredObject {
  readonly object_meta: { readonly name: string };
  readonly type_meta: { readonly kind: string };
  readonly checks: ReadonlyArray<{
    readonly check: { readonly id: string };
    readonly grade: number;
    readonly skipped: boolean;
    readonly comments: ReadonlyArray<{ readonly path: string; readonly summary: string }> | null;
  }>;
}

/** kube-score's grade of a passed check; lower grades are findings (5 warning, 1 critical). */
const ALL_OK = 10;

/** Reads and checks .kube-score.yaml. */
export function loadConfig(file: string): KubeScoreConfig {
  const config = YAML.parse(fs.readFileSync(file, 'utf8')) as KubeScoreConfig;
  if (!/^v\d+\.\d+$/.test(config.kubernetesVersion ?? '')) throw new Error(`${file}: kubernetesVersion must look like v1.33`);
  const runs = Object.entries(config.runs ?? {});
  if (runs.length === 0) throw new Error(`${file}: runs must name at least one synthesis`);
  for (const [name, options] of runs) {
    if (!/^[a-z0-9-]+$/.test(name) || !Array.isArray(options) || !options.every((o) => typeof o === 'string' && /^[^\s]+$/.test(o))) {
      throw new Error(`${file}: run ${JSON.stringify(name)} needs a name of a-z 0-9 - and a list of options without spaces`);
    }
  }
  for (const e of config.exclude ?? []) {
    if (!e.check || !e.reason || e.reason.trim().length < 20) throw new Error(`${file}: exclusion ${JSON.stringify(e)} needs a check and a reason`);
    const unknown = (e.runs ?? []).filter((r) => !(r in config.runs));
    if (unknown.length > 0 || (e.runs !== undefined && e.runs.length === 0)) {
      throw new Error(`${file}: exclusion of ${e.check} names runs ${JSON.stringify(e.runs)}; known runs: ${Object.keys(config.runs).join(', ')}`);
    }
  }
  return { ...config, exclude: config.exclude ?? [] };
}

/** A finding of kube-score. */
export interface Finding {
  readonly level: 'CRITICAL' | 'WARNING';
  readonly check: string;
  /** `Kind/name`. */
  readonly object: string;
  /** The container, for container checks. */
  readonly container?: string;
  readonly summary: string;
}

/** One line per finding: `LEVEL  check  Kind/name (container): summary`. */
export function formatFinding(f: Finding): string {
  return `${f.level.padEnd(8)} ${f.check.padEnd(45)} ${f.object}${f.container ? ` (${f.container})` : ''}: ${f.summary}`;
}

/**
 * Whether exclusion object `Kind/name` names `object`: itself, or a content-named Job or
 * SparkApplication `Kind/name-<8 hex digits>` (constructs/core/content-name.ts), whose hash
 * changes with its spec.
 */
export function namesObject(excluded: string, object: string): boolean {
  return object === excluded || new RegExp(`^${excluded.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{${CONTENT_HASH_LENGTH}}$`).test(object);
}

/**
 * Findings of run `run` not covered by an exclusion (sorted), and exclusions applying to the run
 * that covered nothing.
 */
export function report(config: KubeScoreConfig, run: string, scored: readonly ScoredObject[]): { findings: Finding[]; stale: string[] } {
  if (!(run in config.runs)) throw new Error(`unknown run ${JSON.stringify(run)}; known runs: ${Object.keys(config.runs).join(', ')}`);
  const exclusions = config.exclude.filter((e) => e.runs === undefined || e.runs.includes(run));
  const used = new Set<Exclusion>();
  const findings: Finding[] = [];
  for (const o of scored) {
    const object = `${o.type_meta.kind}/${o.object_meta.name}`;
    for (const c of o.checks) {
      if (c.skipped || c.grade >= ALL_OK) continue;
      const exclusion = exclusions.find((e) => e.check === c.check.id && (e.objects === undefined || e.objects.some((x) => namesObject(x, object))));
      if (exclusion) { used.add(exclusion); continue; }
      const level: Finding['level'] = c.grade <= 1 ? 'CRITICAL' : 'WARNING';
      for (const comment of c.comments ?? [{ path: '', summary: '(no details)' }]) {
        findings.push({ level, check: c.check.id, object, ...(comment.path ? { container: comment.path } : {}), summary: comment.summary });
      }
    }
  }
  const stale = exclusions.filter((e) => !used.has(e)).map((e) => `${e.check}${e.objects ? ` for ${e.objects.join(', ')}` : ''}`);
  const order = (f: Finding) => `${f.check} ${f.object} ${f.container ?? ''} ${f.summary}`;
  return { findings: findings.sort((a, b) => order(a).localeCompare(order(b))), stale };
}

if (require.main === module) {
  const [file, run] = process.argv.slice(2);
  if (!file || !run) {
    console.error('usage: kube-score-report.ts CONFIG --runs | kube-score-report.ts CONFIG RUN <kube-score.json');
    process.exit(2);
  }
  const config = loadConfig(file);
  if (run === '--runs') {
    for (const [name, options] of Object.entries(config.runs)) console.log([name, ...options].join(' '));
    process.exit(0);
  }
  const scored = JSON.parse(fs.readFileSync(0, 'utf8')) as ScoredObject[];
  const { findings, stale } = report(config, run, scored);
  const checks = new Set(scored.flatMap((o) => o.checks.filter((c) => !c.skipped).map((c) => c.check.id)));
  const applied = config.exclude.filter((e) => e.runs === undefined || e.runs.includes(run)).length;
  console.log(`kube-score (run ${run}): ${scored.length} objects, ${checks.size} checks, ${applied} exclusions`);
  for (const f of findings) console.log(formatFinding(f));
  for (const s of stale) console.log(`STALE    exclusion ${s} matches no finding in run ${run}: remove it from .kube-score.yaml (or from this run)`);
  console.log(`kube-score (run ${run}): ${findings.length} findings, ${stale.length} stale exclusions`);
  process.exit(findings.length + stale.length === 0 ? 0 : 1);
}
