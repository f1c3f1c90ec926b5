// Unit tests of the client's pure parts: contract view HTML, plots, hex dumps, source links, lens
// command rewriting and PCV input parsing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readContractDocument, type ContractDocument, type FunctionContract } from '../src/contractTypes';
import { hexDump, pcvPlots, renderComparisonHtml, renderContractHtml, renderPlot, splitOrigin, UNBOUNDED_PLOT_RANGE } from '../src/contractView';
import { clientCommandFor, rewriteLensCommand } from '../src/lensCommands';
import { withoutRevisionBaseline, withoutX86 } from '../src/workspaceTrust';
import { parsePcvAssignments } from '../src/pcvInput';
import { findSourceLinks } from '../src/sourceLinks';

/** Modelled on skip_options in test-fixtures/engine/pcv_loops.c (docs/contract-format.md). */
function skipOptions(): FunctionContract {
  return {
    name: 'skip_options',
    file: '/src/pcv_loops.c',
    range: { startLine: 29, startColumn: 0, endLine: 50, endColumn: 1 },
    metrics: ['instructions', 'memory_accesses'],
    pcvs: [
      { name: 'option_words', description: '32-bit words of IPv4 options', origin: '/src/pcv_loops.c:40', bound: 10, boundSource: 'annotation' },
      { name: 'n', description: 'an unbounded loop', origin: '/src/pcv_loops.c:44' },
    ],
    classes: [
      {
        id: 'C1',
        condition: 'len < 20',
        cost: { instructions: '4', memory_accesses: '0' },
        paths: 1,
        outcome: 'return',
        returns: ['0'],
        lowerBound: false,
        witness: { args: { len: 0 }, memory: {}, pcv: {} },
        decisions: [{ text: 'len < 20', file: '/src/pcv_loops.c', line: 33, functionName: 'skip_options' }],
      },
      {
        id: 'C6',
        condition: 'ihl >= 5 && w < ihl && ip[w * 4] != 0',
        cost: { instructions: '59 + 14*option_words', memory_accesses: '4 + option_words' },
        paths: 1,
        outcome: 'return',
        returns: ['symbolic'],
        lowerBound: false,
        witness: { args: { len: 60 }, memory: { pkt: '4f00414243' }, pcv: { option_words: 3 } },
        adversarial: { factor: 6.42, drivenBy: [] },
      },
      {
        id: 'C7',
        condition: 'x < 3 && <script>',
        cost: { instructions: '10 + 2*n*option_words', memory_accesses: '1' },
        paths: 2,
        outcome: 'error',
        reason: { code: 'PC102', kind: 'out-of-bounds', message: 'read past the end', line: 41 },
        returns: [],
        lowerBound: true,
        witness: {},
      },
    ],
    worstCase: { class: 'C6', cost: { instructions: '59 + 14*option_words', memory_accesses: '4 + option_words' }, atBounds: 199 },
    bestCase: { class: 'C1', cost: { instructions: '4', memory_accesses: '0' } },
    worstToBestRatio: 49.75,
    commonCase: 31,
    complete: true,
    incompleteReasons: [],
  };
}

