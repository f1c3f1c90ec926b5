// Runs the @vscode/test-electron suite. It needs a VS Code build, which @vscode/test-electron
// downloads; where that download is impossible (an offline machine), the suite is skipped with a
// message and this script exits 0. The offline code-server suite (npm run test:e2e) runs anyway.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOWNLOAD_TIMEOUT_MS = 30_000;

const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
let executable;
try {
  executable = await withTimeout(downloadAndUnzipVSCode({ version: 'stable', cachePath: path.join(root, '.vscode-test'), timeout: DOWNLOAD_TIMEOUT_MS }), DOWNLOAD_TIMEOUT_MS * 2);
} catch (error) {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.log(`SKIPPED the @vscode/test-electron suite: VS Code could not be downloaded (${reason}).`);
  console.log('This machine cannot reach the VS Code download service; run "npm run test:e2e" for the offline suite in code-server.');
  process.exit(0);
}
console.log(`VS Code is at ${executable}`);

for (const [label, args] of [
  ['compile the client and its editor tests', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'client')]],
  ['bundle the extension', [path.join(root, 'scripts', 'bundle.mjs')]],
]) {
  const step = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (step.status !== 0) {
    console.error(`could not ${label} (exit code ${step.status})`);
    process.exit(1);
  }
}
const cli = path.join(root, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
if (!fs.existsSync(cli)) {
  console.error(`@vscode/test-cli is not installed (${cli} is missing): run npm ci`);
  process.exit(1);
}
// VS Code's Electron window needs a display. On Linux without one, the suite runs under xvfb-run
// (Debian's xvfb package); without that either, it stops with a clear error instead of a crash of
// Electron's.
let command = [process.execPath, cli, '--config', path.join(root, '.vscode-test.mjs')];
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  const xvfb = spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' });
  if (xvfb.error) {
    console.error('the @vscode/test-electron suite needs a display: set DISPLAY or install xvfb-run (apt-get install xvfb)');
    process.exit(1);
  }
  command = ['xvfb-run', '--auto-servernum', ...command];
}
const run = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env } });
process.exit(run.status ?? 1);

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
