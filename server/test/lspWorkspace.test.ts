// The language server across files and sessions: library code in other files, compile_commands.json, the on-disk cache, random edits.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, positionOf, repo, Range } from './support/lspClient';
import { CACHE_FILE_NAME, CACHE_VERSION, PersistentContractCache } from '../src/lsp/persistentContractCache';
import type { FunctionContract } from '../src/core/contract/contract';

const APP_C = `#include <stdint.h>
#include "util.h"

int process(uint32_t x)
{
    return lib_scale(x) + SCALE;
}

int other(uint32_t y)
{
    if (y > 2) {
        return 1;
    }
    return 0;
}
`;
const UTIL_H = `#include <stdint.h>\nint lib_scale(uint32_t v);\n`;
const UTIL_C = `#include "util.h"

int lib_scale(uint32_t v)
{
    if (v > 100) {
        return (int)(v * 2);
    }
    return (int)v;
}
`;

function multiFileWorkspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-ws-'));
  fs.mkdirSync(path.join(root, 'lib'));
  fs.writeFileSync(path.join(root, 'app.c'), APP_C);
  fs.writeFileSync(path.join(root, 'lib', 'util.h'), UTIL_H);
  fs.writeFileSync(path.join(root, 'lib', 'util.c'), UTIL_C);
  // app.c finds util.h and SCALE only through its compile command, as clangd would.
  fs.writeFileSync(path.join(root, 'compile_commands.json'), JSON.stringify([
    { directory: root, file: 'app.c', command: 'cc -c -I lib "-DSCALE=3" app.c' },
    { directory: root, file: 'lib/util.c', arguments: ['cc', '-c', 'lib/util.c'] },
  ]));
  return root;
}

const sorted = (names: string[]) => [...names].sort();

