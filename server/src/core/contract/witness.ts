// A concrete input that drives execution down one path class.

export interface Witness {
  /** Scalar parameters: a JSON number when it is a safe integer, else a decimal string. */
  args: Record<string, number | string>;
  /** Pointer parameters and globals: the bytes of the pointee from its start, as hex. */
  memory: Record<string, string>;
  /** Values of the performance-critical variables on this path. */
  pcv: Record<string, number>;
  /** Return values of calls without a body or contract, keyed `callee#k` for the k-th call (1-based). */
  externals?: Record<string, number | string>;
  /**
   * Objects the analysis created lazily behind pointers it did not allocate (see symex/lazyMemory.ts),
   * by name (`fm@0`: the object behind the pointer at byte 0 of `fm`; `get_ip#1@result`): their bytes, as hex.
   */
  heap?: Record<string, string>;
  /**
   * The size in bytes of each heap object the analysis gave one (its type's size, or its elements'
   * when indexed as an array); its bytes past the given hex are 0. Without it, an object ends at its hex.
   */
  heapSizes?: Record<string, number>;
  /** Pointers inside parameters' pointees, globals and heap objects: object -> byte offset -> heap object, or null. */
  pointers?: Record<string, Record<string, string | null>>;
  /** Pointer results of unmodelled calls, keyed `callee#k`: a heap object, or null. */
  externalPointers?: Record<string, string | null>;
  /**
   * The packet behind an XDP context's `data`/`data_end` (symex/packet.ts): its length in bytes and
   * its bytes as hex (bytes not given are 0). The program's context is built around it.
   */
  packet?: { length: number; bytes: string };
  /** What unmodelled calls wrote: `callee#k` -> object (a witness name, or `#argN` for an argument's local) -> hex. */
  externalWrites?: Record<string, Record<string, string>>;
}

export function numberForJson(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * Below this many bytes an object's contents are written as plain hex; from it on, when sparse runs
 * are shorter, as `@OFFSET:HEX` runs. A 64 MiB table read at two places stays two short runs instead
 * of 128 million hex digits.
 */
const SPARSE_FROM_BYTES = 256;
/** Zero bytes between two non-zero ones that still keep them in one run. */
const RUN_GAP_BYTES = 8;
const SPARSE_TEXT = /^@[0-9]+:(?:[0-9a-fA-F]{2})+(?: @[0-9]+:(?:[0-9a-fA-F]{2})+)*$/;

/**
 * The witness text of an object's bytes, given as offset -> byte (bytes left out are 0): plain hex
 * from byte 0 to the last non-zero byte, or sparse runs `@OFFSET:HEX @OFFSET:HEX` when the object is
 * large and mostly zero. `hexToBytes` reads both.
 */
export function witnessBytes(bytes: ReadonlyMap<number, number> | Uint8Array, sparse = true): string {
  // Only the non-zero bytes matter; a mutated copy of a large table is walked once, not spread.
  const nonZero: Array<[number, number]> = [];
  bytes.forEach((value, at) => { if ((value & 0xff) !== 0) nonZero.push([at, value]); });
  nonZero.sort((a, b) => a[0] - b[0]);
  if (nonZero.length === 0) return '';
  const end = nonZero[nonZero.length - 1]![0] + 1;
  const plain = (): string => {
    const out = new Uint8Array(end);
    for (const [at, value] of nonZero) out[at] = value & 0xff;
    return bytesToHex(out);
  };
  if (!sparse || end < SPARSE_FROM_BYTES) return plain();
  const runs: Array<{ start: number; values: number[] }> = [];
  for (const [at, value] of nonZero) {
    const last = runs[runs.length - 1];
    if (last && at - (last.start + last.values.length) <= RUN_GAP_BYTES) {
      while (last.start + last.values.length < at) last.values.push(0);
      last.values.push(value & 0xff);
    } else runs.push({ start: at, values: [value & 0xff] });
  }
  const text = runs.map((run) => `@${run.start}:${bytesToHex(Uint8Array.from(run.values))}`).join(' ');
  return text.length < end * 2 ? text : plain();
}

/** Bytes of a witness's hex text: plain hex from byte 0, or sparse `@OFFSET:HEX` runs (the rest 0). */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.startsWith('@')) {
    if (!SPARSE_TEXT.test(hex)) throw new Error(`invalid sparse hex string: '${hex.slice(0, 20)}'`);
    const runs = hex.split(' ').map((run) => {
      const colon = run.indexOf(':');
      return { start: Number(run.slice(1, colon)), bytes: Buffer.from(run.slice(colon + 1), 'hex') };
    });
    const end = Math.max(...runs.map((run) => run.start + run.bytes.length));
    const out = new Uint8Array(end);
    for (const run of runs) out.set(run.bytes, run.start);
    return out;
  }
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`invalid hex string: '${hex.slice(0, 20)}'`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
