/**
 * The two layers: constructs/ holds product constructs only, which another demo repository
 * imports; demos/ holds the demo apps, which use the library by its package name. A product file
 * never imports a demo and carries no demo's name.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/** Words that name a demo or what only a demo owns (its dataset, job, table, chart). */
const DEMO_NAMES = [/taxi/i, /anomal/i, /iforest/i, /isolation.?forest/i, /DemoChart/, /tlc/i, /spark-k8s-anomaly-detection/, /trino-taxi-data/, /trino-iceberg/];

describe('layers', () => {
  const product = files(path.join(ROOT, 'constructs'));

  test('constructs/ has a folder per product, core and helm (capabilities of every app) and the index only', () => {
    const top = fs.readdirSync(path.join(ROOT, 'constructs')).sort();
    expect(top).toEqual(['core', 'helm', 'hive', 'index.ts', 'kafka', 'minio', 'nifi', 'opa', 'postgres', 's3', 'secret-operator', 'spark', 'superset', 'trino']);
  });

  test.each(product.map(f => [path.relative(ROOT, f), f]))('%s imports no demo', (_, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map(m => m[1]);
    for (const spec of imports) {
      expect({ spec, demo: spec.startsWith('.') && path.resolve(path.dirname(file), spec).startsWith(path.join(ROOT, 'demos')) }).toEqual({ spec, demo: false });
      expect(spec).not.toBe('cdk8s-stackable-demos');
    }
  });

  test.each(product.map(f => [path.relative(ROOT, f), f]))('%s names no demo', (_, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const found = DEMO_NAMES.filter(re => re.test(text)).map(String);
    expect(found).toEqual([]);
  });

  test('the demo apps import the library by its package name only', () => {
    for (const file of files(path.join(ROOT, 'demos')).filter(f => f.endsWith('.ts') && !f.includes(`${path.sep}dist${path.sep}`))) {
      const text = fs.readFileSync(file, 'utf8');
      const specs = [...text.matchAll(/from\s*'([^']+)'/g)].map(m => m[1]);
      const intoLibrary = specs.filter(s => s.startsWith('.') && path.resolve(path.dirname(file), s).startsWith(path.join(ROOT, 'constructs')));
      expect({ file: path.relative(ROOT, file), intoLibrary }).toEqual({ file: path.relative(ROOT, file), intoLibrary: [] });
    }
  });
});