describe('language server across files', () => {
  test('library code in another file is followed, and editing it updates only the callers', async () => {
    const root = multiFileWorkspace();
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, '.cache'), solverTimeoutMs: 60000 } });
    try {
      await client.initialize();
      const app = await client.open(path.join(root, 'app.c'), APP_C);
      assert.deepEqual(await client.settledDiagnostics(app), []);
      const call = await client.hover(app, positionOf(APP_C, 'lib_scale'));
      assert.match(call!.contents.value, /\*\*`lib_scale`\*\* · 1 behaviour \(2 path classes\) · complete/);
      const before = await client.executeCommand('perfcontract.server.generateContract', { uri: app, functionName: 'process' });
      assert.match(before.markdown, /\| C1 \| `v > 100` \| 7 \|/);
      const util = await client.open(path.join(root, 'lib', 'util.c'), UTIL_C);
      await client.settledDiagnostics(util);
      await client.settledDiagnostics(app);
      // An unsaved edit of the callee: `v > 100` becomes `v > 200` (same length, so no function moves).
      const at = positionOf(UTIL_C, '100');
      const version = await client.change(util, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '2' }]);
      await client.settledDiagnostics(util, version);
      await client.settledDiagnostics(app);
      const analysis = await client.lastAnalysis(app);
      assert.deepEqual(sorted(analysis.recomputed), ['lib_scale', 'process']);
      assert.deepEqual(analysis.reused, ['other']);
      const after = await client.executeCommand('perfcontract.server.generateContract', { uri: app, functionName: 'process' });
      assert.match(after.markdown, /\| C1 \| `v > 200` \| 7 \|/);
      assert.equal(fs.readFileSync(path.join(root, 'lib', 'util.c'), 'utf8'), UTIL_C);
      // Closing the buffer discards the unsaved edit: the caller is analysed from the disk again.
      const appVersion = client.version(app);
      const reanalysed = client.waitFor('perfcontract/status', (s: { state: string; uri?: string }) => s.uri === app && s.state === 'analysing');
      await client.close(util);
      await reanalysed;
      await client.settledDiagnostics(app, appVersion);
      assert.match((await client.executeCommand('perfcontract.server.generateContract', { uri: app, functionName: 'process' })).markdown, /\| C1 \| `v > 100` \| 7 \|/);
      // A change on disk to a file that is not open, announced as a watched-file event, reaches the caller too.
      fs.writeFileSync(path.join(root, 'lib', 'util.c'), UTIL_C.replace('v > 100', 'v > 300'));
      const again = client.waitFor('perfcontract/status', (s: { state: string; uri?: string }) => s.uri === app && s.state === 'analysing');
      await client.filesChanged([{ path: path.join(root, 'lib', 'util.c'), type: 2 }]);
      await again;
      await client.settledDiagnostics(app, appVersion);
      assert.match((await client.executeCommand('perfcontract.server.generateContract', { uri: app, functionName: 'process' })).markdown, /\| C1 \| `v > 300` \| 7 \|/);
    } finally {
      await client.shutdown();
    }
  });

  test('a library callee with a declared contract is not analysed for its caller; a hover on its call shows the contract', async () => {
    const root = multiFileWorkspace();
    fs.writeFileSync(path.join(root, 'lib', 'util.pcontract.json'), JSON.stringify({
      version: 1,
      functions: { lib_scale: { description: 'scales a value', cases: [{ name: 'any', cost: { instructions: '9', memory_accesses: '1' } }] } },
    }));
    const client = new LspTestClient({ rootPath: root, settings: {} });
    try {
      await client.initialize();
      const uri = await client.open(path.join(root, 'app.c'), APP_C);
      await client.settledDiagnostics(uri, 1, 120_000);
      const analysis = await client.lastAnalysis(uri);
      assert.deepEqual(sorted([...analysis.recomputed, ...analysis.reused]), ['other', 'process']);
      const hover = (await client.hover(uri, positionOf(APP_C, 'lib_scale(x)')))!.contents.value;
      assert.match(hover, /\*\*`lib_scale`\*\* · declared contract \(.*util\.pcontract\.json\) · 1 case/);
      assert.match(hover, /\| any \| any \| `9` \| `1` \|/);
      // The caller's cost is the declared one: process = its own code + 9.
      const process = (await client.hover(uri, positionOf(APP_C, 'process(')))!.contents.value;
      assert.match(process, /complete/);
      // Without preferContracts the callee's body is analysed for hovers on its calls.
      await client.changeSettings({ preferContracts: false });
      await client.settledDiagnostics(uri, 1, 120_000);
      const body = (await client.hover(uri, positionOf(APP_C, 'lib_scale(x)')))!.contents.value;
      assert.match(body, /\*\*`lib_scale`\*\* · 1 behaviour \(2 path classes\)/);
    } finally {
      await client.shutdown();
    }
  });

  test('the contract cache drops its least recently used entries beyond its size limit', () => {
    const cache = new PersistentContractCache(undefined, 10, 250);
    const contract = (name: string) => ({ name, padding: 'x'.repeat(100) }) as unknown as FunctionContract;
    cache.set('a', contract('a'));
    cache.set('b', contract('b'));
    assert.equal(cache.get('a')?.name, 'a');
    cache.set('c', contract('c'));
    assert.deepEqual(['a', 'b', 'c'].map((key) => cache.get(key)?.name), ['a', undefined, 'c']);
  });

  test('the contract cache names a stored contract without unpacking it, and counts its JSON characters', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cache-'));
    const file = path.join(dir, CACHE_FILE_NAME);
    const cache = new PersistentContractCache(file);
    // Witnesses repeat the same tables: the entry is kept compressed, the size limit counts the text.
    const contract = { name: 'f', file: '/w/f.c', classes: Array.from({ length: 50 }, (_, i) => ({ id: `C${i}`, memory: 'ab'.repeat(2000) })) } as unknown as FunctionContract;
    cache.set('k', contract);
    assert.equal(cache.characters, JSON.stringify(contract).length);
    assert.deepEqual(cache.peek('k'), { name: 'f', file: '/w/f.c' });
    assert.equal(cache.peek('missing'), undefined);
    assert.deepEqual(cache.takeRequests().requests, [{ key: 'k', hit: 'f' }]);
    assert.deepEqual(cache.get('k'), contract);
    cache.flush();
    // Read back from disk, an entry is named only once it has been unpacked.
    const read = new PersistentContractCache(file);
    read.load();
    assert.equal(read.peek('k'), undefined);
    assert.deepEqual(read.get('k'), contract);
    assert.deepEqual(read.peek('k'), { name: 'f', file: '/w/f.c' });
  });

  test('the contract cache file, written entry by entry, is one JSON document that loads back whole', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-cache-'));
    const file = path.join(dir, 'nested', CACHE_FILE_NAME);
    const written = new PersistentContractCache(file);
    const contract = (name: string) => ({ name, note: `"quoted" ${name} \u2713` }) as unknown as FunctionContract;
    for (const name of ['a', 'b', 'c']) written.set(`key-${name}`, contract(name));
    written.flush();
    const document = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; checksum: string; entries: [string, unknown][] };
    assert.equal(document.format, 'perfcontract-contract-cache');
    assert.deepEqual(document.entries.map(([key]) => key), ['key-a', 'key-b', 'key-c']);
    const read = new PersistentContractCache(file);
    assert.deepEqual(read.load(), { loaded: 3 });
    assert.deepEqual(read.get('key-b'), contract('b'));
    const empty = new PersistentContractCache(path.join(dir, 'empty.json'));
    empty.setSettled('session-only', contract('only'), false); // not persisted: the file has no entry
    empty.flush();
    assert.deepEqual(new PersistentContractCache(path.join(dir, 'empty.json')).load(), { loaded: 0 });
  });

  test('the contract cache survives a restart and is rebuilt when corrupt', async () => {
    const root = multiFileWorkspace();
    const cache = path.join(root, '.cache');
    const session = async (expectRecomputed: string[]) => {
      // A summary gets half of the time left: a long limit, so that a loaded machine cannot make
      // lib_scale's run out of time (it would be inlined, and not stored).
      const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: cache, solverTimeoutMs: 60000, timeLimitMs: 120000 } });
      try {
        await client.initialize();
        const app = await client.open(path.join(root, 'app.c'), APP_C);
        await client.settledDiagnostics(app);
        const analysis = await client.lastAnalysis(app);
        assert.deepEqual(sorted(analysis.recomputed), expectRecomputed);
        assert.ok(client.alive);
      } finally {
        assert.equal(await client.shutdown(), 0);
      }
    };
    await session(['lib_scale', 'other', 'process']);
    const file = path.join(cache, CACHE_FILE_NAME);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; version: number; entries: [string, unknown][] };
    assert.equal(stored.format, 'perfcontract-contract-cache');
    assert.equal(stored.version, CACHE_VERSION);
    // Three contracts, and the summary of lib_scale that process instantiated.
    assert.equal(stored.entries.filter(([key]) => !key.startsWith('summary:')).length, 3);
    assert.equal(stored.entries.filter(([key]) => key.startsWith('summary:')).length, 1);
    await session([]);
    // One flipped character inside an entry: the checksum catches it, the cache is rebuilt.
    const text = fs.readFileSync(file, 'utf8');
    const index = text.indexOf('"classes"');
    fs.writeFileSync(file, text.slice(0, index) + '"klasses"' + text.slice(index + 9));
    await session(['lib_scale', 'other', 'process']);
    assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: unknown[] }).entries.length, 4);
    fs.writeFileSync(file, 'not json at all');
    await session(['lib_scale', 'other', 'process']);
  });
});

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

