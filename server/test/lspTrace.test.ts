// perfcontract/predictTrace through the language server: a pcap trace distilled on the router's handler gives the same workload and prediction as `perfcontract distill` then `predict --workload`.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, repo } from './support/lspClient';
import { cli } from './support/runCli';
import { findNf } from '../src/measure/nfRegistry';
import { generateTrace, writeTrace } from '../src/measure/measureCli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-trace-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('predictTrace answers what distill and predict --workload print; a bad trace is a clear error', { timeout: 300_000 }, async () => {
  const router = findNf('router');
  const trace = writeTrace(generateTrace(router, router.traces[0]!, 60, 7), dir);
  const nfDir = path.join(repo, 'test-fixtures', 'nf');
  const file = path.join(repo, router.sources[0]!);
  const client = new LspTestClient({ rootPath: nfDir, settings: { includePaths: ['lib'], preferContracts: false, cacheDirectory: path.join(dir, 'cache') } });
  try {
    await client.initialize();
    const uri = await client.open(file, fs.readFileSync(file, 'utf8'));
    const answer = await client.connection.sendRequest('perfcontract/predictTrace', { uri, functionName: 'nf_process', trace: trace.pcap, init: 'nf_init', clockGhz: 3, cyclesPerInstruction: 1 }) as {
      trace: string; entry: string; text: string; notes: string[];
      workload: { functions: Record<string, { classes: { packets?: number }[] }>; source?: { packets?: number } };
      prediction: { statistics: Record<string, { mean: number; p99: number; max: number }>; packetsPerSecond?: number };
    };
    assert.equal(answer.trace, trace.pcap);
    assert.equal(answer.workload.source?.packets, 60);
    assert.equal(answer.workload.functions.nf_process!.classes.reduce((n, c) => n + (c.packets ?? 0), 0), 60);
    assert.ok(answer.prediction.packetsPerSecond! > 0);

    // The command line on the same unit: the router with the library's sources it calls.
    const unitFiles = [file, ...fs.readdirSync(path.join(nfDir, 'lib')).filter((f) => f.endsWith('.c')).map((f) => path.join(nfDir, 'lib', f))];
    const workloadFile = path.join(dir, 'router.workload.json');
    const distilled = await cli(['distill', ...router.sources.map((s) => path.join(repo, s)), '--entry', 'nf_process', '-I', path.join(nfDir, 'lib'), '--init', 'nf_init', '--trace', trace.pcap, '--output', workloadFile]);
    assert.equal(distilled.code, 0, distilled.stderr);
    const contract = await cli(['contract', ...router.sources.map((s) => path.join(repo, s)), '--entry', 'nf_process', '-I', path.join(nfDir, 'lib'), '--format', 'json']);
    assert.equal(contract.code, 0, contract.stderr);
    const contractFile = path.join(dir, 'router.json');
    fs.writeFileSync(contractFile, contract.stdout);
    const predicted = await cli(['predict', contractFile, '--workload', workloadFile, '--clock-ghz', '3', '--cycles-per-instruction', '1']);
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.equal(answer.text, predicted.stdout.trimEnd(), `the server's prediction is the command line's (unit ${unitFiles.map((f) => path.basename(f)).join(', ')})`);
    const cliWorkload = JSON.parse(fs.readFileSync(workloadFile, 'utf8')) as { functions: Record<string, { classes: { packets?: number }[] }> };
    assert.deepEqual(answer.workload.functions.nf_process!.classes.map((c) => c.packets), cliWorkload.functions.nf_process!.classes.map((c) => c.packets));

    await assert.rejects(
      client.connection.sendRequest('perfcontract/predictTrace', { uri, functionName: 'nf_process', trace: path.join(dir, 'missing.pcap'), init: 'nf_init' }),
      /PW002 cannot-distill: cannot read trace '.*missing\.pcap': ENOENT/,
    );
    await assert.rejects(client.connection.sendRequest('perfcontract/predictTrace', { uri, functionName: 'nf_process' }), /needs 'trace' \(a pcap file path\)/);
    await assert.rejects(
      client.connection.sendRequest('perfcontract/predictTrace', { uri, functionName: 'nf_process', trace: trace.pcap, init: 'no_such_init' }),
      /PW002 cannot-distill: no function 'no_such_init' to run before the first packet/,
    );
    // The server is still there.
    assert.ok((await client.codeLenses(uri)).length > 0);
    assert.equal(await client.shutdown(), 0);
  } finally {
    client.process.kill();
  }
});
