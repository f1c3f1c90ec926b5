// Caches entry contracts under a key that changes exactly when something they depend on changes.
//
// The key of a function hashes its source text and position, the keys of every function it calls
// (so an edit reaches all callers, transitively; a callee answered by its declared contract counts
// by name), the program's globals and the analysis options.
// A cached contract is plain JSON data, so the cache can be kept in memory or written to disk. The
// same keys, with the call shape, key function summaries (symex/summaries.ts).
import { createHash } from 'crypto';
import type { IrFunction, IrProgram } from '../ir/ir';
import type { FunctionContract } from '../contract/contract';
import type { SerializedSummary, SummaryCache } from '../symex/summaries';

export type { SerializedSummary };

/**
 * Entry contracts by key and, optionally, function summaries by key (`SummaryCache`): a cache
 * without the summary methods still works, its analyses just summarise callees again.
 */
export interface ContractCache extends SummaryCache {
  get(key: string): FunctionContract | undefined;
  set(key: string, contract: FunctionContract): void;
}

/** Values kept as JSON text, so that no caller can mutate what is stored. */
class JsonStore<T> {
  private readonly texts = new Map<string, string>();

  get(key: string): T | undefined {
    const text = this.texts.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  set(key: string, value: T): void {
    this.texts.set(key, JSON.stringify(value));
  }

  get size(): number {
    return this.texts.size;
  }
}

/** An in-memory cache that stores contracts and summaries in their serialised form (so no caller can mutate them). */
export class MemoryContractCache implements ContractCache {
  private readonly entries = new JsonStore<FunctionContract>();
  private readonly summaries = new JsonStore<SerializedSummary>();

  getSummary(key: string): SerializedSummary | undefined {
    return this.summaries.get(key);
  }

  setSummary(key: string, summary: SerializedSummary): void {
    this.summaries.set(key, summary);
  }

  get summaryCount(): number {
    return this.summaries.size;
  }

  get(key: string): FunctionContract | undefined {
    return this.entries.get(key);
  }

  set(key: string, contract: FunctionContract): void {
    this.entries.set(key, contract);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** How much of a function's position its key holds, and which callees count by their declared contract. */
export interface FunctionKeyOptions {
  /**
   * `byte`: its start byte (a contract carries the byte range of its function). `line`: its start
   * line and column only: summaries carry source lines, never bytes, so typing inside one line of
   * a function keeps the keys of the functions after it. `none`: no position (and its annotations
   * in), for callers that relocate contracts themselves.
   */
  position: 'byte' | 'line' | 'none';
  /**
   * Callees whose calls use their declared contract (`preferDeclaredContracts`): a caller's key
   * takes the callee's name, not its key, since the contract (in the options fingerprint) stands
   * for the body. An edit in such a callee's body then leaves its callers' keys alone.
   */
  declaredCallees?: ReadonlySet<string>;
}

/**
 * Keys for every defined function of the program, given a fingerprint of the analysis options.
 * `positionFree` (or `{ position: 'none' }`) leaves the function's position out (and puts its
 * annotations in): a function that only moved keeps its key, for callers that relocate contracts themselves.
 */
export function functionKeys(program: IrProgram, optionsFingerprint: string, positionFree: boolean | FunctionKeyOptions = false): Map<string, string> {
  const keyOptions: FunctionKeyOptions = typeof positionFree === 'boolean' ? { position: positionFree ? 'none' : 'byte' } : positionFree;
  const globals = createHash('sha256');
  for (const global of [...program.globals.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    globals.update(`${global.name}|${global.size}|${global.readOnly}|${Buffer.from(global.initial).toString('hex')}|${JSON.stringify(global.initialPointers)};`);
  }
  for (const s of program.strings) globals.update(Buffer.from(s).toString('hex') + ';');
  const shared = `${globals.digest('hex')}|${optionsFingerprint}`;
  const keys = new Map<string, string>();
  const visit = (name: string, path: Set<string>): string => {
    const known = keys.get(name);
    if (known) return known;
    const fn = program.functions.get(name);
    if (!fn) return `external:${name}`;
    const hash = createHash('sha256');
    // The position is part of the key because the contract carries source ranges. The annotations
    // before the function (`/*@ assume */`, `/*@ typical */`) are outside its text but change its
    // contract.
    const position = keyOptions.position === 'none' ? '' : keyOptions.position === 'line' ? `${fn.range.startLine}:${fn.range.startColumn}` : String(fn.range.startByte);
    hash.update(`${shared}|${fn.file}|${position}|${JSON.stringify(fn.annotations)}|${fn.text}`);
    for (const callee of [...fn.callees].sort()) {
      const declared = keyOptions.declaredCallees?.has(callee) && !callsReturningPointer(fn, callee);
      hash.update(`|${callee}:${declared ? 'declared' : path.has(callee) ? 'recursive' : visit(callee, new Set([...path, callee]))}`);
    }
    const key = hash.digest('hex');
    keys.set(name, key);
    return key;
  };
  for (const name of program.functions.keys()) visit(name, new Set([name]));
  return keys;
}

/** Whether `fn` calls `callee` for a pointer result: such a call runs the body even when a contract is preferred. */
function callsReturningPointer(fn: IrFunction, callee: string): boolean {
  return fn.blocks.some((block) => block.instructions.some((i) => i.op === 'call' && i.callee === callee && i.returnsPointer));
}