describe('language server code lenses', () => {
  test('a function gets its lens as soon as its contract is there, while the rest of the file is still analysed', async () => {
    // `slow` forks on ten packet bytes (1024 paths, seconds of analysis); `quick` is done at once.
    const ifs = Array.from({ length: 10 }, (_, i) => `    if (p[${i}] > ${i * 7}) s += ${i + 1};`).join('\n');
    const source = `#include <stdint.h>\n\nint quick(int x)\n{\n    return x + 1;\n}\n\nint slow(const uint8_t *p)\n{\n    int s = 0;\n${ifs}\n    return s;\n}\n`;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-lens-'));
    fs.writeFileSync(path.join(root, 'lens.c'), source);
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: path.join(root, 'cache') } });
    try {
      await client.initialize();
      const refreshed = client.waitFor('workspace/codeLens/refresh', () => true);
      const uri = await client.open(path.join(root, 'lens.c'), source);
      await refreshed;
      const early = (await client.codeLenses(uri)).filter((l) => l.command?.command === '').map((l) => `${l.range.start.line}:${l.command!.title}`);
      const analysis = await client.lastAnalysis(uri);
      assert.equal(analysis.upToDate, false, 'the refresh came before the job ended');
      // The function still being analysed shows a placeholder until its contract arrives.
      assert.deepEqual(early, ['2:2 instr · 1 behaviour', '7:analysing...']);
      await client.settledDiagnostics(uri, 1, 120_000);
      const lenses = (await client.codeLenses(uri)).filter((l) => l.command?.command === '').map((l) => l.range.start.line);
      assert.deepEqual(lenses, [2, 7]);
    } finally {
      assert.equal(await client.shutdown(), 0);
    }
  });
});

