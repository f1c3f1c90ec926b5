// The diagnostic catalogue: every code once, well formed, documented, explained by the CLI, and
// compared by kind rather than as a string literal anywhere in the server.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { CATALOGUE, catalogueEntry } from '../src/diagnosticCatalogue';
import { Reasons } from '../src/core/reasons';
import { ServerCodes } from '../src/lsp/contractPresentation';
import { GroundingError } from '../src/ground/groundingError';
import { MeasureError } from '../src/measure/measureError';
import { cli, repo } from './support/runCli';

test('every code is in the catalogue once, with a well-formed code and a summary', () => {
  const codes = CATALOGUE.map((entry) => entry.code);
  assert.equal(new Set(codes).size, codes.length, `duplicate codes: ${codes.filter((c, i) => codes.indexOf(c) !== i).join(', ')}`);
  for (const entry of CATALOGUE) {
    assert.match(entry.code, /^P[CGM]\d{3}$/, entry.code);
    assert.ok(entry.summary.length > 10, entry.code);
    const expected = { PC: ['analysis', 'editor'], PG: ['grounding'], PM: ['measurement'] }[entry.code.slice(0, 2)]!;
    assert.ok(expected.includes(entry.family), `${entry.code} is in family ${entry.family}`);
  }
  for (const [kind, reason] of Object.entries(Reasons)) assert.equal(catalogueEntry(reason.code)?.kind, kind);
  for (const code of Object.values(ServerCodes)) assert.equal(catalogueEntry(code)?.family, 'editor', code);
  assert.equal(new GroundingError('unsaved', 'x').code, catalogueEntry('PG007')?.code);
  assert.equal(new MeasureError('bad-pcap', 'x').code, 'PM003');
  assert.equal(catalogueEntry(' pc302 ')?.kind, 'time-limit');
  assert.equal(catalogueEntry('PC999'), undefined);
});

test('docs/diagnostics.md lists every code with its summary and advice, and no other code', () => {
  const doc = fs.readFileSync(path.join(repo, 'docs', 'diagnostics.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `(P[CGM]\d{3})` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$/gm)].map((m) => [m[1]!, { kind: m[2]!.trim(), summary: m[3]!.trim(), advice: m[4]!.trim() }]));
  for (const entry of CATALOGUE) {
    const row = rows.get(entry.code);
    assert.ok(row, `${entry.code} is missing from docs/diagnostics.md`);
    assert.equal(row.kind, `\`${entry.kind}\``, entry.code);
    assert.equal(row.summary, entry.summary, entry.code);
    assert.equal(row.advice, entry.advice ?? '', entry.code);
  }
  assert.deepEqual([...rows.keys()].sort(), CATALOGUE.map((e) => e.code).sort());
});

test('perfcontract explain prints what a code means and what to do; an unknown code is a usage error', async () => {
  const known = await cli(['explain', 'PC302', 'pg005']);
  assert.equal(known.code, 0, known.stderr);
  assert.match(known.stdout, /^PC302 time-limit \(analysis\)\n {2}the analysis time limit was reached\n {2}What to do: .*--time-limit/m);
  assert.match(known.stdout, /^PG005 no-calibration \(x86 grounding error\)/m);
  const all = await cli(['explain']);
  assert.equal(all.code, 0);
  assert.equal(all.stdout.trim().split('\n').length, CATALOGUE.length);
  const unknown = await cli(['explain', 'PC999']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no code 'PC999'/);
});

test('server code compares reason kinds, never code string literals', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.ts') && !file.endsWith('diagnosticCatalogue.ts') && !file.endsWith(path.join('core', 'reasons.ts'))) {
        fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (/(===|!==|\.has\(|\.includes\()\s*'P[CGM]\d{3}'|'P[CGM]\d{3}'\s*(===|!==)|\bcode: 'P[CGM]\d{3}'|\[\s*'P[CGM]\d{3}'/.test(line)) offenders.push(`${path.relative(repo, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  walk(path.join(repo, 'server', 'src'));
  assert.deepEqual(offenders, []);
});
