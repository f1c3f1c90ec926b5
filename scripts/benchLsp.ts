// Benchmarks the language server as an editor sees it: cold open, one-line edits, warm hovers and peak memory, on the NF corpus.
//
// Usage: node out/scripts/benchLsp.js [--edits N] [--busy-edits N] [--hovers N] [--time-limit-ms MS] [--scenario nat|all|mapget]
//                                      [--base BUILT_CHECKOUT] (the same scenarios with that checkout's server first, for ratios)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, positionOf, repo } from '../server/test/support/lspClient';

interface Options { edits: number; busyEdits: number; hovers: number; timeLimitMs: number; scenarios: string[]; base?: string; serverRoot?: string }

interface Row { scenario: string; measure: string; samples: number[] }

function parse(argv: string[]): Options {
  const options: Options = { edits: 10, busyEdits: 3, hovers: 50, timeLimitMs: 5000, scenarios: ['nat', 'all', 'mapget'] };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const arg = argv[i]!;
    if (arg === '--edits') options.edits = Number(value());
    else if (arg === '--busy-edits') options.busyEdits = Number(value());
    else if (arg === '--hovers') options.hovers = Number(value());
    else if (arg === '--time-limit-ms') options.timeLimitMs = Number(value());
    else if (arg === '--scenario') options.scenarios = [value()];
    else if (arg === '--base') options.base = path.resolve(value());
    else throw new Error(`unknown option '${arg}' (known: --edits N, --busy-edits N, --hovers N, --time-limit-ms MS, --scenario nat|all|mapget, --base DIR)`);
  }
  return options;
}

const NF = path.join(repo, 'test-fixtures', 'nf');

