// A contract cache kept on disk between sessions: versioned, checksummed per entry and as a whole, rebuilt when corrupt.
//
// Besides the complete contracts the engine stores itself, the server stores *settled* incomplete
// contracts (a path, time or solver limit was hit, never a cancellation), so an unchanged function
// that hit a limit is not analysed again on every edit. Both live under the engine's keys, which
// change whenever the function, a callee, the globals or the options change. Function summaries
// (core/symex/summaries.ts) live in the same entries under `summary:KEY`, so a restarted server
// instantiates the summaries of unchanged callees instead of exploring them again.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ContractCache } from '../core/cache/contractCache';
import type { SerializedSummary } from '../core/cache/contractCache';
import type { FunctionContract } from '../core/contract/contract';
import { packText, unpackText } from './packedText';

export const CACHE_FORMAT = 'perfcontract-contract-cache';
// 2: a declared case in a path identity no longer carries the call's number.
// 3: declared PCVs in summarised loops are totals (`t@e`).
// 4: function summaries are stored too (`summary:KEY` entries).
// 5: classes merge paths that differ only in a summarised loop's explicit iterations (`members`).
export const CACHE_VERSION = 5;
export const CACHE_FILE_NAME = `contracts-v${CACHE_VERSION}.json`;

/**
 * An entry keeps its JSON compressed (`packText`): a contract's witnesses make it large and
 * repetitive, and held as text the entries took over a hundred megabytes of the worker's heap.
 * `characters` is the length of the JSON text, which the size limit counts. `name` and `file` are
 * known once the contract was stored or read in this session.
 */
interface StoredEntry { sha256: string; packed: Buffer; characters: number; used: number; persist: boolean; name?: string; file?: string }

interface CacheFile {
  format: string;
  version: number;
  /** SHA-256 over the entries' keys and checksums, in order. */
  checksum: string;
  entries: [string, { sha256: string; text: string }][];
}

export interface CacheLoadReport { loaded: number; problem?: string }

export class PersistentContractCache implements ContractCache {
  private readonly entries = new Map<string, StoredEntry>();
  private dirty = false;
  private clock = 0;
  /** Keys asked for since the last `takeRequests()`, with whether they were found. */
  private requests: { key: string; hit: string | undefined }[] = [];
  private stores: { key: string; name: string }[] = [];

  /** Characters of JSON held: each edit of a function adds an entry, and one contract can be megabytes. */
  private textCharacters = 0;

  constructor(private readonly file: string | undefined, private readonly maxEntries = 4000, private readonly maxCharacters = 128 * 1024 * 1024) {}

