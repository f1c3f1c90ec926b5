// Exactness oracle: for every class of every fixture, the concrete interpreter run on the class's witness lands in that class with exactly its cost (for a merged class: each member with exactly its own, the class never below).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import { analyze } from '../src/core/analysis';
import { interpret } from '../src/core/interp/interpreter';
import { runPathKey } from '../src/core/contract/contract';
import { diskFileSystem } from '../src/cli/main';
import { evaluateFormula, formulaPcvNames } from '../src/core/cost/formula';

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
        const run = interpret(result.program, contract.name, pathClass.witness, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, declaredContracts: result.declaredContracts });
        const key = runPathKey(run);
        const where = `${contract.name} ${pathClass.id} (${pathClass.condition})`;
        if (pathClass.witnessVerified === false) {
          // Declared unverified (a summarised loop over-approximated it): it must really miss its class.
          assert.ok(!pathClass.traces.includes(key), `${where}: marked unverified but the witness lands in its class`);
          continue;
        }
        assert.ok(pathClass.traces.includes(key), `${where}: the witness ran a path outside its class (${key}; error ${run.error?.message ?? 'none'})`);
        // A merged class's members are checked as classes were before merging: exact where loop-free.
        for (const member of pathClass.members ?? []) {
          const memberRun = interpret(result.program, contract.name, member.witness, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, declaredContracts: result.declaredContracts });
          const lands = member.traces.includes(runPathKey(memberRun));
          assert.equal(lands, member.witnessVerified, `${where} member ${member.id}: witnessVerified says ${String(member.witnessVerified)}`);
          for (const trace of member.traces) assert.ok(pathClass.traces.includes(trace), `${where} member ${member.id}: a trace outside its class`);
          if (!lands) continue;
          for (const metric of contract.metrics) {
            const formula = member.cost[metric]!;
            const values = Object.fromEntries(contract.pcvs.map((p) => [p.name, memberRun.pcv[p.name] ?? 0]));
            if (formulaPcvNames(formula).length === 0) assert.equal(String(memberRun.cost[metric]), formula, `${where} member ${member.id}: ${metric}`);
            else assert.ok(evaluateFormula(formula, values) >= memberRun.cost[metric], `${where} member ${member.id}: ${metric}`);
            // The class's cost is never below a member's.
            assert.ok(evaluateFormula(pathClass.cost[metric]!, values) >= evaluateFormula(formula, values), `${where}: ${metric} below member ${member.id}`);
          }
        }
        for (const metric of contract.metrics) {
          const formula = pathClass.cost[metric]!;
          if (formulaPcvNames(formula).length === 0 && pathClass.members && pathClass.members.length > 1) {
            // A merged class costs the largest of its members: its witness's run is at most that.
            assert.ok(Number(formula) >= run.cost[metric], `${where}: ${metric} ${formula} < ${run.cost[metric]}`);
          } else if (formulaPcvNames(formula).length === 0) {
            assert.equal(String(run.cost[metric]), formula, `${where}: ${metric}`);
          } else {
            // A summarised loop charges its worst iteration every time: the formula bounds the run.
            // A PCV of a loop this run never summarised counts zero summarised iterations.
            const values = Object.fromEntries(contract.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0]));
            const predicted = evaluateFormula(formula, values);
            assert.ok(predicted >= run.cost[metric], `${where}: ${metric} ${formula} at ${JSON.stringify(values)} = ${predicted} < ${run.cost[metric]}`);
            for (const pcv of contract.pcvs) assert.equal(run.pcv[pcv.name] ?? 0, pathClass.witness.pcv[pcv.name], `${where}: witness PCV ${pcv.name}`);
          }
        }
      }
    }
  });
}
