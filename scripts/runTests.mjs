// Runs every compiled test file with node's test runner, one file at a time. A file that fails is
// run once more, and both outcomes are printed: the z3 WASM build intermittently loses a thread,
// after which z3 answers nothing in that process (see docs/limitations.md), so one failure of a
// file can come from z3 rather than from the code. A file that fails twice fails the run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const folders = ['out/server/test', 'out/client/test'];
const files = folders.flatMap((folder) => fs.readdirSync(path.join(root, folder))
  .filter((name) => name.endsWith('.test.js')).sort().map((name) => path.join(folder, name)));

const run = (file) => spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-timeout=900000', '--test-reporter=spec', file], { cwd: root, stdio: 'inherit' }).status;

const retried = [];
const failed = [];
for (const file of files) {
  if (run(file) === 0) continue;
  process.stdout.write(`\n[tests] ${file} failed; running it once more\n\n`);
  retried.push(file);
  if (run(file) !== 0) failed.push(file);
}
process.stdout.write(`\n[tests] ${files.length} test files, ${retried.length} run twice (${retried.join(', ') || 'none'}), ${failed.length} failed (${failed.join(', ') || 'none'})\n`);
process.exit(failed.length === 0 ? 0 : 1);