  /** Reads the file; a missing file is an empty cache, a corrupt or foreign one is discarded (and reported). */
  load(): CacheLoadReport {
    if (!this.file) return { loaded: 0 };
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.file);
    } catch {
      return { loaded: 0 };
    }
    const problem = this.readInto(raw);
    if (problem) {
      this.entries.clear();
      this.textCharacters = 0;
      this.dirty = true; // rewrite a clean file at the next flush
      return { loaded: 0, problem };
    }
    return { loaded: this.entries.size };
  }

  get(key: string): FunctionContract | undefined {
    const entry = this.entries.get(key);
    this.requests.push({ key, hit: undefined });
    if (!entry) return undefined;
    try {
      const contract = JSON.parse(unpackText(entry.packed)) as FunctionContract;
      entry.used = ++this.clock;
      entry.name = contract.name;
      entry.file = contract.file;
      this.requests[this.requests.length - 1]!.hit = contract.name;
      return contract;
    } catch {
      this.remove(key);
      return undefined;
    }
  }

  /**
   * The name and file of the contract under `key`, without unpacking it, when they are known: a hit
   * like `get`'s, recorded and counted as a use. Undefined for a miss, and for an entry read from
   * disk that was never unpacked in this session (then `get` must be used, and the miss is not recorded).
   */
  peek(key: string): { name: string; file: string } | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.name === undefined || entry.file === undefined) return undefined;
    entry.used = ++this.clock;
    this.requests.push({ key, hit: entry.name });
    return { name: entry.name, file: entry.file };
  }

  set(key: string, contract: FunctionContract): void {
    this.put(key, contract);
    this.stores.push({ key, name: contract.name });
  }

  /** A stored summary; not recorded among the requests, which count contract lookups only. */
  getSummary(key: string): SerializedSummary | undefined {
    const entry = this.entries.get(SUMMARY_PREFIX + key);
    if (!entry) return undefined;
    try {
      const summary = JSON.parse(unpackText(entry.packed)) as SerializedSummary;
      entry.used = ++this.clock;
      return summary;
    } catch {
      this.remove(SUMMARY_PREFIX + key);
      return undefined;
    }
  }

  setSummary(key: string, summary: SerializedSummary): void {
    this.put(SUMMARY_PREFIX + key, summary, true, summary.summary.functionName);
  }

  /** Stored summaries (entries under `summary:`). */
  get summaryCount(): number {
    return [...this.entries.keys()].filter((k) => k.startsWith(SUMMARY_PREFIX)).length;
  }

  /**
   * Stores an incomplete contract that is the settled answer for its key (a limit, not a cancellation).
   * With `persist: false` it lives for this session only (a solver timeout depends on the load).
   */
  setSettled(key: string, contract: FunctionContract, persist = true): void {
    this.put(key, contract, persist);
  }

  /** What the engine asked for and stored since the last call. */
  takeRequests(): { requests: { key: string; hit: string | undefined }[]; stores: { key: string; name: string }[] } {
    const taken = { requests: this.requests, stores: this.stores };
    this.requests = [];
    this.stores = [];
    return taken;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Characters of JSON held (unpacked), which the size limit counts. */
  get characters(): number {
    return this.textCharacters;
  }

  /**
   * Writes the cache atomically (temporary file then rename) when it changed. The file is the JSON
   * of a CacheFile, written entry by entry: the whole document as one string can exceed a hundred
   * megabytes, which is more than the worker should hold at once.
   */
  flush(): void {
    if (!this.file || !this.dirty) return;
    this.evict();
    const kept = [...this.entries].filter(([, e]) => e.persist);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    const fd = fs.openSync(temporary, 'w');
    try {
      const head: Omit<CacheFile, 'entries'> = { format: CACHE_FORMAT, version: CACHE_VERSION, checksum: overallChecksum(kept) };
      fs.writeSync(fd, `${JSON.stringify(head).slice(0, -1)},"entries":[`);
      // One entry's text at a time is unpacked.
      kept.forEach(([key, e], i) => fs.writeSync(fd, `${i > 0 ? ',' : ''}${JSON.stringify([key, { sha256: e.sha256, text: unpackText(e.packed) }])}`));
      fs.writeSync(fd, ']}');
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, this.file);
    this.dirty = false;
  }

  private put(key: string, value: FunctionContract | SerializedSummary, persist = true, summaryOf?: string): void {
    const text = JSON.stringify(value);
    this.remove(key);
    // A summary entry has no contract name or file: `peek` must not answer for it.
    const names = summaryOf === undefined ? { name: (value as FunctionContract).name, file: (value as FunctionContract).file } : {};
    this.entries.set(key, { sha256: sha256(text), packed: packText(text), characters: text.length, used: ++this.clock, persist, ...names });
    this.textCharacters += text.length;
    this.dirty = true;
    if (this.textCharacters > this.maxCharacters) this.evict();
  }

  /** Drops the least recently used entries beyond the entry and size limits (never the newest one). */
  private evict(): void {
    if (this.entries.size <= this.maxEntries && this.textCharacters <= this.maxCharacters) return;
    const byAge = [...this.entries].sort((a, b) => a[1].used - b[1].used);
    for (const [key] of byAge.slice(0, -1)) {
      if (this.entries.size <= this.maxEntries && this.textCharacters <= this.maxCharacters) break;
      this.remove(key);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.textCharacters -= entry.characters;
  }

  /**
   * Reads the file entry by entry: the file is a Buffer outside the V8 heap, and only one entry's
   * text is a string at a time (the whole document parsed at once would need several times the
   * file's size of the worker's heap, which is limited).
   */
  private readInto(raw: Buffer): string | undefined {
    const layout = entriesLayout(raw);
    if (!layout) return 'the cache file is not valid JSON';
    let document: CacheFile;
    try {
      // The document without its entries, then each entry on its own.
      document = JSON.parse(raw.toString('utf8', 0, layout.arrayStart + 1) + raw.toString('utf8', layout.arrayEnd)) as CacheFile;
    } catch {
      return 'the cache file is not valid JSON';
    }
    if (typeof document !== 'object' || document === null || document.format !== CACHE_FORMAT) return 'the cache file has an unknown format';
    if (document.version !== CACHE_VERSION) return `the cache file has version ${String(document.version)}, this server writes version ${CACHE_VERSION}`;
    if (!Array.isArray(document.entries) || typeof document.checksum !== 'string') return 'the cache file has no entries or checksum';
    const checked: [string, { sha256: string }][] = [];
    for (const [start, end] of layout.elements) {
      let item: unknown;
      try {
        item = JSON.parse(raw.toString('utf8', start, end));
      } catch {
        return 'the cache file is not valid JSON';
      }
      if (!isEntry(item)) return 'the cache file has a malformed entry';
      if (sha256(item[1].text) !== item[1].sha256) return `the cache entry ${item[0].slice(0, 12)} does not match its checksum`;
      checked.push([item[0], { sha256: item[1].sha256 }]);
      this.remove(item[0]);
      this.entries.set(item[0], { sha256: item[1].sha256, packed: packText(item[1].text), characters: item[1].text.length, used: ++this.clock, persist: true });
      this.textCharacters += item[1].text.length;
    }
    if (overallChecksum(checked) !== document.checksum) return 'the cache file checksum does not match its entries';
    return undefined;
  }
}

const SUMMARY_PREFIX = 'summary:';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Over each entry's key and checksum (items of a file being read may be malformed). */
function overallChecksum(entries: readonly (readonly [string, { sha256: string }] | undefined)[]): string {
  const hash = createHash('sha256');
  for (const item of entries) hash.update(`${String(item?.[0])}:${String(item?.[1]?.sha256)};`);
  return hash.digest('hex');
}

function isEntry(item: unknown): item is [string, { sha256: string; text: string }] {
  if (!Array.isArray(item) || typeof item[0] !== 'string') return false;
  const value = item[1] as { sha256?: unknown; text?: unknown } | undefined;
  return typeof value?.text === 'string' && typeof value.sha256 === 'string';
}

/**
 * Where the top-level `entries` array and each of its elements are in a cache file's bytes, found by
 * tracking strings and nesting (every structural character of JSON is ASCII, and no byte of a UTF-8
 * multi-byte sequence is). Undefined when the brackets do not balance or there is no such array.
 */
function entriesLayout(raw: Buffer): { arrayStart: number; arrayEnd: number; elements: [number, number][] } | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let lastString = '';
  let arrayStart = -1;
  let arrayEnd = -1;
  let elementStart = -1;
  const elements: [number, number][] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) {
        inString = false;
        if (depth === 1) lastString = raw.toString('utf8', stringStart + 1, i);
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 1 && c === 0x5b && lastString === 'entries' && arrayStart < 0) arrayStart = i;
      else if (depth === 2 && arrayStart >= 0 && arrayEnd < 0) elementStart = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 2 && elementStart >= 0) {
        elements.push([elementStart, i + 1]);
        elementStart = -1;
      } else if (depth === 1 && arrayStart >= 0 && arrayEnd < 0) arrayEnd = i;
    }
  }
  if (depth !== 0 || inString || arrayStart < 0 || arrayEnd < 0) return undefined;
  return { arrayStart, arrayEnd, elements };
}