async function scenario(name: string, files: string[], editFile: string, editAnchor: string, options: Options, rows: Row[]): Promise<{ beforeBusy: number; whole: number }> {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-bench-lsp-'));
  const settings = { includePaths: ['lib'], cacheDirectory: cache, ...(process.env.BENCH_DEBOUNCE ? { debounceMs: Number(process.env.BENCH_DEBOUNCE) } : {}), timeLimitMs: options.timeLimitMs, solverTimeoutMs: options.timeLimitMs };
  const client = new LspTestClient({ rootPath: NF, settings, ...(options.serverRoot ? { serverRoot: options.serverRoot } : {}) });
  const settleLimit = 30 * 60 * 1000;
  let closing = false;
  // A server that dies would leave nothing to wait for, and the benchmark would end without a word.
  client.process.on('exit', (code, signal) => {
    if (!closing) process.stderr.write(`bench:lsp: the server exited during scenario ${name} (code ${code}, signal ${signal}); its stderr ends with:\n${client.stderr.slice(-4000)}\n`);
  });
  try {
    await client.initialize();
    const texts = new Map<string, string>();
    const uris = new Map<string, string>();
    const started = performance.now();
    // The first file is the one being worked on: it is opened last, as an editor's active file, so it is analysed first.
    for (const file of [...files].reverse()) {
      const text = fs.readFileSync(path.join(NF, file), 'utf8');
      texts.set(file, text);
      uris.set(file, await client.open(path.join(NF, file), text));
    }
    const firstDiagnostics = client.waitFor('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === uris.get(files[0]!), settleLimit);
    await firstDiagnostics;
    const firstMs = performance.now() - started;
    // The first complete contract of the active file: its first code lens that is not incomplete.
    const activeUri = uris.get(files[0]!)!;
    // A contract's lens says `N instr · K behaviour(s)`, with ` · incomplete` when it is not complete.
    const isContractLens = (title: string) => / \d+ behaviours?\b/.test(title) && !/incomplete/.test(title);
    const hasCompleteLens = async () => (await client.codeLenses(activeUri)).some((l) => isContractLens(l.command?.title ?? ''));
    for (;;) {
      // Listen before asking, so a publish in between is not missed.
      const next = client.waitFor('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === activeUri, settleLimit).catch(() => undefined);
      if (await hasCompleteLens()) break;
      await next;
    }
    const firstCompleteMs = performance.now() - started;
    // The job of the active file also analyses the callees it calls in other files (for hovers on
    // the calls); its own functions are complete earlier. Each publish, the complete lenses are counted.
    const completeLenses = async () => (await client.codeLenses(activeUri)).filter((l) => isContractLens(l.command?.title ?? '')).length;
    const progress: { ms: number; complete: number }[] = [{ ms: firstCompleteMs, complete: await completeLenses() }];
    let settling = true;
    const watching = (async () => {
      while (settling) {
        await client.waitFor('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === activeUri, settleLimit).catch(() => undefined);
        if (settling) progress.push({ ms: performance.now() - started, complete: await completeLenses() });
      }
    })();
    await client.settledDiagnostics(uris.get(files[0]!)!, 1, settleLimit);
    const activeMs = performance.now() - started;
    settling = false;
    const ownFunctions = await completeLenses();
    const ownCompleteMs = Math.min(activeMs, ...progress.filter((p) => p.complete >= ownFunctions).map((p) => p.ms));
    void watching;
    for (const file of files) await client.settledDiagnostics(uris.get(file)!, 1, settleLimit);
    rows.push({ scenario: name, measure: `cold open -> first diagnostics of ${files[0]} (ms)`, samples: [firstMs] });
    rows.push({ scenario: name, measure: `cold open -> first complete contract in ${files[0]} (ms)`, samples: [firstCompleteMs] });
    rows.push({ scenario: name, measure: `cold open -> complete contracts of ${files[0]}'s ${ownFunctions} functions (ms)`, samples: [ownCompleteMs] });
    rows.push({ scenario: name, measure: `cold open -> complete results of ${files[0]} (ms)`, samples: [activeMs] });
    rows.push({ scenario: name, measure: 'cold open -> all complete results (ms)', samples: [performance.now() - started] });
    // Warm hovers on every function name of every open file, round robin.
    const targets: { uri: string; position: { line: number; character: number } }[] = [];
    for (const file of files) {
      const text = texts.get(file)!;
      for (const match of text.matchAll(/^[a-z_][\w ]*?\b([a-z_]\w*)\(/gm)) {
        targets.push({ uri: uris.get(file)!, position: positionOf(text, match[0], match[0].length - 2 - (match[1]!.length - 1)) });
      }
    }
    const hovers: number[] = [];
    let empty = 0;
    for (let i = 0; i < options.hovers; i++) {
      const target = targets[i % targets.length]!;
      const t = performance.now();
      const hover = await client.hover(target.uri, target.position);
      hovers.push(performance.now() - t);
      if (!hover) empty++;
    }
    rows.push({ scenario: name, measure: `warm hover (ms; ${empty} of ${options.hovers} empty)`, samples: hovers });
    // One-line edits inside a handler: a new comment line each time, so the function's text really changes.
    const uri = uris.get(editFile)!;
    let text = texts.get(editFile)!;
    const firstPublish: number[] = [];
    const settled: number[] = [];
    let edits = 0;
    const edit = async (into: { first: number[]; settled: number[] }) => {
      const at = positionOf(text, editAnchor);
      const line = `    /* edit ${edits++} */\n`;
      const offset = text.indexOf(editAnchor);
      text = text.slice(0, offset) + line + text.slice(offset);
      const t = performance.now();
      const published = client.waitFor('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => p.uri === uri && p.version === client.version(uri), settleLimit);
      const version = await client.change(uri, [{ range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, text: line }]);
      await published;
      into.first.push(performance.now() - t);
      await client.settledDiagnostics(uri, version, settleLimit);
      into.settled.push(performance.now() - t);
    };
    for (let i = 0; i < options.edits; i++) await edit({ first: firstPublish, settled });
    rows.push({ scenario: name, measure: 'one-line edit -> first updated diagnostics (ms)', samples: firstPublish });
    rows.push({ scenario: name, measure: 'one-line edit -> complete updated diagnostics (ms)', samples: settled });
    // The same edit while the worker analyses another open file. Before each, a settings change (a
    // time limit 1 ms longer) makes every file stale: the edited file is analysed first, then the
    // others. The edit comes 500 ms after the worker starts on another file, inside its analysis.
    const busy = { first: [] as number[], settled: [] as number[] };
    const beforeBusy = peakRssMb(client.process.pid!);
    if (options.busyEdits > 0) {
      for (let i = 0; i < options.busyEdits; i++) {
        const other = client.waitFor('perfcontract/status', (s: { uri?: string; state: string }) => s.state === 'analysing' && s.uri !== uri, settleLimit);
        await client.changeSettings({ ...settings, timeLimitMs: options.timeLimitMs + 1 + i });
        await client.settledDiagnostics(uri, client.version(uri), settleLimit);
        await other;
        await new Promise((resolve) => setTimeout(resolve, 500));
        await edit(busy);
      }
      rows.push({ scenario: name, measure: 'edit while another file is analysed -> first updated diagnostics (ms)', samples: busy.first });
      rows.push({ scenario: name, measure: 'edit while another file is analysed -> complete updated diagnostics (ms)', samples: busy.settled });
    }
    await warmRestart(name, files, settings, options, rows);
    const analysis = await client.lastAnalysis(uri);
    process.stdout.write(`${name}: last edit recomputed ${analysis.recomputed.join(', ') || '(nothing)'}; reused ${analysis.reused.length}; incomplete statuses: ${client.statuses.filter((s) => s.state === 'incomplete').length}; worker restarts: ${analysis.workerRestarts}; jobs failed: ${analysis.jobsFailed}\n`);
    // Why the worker was restarted, or an analysis lost or given up on, as the server logged it.
    for (const line of client.log.filter((l) => /analysis worker|was lost|giving up|z3 failed/.test(l))) process.stdout.write(`${name}: server log: ${line.slice(0, 300)}\n`);
    return { beforeBusy, whole: peakRssMb(client.process.pid!) };
  } finally {
    closing = true;
    await client.shutdown();
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

/** The process's peak resident set (VmHWM), which covers the worker threads too. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A second server on the same cache directory, while the first still runs (its cache is flushed
 * first): open every file of the scenario and wait for complete results, from the disk cache.
 */
async function warmRestart(name: string, files: string[], settings: Record<string, unknown>, options: Options, rows: Row[]): Promise<void> {
  // The first server writes its cache after 2 s idle; wait for the file to stop changing.
  const file = fs.readdirSync(settings.cacheDirectory as string).map((f) => path.join(settings.cacheDirectory as string, f)).find((f) => f.endsWith('.json'));
  for (let previous = -1, i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const size = file && fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size > 0 && size === previous) break;
    previous = size;
  }
  const client = new LspTestClient({ rootPath: NF, settings, ...(options.serverRoot ? { serverRoot: options.serverRoot } : {}) });
  try {
    await client.initialize();
    const started = performance.now();
    const uris: string[] = [];
    for (const f of [...files].reverse()) uris.push(await client.open(path.join(NF, f), fs.readFileSync(path.join(NF, f), 'utf8')));
    for (const uri of uris) await client.settledDiagnostics(uri, 1, 30 * 60 * 1000);
    rows.push({ scenario: name, measure: 'warm restart (disk cache) -> all complete results (ms)', samples: [performance.now() - started] });
  } finally {
    await client.shutdown();
  }
}

async function main(): Promise<void> {
  const parsed = parse(process.argv.slice(2));
  if (!parsed.base) {
    await runAll(parsed);
    return;
  }
  // The base checkout's server first, then this one's, each over every scenario.
  process.stdout.write(`=== base: ${parsed.base}\n`);
  await runAll({ ...parsed, serverRoot: parsed.base });
  process.stdout.write(`=== this build\n`);
  await runAll(parsed);
}

async function runAll(options: Options): Promise<void> {
  const rows: Row[] = [];
  const memory: { scenario: string; mb: { beforeBusy: number; whole: number } }[] = [];
  process.stdout.write(`perfcontract language server benchmark: ${options.edits} edits, ${options.hovers} hovers, timeLimitMs ${options.timeLimitMs} per function, ${os.cpus().length} CPUs, MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'} (the VS Code extension starts the server with 2)\n`);
  if (options.scenarios.includes('nat')) {
    memory.push({ scenario: 'nat', mb: await scenario('nat', ['nat.c', 'lib/map.c', 'lib/dchain.c'], 'nat.c', '    if (len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN)', options, rows) });
  }
  if (options.scenarios.includes('all')) {
    const all = ['router.c', 'lpm.c', 'bridge.c', 'nat.c', 'lib/map.c', 'lib/dchain.c'];
    memory.push({ scenario: 'all', mb: await scenario('all', all, 'router.c', '    if (port >= ROUTER_N_PORTS', options, rows) });
  }
  if (options.scenarios.includes('mapget')) {
    // One-line edits inside map_get (lib/map.c), with the NAT, which calls it, open.
    memory.push({ scenario: 'mapget', mb: await scenario('mapget', ['lib/map.c', 'nat.c', 'lib/dchain.c'], 'lib/map.c', '    int slot = map_find_slot(m, key, hash);', options, rows) });
  }
  const header = ['scenario', 'measure', 'n', 'p50', 'p95', 'min', 'max'];
  const lines = rows.map((r) => {
    const sorted = [...r.samples].sort((a, b) => a - b);
    return [r.scenario, r.measure, String(sorted.length), ...[percentile(sorted, 50), percentile(sorted, 95), sorted[0]!, sorted[sorted.length - 1]!].map((v) => v.toFixed(1))];
  });
  for (const m of memory) {
    lines.push([m.scenario, 'peak server RSS until the edits while busy (MB)', '1', m.mb.beforeBusy.toFixed(1), '', '', '']);
    lines.push([m.scenario, 'peak server RSS, whole scenario (MB)', '1', m.mb.whole.toFixed(1), '', '', '']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${lines.map(format).join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench:lsp failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
