/**
 * Checks a chart's values.schema.json (called by scripts/test-helm.sh for every demo chart): it
 * exists, is valid draft-07 JSON schema (ajv's meta-schema, strict mode), documents every value,
 * and accepts the chart's values.yaml.
 *
 *   npx --no-install ts-node --transpile-only test/helm/check-schema.ts CHART_DIR
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';

function main(): number {
  const [chart] = process.argv.slice(2);
  if (!chart) {
    console.error('usage: check-schema.ts CHART_DIR');
    return 2;
  }
  const file = path.join(chart, 'values.schema.json');
  if (!fs.existsSync(file)) { console.error(`FAIL ${file} is missing`); return 1; }
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ajv = new Ajv({ strict: true });
  if (schema.$schema !== 'http://json-schema.org/draft-07/schema#' || !ajv.validateSchema(schema)) {
    console.error(`FAIL ${file} is not a valid draft-07 schema: ${ajv.errorsText(ajv.errors)}`);
    return 1;
  }
  const validate = ajv.compile(schema);
  const values = YAML.parse(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8'));
  if (!validate(values)) { console.error(`FAIL values.yaml does not meet ${file}: ${ajv.errorsText(validate.errors)}`); return 1; }
  const undocumented = Object.entries(schema.properties as Record<string, { properties: Record<string, { description?: string }> }>)
    .flatMap(([group, g]) => Object.entries(g.properties).filter(([, v]) => !v.description).map(([name]) => `${group}.${name}`));
  if (undocumented.length > 0) { console.error(`FAIL values without a description: ${undocumented.join(', ')}`); return 1; }
  console.log(`ok   ${file}: valid draft-07, documents and accepts the ${Object.keys(schema.properties).length} value group(s) of values.yaml`);
  return 0;
}

process.exit(main());
