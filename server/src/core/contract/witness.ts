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
