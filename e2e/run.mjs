// Runs the offline end-to-end suite: installs what is missing (cached in .cache/e2e/), packages the
// extension if no .vsix is there yet, then runs e2e/extension.e2e.test.mjs with node's test runner.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureE2eTools, repoRoot } from './setup.mjs';

const started = Date.now();
let tools;
try {
  tools = ensureE2eTools();
} catch (error) {
  console.error(`[e2e] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const vsix = path.join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
if (!fs.existsSync(vsix) || process.env.PERFCONTRACT_E2E_REPACKAGE === '1') {
  const { packageVsix } = await import('../scripts/bundle.mjs');
  await packageVsix({ log: (line) => console.error(`[e2e] ${line}`) });
}
console.error(`[e2e] tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
// Extra arguments go to node's test runner, e.g. --test-name-pattern="Compare" to run some steps only
// (each step opens what it needs, so a step runs on its own).
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...process.argv.slice(2), path.join(repoRoot, 'e2e', 'extension.e2e.test.mjs')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PERFCONTRACT_E2E_NODE: tools.node24,
    PERFCONTRACT_E2E_CODE_SERVER: tools.codeServer,
    PERFCONTRACT_E2E_CHROMIUM: tools.chromium,
    PERFCONTRACT_E2E_VSIX: vsix,
  },
});
console.error(`[e2e] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);
