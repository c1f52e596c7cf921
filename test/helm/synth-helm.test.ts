/**
 * Unit tests of the library's Helm emitter (constructs/helm/) on the stand-in chart of fixture-chart.ts:
 * delimiter escaping, where values land and what their defaults are, the values that must be
 * refused, and the generated chart files; then the demo's values: where they land, and that the
 * values schema and DemoChart agree. Rendering with a real helm is in scripts/test-helm.sh.
 */
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { HelmChart, HelmChartProps } from '../../constructs';
import { ChartValue, exposeValues, Manifest, ManifestBuilder, objectKey, ValueSetting } from '../../constructs/helm/expose-values';
import { exposeChartValues, manifestBuilder } from '../../constructs/helm/helm-chart';
import { escapeTemplateText } from '../../constructs/helm/render-chart';
import { DEMO_HELM_CHARTS, lakehouseChartProps, parseManifests, seedChartProps, taxiDataChartProps, trinoIcebergChartProps } from '../../scripts/synth-helm';
import { CASES } from './cases';
import { buildFixture, FIXTURE_VALUES, fixtureChartFiles, TRICKY_TEXT } from './fixture-chart';

/**
 * Renders text whose only actions are Go string literals, as `{{ "..." }}` prints them, and fails on
 * a `{{` that starts anything else: a model of what helm does with escaped text.
 */
function renderLiteralActions(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const start = rest.indexOf('{{');
    if (start < 0) return out + rest;
    out += rest.slice(0, start);
    const m = /^\{\{ ("(?:[^"\\]|\\.)*") \}\}/.exec(rest.slice(start));
    if (!m) throw new Error(`unescaped delimiter at ${JSON.stringify(rest.slice(start, start + 20))}`);
    out += JSON.parse(m[1]) as string;
    rest = rest.slice(start + m[0].length);
  }
}

describe('escapeTemplateText', () => {
  test('leaves text without doubled braces alone', () => {
    const text = 'a { b } c {} d\n{"json": {"x": 1} }';
    expect(escapeTemplateText(text)).toBe(text);
  });

  test('turns every brace run holding {{ or }} into one literal action', () => {
    expect(escapeTemplateText('x {{ y }} z')).toBe('x {{ "{{" }} y {{ "}}" }} z');
    expect(escapeTemplateText('{}}')).toBe('{{ "{}}" }}');
    expect(escapeTemplateText('a{{{b')).toBe('a{{ "{{{" }}b');
  });

  test('round-trips the tricky program text and random brace soup', () => {
    expect(renderLiteralActions(escapeTemplateText(TRICKY_TEXT))).toBe(TRICKY_TEXT);
    const alphabet = ['{', '}', '"', '`', '\\', ' ', 'x', '-', '\n'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 30) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(renderLiteralActions(escapeTemplateText(text))).toBe(text);
    }
  });
});

