// The language server through a real JSON-RPC client: diagnostics, hovers, code lenses, commands, positions, settings, edits.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support/runCli';
import { LspTestClient, positionOf, repo, uriOf } from './support/lspClient';

const MAIN_C = `/* héllo wörld 😀: non-ASCII text in a comment */
#include <stdint.h>

static int helper(uint32_t v)
{
    if (v < 16) {
        return 1;
    }
    return 2;
}

/*@ budget instructions <= 5 */
int classify(const uint8_t *pkt, uint16_t len)
{
    if (len < 4) {
        return -1;
    }
    int n = 0;
    /*@ pcv words "bytes summed from the packet" */
    /*@ bound words <= 40 */
    for (int i = 0; i < pkt[0]; i++) {
        n += pkt[1];
    }
    return helper(n) + n;
}

int tail(uint32_t x)
{
    if (x > 3) {
        return 1;
    }
    return 0;
}
`;

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const codes = (diagnostics: { code: string }[]) => diagnostics.map((d) => d.code).sort();

describe('language server features (UTF-16 client)', () => {
  let root: string;
  let client: LspTestClient;
  let uri: string;
  before(async () => {
    root = workspace({ 'main.c': MAIN_C });
    client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000 } });
    const init = await client.initialize();
    assert.equal(init.capabilities.positionEncoding, 'utf-16');
    assert.equal(init.capabilities.textDocumentSync.change, 2);
    uri = await client.open(path.join(root, 'main.c'), MAIN_C);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  test('diagnostics: adversarial path with related information, budget from an annotation', async () => {
    const diagnostics = await client.settledDiagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['PC501', 'PC502']);
    const adversarial = diagnostics.find((d) => d.code === 'PC501')!;
    assert.equal(adversarial.source, 'perfcontract');
    assert.equal(adversarial.severity, 2);
    assert.deepEqual(adversarial.range, { start: positionOf(MAIN_C, 'classify'), end: positionOf(MAIN_C, 'classify', 'classify'.length) });
    assert.equal(adversarial.message, "'classify' has an adversarial behaviour that packet fields select: B4 (loops over words, returns a computed value) grows with 'words' by 12 instructions each: packet bytes decide how often its loop runs (`i < pkt[0]`), up to 521 at the bounds.");
    const related = adversarial.relatedInformation!.map((r) => `${r.location.range.start.line}:${r.message}`);
    assert.ok(related.includes('20:packet contents decide: i < pkt[0]'), related.join('\n'));
    assert.ok(related.includes('14:branch that selects B4: len >= 4'), related.join('\n'));
    const budget = diagnostics.find((d) => d.code === 'PC502')!;
    assert.equal(budget.severity, 1);
    assert.match(budget.message, /exceeds its budget of 5 instructions \(from its budget annotation\): its worst case, class C2, reaches 521/);
    // The first analysis had functions to compute: it reported work-done progress from begin to end.
    const kinds = (client.progress as { value: { kind: string } }[]).map((p) => p.value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds[kinds.length - 1], 'end');
    assert.ok(client.statuses.some((s) => s.uri === uri && s.state === 'analysing'));
    assert.ok(client.statuses.some((s) => s.uri === uri && s.state === 'upToDate'));
  });

  test('hover on a definition, on a call and on a loop header', async () => {
    const definition = await client.hover(uri, positionOf(MAIN_C, 'classify', 3));
    assert.ok(definition);
    // At most 12 lines: the behaviours at typical PCV values, the worst and what drives it, a link to the contract.
    const lines = definition.contents.value.split('\n');
    assert.ok(lines.length <= 12, definition.contents.value);
    assert.equal(lines[0], '**`classify`** · 4 behaviours (4 path classes) · complete');
    assert.equal(lines[2], 'Typical packet: 17 instr; at most 521 (at the bounds), PCVs at typical values.');
    assert.ok(lines.includes('- B4 ⚠ loops over words, returns a computed value: **53** `41 + 12*words`'), definition.contents.value);
    assert.match(lines[lines.length - 1]!, /^⚠ B4 grows with `words` \(12 instr each\); packet fields select it \(`i >= pkt\[0\]`\)\. \[Full contract\]\(command:perfcontract\.generateContract\?/);
    const call = await client.hover(uri, positionOf(MAIN_C, 'helper(n)', 2));
    assert.ok(call);
    assert.match(call.contents.value, /\*\*`helper`\*\* · 1 behaviour \(1 path class\) · complete\n[^]*- B1 returns 1 or 2: \*\*3\*\*/);
    assert.deepEqual(call.range, { start: positionOf(MAIN_C, 'helper(n)'), end: positionOf(MAIN_C, 'helper(n)', 6) });
    const loop = await client.hover(uri, positionOf(MAIN_C, 'for (int i'));
    assert.ok(loop);
    assert.equal(loop.contents.value, '**PCV `words`** (loop in `classify`): bytes summed from the packet\n\n- per iteration: `12` instructions, `2` memory_accesses\n- bound: at most 40 (declared)');
    assert.equal(await client.hover(uri, positionOf(MAIN_C, 'int n = 0', 4)), null);
  });

  test('code lenses: a summary and the two commands above each function', async () => {
    const lenses = await client.codeLenses(uri);
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command!.title}`);
    assert.deepEqual(titles, [
      '3:3 instr · 1 behaviour',
      '3:Generate contract',
      '3:Show worst case',
      '12:4-53 instr · 4 behaviours · adversarial: words',
      '12:Generate contract',
      '12:Show worst case',
      '26:3 instr · 1 behaviour',
      '26:Generate contract',
      '26:Show worst case',
    ]);
    assert.ok(lenses.every((l) => l.command!.title.length <= 60), titles.join('\n'));
    const generate = lenses.find((l) => l.command!.title === 'Generate contract' && l.range.start.line === 12)!;
    assert.equal(generate.command!.command, 'perfcontract.server.generateContract');
    assert.deepEqual(generate.command!.arguments, [{ uri, functionName: 'classify' }]);
    assert.equal(lenses.find((l) => l.command!.title === 'Show worst case' && l.range.start.line === 12)!.command!.command, 'perfcontract.server.showWorstCase');
  });

  test('generateContract gives the same Markdown and JSON as the CLI', async () => {
    const result = await client.executeCommand('perfcontract.server.generateContract', { uri, functionName: 'classify' });
    const printed = await cli(['contract', path.join(root, 'main.c'), '--entry', 'classify', '--format', 'json']);
    const fromCli = JSON.parse(printed.stdout) as { functions: Record<string, unknown>[] };
    const comparable = (f: Record<string, unknown>) => JSON.stringify({ ...f, statistics: undefined, classes: (f.classes as Record<string, unknown>[]).map((c) => ({ ...c, witness: undefined })) });
    assert.equal(result.json.version, 1);
    assert.equal(comparable(result.json.functions[0]), comparable(fromCli.functions[0]!));
    const markdown = await cli(['contract', path.join(root, 'main.c'), '--entry', 'classify']);
    const withoutWitnesses = (text: string) => text.split('### Witnesses')[0]!.replace(/\([^()\s]*main\.c:/g, '(main.c:');
    assert.equal(withoutWitnesses(result.markdown), withoutWitnesses(markdown.stdout));
    const whole = await client.executeCommand('perfcontract.server.generateContract', { uri });
    assert.deepEqual(whole.json.functions.map((f: { name: string }) => f.name), ['helper', 'classify', 'tail']);
  });

  test('showWorstCase, evaluateClass and functionAt', async () => {
    const worst = await client.executeCommand('perfcontract.server.showWorstCase', { uri, functionName: 'classify' });
    assert.equal(worst.classId, 'C2');
    assert.deepEqual(Object.keys(worst.witness).sort(), ['args', 'memory', 'pcv']);
    assert.match(worst.markdown, /## Worst case of `classify`: C2/);
    assert.match(worst.markdown, /- at most 521 instructions \(at the bounds\)/);
    const evaluated = await client.executeCommand('perfcontract.server.evaluateClass', { uri, functionName: 'classify', classId: 'C2', pcvs: { words: 10 } });
    assert.deepEqual(evaluated, { values: { instructions: 161, memory_accesses: 25 }, text: 'C2 of classify: 161 instructions, 25 memory_accesses at words=10' });
    await assert.rejects(
      client.executeCommand('perfcontract.server.evaluateClass', { uri, functionName: 'classify', classId: 'C2', pcvs: {} }),
      (error: { code: number; message: string }) => error.code === -32602 && /needs values for 'words'.*at most 40/.test(error.message),
    );
    await assert.rejects(
      client.executeCommand('perfcontract.server.evaluateClass', { uri, functionName: 'classify', classId: 'C9', pcvs: {} }),
      (error: { message: string }) => /'classify' has no class 'C9'; its classes are C1, C2, C3, C4/.test(error.message),
    );
    assert.deepEqual(await client.executeCommand('perfcontract.server.functionAt', { uri, position: positionOf(MAIN_C, 'n += pkt[1]') }), { functionName: 'classify' });
    assert.equal(await client.executeCommand('perfcontract.server.functionAt', { uri, position: { line: 1, character: 0 } }), null);
    await assert.rejects(client.executeCommand('perfcontract.server.showWorstCase', { uri, functionName: 'nope' }), (error: { message: string }) => /no function named 'nope'.*helper, classify, tail/.test(error.message));
    await assert.rejects(client.executeCommand('perfcontract.server.generateContract', 42), (error: { code: number }) => error.code === -32602);
  });

  test('an edit in the last function recomputes only that function', async () => {
    const at = positionOf(MAIN_C, 'x > 3');
    const version = await client.change(uri, [{ range: { start: { line: at.line, character: at.character + 4 }, end: { line: at.line, character: at.character + 5 } }, text: '9' }]);
    await client.settledDiagnostics(uri, version);
    const analysis = await client.lastAnalysis(uri);
    assert.deepEqual(analysis.recomputed, ['tail']);
    assert.deepEqual(analysis.reused.sort(), ['classify', 'helper']);
    // They did not move, and the previous results hold them: the worker sends their names only.
    assert.deepEqual(analysis.heldOver.sort(), ['classify', 'helper']);
    const classify = await client.hover(uri, positionOf(MAIN_C, 'classify', 3));
    assert.match(classify!.contents.value, /Typical packet: 17 instr; at most 521 \(at the bounds\)/);
    const hover = await client.hover(uri, positionOf(MAIN_C, 'tail'));
    assert.match(hover!.contents.value, /- B1 returns 1 or 0: \*\*3\*\*/);
  });

  test('configuration changes: budgets from settings, invalid values reported', async () => {
    await client.changeSettings({ cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000, budgets: { tail: 2 }, adversarialFactor: 'high' });
    const settled = await client.settledDiagnostics(uri);
    assert.deepEqual(codes(settled), ['PC501', 'PC502', 'PC502', 'PC507']);
    assert.match(settled.find((d) => d.code === 'PC507')!.message, /perfcontract\.adversarialFactor must be a number above 1, got "high"; using 5/);
    const tailBudget = settled.find((d) => d.code === 'PC502' && /'tail'/.test(d.message));
    assert.ok(tailBudget, JSON.stringify(settled));
    assert.match(tailBudget.message, /exceeds its budget of 2 instructions \(from the perfcontract\.budgets setting\)/);
    await client.changeSettings({ cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000, adversarialFactor: 50 });
    assert.deepEqual(codes(await client.settledDiagnostics(uri)), ['PC502']);
  });
});

describe('language server positions with a UTF-8 client', () => {
  test('negotiates utf-8 and converts every position', async () => {
    const root = workspace({ 'main.c': MAIN_C });
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000 }, positionEncodings: ['utf-8', 'utf-16'] });
    try {
      const init = await client.initialize();
      assert.equal(init.capabilities.positionEncoding, 'utf-8');
      const text = `int f(int a) { /* é😀 */ if (a > 1) return a * 3 + a / 5; return 0; } int g(int b) { return f(b); }\n`;
      const uri = await client.open(path.join(root, 'one.c'), text);
      await client.settledDiagnostics(uri);
      const byteColumn = (needle: string) => Buffer.byteLength(text.slice(0, text.indexOf(needle)));
      assert.notEqual(byteColumn('g(int'), text.indexOf('g(int'));
      const hover = await client.hover(uri, { line: 0, character: byteColumn('g(int') });
      assert.ok(hover);
      assert.match(hover.contents.value, /\*\*`g`\*\*/);
      assert.deepEqual(hover.range, { start: { line: 0, character: byteColumn('g(int') }, end: { line: 0, character: byteColumn('g(int') + 1 } });
      // Past the emoji, a UTF-16 column would land one unit off: the server must read UTF-8 columns.
      const call = await client.hover(uri, { line: 0, character: byteColumn('f(b)') });
      assert.match(call!.contents.value, /\*\*`f`\*\*/);
      // An incremental edit addressed in UTF-8 columns: `a > 1` becomes `a > 7`.
      const at = byteColumn('1) return a');
      const version = await client.change(uri, [{ range: { start: { line: 0, character: at }, end: { line: 0, character: at + 1 } }, text: '7' }]);
      await client.settledDiagnostics(uri, version);
      const generated = await client.executeCommand('perfcontract.server.generateContract', { uri, functionName: 'f' });
      assert.match(generated.markdown, /`a > 7`/);
      const lenses = await client.codeLenses(uri);
      assert.deepEqual(lenses.filter((l) => l.command!.title === 'Generate contract').map((l) => l.range.start), [{ line: 0, character: 0 }, { line: 0, character: byteColumn('int g') }]);
    } finally {
      await client.shutdown();
    }
  });
});

describe('language server on broken and expensive code', () => {
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = workspace({});
    for (const name of ['syntax_error.c', 'missing_include.c', 'path_explosion.c', 'unbounded_loop.c', 'unknown_call.c']) fs.copyFileSync(path.join(repo, 'test-fixtures/engine', name), path.join(root, name));
    client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache'), maxPaths: 64, solverTimeoutMs: 60000 } });
    await client.initialize();
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  test('a syntax error is reported and the other function is still analysed', async () => {
    const text = fs.readFileSync(path.join(root, 'syntax_error.c'), 'utf8');
    const uri = await client.open(path.join(root, 'syntax_error.c'), text);
    const diagnostics = await client.settledDiagnostics(uri);
    assert.ok(diagnostics.some((d) => d.code === 'PC401' && d.severity === 1 && d.range.start.line >= 6), JSON.stringify(diagnostics));
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(lenses.filter((l) => l.command!.title === 'Generate contract').map((l) => l.command!.arguments![0].functionName), ['good_fn']);
  });

  test('a missing header is reported and the function is analysed', async () => {
    const text = fs.readFileSync(path.join(root, 'missing_include.c'), 'utf8');
    const uri = await client.open(path.join(root, 'missing_include.c'), text);
    const diagnostics = await client.settledDiagnostics(uri);
    const missing = diagnostics.find((d) => d.code === 'PC402')!;
    assert.ok(missing, JSON.stringify(diagnostics));
    assert.equal(missing.range.start.line, 3);
    assert.ok(await client.hover(uri, positionOf(text, 'missing_include_entry')));
  });

  test('a loop without a bound and a call without a body are reported where they are', async () => {
    const loopText = fs.readFileSync(path.join(root, 'unbounded_loop.c'), 'utf8');
    const loopUri = await client.open(path.join(root, 'unbounded_loop.c'), loopText);
    const loopDiagnostics = await client.settledDiagnostics(loopUri);
    const unbounded = loopDiagnostics.find((d) => d.code === 'PC503')!;
    assert.ok(unbounded, JSON.stringify(loopDiagnostics));
    assert.equal(unbounded.severity, 2);
    assert.deepEqual(unbounded.range, { start: positionOf(loopText, 'while (p[i]'), end: positionOf(loopText, 'while (p[i] != 0) {', 'while (p[i] != 0) {'.length) });
    assert.match(unbounded.message, /'iterations@unbounded_loop_entry:12' .* has no known maximum.*Add '\/\*@ bound iterations@unbounded_loop_entry:12 <= N \*\/'/);
    const callText = fs.readFileSync(path.join(root, 'unknown_call.c'), 'utf8');
    const callUri = await client.open(path.join(root, 'unknown_call.c'), callText);
    const callDiagnostics = await client.settledDiagnostics(callUri);
    assert.deepEqual(callDiagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['PC405', 3, 12]]);
    assert.match(callDiagnostics[0]!.message, /'lookup_route' has no body and no contract/);
    await client.close(loopUri);
    await client.close(callUri);
  });

  test('a function that explodes in paths ends incomplete at the path limit', async () => {
    const text = fs.readFileSync(path.join(root, 'path_explosion.c'), 'utf8');
    const uri = await client.open(path.join(root, 'path_explosion.c'), text);
    const diagnostics = await client.settledDiagnostics(uri);
    const incomplete = diagnostics.find((d) => d.code === 'PC505')!;
    assert.ok(incomplete, JSON.stringify(diagnostics));
    assert.match(incomplete.message, /the contract of 'path_explosion_entry' is incomplete: PC301 .*Raise perfcontract\.maxPaths/);
    assert.ok(client.statuses.some((s) => s.uri === uri && s.state === 'incomplete'));
    const lenses = await client.codeLenses(uri);
    assert.match(lenses[0]!.command!.title, / · incomplete/);
  });

  test('an edit cancels the stale analysis; requests answer meanwhile; a cancelled request says so', async () => {
    for (const name of ['syntax_error.c', 'missing_include.c', 'path_explosion.c']) await client.close(uriOf(path.join(root, name)));
    await client.changeSettings({ cacheDirectory: path.join(root, 'cache'), maxPaths: 1_000_000, timeLimitMs: 600_000, solverTimeoutMs: 60000 });
    const text = fs.readFileSync(path.join(root, 'path_explosion.c'), 'utf8').replace('path_explosion_entry', 'slow_entry');
    const file = path.join(root, 'slow.c');
    const analysing = client.waitFor('perfcontract/status', (s: { state: string; uri?: string }) => s.state === 'analysing' && s.uri?.endsWith('slow.c') === true);
    const uri = await client.open(file, text);
    await analysing;
    const source = client.cancellationSource();
    const pending = client.executeCommand('perfcontract.server.generateContract', { uri }, source.token);
    // A request while the analysis runs answers at once (no results yet for this file: null). Its answer
    // also proves the server has started the command above, which waits for the first results.
    assert.equal(await client.hover(uri, positionOf(text, 'slow_entry')), null);
    source.cancel();
    await assert.rejects(pending, (error: { code: number }) => error.code === -32800);
    const started = Date.now();
    const body = text.indexOf('int x = 0;');
    const end = text.lastIndexOf('}');
    const from = positionOf(text, 'int x = 0;');
    const to = positionOf(text, '}', 0, text.slice(0, end).split('}').length);
    assert.ok(body > 0);
    const version = await client.change(uri, [{ range: { start: from, end: to }, text: 'return pkt[0] > 3 ? len : 0;\n' }]);
    const diagnostics = await client.settledDiagnostics(uri, version);
    assert.deepEqual(diagnostics, []);
    assert.ok(Date.now() - started < 30000, `the stale analysis was not cancelled (${Date.now() - started} ms)`);
    const analysis = await client.lastAnalysis(uri);
    assert.ok(analysis.jobsCancelled >= 1);
    const lenses = await client.codeLenses(uri);
    assert.match(lenses[0]!.command!.title, /^\d+-\d+ instr · 2 behaviours/);
  });
});

describe('language server analysis order', () => {
  test('functions with parameters are analysed before the ones without, then callees in other files', async () => {
    const root = workspace({
      'lib.c': 'int lib_step(int v)\n{\n    return v + 1;\n}\n',
      'main.c': `int lib_step(int v);
static int counter;

void setup(void)
{
    counter = lib_step(0);
}

int handle(const unsigned char *p)
{
    if (p[0] > 3) {
        return lib_step(counter);
    }
    return 0;
}

static int helper(int x)
{
    return x * 2;
}
`,
    });
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000 } });
    try {
      await client.initialize();
      const uri = await client.open(path.join(root, 'main.c'), fs.readFileSync(path.join(root, 'main.c'), 'utf8'));
      await client.settledDiagnostics(uri);
      const analysis = await client.lastAnalysis(uri);
      // \`recomputed\` lists the functions in the order they were analysed.
      assert.deepEqual(analysis.recomputed, ['handle', 'helper', 'setup', 'lib_step']);
    } finally {
      await client.shutdown();
    }
  });
});

describe('language server reuse of functions that only moved', () => {
  test('an edit that shifts later functions moves their contracts instead of recomputing them', async () => {
    const text = `int first(int a)
{
    return a + 1;
}

int counted(const unsigned char *p)
{
    int s = 0;
    for (int i = 0; i < p[0] && i < 100; i++) {
        s += p[i];
    }
    if (s > 100) {
        return 1;
    }
    return s;
}
`;
    const root = workspace({});
    const file = path.join(root, 'moved.c');
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache'), solverTimeoutMs: 60000 } });
    try {
      await client.initialize();
      const uri = await client.open(file, text);
      await client.settledDiagnostics(uri);
      const at = positionOf(text, '    return a + 1;');
      const version = await client.change(uri, [{ range: { start: at, end: at }, text: '    /* two lines\n       more */\n' }]);
      await client.settledDiagnostics(uri, version);
      const analysis = await client.lastAnalysis(uri);
      assert.deepEqual(analysis.recomputed, ['first']);
      assert.deepEqual(analysis.reused, ['counted']);
      const edited = text.replace('    return a + 1;', '    /* two lines\n       more */\n    return a + 1;');
      fs.writeFileSync(file, edited);
      const fromServer = await client.executeCommand('perfcontract.server.generateContract', { uri, functionName: 'counted' });
      const printed = await cli(['contract', file, '--entry', 'counted', '--format', 'json']);
      const comparable = (value: unknown) => JSON.stringify(value, (key, v) => (key === 'statistics' || key === 'witness' ? undefined : v));
      assert.equal(comparable(fromServer.json.functions[0]), comparable((JSON.parse(printed.stdout) as { functions: unknown[] }).functions[0]));
      assert.match(comparable(fromServer.json.functions[0]), /iterations@counted:11/);
      const lenses = await client.codeLenses(uri);
      assert.deepEqual(lenses.filter((l) => l.command!.title === 'Generate contract').map((l) => l.range.start.line), [0, 7]);
      const loop = await client.hover(uri, positionOf(edited, 'for (int i'));
      assert.match(loop!.contents.value, /\*\*PCV `iterations@counted:11`\*\*/);
    } finally {
      await client.shutdown();
    }
  });
});

describe('language server transports', () => {
  test('--node-ipc speaks LSP over the IPC channel; a missing transport is a usage error', async () => {
    const { fork } = await import('child_process');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require('vscode-jsonrpc/node') as {
      createMessageConnection(reader: unknown, writer: unknown): { listen(): void; sendRequest(m: string, p?: unknown): Promise<any>; sendNotification(m: string, p?: unknown): Promise<void>; dispose(): void };
      IPCMessageReader: new (process: unknown) => unknown;
      IPCMessageWriter: new (process: unknown) => unknown;
    };
    const child = fork(path.join(repo, 'bin', 'perfcontract.js'), ['lsp', '--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = rpc.createMessageConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
    connection.listen();
    const result = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(result.capabilities.positionEncoding, 'utf-16');
    assert.deepEqual(result.capabilities.executeCommandProvider.commands, [
      'perfcontract.server.generateContract', 'perfcontract.server.showWorstCase', 'perfcontract.server.evaluateClass', 'perfcontract.server.functionAt',
    ]);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
    connection.dispose();
    const usage = await cli(['lsp']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /perfcontract lsp needs exactly one transport: --stdio or --node-ipc/);
  });
});