describe('language server robustness', () => {
  test('a function whose analysis runs out of memory gets PC508, the others get their contracts, and the server stays up', async () => {
    const root = multiFileWorkspace();
    // The worker's heap limit ends the analysis of `other` (fault injection); the client's server inherits the variable.
    process.env.PERFCONTRACT_TEST_EXHAUST_MEMORY = 'other';
    const client = new LspTestClient({ rootPath: root, settings: {} });
    delete process.env.PERFCONTRACT_TEST_EXHAUST_MEMORY;
    try {
      await client.initialize();
      const app = await client.open(path.join(root, 'app.c'), APP_C);
      const diagnostics = await client.settledDiagnostics(app, 1, 120_000);
      assert.deepEqual(diagnostics.map((d) => d.code), ['PC508']);
      assert.match(diagnostics[0]!.message, /the analysis of 'other' ran out of memory and was stopped, so it has no contract until it changes/);
      assert.deepEqual(diagnostics[0]!.range.start, positionOf(APP_C, 'other('));
      assert.match((await client.hover(app, positionOf(APP_C, 'process(')))!.contents.value, /\*\*`process`\*\* · \d+ behaviours? \(\d+ path class(es)?\) · complete/);
      assert.equal(await client.hover(app, positionOf(APP_C, 'other(')), null);
      const analysis = await client.lastAnalysis(app);
      assert.equal(analysis.workerRestarts, 1);
      assert.equal(analysis.jobsFailed, 0);
      // Once its text changes, the function is analysed again (and runs out of memory again).
      const at = positionOf(APP_C, 'return 1;');
      const version = await client.change(app, [{ range: { start: at, end: at }, text: ' ' }]);
      assert.deepEqual((await client.settledDiagnostics(app, version, 120_000)).map((d) => d.code), ['PC508']);
      assert.equal((await client.lastAnalysis(app)).workerRestarts, 2);
      assert.ok(client.alive);
    } finally {
      assert.equal(await client.shutdown(), 0);
    }
  });

  test('thousands of random edits end with the same results as a fresh analysis', async () => {
    // Seed 1 splits surrogate pairs (the emoji snippet), which once made the buffer diverge from the client's.
    const seed = Number(process.env.PERFCONTRACT_FUZZ_SEED ?? 1);
    const next = random(seed);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-fuzz-'));
    const snippets = [
      fs.readFileSync(path.join(repo, 'test-fixtures/engine/branches.c'), 'utf8'),
      fs.readFileSync(path.join(repo, 'test-fixtures/engine/switch.c'), 'utf8'),
      'int half(int a) { if (a >', 'int typed(uint32_t v)\n{\n    if (v == 0) {\n        return 0;\n    }\n',
      '}\n', '/* é 😀 */', 'return 1;', '\nstatic int z', 'for (int i = 0; i < 4; i++) {', '#include "nowhere.h"\n',
    ];
    let text = fs.readFileSync(path.join(repo, 'test-fixtures/engine/shortcircuit.c'), 'utf8').slice(0, 600) + '\n' + snippets[0]!.slice(0, 800);
    const settings = { cacheDirectory: path.join(root, '.cache'), solverTimeoutMs: 60000, maxPaths: 256, timeLimitMs: 60000 };
    const client = new LspTestClient({ rootPath: root, settings });
    const file = path.join(root, 'fuzz.c');
    await client.initialize();
    const uri = await client.open(file, text);
    const edits = 2500;
    let answered = 0;
    for (let i = 0; i < edits; i++) {
      const kind = next();
      let range: Range;
      let insert = '';
      if (kind < 0.4 || text.length > 5000) {
        const start = Math.floor(next() * text.length);
        const end = Math.min(text.length, start + Math.floor(next() * 40));
        range = { start: positionAt(text, start), end: positionAt(text, end) };
        text = text.slice(0, start) + text.slice(end);
      } else {
        const at = Math.floor(next() * (text.length + 1));
        if (kind < 0.55) {
          // Cut and paste: a piece of the fixture code.
          const source = snippets[Math.floor(next() * 2)]!;
          const from = Math.floor(next() * source.length);
          insert = source.slice(from, from + Math.floor(next() * 200));
        } else if (kind < 0.8) insert = snippets[2 + Math.floor(next() * (snippets.length - 2))]!;
        else insert = String.fromCharCode(32 + Math.floor(next() * 95));
        range = { start: positionAt(text, at), end: positionAt(text, at) };
        text = text.slice(0, at) + insert + text.slice(at);
      }
      // Listen before the edit that should start an analysis, so its status cannot be missed.
      const analysing = i % 500 === 499
        ? client.waitFor('perfcontract/status', (s: { state: string; uri?: string }) => s.uri === uri && s.state === 'analysing', 60000)
        : undefined;
      await client.change(uri, [{ range, text: insert }]);
      if (i % 100 === 99) {
        // Every request answers while analyses start and are cancelled underneath.
        const offset = Math.floor(next() * text.length);
        await client.hover(uri, positionAt(text, offset));
        await client.codeLenses(uri);
        await client.executeCommand('perfcontract.server.functionAt', { uri, position: positionAt(text, offset) });
        answered += 3;
      }
      if (analysing) await analysing;
    }
    assert.equal(answered, 3 * Math.floor(edits / 100));
    const diagnostics = await client.settledDiagnostics(uri, client.version(uri), 120000);
    const contracts = await client.executeCommand('perfcontract.server.generateContract', { uri }).catch((error: Error) => ({ error: error.message }));
    assert.ok(client.alive);
    await client.shutdown();
    fs.writeFileSync(path.join(root, 'final.c'), text);
    const fresh = new LspTestClient({ rootPath: root, settings: { ...settings, cacheDirectory: path.join(root, '.fresh-cache') } });
    try {
      await fresh.initialize();
      const freshUri = await fresh.open(file, text);
      const freshDiagnostics = await fresh.settledDiagnostics(freshUri);
      const freshContracts = await fresh.executeCommand('perfcontract.server.generateContract', { uri: freshUri }).catch((error: Error) => ({ error: error.message }));
      assert.deepEqual(diagnostics, freshDiagnostics, `seed ${seed}`);
      assert.equal(comparable(contracts), comparable(freshContracts), `seed ${seed}`);
    } finally {
      await fresh.shutdown();
    }
  });
});

/** Contracts without what differs between runs: timings and solver-chosen witnesses. */
function comparable(result: unknown): string {
  return JSON.stringify(result, (key, value) => (key === 'statistics' || key === 'witness' || key === 'witnessVerified' ? undefined : value));
}