describe('exposeValues on the fixture', () => {
  const exposure = exposeValues(buildFixture, FIXTURE_VALUES);
  const fields = (value: string) => exposure.slots
    .filter((s) => s.segments.some((g) => 'value' in g && g.value === value))
    .map((s) => `${s.object} ${s.path.join('.')}`)
    .sort();

  test('keeps the default manifests and derives the defaults from them', () => {
    expect(exposure.manifests).toEqual(buildFixture(new Map()));
    expect(exposure.defaults).toEqual(new Map<string, unknown>([
      ['fixture.password', 'fixture-default-password'],
      ['fixture.months', ['2020-09', '2020-10', '2020-11']],
      ['fixture.token', ''],
    ]));
  });

  test('places the object an optional value adds where the builder synthesizes it, with every probe in it', () => {
    const title = (m: Manifest) => `${m.kind} ${(m.metadata as { name: string }).name}`;
    expect(exposure.objects.map((o) => `${title(o.manifest)}${o.addedBy ? ` (${o.addedBy})` : ''}`)).toEqual([
      'Secret fixture-credentials',
      'Secret fixture-token (fixture.token)',
      'ConfigMap fixture-programs',
      'Job fixture-load',
      'ClusterRole fixture-reader',
    ]);
    expect(exposure.objects[1].manifest.stringData).toEqual({ token: 'FixtureProbeToken', 'token-url': 'https://demo:FixtureProbePassword@h/?token=FixtureProbeToken&t={{x}}' });
    expect(exposure.objects.filter((o) => o.addedBy === undefined).map((o) => o.manifest)).toEqual(exposure.manifests);
  });

  test('finds exactly the fields each value lands in', () => {
    expect(fields('fixture.password')).toEqual([
      'batch/v1/Job fixture-ns/fixture-load spec.template.spec.containers.0.env.1.value',
      'v1/Secret fixture-ns/fixture-credentials stringData.jdbc-url',
      'v1/Secret fixture-ns/fixture-credentials stringData.password',
      'v1/Secret fixture-ns/fixture-token stringData.token-url',
    ]);
    expect(fields('fixture.token')).toEqual([
      'v1/Secret fixture-ns/fixture-token stringData.token',
      'v1/Secret fixture-ns/fixture-token stringData.token-url',
    ]);
    expect(fields('fixture.months')).toEqual([
      'batch/v1/Job fixture-ns/fixture-load spec.template.spec.containers.0.args',
      'batch/v1/Job fixture-ns/fixture-load spec.template.spec.containers.0.env.0.value',
      'batch/v1/Job fixture-ns/fixture-load spec.template.spec.containers.0.env.1.value',
      'batch/v1/Job fixture-ns/fixture-load spec.template.spec.containers.0.env.2.value',
    ]);
  });

  test('finds a list whose items each render with literals around and between their repetitions', () => {
    const files = exposure.slots.find((s) => s.path.join('.') === 'spec.template.spec.containers.0.env.2.value')!;
    expect(files.segments).toEqual([
      { literal: 'trips_' },
      { value: 'fixture.months', joinedBy: '.parquet\ntrips_', itemLiterals: ['.parquet https://h/$x/trips_', '.parquet?m='] },
      { literal: '.parquet' },
    ]);
  });

  test('splits a field holding two values and a joined list', () => {
    const script = exposure.slots.find((s) => s.path.join('.') === 'spec.template.spec.containers.0.env.1.value')!;
    expect(script.segments).toEqual([
      { literal: "for m in '" },
      { value: 'fixture.months', joinedBy: "' '" },
      { literal: "'; do curl -u \"demo:" },
      { value: 'fixture.password' },
      { literal: '" "{{base}}/$m"; done' },
    ]);
  });
});

describe('exposeValues refuses values that are not plain substitutions', () => {
  const password: ChartValue = { path: 'app.password', description: 'x', schema: { type: 'string' }, probe: 'ProbeValue123' };
  /** A one-ConfigMap app whose data is computed from the password. */
  const builder = (data: (pw: string) => Record<string, string>, name: (pw: string) => string = () => 'cm'): ManifestBuilder => (settings) => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'ns' });
    const pw = (settings.get('app.password') as string | undefined) ?? 'default-pw';
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name(pw) }, data: data(pw) });
    return parseManifests(app.synthYaml());
  };

  test('a value that is encoded somewhere', () => {
    const b = builder((pw) => ({ plain: pw, encoded: Buffer.from(pw).toString('base64') }));
    expect(() => exposeValues(b, [password])).toThrow(/app.password changes v1\/ConfigMap ns\/cm \.data\.encoded but its probe does not appear there/);
  });

  test('a value that renames an object', () => {
    const b = builder((pw) => ({ plain: pw }), (pw) => `cm-${pw.length}`);
    expect(() => exposeValues(b, [password])).toThrow(/changes which objects exist \(added: v1\/ConfigMap ns\/cm-13; removed: v1\/ConfigMap ns\/cm-10\)/);
  });

  test('a value that changes a length next to itself', () => {
    const b = builder((pw) => ({ plain: `${pw}:${pw.length}` }));
    expect(() => exposeValues(b, [password])).toThrow(/in a way other than substituting itself/);
  });

  test('a value that adds keys', () => {
    const b = builder((pw): Record<string, string> => (pw === 'default-pw' ? { plain: pw } : { plain: pw, extra: 'x' }));
    expect(() => exposeValues(b, [password])).toThrow(/adds or removes v1\/ConfigMap ns\/cm \.data\.extra/);
  });

  test('a value that is not used', () => {
    expect(() => exposeValues(builder(() => ({ plain: 'constant' })), [password])).toThrow(/app.password changes nothing/);
  });

  test('a probe that occurs in the default manifests', () => {
    const b = builder((pw) => ({ plain: pw, other: 'ProbeValue123' }));
    expect(() => exposeValues(b, [password])).toThrow(/probe "ProbeValue123" already occurs/);
  });
});

