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
import { packText, unpackText } from './packedText';

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
    if (p.site) p.site = p.site.replace(/@\d+$/, `@${p.origin.slice(colon + 1)}`); // a site is at its origin's line
  }
  for (const b of copy.behaviours ?? []) for (const d of b.adversarial?.drivenBy ?? []) d.line = moveLine(d.file, d.line);
  if (failed) return undefined;
  // Line-based PCV names and descriptions (`iterations@f:21`, `at line 21 of f`) and loop-level conditions.
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
    })
    // A merged class's loop in the entry function itself: `for loop at line 9 exits in ...` (classMerge.ts).
    .replace(/loop at line (\d+)\b(?! of )/g, (_text, line: string) => `loop at line ${Number(line) + lineShift}`);
  return failed ? undefined : (JSON.parse(renamed) as FunctionContract);
}

/**
 * Keeps recent contracts per position-free key, with the layout each was computed at. They are kept
 * as compressed JSON text (`packText`): a contract can be megabytes of objects (a witness per class
 * holds the memory it reads), its text is several times smaller and compresses a hundredfold, and
 * it is unpacked and parsed only when a function actually moved.
 * Bounded in three ways, oldest out first: a few shapes per function (an edited function gets a new
 * shape at every keystroke, and only its latest one can serve a later move), a number of entries and
 * a total size.
 */
export class RelocationStore {
  private readonly entries = new Map<string, { owner: string; packed: Buffer; characters: number; layout: Layout }>();
  private characters = 0;

  constructor(private readonly limits = { perFunction: 4, entries: 2000, characters: 64 * 1024 * 1024 }) {}

  get(key: string): { contract: FunctionContract; layout: Layout } | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found);
    return { contract: JSON.parse(unpackText(found.packed)) as FunctionContract, layout: found.layout };
  }

  /** Stores the contract unless the same key is already stored at the same layout (then it is the same contract). */
  set(key: string, contract: FunctionContract, layout: Layout): void {
    const existing = this.entries.get(key);
    if (existing && sameLayout(existing.layout, layout)) {
      this.entries.delete(key);
      this.entries.set(key, existing);
      return;
    }
    this.remove(key);
    const owner = `${contract.file}\0${contract.name}`;
    const text = JSON.stringify(contract);
    const entry = { owner, packed: packText(text), characters: text.length, layout };
    this.entries.set(key, entry);
    this.characters += entry.characters;
    const sameOwner = [...this.entries].filter(([, e]) => e.owner === owner).map(([k]) => k);
    for (const old of sameOwner.slice(0, Math.max(0, sameOwner.length - this.limits.perFunction))) this.remove(old);
    while (this.entries.size > 1 && (this.entries.size > this.limits.entries || this.characters > this.limits.characters)) this.remove(this.entries.keys().next().value!);
  }

  /** Entries, and characters of JSON they stand for (unpacked). */
  get size(): { entries: number; characters: number } {
    return { entries: this.entries.size, characters: this.characters };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.characters -= entry.characters;
  }
}

function sameLayout(a: Layout, b: Layout): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((n) => {
    const x = a[n]!;
    const y = b[n];
    return y !== undefined && x.file === y.file && x.startLine === y.startLine && x.endLine === y.endLine && x.startColumn === y.startColumn && x.startByte === y.startByte;
  });
}
