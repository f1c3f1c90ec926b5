// Prints how long the language server alone takes from spawn to initialized, and from opening nat.c to its first code lens answer (the `analysing...` placeholder) and to its first cost lens. Run after `npx tsc -p .`.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { LspTestClient } = require(path.join(repoRoot, 'out', 'server', 'test', 'support', 'lspClient.js'));

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-first-lens-'));
fs.cpSync(path.join(repoRoot, 'test-fixtures', 'nf'), root, { recursive: true });
const spawned = Date.now();
const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, '.cache'), includePaths: [path.join(root, 'lib')] } });
await client.initialize();
const initializedMs = Date.now() - spawned;
const file = path.join(root, 'nat.c');
const opened = Date.now();
const uri = await client.open(file, fs.readFileSync(file, 'utf8'));
const first = await client.codeLenses(uri);
const firstAnswerMs = Date.now() - opened;
let firstCostLensMs;
// Polls the lenses (a measurement, not a test): at most 2 minutes.
while (Date.now() - opened < 120_000) {
  const lenses = await client.codeLenses(uri);
  if (lenses.some((l) => / instr /.test(l.command.title))) {
    firstCostLensMs = Date.now() - opened;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(JSON.stringify({ initializedMs, firstAnswerMs, firstTitle: first[0]?.command.title, firstCostLensMs, load: os.loadavg()[0].toFixed(1) }));
await client.shutdown();
fs.rmSync(root, { recursive: true, force: true });
process.exit(0);
