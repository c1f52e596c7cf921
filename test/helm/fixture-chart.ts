/**
 * A small stand-in app for the library's Helm emitter (constructs/helm/, class HelmChart): template delimiters inside
 * embedded programs, YAML 1.1 look-alikes, a password inside a Secret, a URL and a script, a
 * month list joined into a variable, used as an argument list and expanded into a file list, and
 * an optional token whose setting adds a Secret (holding the password too) between two objects.
 * Unit tests use it in-process; scripts/test-helm.sh renders it with a real helm to prove the
 * escaping and the optional object.
 *
 *   npx --no-install ts-node --transpile-only test/helm/fixture-chart.ts PLAIN_DIR HELM_DIR
 * writes the plain synth to PLAIN_DIR and the chart to HELM_DIR/fixture.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { HelmChart, HelmChartProps, HelmValue } from '../../constructs';
import { manifestBuilder } from '../../constructs/helm/helm-chart';

/** Settings of the fixture. */
export interface FixtureProps {
  readonly password?: string;
  readonly months?: readonly string[];
  /** Adds Secret `fixture-token` when set. */
  readonly token?: string;
}

/** Program text containing every awkward delimiter combination. */
export const TRICKY_TEXT = [
  '# Python: f-strings and format() use doubled braces',
  'print(f"{{literal}} {value} {{{value}}}")',
  'empty = {}}',
  'print("{}}}".format(1))',
  '# Jinja / Go templates: must not be evaluated by helm',
  '{{- if .Values.enabled -}}{{ .Release.Name }}{{/* comment */}}{{- end }}',
  '{{"{{"}} {{`{{`}} }}}}{{{{',
  'lone { and } and {} and {{ and }} and {{{ and }}}',
  '---',
  'key: {{ include "x" . | nindent 4 }}',
  'trailing brace {',
].join('\n') + '\n';

/** Builds the fixture app (namespace `fixture-ns`), synthesizing into `outdir` (cdk8s default: dist). */
export function fixtureApp(props: FixtureProps = {}, outdir?: string): App {
  const app = new App({ outdir });
  fixtureChart(app, props);
  return app;
}

/** Adds the fixture's chart to `app`. */
export function fixtureChart(app: App, props: FixtureProps = {}): Chart {
  const password = props.password ?? 'fixture-default-password';
  const months = props.months ?? ['2020-09', '2020-10', '2020-11'];
  if (password.length < 8) throw new Error(`fixture: password must have at least 8 characters`);
  const chart = new Chart(app, 'fixture', { namespace: 'fixture-ns', disableResourceNameHashes: true });
  new ApiObject(chart, 'credentials', {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fixture-credentials' },
    stringData: {
      username: 'demo',
      password,
      'jdbc-url': `postgresql://demo:${password}@db.fixture-ns.svc.cluster.local:5432/demo?opt={{x}}`,
    },
  });
  if (props.token !== undefined) {
    new ApiObject(chart, 'token', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fixture-token' },
      stringData: { token: props.token, 'token-url': `https://demo:${password}@h/?token=${props.token}&t={{x}}` },
    });
  }
  new ApiObject(chart, 'programs', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fixture-programs', annotations: { note: '{{ not a template }}' } },
    data: {
      'tricky.txt': TRICKY_TEXT,
      'one-line.txt': TRICKY_TEXT.replace(/\n/g, ' '),
      'yes': 'yes', 'on': 'on', 'octal': '0775', 'month': '2020-09', 'empty': '', 'unicode': 'ü → 😀',
    },
  });
  new ApiObject(chart, 'load', {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fixture-load' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'load', image: 'example.org/load:1.0',
            args: months,
            env: [
              { name: 'MONTHS', value: months.join(' ') },
              { name: 'SCRIPT', value: `for m in '${months.join("' '")}'; do curl -u "demo:${password}" "{{base}}/$m"; done` },
              // Each month twice in its item, with literals between ('$' is special in regexReplaceAll's replacement).
              { name: 'FILES', value: months.map((m) => `trips_${m}.parquet https://h/$x/trips_${m}.parquet?m=${m}.parquet`).join('\n') },
            ],
          }],
        },
      },
    },
  });
  new ApiObject(chart, 'reader', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'fixture-reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  });
  return chart;
}

/** The fixture's chart values. */
export const FIXTURE_VALUES: ReadonlyArray<HelmValue<FixtureProps>> = [
  {
    path: 'fixture.password', description: 'Password of user demo (Secret fixture-credentials, load script).',
    schema: { type: 'string', minLength: 8 }, probe: 'FixtureProbePassword',
    apply: (props, password) => ({ ...props, password: password as string }),
  },
  {
    path: 'fixture.months', description: 'Months to load, as YYYY-MM.',
    schema: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' } },
    probe: ['1901-01', '1901-02'],
    apply: (props, months) => ({ ...props, months: months as readonly string[] }),
  },
  {
    path: 'fixture.token', description: 'Token of user demo (Secret fixture-token).',
    schema: { type: 'string', minLength: 4 }, probe: 'FixtureProbeToken', optional: true,
    apply: (props, token) => ({ ...props, token: token as string }),
  },
];

/** The fixture's HelmChart props. */
export const FIXTURE_CHART: HelmChartProps<FixtureProps> = {
  name: 'fixture', version: '0.0.1', appVersion: '1.0', description: 'Stand-in chart for the emitter tests',
  values: FIXTURE_VALUES, props: {}, build: (app, props) => fixtureChart(app, props),
};

/** The fixture's manifests with some values set. */
export const buildFixture = manifestBuilder(FIXTURE_CHART);

/** The fixture's chart files. */
export function fixtureChartFiles(): ReadonlyMap<string, string> {
  return new HelmChart(FIXTURE_CHART).files;
}

if (require.main === module) {
  const [plainDir, helmDir] = process.argv.slice(2);
  if (!plainDir || !helmDir) {
    console.error('usage: fixture-chart.ts PLAIN_DIR HELM_DIR');
    process.exit(2);
  }
  fixtureApp({}, plainDir).synth();
  console.log(new HelmChart(FIXTURE_CHART).writeTo(helmDir));
}
