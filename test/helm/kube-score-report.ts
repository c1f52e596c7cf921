/**
 * Applies .kube-score.yaml to kube-score's JSON output (called by scripts/test-lint.sh): prints
 * every finding (warning or critical) that no exclusion covers, as `check  Kind/name (container):
 * message`, and exits 1 if there is one, or if an exclusion matches no finding (stale).
 *
 *   kube-score score -o json --all-default-optional ... | \
 *     npx --no-install ts-node --transpile-only test/helm/kube-score-report.ts .kube-score.yaml
 */
import * as fs from 'fs';
import * as YAML from 'yaml';

/** One exclusion of .kube-score.yaml. */
interface Exclusion {
  readonly check: string;
  /** `Kind/name` of the objects it applies to. @default - all objects */
  readonly objects?: readonly string[];
  readonly reason: string;
}

/** .kube-score.yaml. */
export interface KubeScoreConfig {
  readonly kubernetesVersion: string;
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
  for (const e of config.exclude ?? []) {
    if (!e.check || !e.reason || e.reason.trim().length < 20) throw new Error(`${file}: exclusion ${JSON.stringify(e)} needs a check and a reason`);
  }
  return config;
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

/** Findings not covered by an exclusion (sorted), and exclusions that covered nothing. */
export function report(config: KubeScoreConfig, scored: readonly ScoredObject[]): { findings: Finding[]; stale: string[] } {
  const used = new Set<Exclusion>();
  const findings: Finding[] = [];
  for (const o of scored) {
    const object = `${o.type_meta.kind}/${o.object_meta.name}`;
    for (const c of o.checks) {
      if (c.skipped || c.grade >= ALL_OK) continue;
      const exclusion = config.exclude.find((e) => e.check === c.check.id && (e.objects === undefined || e.objects.includes(object)));
      if (exclusion) { used.add(exclusion); continue; }
      const level: Finding['level'] = c.grade <= 1 ? 'CRITICAL' : 'WARNING';
      for (const comment of c.comments ?? [{ path: '', summary: '(no details)' }]) {
        findings.push({ level, check: c.check.id, object, ...(comment.path ? { container: comment.path } : {}), summary: comment.summary });
      }
    }
  }
  const stale = config.exclude.filter((e) => !used.has(e)).map((e) => `${e.check}${e.objects ? ` for ${e.objects.join(', ')}` : ''}`);
  const order = (f: Finding) => `${f.check} ${f.object} ${f.container ?? ''} ${f.summary}`;
  return { findings: findings.sort((a, b) => order(a).localeCompare(order(b))), stale };
}

if (require.main === module) {
  const config = loadConfig(process.argv[2] ?? '.kube-score.yaml');
  const scored = JSON.parse(fs.readFileSync(0, 'utf8')) as ScoredObject[];
  const { findings, stale } = report(config, scored);
  const checks = new Set(scored.flatMap((o) => o.checks.filter((c) => !c.skipped).map((c) => c.check.id)));
  console.log(`kube-score: ${scored.length} objects, ${checks.size} checks, ${config.exclude.length} exclusions`);
  for (const f of findings) console.log(formatFinding(f));
  for (const s of stale) console.log(`STALE    exclusion ${s} matches no finding: remove it from .kube-score.yaml`);
  console.log(`kube-score: ${findings.length} findings, ${stale.length} stale exclusions`);
  process.exit(findings.length + stale.length === 0 ? 0 : 1);
}
