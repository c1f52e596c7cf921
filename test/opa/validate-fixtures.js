#!/usr/bin/env node
// Checks the OPA test fixtures against the JSON Schema of Trino's OPA input
// (test/opa/trino-opa-input.schema.json), with ajv from the repo's devDependencies:
//   - every test/opa/inputs/*.json is a well-formed Trino request and MUST validate;
//   - every test/opa/inputs/malformed/*.json is a broken request (used to test that the
//     policy denies it) and MUST NOT validate, which also proves the schema rejects it.
// Run: node test/opa/validate-fixtures.js   (scripts/test-opa.sh does). Exits 1 on any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020').default;

const here = __dirname;
const schema = JSON.parse(fs.readFileSync(path.join(here, 'trino-opa-input.schema.json'), 'utf8'));
// strictTypes off: the schema's if/then branches refine `resource`/`filterResources` without
// repeating their `type`, which is declared once in $defs.
const validate = new Ajv2020({ allErrors: true, strictTypes: false }).compile(schema);

function reasons(errors) {
  return errors
    .filter((e) => e.keyword !== 'if')
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

function jsonFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
}

let passed = 0;
let failed = 0;
function check(file, expectValid) {
  const ok = validate(JSON.parse(fs.readFileSync(file, 'utf8')));
  const name = path.relative(here, file);
  if (ok === expectValid) {
    passed += 1;
    console.log(`ok   ${name} (${ok ? 'valid' : `rejected as expected: ${reasons(validate.errors)}`})`);
  } else {
    failed += 1;
    const why = ok ? 'is valid but must be rejected' : `is invalid: ${reasons(validate.errors)}`;
    console.log(`FAIL ${name} ${why}`);
  }
}

const valid = jsonFiles(path.join(here, 'inputs'));
const malformed = jsonFiles(path.join(here, 'inputs', 'malformed'));
if (valid.length === 0 || malformed.length === 0) {
  console.error('no fixtures found under test/opa/inputs');
  process.exit(1);
}
valid.forEach((f) => check(f, true));
malformed.forEach((f) => check(f, false));
console.log(`fixtures: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
