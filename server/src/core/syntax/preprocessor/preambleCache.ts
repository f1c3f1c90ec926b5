// The cache of preprocessed preambles (a main file's leading directives), so that a run whose preamble
// and every file it read are unchanged resumes after it instead of preprocessing it again.
import type { SourceMap } from './sourceMap';
import type { Conditional, Macro, PreprocessorDiagnostic, PreprocessorFileSystem, Token } from './types';

/**
 * The state of a run just before the first line of code of its main file: everything the
 * directives before it (the preamble: `#include`s, `#define`s, conditionals, comments) left.
 */
export interface PreambleSnapshot {
  /** Options, main file path and include guard: one slot per main file and options. */
  slot: string;
  /** The main file's text up to the end of its preamble's last token. */
  preambleText: string;
  /** Index of the main file's first token after the preamble. */
  boundaryIndex: number;
  /** Every read the preamble made (found or not), to check that each still answers the same. */
  reads: Map<string, string | undefined>;
  macros: Map<string, Macro>;
  guards: Map<string, string>;
  pragmaOnce: Set<string>;
  included: string[];
  diagnostics: PreprocessorDiagnostic[];
  map: SourceMap;
  out: string;
  counter: number;
  expansionCount: number;
  mainFileId: number;
  conditionals: Conditional[];
  previous: Token | undefined;
  forceLine: boolean;
}

/**
 * Preprocessed preambles, the way clangd keeps them: a main file's leading directives expanded once
 * (its headers read, their macros defined, their text expanded and mapped), so that an edit below
 * them only preprocesses the rest of the file. A snapshot is used only when its options, main file,
 * preamble text and every file it read (a failed lookup included) answer the same now; the resumed
 * run then gives exactly the output, map, macros and diagnostics of a run from the start.
 * One snapshot per main file and options; the least recently used are dropped beyond `limit`
 * snapshots or beyond `tokenLimit` output tokens in all (a snapshot's memory is about 140 bytes a
 * token: the preamble of DPDK's l2fwd example is 336,000 tokens, 46 MB), the newest always kept.
 */
export class PreambleCache {
  private readonly slots = new Map<string, PreambleSnapshot>();
  /** Runs that resumed from a snapshot, and runs that preprocessed their preamble. */
  hits = 0;
  misses = 0;

  constructor(readonly limit = 3, readonly tokenLimit = Infinity) {}

  get size(): number {
    return this.slots.size;
  }

  /** Output tokens of the snapshots kept (their memory is proportional). */
  get tokens(): number {
    let total = 0;
    for (const snapshot of this.slots.values()) total += snapshot.map.outStart.length;
    return total;
  }

  clear(): void {
    this.slots.clear();
  }

  /** The snapshot for this slot and preamble if every file it read answers the same. */
  find(slot: string, preambleText: string, fileSystem: PreprocessorFileSystem): PreambleSnapshot | undefined {
    const snapshot = this.slots.get(slot);
    if (!snapshot || snapshot.preambleText !== preambleText) return undefined;
    for (const [filePath, text] of snapshot.reads) {
      if (fileSystem.readFile(filePath) !== text) {
        this.slots.delete(slot);
        return undefined;
      }
    }
    this.slots.delete(slot);
    this.slots.set(slot, snapshot); // most recently used last
    return snapshot;
  }

  store(snapshot: PreambleSnapshot): void {
    this.slots.delete(snapshot.slot);
    this.slots.set(snapshot.slot, snapshot);
    while (this.slots.size > 1 && (this.slots.size > this.limit || this.tokens > this.tokenLimit)) this.slots.delete(this.slots.keys().next().value!);
  }
}
