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

export function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`invalid hex string: '${hex.slice(0, 20)}'`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
