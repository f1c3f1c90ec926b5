// Reuses a contract whose function (and callees) only moved in the file: its positions are shifted instead of analysing it again.
//
// The engine's cache key includes each function's position, because a contract carries source lines
// (ranges, branch lines, PCV origins, and PCV names such as `iterations@f:21`). An edit that changes
// the length of one function would otherwise recompute every later function of the file. Here a
// second, position-free key (text, file, callees, globals, options) finds the earlier contract, and
// every line in it is moved by the shift of the function that contains that line. Anything that
// cannot be attributed to a function of the contract's call closure makes the relocation give up,
// and the function is analysed as usual.
import type { IrProgram } from '../core/ir/ir';
import { functionKeys } from '../core/cache/contractCache';
import type { FunctionContract } from '../core/contract/contract';

export interface FunctionPlace { file: string; startLine: number; endLine: number; startColumn: number; startByte: number }
export type Layout = Record<string, FunctionPlace>;

/** Position-free keys: function text, annotations and file, callees' keys (transitively), globals and a fingerprint of the options. */
export function shapeKeys(program: IrProgram, fingerprint: string): Map<string, string> {
  return functionKeys(program, fingerprint, true);
}

/** Where the function and every defined function it reaches are now. */
export function layoutOf(program: IrProgram, entry: string): Layout {
  const layout: Layout = {};
  const visit = (name: string) => {
    const fn = program.functions.get(name);
    if (!fn || layout[name]) return;
    layout[name] = { file: fn.file, startLine: fn.range.startLine, endLine: fn.range.endLine, startColumn: fn.range.startColumn, startByte: fn.range.startByte };
    for (const callee of fn.callees) visit(callee);
  };
  visit(entry);
  return layout;
}

/** The contract with every position moved from `before` to `now`, or undefined when some position cannot be placed. */
export function relocate(contract: FunctionContract, before: Layout, now: Layout): FunctionContract | undefined {
  const names = Object.keys(before);
  if (names.length !== Object.keys(now).length || names.some((n) => !now[n] || now[n]!.file !== before[n]!.file)) return undefined;
  const entryBefore = before[contract.name];
  const entryNow = now[contract.name];
  if (!entryBefore || !entryNow || entryBefore.startColumn !== entryNow.startColumn) return undefined;
  const shift = (name: string) => now[name]!.startLine - before[name]!.startLine;
  const shifts = new Set(names.map(shift));
  if (shifts.size === 1 && shifts.has(0) && entryBefore.startByte === entryNow.startByte) return contract;
  const uniform = shifts.size === 1 ? [...shifts][0]! : undefined;
  let failed = false;
  /** A 1-based line in a file, moved by the shift of the closure function that contains it. */
  const moveLine = (file: string | undefined, line: number): number => {
    if (file === undefined) {
      if (uniform === undefined) failed = true;
      return line + (uniform ?? 0);
    }
    const owner = names.find((n) => before[n]!.file === file && line - 1 >= before[n]!.startLine && line - 1 <= before[n]!.endLine);
    if (!owner) {
      failed = true;
      return line;
    }
    return line + shift(owner);
  };
  // Free-text messages with positions in them cannot be moved safely.
  const mentionsPosition = (text: string | undefined) => text !== undefined && /:\d+\)|\bline \d+/.test(text);
  const copy = JSON.parse(JSON.stringify(contract)) as FunctionContract;
  const lineShift = shift(contract.name);
  const byteShift = entryNow.startByte - entryBefore.startByte;
  copy.range = { ...copy.range, startLine: copy.range.startLine + lineShift, endLine: copy.range.endLine + lineShift, startByte: copy.range.startByte + byteShift, endByte: copy.range.endByte + byteShift };
  for (const c of copy.classes) {
    for (const d of c.decisions) d.line = moveLine(d.file, d.line);
    for (const d of c.adversarial?.drivenBy ?? []) d.line = moveLine(d.file, d.line);
    if (c.reason?.line !== undefined) c.reason.line = moveLine(undefined, c.reason.line);
    if (mentionsPosition(c.reason?.message)) failed = true;
  }
  for (const r of copy.incompleteReasons) {
    if (r.line !== undefined) r.line = moveLine(r.file, r.line);
    if (mentionsPosition(r.message)) failed = true;
  }
  for (const u of copy.unmodelledCalls) u.line = moveLine(u.file, u.line);
  for (const p of copy.pcvs) {
    const colon = p.origin.lastIndexOf(':');
    p.origin = `${p.origin.slice(0, colon)}:${moveLine(p.origin.slice(0, colon), Number(p.origin.slice(colon + 1)))}`;
  }
  if (failed) return undefined;
  // Line-based PCV names and descriptions: `iterations@f:21`, `at line 21 of f`.
  const renamed = JSON.stringify(copy)
    .replace(/iterations@([A-Za-z_]\w*):(\d+)/g, (text, fn: string, line: string) => {
      if (!before[fn]) {
        failed = true;
        return text;
      }
      return `iterations@${fn}:${Number(line) + shift(fn)}`;
    })
    .replace(/at line (\d+) of ([A-Za-z_]\w*)/g, (text, line: string, fn: string) => {
      if (!before[fn]) {
        failed = true;
        return text;
      }
      return `at line ${Number(line) + shift(fn)} of ${fn}`;
    });
  return failed ? undefined : (JSON.parse(renamed) as FunctionContract);
}

/** Keeps the latest contract per position-free key, with the layout it was computed at (bounded, oldest out first). */
export class RelocationStore {
  private readonly entries = new Map<string, { contract: FunctionContract; layout: Layout }>();

  constructor(private readonly capacity = 2000) {}

  get(key: string): { contract: FunctionContract; layout: Layout } | undefined {
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.entries.set(key, found);
    }
    return found;
  }

  set(key: string, contract: FunctionContract, layout: Layout): void {
    this.entries.delete(key);
    this.entries.set(key, { contract: JSON.parse(JSON.stringify(contract)) as FunctionContract, layout });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
