// `perfcontract check` as a CI job runs it: a git repository with a baseline commit and a change, budgets, SARIF and Markdown output, exit codes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support/runCli';
import { degreeOf } from '../src/cli/check';
import { matchesPcvPattern, typicalPcvValues } from '../src/cli/budgets';
import { parseFormula } from '../src/core/cost/formula';

const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-check-'));
const source = path.join(repoDir, 'src', 'flow.c');

const BASE = `#include <stdint.h>

/*@ budget instructions <= 2000 */
int lookup(const uint8_t *key, uint32_t len)
{
    uint32_t h = 0;
    uint32_t i;
    if (len > 64) return -1;
    /*@ pcv n "key bytes hashed" */
    /*@ bound n <= 64 */
    for (i = 0; i < len; i++) {
        h = h * 31 + key[i];
    }
    return (int)(h & 0xff);
}
`;

/** The change under review: a rehash loop inside the hash loop, taken when a key byte is 0xff. */
const NESTED = BASE.replace('    uint32_t i;\n', '    uint32_t i;\n    uint32_t j;\n').replace(
  '        h = h * 31 + key[i];\n',
  '        h = h * 31 + key[i];\n        if (key[i] == 0xff) {\n            /*@ pcv m "rehash rounds" */\n            /*@ bound m <= 64 */\n            for (j = 0; j < len; j++) h = h * 7 + key[j];\n        }\n',
);

/** A small change: one more operation per packet (0.3% of the worst case, 6.5% of the typical one). */
const SMALL = BASE.replace('    return (int)(h & 0xff);', '    h ^= h >> 7;\n    return (int)(h & 0xff);');

