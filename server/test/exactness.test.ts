// Exactness oracle: for every class of every fixture, the concrete interpreter run on the class's witness lands in that class with exactly its cost.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import { analyze } from '../src/core/analysis';
import { interpret } from '../src/core/interp/interpreter';
import { outcomeKey } from '../src/core/contract/contract';
import { diskFileSystem } from '../src/cli/main';
import { ERROR_REASONS } from '../src/core/reasons';

const root = path.resolve(__dirname, '../../../test-fixtures');
const fixtures = [
  path.join(root, 'packet_parser.c'),
  ...fs.readdirSync(path.join(root, 'engine')).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(root, 'engine', f)),
];

for (const fixture of fixtures) {
  test(`exactness: ${path.relative(root, fixture)}`, async () => {
    const result = await analyze([{ path: fixture }], {}, diskFileSystem);
    for (const contract of result.contracts) {
      for (const pathClass of contract.classes) {
        if (pathClass.outcome === 'incomplete') continue; // the interpreter has no notion of an unroll limit
        const run = interpret(result.program, contract.name, pathClass.witness);
        const outcome = run.error ? { kind: ERROR_REASONS.has(run.error.reason) ? 'error' : 'incomplete', reason: run.error.reason } : { kind: 'return' };
        const key = `${run.trace}/${outcomeKey({ outcome })}`;
        const where = `${contract.name} ${pathClass.id} (${pathClass.condition})`;
        assert.ok(pathClass.traces.includes(key), `${where}: the witness ran a path outside its class (${key}; error ${run.error?.message ?? 'none'})`);
        for (const metric of contract.metrics) {
          assert.equal(String(run.cost[metric]), pathClass.cost[metric], `${where}: ${metric}`);
        }
      }
    }
  });
}
