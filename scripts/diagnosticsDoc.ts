// Writes docs/diagnostics.md from the diagnostic catalogue (server/src/diagnosticCatalogue.ts).
// `node out/scripts/diagnosticsDoc.js` prints it; `--write` replaces the file. The catalogue test
// fails when the two differ.
import * as fs from 'fs';
import * as path from 'path';
import { CATALOGUE, DiagnosticFamily } from '../server/src/diagnosticCatalogue';

const SECTIONS: [DiagnosticFamily, string, string][] = [
  ['analysis', 'Analysis (PC1xx-PC4xx, PC900)', 'Why a path or an analysis ended early, in contracts (`incompleteReasons`, error classes), CLI output and editor diagnostics. PC1xx end one path because the program itself would misbehave there (an error class); PC2xx are constructs the analysis does not follow; PC3xx stop an exploration early; PC4xx are front-end problems.'],
  ['editor', 'Editor diagnostics (PC5xx)', 'Reported by the language server beside the engine\'s codes (placement and `data`: [lsp.md](lsp.md#diagnostics)).'],
  ['grounding', 'x86 grounding (PG0xx)', 'Why a contract has no x86 metrics (`grounding.error`); the IR metrics stay ([x86-grounding.md](x86-grounding.md)).'],
  ['measurement', 'Measurement harness (PM0xx)', 'Errors of `npm run measure` and `npm run validate` ([measurement.md](measurement.md)).'],
];

export function diagnosticsDoc(): string {
  const lines = [
    '# Diagnostic codes',
    '',
    'Every code perfcontract reports, generated from `server/src/diagnosticCatalogue.ts` by',
    '`node out/scripts/diagnosticsDoc.js --write`. `perfcontract explain CODE` prints one entry in the',
    'terminal; `perfcontract explain` lists them all. Codes are stable: a code keeps its meaning.',
  ];
  for (const [family, title, intro] of SECTIONS) {
    lines.push('', `## ${title}`, '', intro, '', '| code | kind | meaning | what to do |', '|---|---|---|---|');
    for (const entry of CATALOGUE.filter((e) => e.family === family)) lines.push(`| \`${entry.code}\` | \`${entry.kind}\` | ${entry.summary} | ${entry.advice ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const text = diagnosticsDoc();
  if (process.argv.includes('--write')) fs.writeFileSync(path.resolve(__dirname, '../../docs/diagnostics.md'), text);
  else process.stdout.write(text);
}