function git(...args: string[]): string {
  const result = spawnSync('git', ['-C', repoDir, '-c', 'user.name=perfcontract', '-c', 'user.email=perfcontract@localhost', ...args], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

fs.mkdirSync(path.dirname(source), { recursive: true });
fs.writeFileSync(source, BASE);
git('init', '-q');
git('add', '.');
git('commit', '-q', '-m', 'base');

test('degrees, PCV patterns and typical values', () => {
  assert.equal(degreeOf(parseFormula('3 + 2*n')), 1);
  assert.equal(degreeOf(parseFormula('3 + 2*n*m + max(n, 4)')), 2);
  assert.equal(degreeOf(parseFormula('7')), 0);
  assert.ok(matchesPcvPattern('t*', "t''") && matchesPcvPattern('t*', "t'@e") && matchesPcvPattern('t*', 't'));
  assert.ok(!matchesPcvPattern('t*', 'total') && !matchesPcvPattern('t*', 'c'));
  assert.deepEqual(typicalPcvValues('f', ['t', "t'", 'e', 'c'], { version: 1, typicalPcvs: { 't*': 2, e: 1 }, functions: { f: { typicalPcvs: { "t'": 5 } } } }), { t: 2, "t'": 5, e: 1 });
});

test('check passes an unchanged function within its budget, against the previous commit', async () => {
  const result = await cli(['check', source, '--baseline', 'HEAD']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /perfcontract check: 1 functions, 0 errors, 0 other findings \(baseline HEAD\): passed/);
});

test('check fails a nested loop: growth, a new PCV degree, a new adversarial class and the budget, in text, SARIF and Markdown', async () => {
  fs.writeFileSync(source, NESTED);
  try {
    const sarifFile = path.join(repoDir, 'out.sarif');
    const markdownFile = path.join(repoDir, 'summary.md');
    const result = await cli(['check', source, '--baseline', 'HEAD', '--sarif', sarifFile, '--markdown', markdownFile]);
    assert.equal(result.code, 1, result.stderr);
    const ids = result.stdout.split('\n').filter((l) => / error PCK/.test(l)).map((l) => / error (PCK\d+) /.exec(l)![1]).sort();
    assert.deepEqual(ids, ['PCK001', 'PCK002', 'PCK003', 'PCK003', 'PCK003', 'PCK003', 'PCK004', 'PCK004']);
    assert.match(result.stdout, /PCK004 the cost of 'lookup' in instructions is now of degree 2 in its PCVs \(was 1\)/);
    assert.match(result.stdout, /PCK003 the worst case of 'lookup' with every PCV at its bound grew from 735 to \d+ instructions/);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'perfcontract');
    const rules: { id: string }[] = run.tool.driver.rules;
    assert.deepEqual(rules.map((r) => r.id), ['PCK001', 'PCK002', 'PCK003', 'PCK004', 'PCK005', 'PCK006']);
    assert.equal(run.results.length, 8);
    for (const r of run.results) {
      assert.equal(rules[r.ruleIndex]!.id, r.ruleId);
      assert.equal(r.level, 'error');
      const location = r.locations[0].physicalLocation;
      assert.deepEqual(location.artifactLocation, { uri: 'src/flow.c', uriBaseId: '%SRCROOT%' });
      assert.ok(location.region.startLine >= 4);
      assert.match(r.partialFingerprints['perfcontract/v1'], /^[0-9a-f]{32}$/);
    }
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${fs.realpathSync(repoDir)}/`);
    const adversarial = run.results.find((r: { ruleId: string }) => r.ruleId === 'PCK002');
    assert.equal(adversarial.locations[0].physicalLocation.region.startLine, 14, 'at the condition that drives the adversarial class');
    const markdown = fs.readFileSync(markdownFile, 'utf8');
    assert.match(markdown, /^## perfcontract check: failed \(8 errors\)/);
    assert.match(markdown, /\| `lookup` \| instructions \| \d+ \(\+\d+, \+[0-9.]+%\) \| \d+ \(\+\d+, \+[0-9.]+%\) \| 2 \(\+1, \+100\.0%\) \| ≤ 2000 \|/);
  } finally {
    fs.writeFileSync(source, BASE);
  }
});

test('check: growth under --growth-percent passes, above fails; a saved contract is a baseline too', async () => {
  const saved = path.join(repoDir, 'base.json');
  const contract = await cli(['contract', source, '--format', 'json']);
  assert.equal(contract.code, 0, contract.stderr);
  fs.writeFileSync(saved, contract.stdout);
  fs.writeFileSync(source, SMALL);
  try {
    const within = await cli(['check', source, '--baseline', saved, '--growth-percent', '10']);
    assert.equal(within.code, 0, within.stdout);
    const strict = await cli(['check', source, '--baseline', 'HEAD', '--growth-percent', '0', '--format', 'markdown']);
    assert.equal(strict.code, 1, strict.stdout);
    assert.match(strict.stdout, /PCK003 \| `src\/flow.c:4` \| the worst case of 'lookup' with every PCV at its bound grew from 735 to 737 instructions \(\+2, \+0\.3%, class C\d+\), more than the 0% allowed/);
    const defaults = await cli(['check', source, '--baseline', saved]);
    assert.equal(defaults.code, 1, 'the typical worst case grew by 6.5%, above the default 5%');
    assert.match(defaults.stdout, /at the typical PCV values grew from 31 to 33 instructions \(\+2, \+6\.5%/);
  } finally {
    fs.writeFileSync(source, BASE);
  }
});

test('check: budgets from budgets.json (worst and typical) and from the editor settings (with comments)', async () => {
  const budgets = path.join(repoDir, 'budgets.json');
  fs.writeFileSync(budgets, JSON.stringify({ version: 1, typicalPcvs: { n: 16 }, functions: { lookup: { typical: { instructions: 100 }, worst: { memory_accesses: 10 } } } }));
  const result = await cli(['check', source, '--budgets', budgets]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /PCK001 'lookup' exceeds its typical budget of 100 instructions \(from the budgets file\): its worst case, class C\d+, costs 207 instructions at the typical PCV values/);
  assert.match(result.stdout, /PCK001 'lookup' exceeds its budget of 10 memory_accesses \(from the budgets file\): its worst case, class C\d+, costs 66 memory_accesses with every PCV at its bound/);
  // The annotation (2000) wins over the setting for instructions; the setting alone applies to a function without one.
  const settings = path.join(repoDir, 'settings.json');
  fs.writeFileSync(settings, '{\n  // team budgets\n  "perfcontract.budgets": { "lookup": 10, },\n}\n');
  const withSettings = await cli(['check', source, '--settings', settings]);
  assert.equal(withSettings.code, 0, withSettings.stdout);
  fs.writeFileSync(source, BASE.replace('/*@ budget instructions <= 2000 */\n', ''));
  try {
    const fromSettings = await cli(['check', source, '--settings', settings]);
    assert.equal(fromSettings.code, 1);
    assert.match(fromSettings.stdout, /exceeds its budget of 10 instructions \(from the perfcontract.budgets setting\)/);
  } finally {
    fs.writeFileSync(source, BASE);
  }
});

test('check: a bad baseline, budgets file or option gives a clear error and a stable exit code', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--baseline', 'no-such-revision'], 3, /PW004 cannot-check: the baseline 'no-such-revision' is neither a saved contract file nor a git revision/],
    [['--budgets', path.join(repoDir, 'missing.json')], 3, /PW003 bad-budgets: cannot read budgets file/],
    [['--format', 'xml'], 2, /unknown format 'xml'/],
    [['--growth-percent', '-3'], 2, /--growth-percent needs a number >= 0/],
    [['--entry', 'no_such_function'], 3, /no function named 'no_such_function'/],
  ];
  for (const [args, code, message] of cases) {
    const result = await cli(['check', source, ...args]);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  fs.writeFileSync(path.join(repoDir, 'bad-budgets.json'), JSON.stringify({ version: 1, functions: { lookup: { worst: { instrs: 5 } } } }));
  const bad = await cli(['check', source, '--budgets', path.join(repoDir, 'bad-budgets.json')]);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /names an unknown metric 'instrs'/);
});
