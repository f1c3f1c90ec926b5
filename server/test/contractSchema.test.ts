// The JSON that `perfcontract contract --format json` prints conforms to the published schema (docs/contract.schema.json).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import Ajv2020 from 'ajv/dist/2020';
import { analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';

const repo = path.resolve(__dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(repo, 'docs', 'contract.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const fixtures = [
  path.join(repo, 'test-fixtures', 'packet_parser.c'),
  ...fs.readdirSync(path.join(repo, 'test-fixtures', 'engine')).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(repo, 'test-fixtures', 'engine', f)),
];

test('the contract JSON of every fixture validates against docs/contract.schema.json', async () => {
  for (const fixture of fixtures) {
    const result = await analyze([{ path: fixture }], {}, diskFileSystem);
    // The same document the CLI prints: plain JSON, undefined fields dropped.
    const document = JSON.parse(JSON.stringify({ version: 1, functions: result.contracts }));
    const valid = validate(document);
    assert.ok(valid, `${path.basename(fixture)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});

test('the schema rejects a cost formula with a foreign operator, and a function without its fields', async () => {
  const result = await analyze([{ path: fixtures[0]! }], {}, diskFileSystem);
  const document = JSON.parse(JSON.stringify({ version: 1, functions: result.contracts })) as { functions: { classes: { cost: Record<string, string> }[] }[] };
  assert.ok(validate(document));
  document.functions[0].classes[0].cost.instructions = '12 / n'; // division is not in the formula grammar
  assert.equal(validate(document), false);
  assert.equal(validate({ version: 1, functions: [{ name: 'f' }] }), false);
});
