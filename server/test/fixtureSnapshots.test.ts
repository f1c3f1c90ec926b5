// Data-driven tests: each fixture's contract (Markdown) and diagnostics must equal the expected file beside it.
// Refresh the expected files with UPDATE_EXPECT=1 npm test, then review the diff.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import { analyze } from '../src/core/analysis';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';
import { renderMarkdown } from '../src/core/contract/renderMarkdown';
import { Reasons } from '../src/core/reasons';
import { diskFileSystem } from '../src/cli/main';
import { execFile } from 'child_process';
import { promisify } from 'util';

const root = path.resolve(__dirname, '../../../test-fixtures');
const fixtures = [
  path.join(root, 'packet_parser.c'),
  ...fs.readdirSync(path.join(root, 'engine')).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(root, 'engine', f)),
];

/**
 * Options other than the defaults, per fixture. path_explosion.c shows the path limit: at the
 * default 2,048 paths it reaches the limit in about 23 s of its 30 s time limit on a quiet machine,
 * and the time limit first on a busy one, so its snapshot would depend on the machine's load.
 */
const FIXTURE_EXECUTION: Record<string, { maxPaths: number }> = { 'engine/path_explosion.c': { maxPaths: 256 } };

export async function renderFixture(fixture: string, defines: Record<string, string> = {}): Promise<string> {
  const execution = FIXTURE_EXECUTION[path.relative(root, fixture)];
  const result = await analyze([{ path: fixture }], { defines, ...(execution ? { execution: { ...DEFAULT_EXECUTION_OPTIONS, ...execution } } : {}) }, diskFileSystem);
  // z3 failed in this process (an intermittent crash of one of its threads): every later answer
  // would be unknown here, so this fixture is rendered again in a fresh process, as a host would.
  if (result.solverFailure && process.env.PC_FRESH_PROCESS !== '1') return renderInFreshProcess(fixture, defines);
  const dir = path.dirname(fixture);
  const diagnostics = result.diagnostics.map((d) => `- ${path.relative(dir, d.file)}:${d.startLine + 1}:${d.startColumn + 1} ${Reasons[d.reason].code} ${d.reason}: ${d.message}`);
  return [
    `# ${path.basename(fixture)}`,
    '',
    `Diagnostics: ${diagnostics.length === 0 ? 'none' : ''}`,
    ...diagnostics,
    '',
    renderMarkdown(result.contracts, { baseDir: dir, witnesses: false }),
    '',
  ].join('\n');
}

async function renderInFreshProcess(fixture: string, defines: Record<string, string>): Promise<string> {
  const script = `require(${JSON.stringify(__filename)}).renderFixture(${JSON.stringify(fixture)}, ${JSON.stringify(defines)}).then((text) => process.stdout.write(text));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, PC_FRESH_PROCESS: '1', PC_RENDER_ONLY: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function checkSnapshot(actual: string, expectedFile: string): void {
  if (process.env.UPDATE_EXPECT === '1') {
    fs.writeFileSync(expectedFile, actual);
    return;
  }
  assert.ok(fs.existsSync(expectedFile), `missing ${expectedFile}; run UPDATE_EXPECT=1 npm test and review it`);
  assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'));
}

if (process.env.PC_RENDER_ONLY !== '1') registerTests();

function registerTests(): void {
for (const fixture of fixtures) {
  test(`contract snapshot: ${path.relative(root, fixture)}`, async () => {
    checkSnapshot(await renderFixture(fixture), fixture.replace(/\.c$/, '.expected.md'));
  });
}

test('contract snapshot: engine/macros.c with -D FEATURE_X', async () => {
  const fixture = path.join(root, 'engine', 'macros.c');
  checkSnapshot(await renderFixture(fixture, { FEATURE_X: '1' }), path.join(root, 'engine', 'macros.FEATURE_X.expected.md'));
});
}
