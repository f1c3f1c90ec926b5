// Formats analysis diagnostics for a terminal: one line each, problems inside headers summarised per header.
import * as path from 'path';
import type { Diagnostic } from '../core/syntax/translationUnit';
import { Reasons } from '../core/reasons';

/** How many diagnostics of one header are shown before the rest is counted. */
const SHOWN_PER_HEADER = 3;

/** `file:line:col: PCxxx message`, with newlines in messages folded so that each problem is one line. */
export function diagnosticLine(d: Diagnostic, cwd = process.cwd()): string {
  const message = d.message.replace(/\s*\n\s*/g, ' ').replace(/near ''/g, 'at the end of the input');
  return `${path.relative(cwd, d.file) || d.file}:${d.startLine + 1}:${d.startColumn + 1}: ${Reasons[d.reason].code} ${message}`;
}

/**
 * Every diagnostic in the main files, and for each header the first few and a count of the rest
 * (all of them with `verbose`). A diagnostic inside a function that is analysed (`functionName`
 * set) is always shown: the user asked about that function.
 */
export function diagnosticLines(diagnostics: Diagnostic[], mainFiles: string[], verbose: boolean, cwd = process.cwd()): string[] {
  if (verbose) return diagnostics.map((d) => diagnosticLine(d, cwd));
  const main = new Set(mainFiles);
  const lines: string[] = [];
  const perHeader = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (main.has(d.file)) lines.push(diagnosticLine(d, cwd));
    else {
      const list = perHeader.get(d.file) ?? [];
      list.push(d);
      perHeader.set(d.file, list);
    }
  }
  for (const [file, list] of perHeader) {
    for (const d of list.slice(0, SHOWN_PER_HEADER)) lines.push(diagnosticLine(d, cwd));
    if (list.length > SHOWN_PER_HEADER) {
      lines.push(`${path.relative(cwd, file) || file}: ${list.length - SHOWN_PER_HEADER} more problem${list.length - SHOWN_PER_HEADER === 1 ? '' : 's'} in this header (--verbose shows them all)`);
    }
  }
  return lines;
}
