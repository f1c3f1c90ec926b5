// The packet an XDP program sees: one symbolic byte buffer of symbolic length behind its context's
// `data` and `data_end` pointers (docs/limitations.md, *Packets*).
//
// `CTX->data` converted to a pointer (the IR's `packetPointer`) points at offset 0 of the packet
// object, `CTX->data_end` at offset `packet_len`, a 64-bit input at most `packetMaxLength` (default
// 1514). An access must end within `packet_len`, as the kernel's verifier demands, so the program's
// own `if (eth + 1 > data_end)` checks are what make its accesses safe. Pointer comparisons between
// packet pointers compare offsets, so such a check becomes a condition on `packet_len` alone, which
// `lengthConditionText` prints (`packet_len < 14`). Witnesses give the packet (`Witness.packet`: its
// length and bytes); the interpreter builds the same object from it.
//
// A DPDK `struct rte_mbuf`'s `buf_addr` is lazily initialised like any pointer the code did not
// store (lazyMemory.ts); the executor's `mbufBuffer` then sizes that object as a default mbuf
// buffer (`buf_len` = 2176) and places the packet in it (`data_off <= 128`, `data_off + data_len
// <= buf_len`), which the contract states as an assumption. Reads beyond `data_len` stay in bounds,
// as in DPDK: no length conditions come from them.
import { BitVecExpr, BoolExpr, bv, compare, symbol } from '../term/expr';

/** The packet's memory object (not a C name, so it never collides with a parameter or global). */
export const PACKET_OBJECT = 'xdp:packet';
/** The array symbol of the packet's bytes. */
export const PACKET_BYTES = 'pkt:bytes';
/** The symbol of the packet's length in bytes (64-bit). */
export const PACKET_LENGTH_SYMBOL = 'pkt:len';
/** How class conditions name the packet's length. */
export const PACKET_LENGTH_NAME = 'packet_len';
/** A DPDK mbuf's buffer (`RTE_MBUF_DEFAULT_BUF_SIZE`: 2048 bytes of data room after the headroom). */
export const MBUF_BUFFER_SIZE = 2176;
/** `RTE_PKTMBUF_HEADROOM`: where received packets start in their buffer, the largest `data_off` assumed. */
export const MBUF_HEADROOM = 128;
/** The largest packet by default: an Ethernet frame without FCS. */
export const DEFAULT_PACKET_MAX_LENGTH = 1514;

export function packetLength(): BitVecExpr {
  return symbol(PACKET_LENGTH_SYMBOL, 64);
}

/** `packet_len <= max`. */
export function packetLengthBound(max: number): BoolExpr {
  return compare('ule', packetLength(), bv(BigInt(max), 64));
}

/**
 * The branch condition as a condition on the packet's length when it is a comparison of
 * `packet_len` with a constant (what `if (eth + 1 > data_end)` becomes), else undefined.
 */
export function lengthConditionText(condition: BoolExpr): string | undefined {
  let negated = false;
  let c = condition;
  while (c.op === 'not') { negated = !negated; c = c.arg; }
  // A branch on a 1-bit value compares it with 1: `(bit) == 1`.
  if (c.op !== 'cmp') return undefined;
  const [a, b] = c.args;
  const isLength = (e: BitVecExpr) => e.op === 'symbol' && e.name === PACKET_LENGTH_SYMBOL;
  let op: string;
  let value: bigint;
  if (isLength(a) && b.op === 'const') {
    value = b.value;
    op = { eq: '==', ult: '<', ule: '<=', slt: '<', sle: '<=' }[c.predicate];
  } else if (isLength(b) && a.op === 'const') {
    value = a.value;
    op = { eq: '==', ult: '>', ule: '>=', slt: '>', sle: '>=' }[c.predicate];
  } else {
    return undefined;
  }
  if (c.predicate === 'slt' || c.predicate === 'sle') return undefined;
  if (negated) op = { '==': '!=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' }[op]!;
  return `${PACKET_LENGTH_NAME} ${op} ${value}`;
}
