// Regression properties on test-fixtures/unseen (code the engine was not tuned for) that hold today and must keep holding: clean lowering, analyses that end near their time limit without an internal error, and no class below the interpreter on its witness.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { analyze } from '../src/core/analysis';
import { buildTranslationUnit } from '../src/core/syntax/translationUnit';
import { lowerProgram } from '../src/core/ir/lowerProgram';
import { interpret } from '../src/core/interp/interpreter';
import { runPathKey } from '../src/core/contract/contract';
import { evaluateFormula } from '../src/core/cost/formula';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';
import { Reasons } from '../src/core/reasons';
import { diskFileSystem } from '../src/cli/main';
import { repo } from './support/runCli';

const corpus = path.resolve(__dirname, '../../../test-fixtures/unseen');
const files = fs.readdirSync(corpus).filter((f) => f.endsWith('.c')).sort();

/**
 * A short time limit keeps the whole file under a minute; the properties below do not depend on
 * the analysis finishing. The margin covers the work after the limit is noticed (witness
 * verification, contract building) and one solver query in flight on a loaded machine.
 */
const TIME_LIMIT_MS = 1000;
const MARGIN_MS = 8000;
/** Smaller solver limits than the defaults, so that one query cannot use up the margin. */
const SOLVER_LIMITS = { solverTimeoutMs: 500, solverResourceLimit: 2_000_000 };
/**
 * FIXME(the analysis overruns its time limit): acl_prefix.c's analysis took 75 s with a 1.5 s time
 * limit and default solver limits, 30 s with a 1 s limit and the solver limits above (4.6 s in
 * another run), and the CLI's watchdog ends it (PC305) with default options (docs/benchmarks.md,
 * "Code the engine was not tuned for"). Until it keeps its
 * limit, it is run as a separate process, killed after HARD_KILL_MS, and only a crash before that
 * fails; move it back to the in-process test then.
 */
const OVERRUNS = new Set(['acl_prefix.c']);
const HARD_KILL_MS = 10_000;

test('the unseen corpus has at least 20 files', () => {
  assert.ok(files.length >= 20, `only ${files.length} files in ${corpus}`);
});

test('every unseen file parses and lowers without a diagnostic', async () => {
  for (const file of files) {
    const unit = await buildTranslationUnit([{ path: path.join(corpus, file) }], { includeDirs: [], defines: {} }, diskFileSystem);
    const lowered = lowerProgram(unit);
    const diagnostics = [...unit.diagnostics, ...lowered.diagnostics].map((d) => `${Reasons[d.reason].code} ${d.message} (line ${d.startLine + 1})`);
    assert.deepEqual(diagnostics, [], `${file}: ${diagnostics.join('; ')}`);
    assert.equal(lowered.failedFunctions.size, 0, `${file}: functions that failed to lower: ${[...lowered.failedFunctions.keys()].join(', ')}`);
  }
});

for (const file of files.filter((f) => OVERRUNS.has(f))) {
  test(`unseen ${file}: the CLI does not crash before it is stopped (FIXME: it overruns its time limit)`, () => {
    const run = spawnSync(process.execPath, [path.join(repo, 'bin', 'perfcontract.js'), 'contract', path.join(corpus, file), '--format', 'json', '--time-limit', String(TIME_LIMIT_MS)],
      { encoding: 'utf8', timeout: HARD_KILL_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
    if (run.signal === 'SIGKILL') return; // still running at the hard limit: the known overrun
    assert.equal(run.status, 0, `${file}: exit ${run.status}: ${run.stderr}`);
    const contract = (JSON.parse(run.stdout) as { functions: { incompleteReasons: { kind: string; message: string }[] }[] }).functions[0]!;
    const internal = contract.incompleteReasons.filter((r) => r.kind === 'internal-error');
    assert.deepEqual(internal, [], `${file}: ${internal.map((r) => r.message).join('; ')}`);
  });
}

for (const file of files.filter((f) => !OVERRUNS.has(f))) {
  test(`unseen ${file}: one entry, ends within its time limit, no internal error, no class below its witness`, async () => {
    const started = performance.now();
    const result = await analyze([{ path: path.join(corpus, file) }], { ...SOLVER_LIMITS, execution: { ...DEFAULT_EXECUTION_OPTIONS, timeLimitMs: TIME_LIMIT_MS } }, diskFileSystem);
    const elapsed = performance.now() - started;
    assert.equal(result.contracts.length, 1, `${file}: expected one entry, got ${result.entries.join(', ')}`);
    const contract = result.contracts[0]!;
    assert.ok(elapsed <= TIME_LIMIT_MS + MARGIN_MS, `${file}: the analysis took ${Math.round(elapsed)} ms with a ${TIME_LIMIT_MS} ms limit`);
    const internal = contract.incompleteReasons.filter((r) => r.kind === 'internal-error');
    assert.deepEqual(internal, [], `${file}: ${internal.map((r) => r.message).join('; ')}`);
    for (const pathClass of contract.classes) {
      if (pathClass.outcome === 'incomplete') continue;
      const run = interpret(result.program, contract.name, pathClass.witness, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, declaredContracts: result.declaredContracts });
      const key = runPathKey(run);
      // FIXME(witnesses that miss their class, docs/benchmarks.md): some land in another class today; the
      // class they land in must still bound them. When every witness reaches its own class, assert that here.
      const landed = contract.classes.find((c) => c.traces.includes(key));
      if (!landed) continue; // a run no class holds is a coverage gap of an incomplete contract, not a cost below a class
      const values = Object.fromEntries(contract.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0]));
      for (const metric of contract.metrics) {
        const predicted = evaluateFormula(landed.cost[metric]!, values);
        assert.ok(predicted >= run.cost[metric], `${file} ${pathClass.id} (witness lands in ${landed.id}): ${metric} ${landed.cost[metric]} at ${JSON.stringify(values)} = ${predicted} < ${run.cost[metric]}`);
      }
    }
  });
}