test('pcvPlots evaluates each class formula over the PCV range with the other PCVs at 0', () => {
  const plots = pcvPlots(skipOptions());
  assert.deepEqual(
    plots.map((p) => [p.pcv, p.metric, p.maxX, p.bounded, p.series.map((s) => s.classId)]),
    [
      ['option_words', 'instructions', 10, true, ['C6', 'C7']],
      ['n', 'instructions', UNBOUNDED_PLOT_RANGE, false, ['C7']],
    ],
  );
  const c6 = plots[0]!.series[0]!;
  assert.deepEqual(c6.points.map((p) => p.x), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(c6.points.map((p) => p.y), [59, 73, 87, 101, 115, 129, 143, 157, 171, 185, 199]);
  // C7 is 10 + 2*n*option_words: with n at 0 it stays flat along option_words, and vice versa.
  assert.deepEqual(new Set(plots[0]!.series[1]!.points.map((p) => p.y)), new Set([10]));
  assert.deepEqual(new Set(plots[1]!.series[0]!.points.map((p) => p.y)), new Set([10]));
  assert.equal(plots[1]!.series[0]!.points.length, 61, 'an unbounded PCV is sampled at 61 points up to 100');
});

test('renderPlot draws one polyline per class with its value at the end of the range', () => {
  const svg = renderPlot(pcvPlots(skipOptions())[0]!);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  assert.match(svg, /C6: 199 at option_words = 10/);
  assert.match(svg, /option_words from 0 to its bound 10/);
  const unbounded = renderPlot(pcvPlots(skipOptions())[1]!);
  assert.match(unbounded, /n has no bound; shown from 0 to 100/);
});

test('hexDump prints offsets, hex and ASCII, and truncates long inputs', () => {
  assert.equal(hexDump('4f00414243'), '00000000  4f 00 41 42 43' + ' '.repeat(47 - 14) + '  O.ABC');
  assert.equal(hexDump(''), '(empty)');
  assert.equal(hexDump('zz'), '(not hex: zz)');
  const long = hexDump('ab'.repeat(300));
  const lines = long.split('\n');
  assert.equal(lines.length, 17);
  assert.equal(lines[15]!.slice(0, 8), '000000f0');
  assert.equal(lines[16], '... 44 more bytes (300 in all)');
});

test('renderContractHtml lists classes, escapes source text and links to the code', () => {
  const doc: ContractDocument = { version: 1, functions: [skipOptions()] };
  const html = renderContractHtml(doc, { cspSource: 'vscode-resource:', nonce: 'abc123', title: 'Contract: skip_options' });
  assert.match(html, /script-src 'nonce-abc123'/);
  assert.match(html, /<script nonce="abc123">/);
  assert.equal((html.match(/<tr data-class=/g) ?? []).length, 3);
  assert.ok(!html.includes('<script>'), 'source text is escaped');
  assert.ok(html.includes('x &lt; 3 &amp;&amp; &lt;script&gt;'));
  assert.match(html, /data-file="\/src\/pcv_loops.c" data-line="30">pcv_loops.c:30</);
  assert.match(html, /data-file="\/src\/pcv_loops.c" data-line="33"/);
  assert.match(html, /adversarial 6.42x/);
  assert.match(html, /error PC102 out-of-bounds \(line 41\)/);
  assert.match(html, /Worst case: C6 \(<code>59 \+ 14\*option_words<\/code> instructions, at most 199 \(at the bounds\)\); best case: C1/);
  assert.match(html, /<pre class="hexdump">00000000  4f 00 41 42 43/);
  assert.equal((html.match(/<figure class="plot"/g) ?? []).length, 2);
  const empty = renderContractHtml({ version: 1, functions: [] }, { cspSource: 'x', nonce: 'n', title: 't' });
  assert.match(empty, /no entry function was analysed/);
});

test('readContractDocument accepts objects and JSON text and rejects other shapes with PCX001', () => {
  const doc = { version: 1, functions: [skipOptions()] };
  assert.equal(readContractDocument(doc), doc);
  assert.equal(readContractDocument(JSON.stringify(doc)).functions[0]!.name, 'skip_options');
  assert.throws(() => readContractDocument({ version: 1 }), /PCX001/);
  assert.throws(() => readContractDocument({ functions: [{ name: 'f' }] }), /PCX001/);
  assert.throws(() => readContractDocument(null), /PCX001/);
});

test('findSourceLinks links file:line mentions and bare line numbers', () => {
  const text = '## `nf_process` (/w/nat.c:180)\nsee lib/map.c:42 and line 7; also foo.txt:3';
  const links = findSourceLinks(text, { sourcePath: '/w/nat.c', baseDirectory: '/w' });
  assert.deepEqual(
    links.map((l) => [text.slice(l.start, l.end), l.file, l.line]),
    [
      ['/w/nat.c:180', '/w/nat.c', 180],
      ['lib/map.c:42', '/w/lib/map.c', 42],
      ['line 7', '/w/nat.c', 7],
    ],
  );
  assert.deepEqual(findSourceLinks('line 3 of a.c:4', {}), [], 'without a source, relative names and bare lines are not linked');
  assert.deepEqual(splitOrigin('C:\\src\\a.c:12'), ['C:\\src\\a.c', 12]);
  assert.deepEqual(splitOrigin('nowhere'), [undefined, 0]);
});

test('code lenses with server command ids are rewritten to the client commands', () => {
  assert.equal(clientCommandFor('perfcontract.server.generateContract'), 'perfcontract.generateContract');
  assert.equal(clientCommandFor('perfcontract.server.showWorstCase'), 'perfcontract.showWorstCase');
  assert.equal(clientCommandFor('perfcontract.server.evaluateClass'), 'perfcontract.evaluateClass');
  assert.equal(clientCommandFor('perfcontract.server.functionAt'), undefined);
  assert.equal(clientCommandFor('other.command'), undefined);
  const argument = { uri: 'file:///w/nat.c', functionName: 'nf_process' };
  const lens = rewriteLensCommand({ command: { title: '312 instructions', command: 'perfcontract.server.generateContract', arguments: [argument] } });
  assert.deepEqual(lens.command, { title: '312 instructions', command: 'perfcontract.generateContract', arguments: [argument] });
  const untouched = rewriteLensCommand({ command: { title: 'x', command: 'editor.action.showReferences' } });
  assert.equal(untouched.command?.command, 'editor.action.showReferences');
  assert.equal(rewriteLensCommand({ command: undefined }).command, undefined);
});

test('parsePcvAssignments reads NAME=VALUE lists and rejects anything else with PCX007', () => {
  assert.deepEqual(parsePcvAssignments('t=3, e = 0,iterations@f:21=7'), { t: 3, e: 0, 'iterations@f:21': 7 });
  assert.deepEqual(parsePcvAssignments('  '), {});
  assert.throws(() => parsePcvAssignments('t=-1'), /PCX007 't=-1'/);
  assert.throws(() => parsePcvAssignments('t'), /PCX007/);
});

test('the contract view renders what the engine really prints for test-fixtures/engine/pcv_loops.c', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const json = execFileSync(process.execPath, [path.join(root, 'bin', 'perfcontract.js'), 'contract', path.join(root, 'test-fixtures', 'engine', 'pcv_loops.c'), '--entry', 'skip_options', '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const doc = readContractDocument(json);
  const fn = doc.functions[0]!;
  assert.equal(fn.name, 'skip_options');
  const html = renderContractHtml(doc, { cspSource: 'x', nonce: 'n', title: 'Contract: skip_options' });
  assert.equal((html.match(/<tr data-class=/g) ?? []).length, fn.classes.length);
  assert.match(html, new RegExp(`Worst case: ${fn.worstCase!.class} \\(<code>59 \\+ 14\\*option_words</code> instructions, at most 199 \\(at the bounds\\)\\)`));
  const plot = pcvPlots(fn).find((p) => p.pcv === 'option_words');
  assert.ok(plot, 'option_words is plotted');
  assert.equal(plot.maxX, 10);
  const worst = plot.series.find((s) => s.classId === fn.worstCase!.class);
  assert.deepEqual(worst?.points.at(-1), { x: 10, y: 199 });
});

test('the comparison view puts the baseline and the working copy side by side with the change of each function', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-compare-'));
  const file = path.join(dir, 'f.c');
  const contractOf = (text: string) => {
    fs.writeFileSync(file, text);
    return readContractDocument(execFileSync(process.execPath, [path.join(root, 'bin', 'perfcontract.js'), 'contract', file, '--format', 'json'], { encoding: 'utf8' }));
  };
  const before = contractOf('int f(int x) { return x + 1; }\nint g(int x) { return x; }\n');
  const after = contractOf('int f(int x) { int y = x * 3; y = y ^ (y >> 2); return y + 1; }\nint g(int x) { return x; }\nint h(void) { return 2; }\n');
  fs.rmSync(dir, { recursive: true, force: true });
  const html = renderComparisonHtml(after, before, { current: 'working copy', baseline: 'HEAD' }, { cspSource: 'x', nonce: 'n', title: 'Compare: f.c vs HEAD' });
  const rows = [...html.matchAll(/<tr class="(grew)?" data-function="(\w+)">(.*?)<\/tr>/g)].map((m) => ({ grew: m[1] === 'grew', name: m[2], cells: [...m[3]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()) }));
  const f = after.functions.find((x) => x.name === 'f')!;
  const fBefore = before.functions.find((x) => x.name === 'f')!;
  const grown = Number(f.classes[0]!.cost.instructions) - Number(fBefore.classes[0]!.cost.instructions);
  assert.ok(grown > 0);
  assert.deepEqual(rows.map((r) => [r.name, r.grew]), [['f', true], ['g', false], ['h', false]]);
  assert.equal(rows[0]!.cells[4], `+${grown} (+${((grown / Number(fBefore.classes[0]!.cost.instructions)) * 100).toFixed(1)}%)`);
  assert.equal(rows[0]!.cells[5], `+${grown} instr`);
  assert.equal(rows[1]!.cells[4], '=');
  assert.equal(rows[2]!.cells[2], 'absent');
  assert.equal(rows[2]!.cells[4], 'new');
  // Baseline on the left, working copy on the right, each with its own class tables.
  assert.deepEqual([...html.matchAll(/<h2 class="side-label">([^<]*)<\/h2>/g)].map((m) => m[1]), ['HEAD', 'working copy']);
  assert.equal((html.match(/<table class="classes">/g) ?? []).length, 5);
});

test('the annotation grammar injects into C comments and matches each annotation', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', 'perfcontract-annotations.tmLanguage.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const contribution = manifest.contributes.grammars.find((g: { path: string }) => g.path.endsWith('perfcontract-annotations.tmLanguage.json'));
  assert.equal(contribution.scopeName, grammar.scopeName);
  assert.deepEqual(contribution.injectTo, ['source.c', 'source.cpp']);
  assert.equal(grammar.injectionSelector, 'L:comment.block, L:comment.line');
  const rule = (name: string) => new RegExp(grammar.repository[name].match ?? grammar.repository[name].begin);
  const groups = (name: string, text: string) => [...(rule(name).exec(text) ?? ['no match'])].slice(1);
  assert.deepEqual(groups('pcv', '/*@ pcv t "hash map probes" */'), ['@ pcv', 't', undefined, '"hash map probes"']);
  assert.deepEqual(groups('pcv', '/*@ pcv k total "entries tried" */'), ['@ pcv', 'k', 'total', '"entries tried"']);
  assert.deepEqual(groups('pcv', '// @pcv e'), ['@pcv', 'e', undefined, undefined]);
  assert.deepEqual(groups('bound', '/*@ bound option_words <= MAX_OPTION_WORDS */'), ['@ bound', 'option_words', '<=', 'MAX_OPTION_WORDS ']);
  assert.deepEqual(groups('budget', '/*@ budget instructions <= 500 */'), ['@ budget', 'instructions', '<=', '500']);
  assert.deepEqual(groups('typical', '/*@ typical e = 0 */'), ['@ typical', 'e', '=', '0']);
  assert.deepEqual(groups('contract', '/*@ contract {"version":1} */'), ['@ contract']);
  assert.deepEqual(groups('entry', '/*@ entry */'), ['@ entry']);
  assert.equal(rule('pcv').exec('user@pcv.example'), null, 'an e-mail address is not an annotation');
});

test('in an untrusted workspace the server gets its settings with x86 metrics off', () => {
  assert.deepEqual(withoutX86({ metrics: ['instructions'], x86: { enabled: true, cflags: '-O3' } }), { metrics: ['instructions'], x86: { enabled: false, cflags: '-O3' } });
  assert.deepEqual(withoutX86({ timeLimitMs: 5 }), { timeLimitMs: 5, x86: { enabled: false } });
  // No git in an untrusted workspace: a revision baseline (HEAD by default) is off, a saved contract stays.
  assert.deepEqual(withoutRevisionBaseline({ timeLimitMs: 5 }), { timeLimitMs: 5, baseline: '' });
  assert.deepEqual(withoutRevisionBaseline({ baseline: 'main' }), { baseline: '' });
  assert.deepEqual(withoutRevisionBaseline({ baseline: 'saved.contract.json' }), { baseline: 'saved.contract.json' });
  assert.equal(withoutX86(null), null);
});
