// Prints the IR of every function in a C file (a debugging aid).
import * as fs from 'fs';
import { buildTranslationUnit } from '../server/src/core/syntax/translationUnit';
import { lowerProgram } from '../server/src/core/ir/lowerProgram';
import { functionToString } from '../server/src/core/ir/ir';

async function main(): Promise<void> {
  const file = require('path').resolve(process.argv[2]!);
  const unit = await buildTranslationUnit([{ path: file }], { includeDirs: process.argv.slice(3).filter((a) => a.startsWith('-I')).map((a) => require('path').resolve(a.slice(2))), defines: {} }, { readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
  const lowered = lowerProgram(unit);
  for (const d of [...unit.diagnostics, ...lowered.diagnostics]) console.log(`${d.reason} ${d.file}:${d.startLine + 1}: ${d.message}`);
  for (const f of lowered.program.functions.values()) if (!f.file.startsWith('<builtin>') || process.argv.includes('--builtins')) console.log(functionToString(f));
  for (const g of lowered.program.globals.values()) console.log(`global ${g.name} size ${g.size} readOnly ${g.readOnly}`);
}
void main();