describe('exposeValues refuses optional values that do not only add objects holding them', () => {
  const token: ChartValue = { path: 'app.token', description: 'x', schema: { type: 'string' }, probe: 'ProbeToken123', optional: true };
  const other: ChartValue = { path: 'app.other', description: 'x', schema: { type: 'string' }, probe: 'ProbeOther123', optional: true };
  /** A ConfigMap `cm` (data computed from the token, if any), plus the objects `extra` makes for a set token. */
  const builder = (
    cm: (tk: string | undefined) => Record<string, string>,
    extra: (tk: string, settings: ReadonlyMap<string, ValueSetting>) => Array<{ name: string; data: Record<string, string> }>,
  ): ManifestBuilder => (settings) => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'ns' });
    const tk = settings.get('app.token') as string | undefined;
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: cm(tk) });
    for (const o of tk === undefined ? [] : extra(tk, settings)) {
      new ApiObject(chart, o.name, { apiVersion: 'v1', kind: 'Secret', metadata: { name: o.name }, stringData: o.data });
    }
    return parseManifests(app.synthYaml());
  };
  const fixed = () => ({ plain: 'constant' });

  test('an optional value that is also substituted into a default object', () => {
    const b = builder((tk) => ({ plain: tk ?? 'none' }), (tk) => [{ name: 'tk', data: { token: tk } }]);
    expect(() => exposeValues(b, [token])).toThrow(/value app.token changes v1\/ConfigMap ns\/cm \.data\.plain, but an optional value may only add objects/);
  });

  test('an optional value that adds nothing', () => {
    expect(() => exposeValues(builder(fixed, () => []), [token])).toThrow(/app.token is optional but adds no object/);
  });

  test('an optional value that adds an object without it', () => {
    expect(() => exposeValues(builder(fixed, () => [{ name: 'tk', data: { token: 'fixed' } }]), [token])).toThrow(/value app.token adds v1\/Secret ns\/tk but does not land in it/);
  });

  test('a field of the added object computed from the value (encoded, sized)', () => {
    const encoded = builder(fixed, (tk) => [{ name: 'tk', data: { token: tk, encoded: Buffer.from(tk).toString('base64') } }]);
    expect(() => exposeValues(encoded, [token])).toThrow(/value app.token adds v1\/Secret ns\/tk, and values do not substitute cleanly into it \(app.token with its second setting\)/);
    const sized = builder(fixed, (tk) => [{ name: 'tk', data: { token: `${tk}:${tk.length}` } }]);
    expect(() => exposeValues(sized, [token])).toThrow(/values do not substitute cleanly into it \(app.token with its second setting\)/);
  });

  test('objects that depend on the setting, not only on whether it is set', () => {
    const b = builder(fixed, (tk) => [{ name: `tk-${tk.length}`, data: { token: tk } }]);
    expect(() => exposeValues(b, [token])).toThrow(/app.token adds other objects for another setting \(v1\/Secret ns\/tk-13; then v1\/Secret ns\/tk-12\)/);
  });

  test('an object added by one optional value holding another', () => {
    const b: ManifestBuilder = (settings) => {
      const app = new App();
      const chart = new Chart(app, 'c', { namespace: 'ns' });
      const [tk, ot] = ['app.token', 'app.other'].map((p) => settings.get(p) as string | undefined);
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: fixed() });
      if (tk !== undefined) new ApiObject(chart, 'tk', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tk' }, stringData: { token: tk, other: ot ?? '' } });
      if (ot !== undefined) new ApiObject(chart, 'other', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other' }, stringData: { other: ot } });
      return parseManifests(app.synthYaml());
    };
    expect(() => exposeValues(b, [token, other])).toThrow(/v1\/Secret ns\/tk \.stringData\.other, added by optional value app.token, holds optional value app.other/);
  });
});

