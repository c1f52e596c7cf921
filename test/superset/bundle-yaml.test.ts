/**
 * Unit tests of constructs/superset/bundle-yaml.ts: the ConfigMap encoding of bundle paths, UUIDv5, the YAML emitter.
 */
import { configMapKeyToPath, pathToConfigMapKey, toYaml, uuidV5 } from '../../constructs/superset';
import { taxiDashboardBundle } from '../../demos/trino-taxi-data/taxi-dashboard';

describe('ConfigMap encoding', () => {
  test('round-trips every bundle path into a valid ConfigMap key', () => {
    const bundle = taxiDashboardBundle({ trino: { host: 'trino', port: 8443, admin: { username: 'admin' } }, caFile: '/ca.crt' });
    const data = bundle.toConfigMapData();
    expect(Object.keys(data)).toContain('datasets--trino_taxi--ny_taxi_data.yaml');
    for (const key of Object.keys(data)) expect(key).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [configMapKeyToPath(k), v]))).toEqual(bundle.files);
  });

  test.each(['a/b-c/d.yaml', 'x--y/-_z.yaml', 'a-/-b.yaml', 'plain.yaml'])('round-trips %s', path => {
    expect(configMapKeyToPath(pathToConfigMapKey(path))).toBe(path);
  });

  test('rejects paths it cannot encode and keys that are not encodings', () => {
    expect(() => pathToConfigMapKey('../x.yaml')).toThrow();
    expect(() => pathToConfigMapKey('/abs.yaml')).toThrow();
    expect(() => pathToConfigMapKey('a b.yaml')).toThrow();
    expect(() => configMapKeyToPath('a-b.yaml')).toThrow();
  });
});

describe('helpers', () => {
  test('uuidV5 matches RFC 4122 (Python uuid.uuid5(NAMESPACE_DNS, "www.example.com"))', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('toYaml quotes every string so YAML 1.1 readers keep them strings', () => {
    expect(toYaml({ a: 'yes', b: '1.0', 'on': 'x', c: [], d: {}, e: [{ f: 1, g: [true, null] }], h: 'a\u2028b' })).toBe(
      'a: "yes"\nb: "1.0"\n"on": "x"\nc: []\nd: {}\ne:\n- f: 1\n  g:\n  - true\n  - null\nh: "a\\u2028b"\n');
  });
});