describe('renderChart on the fixture', () => {
  const files = fixtureChartFiles();
  const manifests: Manifest[] = buildFixture(new Map());

  test('writes one template per object, numbered in synth order', () => {
    expect([...files.keys()].filter((f) => f.startsWith('templates/')).sort()).toEqual([
      'templates/1-secret-fixture-credentials.yaml',
      'templates/2-secret-fixture-token.yaml',
      'templates/3-configmap-fixture-programs.yaml',
      'templates/4-job-fixture-load.yaml',
      'templates/5-clusterrole-fixture-reader.yaml',
      'templates/NOTES.txt',
    ]);
    expect(manifests.map(objectKey)[1]).toBe('v1/ConfigMap fixture-ns/fixture-programs');
  });

  test('templates without values render to the objects when their literal actions are evaluated', () => {
    for (const [file, manifest] of [['templates/3-configmap-fixture-programs.yaml', manifests[1]], ['templates/5-clusterrole-fixture-reader.yaml', manifests[3]]] as const) {
      expect(parseManifests(renderLiteralActions(files.get(file)!))).toEqual([manifest]);
    }
  });

  test('the object an optional value adds renders only when the value is set, with the values substituted', () => {
    const text = files.get('templates/2-secret-fixture-token.yaml')!;
    expect(text.startsWith('{{- if .Values.fixture.token }}\napiVersion: v1\nkind: Secret\n')).toBe(true);
    expect(text.endsWith('\n{{- end }}\n')).toBe(true);
    expect(text).toContain('  token: {{ .Values.fixture.token | toJson }}\n');
    expect(text).toContain('  token-url: {{ print "https://demo:" .Values.fixture.password "@h/?token=" .Values.fixture.token "&t={{x}}" | toJson }}\n');
    expect(text.match(/\{\{-? ?(if|end)\b/g)).toEqual(['{{- if', '{{- end']);
  });

  test('Chart.yaml is a v2 chart without dependencies or CRDs', () => {
    expect(YAML.parse(files.get('Chart.yaml')!)).toEqual({
      apiVersion: 'v2', name: 'fixture', description: 'Stand-in chart for the emitter tests', type: 'application', version: '0.0.1', appVersion: '1.0',
    });
    expect([...files.keys()].filter((f) => f.startsWith('crds/') || f.startsWith('charts/'))).toEqual([]);
  });

  test('values.yaml holds the derived defaults, documented, and the schema accepts exactly valid values', () => {
    const valuesText = files.get('values.yaml')!;
    const values = YAML.parse(valuesText);
    expect(values).toEqual({ fixture: { password: 'fixture-default-password', months: ['2020-09', '2020-10', '2020-11'], token: '' } });
    expect(valuesText).toContain('# Password of user demo (Secret fixture-credentials, load script).');
    expect(valuesText).toContain('  # Unset by default; setting it adds: Secret fixture-token.\n  # Used in: Secret fixture-token.\n  token: ""\n');
    expect(valuesText).toMatch(/rendered for namespace "fixture-ns"/);

    const validate = new Ajv({ strict: true }).compile(JSON.parse(files.get('values.schema.json')!));
    expect(validate(values)).toBe(true);
    // The optional token: unset (empty, null or left out) or a valid token.
    for (const token of ['', null, undefined, 'long-token']) expect(validate({ fixture: { ...values.fixture, token } })).toBe(true);
    const bad = [
      { fixture: { ...values.fixture, token: 'abc' } },
      { fixture: { ...values.fixture, token: 1234 } },
      { fixture: { ...values.fixture, password: 12345678 } },
      { fixture: { ...values.fixture, password: 'short' } },
      { fixture: { ...values.fixture, months: '2020-09' } },
      { fixture: { ...values.fixture, months: ['2020-13'] } },
      { fixture: { ...values.fixture, months: ['2020-09', '2020-09'] } },
      { fixture: { ...values.fixture, months: [] } },
      { fixture: { ...values.fixture, typo: 'x' } },
      { ...values, other: {} },
    ];
    for (const v of bad) expect(validate(v)).toBe(false);
  });
});

/** A test case's values (`{ group: { name: value } }`) as the builder's settings (`group.name` -> value). */
const settingsOf = (values: object) => new Map<string, ValueSetting>(Object.entries(values).flatMap(([group, members]) => (
  Object.entries(members as Record<string, ValueSetting>).map(([name, v]): [string, ValueSetting] => [`${group}.${name}`, v]))));

/**
 * The tests every example app's chart shares (in the calling describe block): its default values
 * synthesize exactly the app's committed dist/, the schema accepts the defaults and the cases'
 * samples (which the chart builds), and it refuses each invalid case (which the builder refuses too
 * where the case names the builder's error). Returns what it made of the chart, for the block's own tests.
 */
function exampleChartTests<P>(name: keyof typeof CASES & string, chart: HelmChartProps<P>) {
  const build = manifestBuilder(chart);
  const exposure = exposeChartValues(chart);
  const files = new HelmChart(chart).files;
  const validate = new Ajv({ strict: true }).compile(JSON.parse(files.get('values.schema.json')!));
  const values = YAML.parse(files.get('values.yaml')!);

  test('its default values are the demo\'s plain synth (dist/)', () => {
    const dist = fs.readFileSync(path.join(__dirname, '..', '..', 'demos', name, 'dist', `${name}.k8s.yaml`), 'utf8');
    expect(exposure.manifests).toEqual(parseManifests(dist));
  });

  test('the schema accepts the defaults and the samples, which the chart builds', () => {
    const c = CASES[name]();
    expect(validate(values)).toBe(true);
    const merged = JSON.parse(JSON.stringify(values));
    for (const [p, v] of c.samples) { const [group, member] = p.split('.'); merged[group][member] = v; }
    expect(validate(merged)).toBe(true);
    expect(() => build(c.samples)).not.toThrow();
  });

  test.each(CASES[name]().invalid.map((c) => [c.what, c] as const))('the schema refuses %s', (_what, c) => {
    const merged = { ...values };
    for (const [group, members] of Object.entries(c.values)) merged[group] = { ...merged[group], ...members };
    expect(validate(merged)).toBe(false);
    if (c.builderError) expect(() => build(settingsOf(c.values))).toThrow(c.builderError);
  });
  return { exposure, files, validate, values };
}

describe('the demo chart', () => {
  const chart = seedChartProps();
  const DEMO_VALUES = chart.values;
  const build = manifestBuilder(chart);
  const exposure = exposeChartValues(chart);
  const files = new HelmChart(chart).files;
  const validate = new Ajv({ strict: true }).compile(JSON.parse(files.get('values.schema.json')!));
  const demo = CASES.demo();
  test('derives the demo defaults of every value', () => {
    expect(Object.fromEntries(exposure.defaults)).toEqual({
      'admin.password': 'adminadmin',
      'minio.rootPassword': 'minio-root-password',
      'minio.lakehousePassword': 'lakehouse-secret-key',
      'postgresql.hivePassword': 'hive',
      'postgresql.hiveIcebergPassword': 'hiveiceberg',
      'postgresql.supersetPassword': 'superset',
      'superset.secretKey': '',
      'data.months': ['2020-09', '2020-10', '2020-11', '2020-12'],
    });
    expect(YAML.parse(files.get('values.yaml')!)).toEqual({
      admin: { password: 'adminadmin' },
      minio: { rootPassword: 'minio-root-password', lakehousePassword: 'lakehouse-secret-key' },
      postgresql: { hivePassword: 'hive', hiveIcebergPassword: 'hiveiceberg', supersetPassword: 'superset' },
      superset: { secretKey: '' },
      data: { months: ['2020-09', '2020-10', '2020-11', '2020-12'] },
    });
  });

  test('passwords and the secret key land only in the stringData of Secrets', () => {
    const secrets = DEMO_VALUES.map((v) => v.path).filter((p) => p !== 'data.months');
    for (const value of secrets) {
      const slots = exposure.slots.filter((s) => s.segments.some((g) => 'value' in g && g.value === value));
      expect({ value, slots: slots.length > 0 }).toEqual({ value, slots: true });
      for (const slot of slots) {
        expect(slot.object).toMatch(/^v1\/Secret /);
        expect(slot.path[0]).toBe('stringData');
      }
    }
    const key = exposure.slots.filter((s) => s.segments.some((g) => 'value' in g && g.value === 'superset.secretKey'));
    expect(key.map((s) => `${s.object} ${s.path.join('.')}`)).toEqual([
      'v1/Secret default/superset-secret-key stringData.SECRET_KEY',
    ]);
  });

  test('the secret key is unset by default: the Secret superset-secret-key renders only when it is set, before the SupersetCluster', () => {
    const secrets = exposure.manifests.filter((m) => m.kind === 'Secret');
    expect(secrets.filter((m) => 'SECRET_KEY' in { ...(m.stringData as object), ...(m.data as object) }).map((m) => objectKey(m))).toEqual([]);
    expect(exposure.objects.filter((o) => o.addedBy !== undefined).map((o) => [objectKey(o.manifest), o.addedBy])).toEqual([
      ['v1/Secret default/superset-secret-key', 'superset.secretKey'],
    ]);
    const templates = [...files.keys()].filter((f) => /^templates\/.*\.yaml$/.test(f));
    const secret = templates.find((f) => f.endsWith('-secret-superset-secret-key.yaml'))!;
    const cluster = templates.find((f) => f.endsWith('-supersetcluster-superset.yaml'))!;
    expect(parseInt(secret.slice('templates/'.length), 10)).toBeLessThan(parseInt(cluster.slice('templates/'.length), 10));
    expect(files.get(secret)).toBe([
      '{{- if .Values.superset.secretKey }}', 'apiVersion: v1', 'kind: Secret', 'metadata:', '  name: superset-secret-key', '  namespace: default',
      'stringData:', '  SECRET_KEY: {{ .Values.superset.secretKey | toJson }}', 'type: Opaque', '{{- end }}', '',
    ].join('\n'));
    expect(files.get('values.yaml')).toContain('  # Unset by default; setting it adds: Secret superset-secret-key.\n  # Used in: Secret superset-secret-key.\n  secretKey: ""\n');
    // Unset ("" or null) or a key DemoChart accepts.
    const values = YAML.parse(files.get('values.yaml')!);
    for (const secretKey of ['', null, 'a-long-random-key']) expect(validate({ ...values, superset: { secretKey } })).toBe(true);
    expect(build(new Map([['superset.secretKey', '']]))).toEqual(exposure.manifests);
  });

  test('the months land in the load Job\'s file list and keys and the Spark job\'s wait, one file per month, whatever their number', () => {
    const slots = exposure.slots.filter((s) => s.segments.some((g) => 'value' in g && g.value === 'data.months'));
    expect(slots.map((s) => s.object.split(' ')[0]).sort()).toEqual(['batch/v1/Job', 'batch/v1/Job', 'spark.stackable.tech/v1alpha1/SparkApplication']);
    const keys = [{ literal: 'fhvhv_tripdata_' }, { value: 'data.months', joinedBy: '.parquet fhvhv_tripdata_' }, { literal: '.parquet' }];
    expect(slots.filter((s) => JSON.stringify(s.segments) === JSON.stringify(keys))).toHaveLength(2); // KEYS of the load and of the wait
    const mirror = 'https://repo.stackable.tech/repository/misc/ny-taxi-data/';
    expect(slots.map((s) => s.segments)).toContainEqual([
      { literal: 'fhvhv_tripdata_' },
      { value: 'data.months', joinedBy: '.parquet\nfhvhv_tripdata_', itemLiterals: [`.parquet ${mirror}fhvhv_tripdata_`] },
      { literal: '.parquet' },
    ]);
    const schema = JSON.parse(files.get('values.schema.json')!).properties.data.properties.months;
    expect(schema).toMatchObject({ type: 'array', minItems: 1, uniqueItems: true });
    expect(schema.maxItems).toBeUndefined();
    for (const n of [1, 2, 7, 16]) {
      const months = Array.from({ length: n }, (_, i) => `${2019 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
      const values = { ...YAML.parse(files.get('values.yaml')!), data: { months } };
      expect(validate(values)).toBe(true);
      expect(() => build(new Map([['data.months', months]]))).not.toThrow();
    }
  });

  test('has one template per object and no CRDs', () => {
    const templates = [...files.keys()].filter((f) => /^templates\/.*\.yaml$/.test(f));
    expect(templates).toHaveLength(exposure.manifests.length + 1); // and the optional secret key's Secret
    expect(exposure.manifests.filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
    expect(YAML.parse(files.get('Chart.yaml')!)).toMatchObject({ apiVersion: 'v2', name: 'spark-k8s-anomaly-detection-taxi-data', appVersion: '26.7' });
  });

  test('the schema accepts the defaults and the samples, which DemoChart builds', () => {
    expect(validate(YAML.parse(files.get('values.yaml')!))).toBe(true);
    const withSamples = { ...YAML.parse(files.get('values.yaml')!) };
    for (const [p, v] of demo.samples) {
      const [group, name] = p.split('.');
      withSamples[group] = { ...withSamples[group], [name]: v };
    }
    expect(validate(withSamples)).toBe(true);
    expect(() => build(demo.samples)).not.toThrow();
  });

  test.each(CASES.demo().invalid.map((c) => [c.what, c] as const))('the schema refuses %s', (_what, c) => {
    const merged = { ...YAML.parse(files.get('values.yaml')!) };
    for (const [group, members] of Object.entries(c.values)) merged[group] = typeof members === 'object' ? { ...merged[group], ...members } : members;
    expect(validate(merged)).toBe(false);
    if (c.builderError) expect(() => build(settingsOf(c.values))).toThrow(c.builderError);
  });
});

describe('the trino-taxi-data chart', () => {
  const { exposure, files, values } = exampleChartTests('trino-taxi-data', taxiDataChartProps());

  test('derives the demo\'s passwords as defaults, each landing only in the stringData of Secrets', () => {
    expect(values).toEqual({
      admin: { password: 'adminadmin' }, minio: { rootPassword: 'adminadmin', readerPassword: 'reader-secret-key' },
      postgresql: { hivePassword: 'hive', supersetPassword: 'superset' },
    });
    for (const slot of exposure.slots) {
      expect(slot.object).toMatch(/^v1\/Secret trino-taxi-data\//);
      expect(slot.path[0]).toBe('stringData');
    }
    expect(YAML.parse(files.get('Chart.yaml')!)).toMatchObject({ apiVersion: 'v2', name: 'trino-taxi-data', appVersion: '26.7' });
    expect([...files.keys()].filter((f) => /^templates\/.*\.yaml$/.test(f))).toHaveLength(exposure.manifests.length);
  });
});

describe('the trino-iceberg chart', () => {
  const { exposure, validate, values } = exampleChartTests('trino-iceberg', trinoIcebergChartProps());

  test('derives the stack\'s two passwords and the lakehouse user\'s key as defaults, each landing only in the stringData of Secrets', () => {
    expect(values).toEqual({ admin: { password: 'adminadmin' }, minio: { rootPassword: 'adminadmin', lakehousePassword: 'lakehouse-secret-key' } });
    expect(exposure.slots.length).toBeGreaterThanOrEqual(3);
    for (const slot of exposure.slots) {
      expect(slot.object).toMatch(/^v1\/Secret trino-iceberg\//);
      expect(slot.path[0]).toBe('stringData');
    }
    expect(validate(values)).toBe(true);
  });
});

describe('the data-lakehouse-iceberg-trino-spark chart', () => {
  const { exposure, validate, values } = exampleChartTests('data-lakehouse-iceberg-trino-spark', lakehouseChartProps());

  test('derives the passwords as defaults, each landing only in the stringData of Secrets', () => {
    expect(values).toEqual({ admin: { password: 'adminadmin' }, nifi: { adminPassword: 'adminadmin' }, minio: { rootPassword: 'minio-root-password', lakehousePassword: 'lakehouse-secret-key' } });
    expect(exposure.slots.length).toBeGreaterThanOrEqual(4);
    for (const slot of exposure.slots) {
      expect(slot.object).toMatch(/^v1\/Secret data-lakehouse\//);
      expect(slot.path[0]).toBe('stringData');
    }
    expect(validate(values)).toBe(true);
  });
});

describe('scripts/synth-helm.ts', () => {
  test('emits a chart for every demo app of demos/', () => {
    const demos = fs.readdirSync(path.join(__dirname, '..', '..', 'demos')).filter((n) => fs.existsSync(path.join(__dirname, '..', '..', 'demos', n, 'helm-values.ts'))).sort();
    expect(Object.keys(DEMO_HELM_CHARTS).sort()).toEqual(demos);
    expect(demos).toEqual(['data-lakehouse-iceberg-trino-spark', 'spark-k8s-anomaly-detection-taxi-data', 'trino-iceberg', 'trino-taxi-data']);
  });
});
