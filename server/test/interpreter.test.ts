import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AddressBase, BasicBlock, BinaryOp, CastOp, ComparePredicate, Instruction, IrFunction, IrGlobal, IrParameter, IrProgram, IrSlot,
  Operand, ParameterKind, SourceRange, Terminator,
} from '../src/core/ir/ir';
import { PathTrace } from '../src/core/ir/pathTrace';
import type { Witness } from '../src/core/contract/witness';
import { ConcreteValue, interpret, InterpretResult } from '../src/core/interp/interpreter';

// ------------------------------------------------------------------ a tiny IR builder

let nextLine = 0;
/** A fresh source range; its startLine identifies the instruction in error assertions. */
function rng(): SourceRange {
  const line = ++nextLine;
  return { file: 't.c', startByte: line * 10, endByte: line * 10 + 5, startLine: line, startColumn: 0, endLine: line, endColumn: 5 };
}

const r = (id: number): Operand => ({ kind: 'reg', id });
const imm = (value: number | bigint, width = 32): Operand => ({ kind: 'imm', value: BigInt(value), width });
const i64 = (value: number | bigint): Operand => imm(value, 64);
const NULL: Operand = { kind: 'null' };

const I = {
  copy: (dst: number, src: Operand, width = 32): Instruction => ({ op: 'copy', dst, src, width, range: rng() }),
  bin: (dst: number, operator: BinaryOp, left: Operand, right: Operand, width = 32): Instruction =>
    ({ op: 'binary', dst, operator, left, right, width, range: rng() }),
  cmp: (dst: number, predicate: ComparePredicate, left: Operand, right: Operand, width = 32, pointers = false): Instruction =>
    ({ op: 'compare', dst, predicate, left, right, width, pointers, range: rng() }),
  cast: (dst: number, cast: CastOp, src: Operand, from: number, to: number): Instruction => ({ op: 'cast', dst, cast, src, from, to, range: rng() }),
  addr: (dst: number, base: AddressBase): Instruction => ({ op: 'address', dst, base, range: rng() }),
  global: (dst: number, name: string): Instruction => I.addr(dst, { kind: 'global', name }),
  off: (dst: number, pointer: Operand, byteOffset: Operand): Instruction => ({ op: 'offset', dst, pointer, byteOffset, range: rng() }),
  diff: (dst: number, left: Operand, right: Operand): Instruction => ({ op: 'pointerDiff', dst, left, right, range: rng() }),
  load: (dst: number, address: Operand, width = 32, pointer = false): Instruction => ({ op: 'load', dst, address, width, pointer, range: rng() }),
  store: (address: Operand, value: Operand, width = 32, pointer = false): Instruction => ({ op: 'store', address, value, width, pointer, range: rng() }),
  call: (dst: number | undefined, callee: string, args: Operand[], argWidths: number[], returnWidth = 32, returnsPointer = false): Instruction =>
    ({ op: 'call', dst, callee, args, argWidths, returnWidth, returnsPointer, range: rng() }),
};

const T = {
  ret: (value?: Operand): Terminator => ({ op: 'return', value, range: rng() }),
  jump: (target: number): Terminator => ({ op: 'jump', target, range: rng() }),
  br: (condition: Operand, whenTrue: number, whenFalse: number): Terminator =>
    ({ op: 'branch', condition, whenTrue, whenFalse, text: 'c', range: rng() }),
  sw: (value: Operand, cases: [number | bigint, number][], defaultTarget: number, width = 32): Terminator =>
    ({ op: 'switch', value, width, cases: cases.map(([v, target]) => ({ value: BigInt(v), target })), defaultTarget, text: 's', range: rng() }),
  unreachable: (reason: string): Terminator => ({ op: 'unreachable', reason, range: rng() }),
};

const int = (width: number, signed = true): ParameterKind => ({ kind: 'int', width, signed });
const buffer = (): ParameterKind => ({ kind: 'pointer', pointeeSize: 1, pointeeName: 'uint8_t', pointeeIsRecord: false });
const record = (size: number): ParameterKind => ({ kind: 'pointer', pointeeSize: size, pointeeName: 'struct s', pointeeIsRecord: true });

interface FunctionSpec {
  /** Parameters get registers 0, 1, ... in order. */
  params?: [string, ParameterKind][];
  /** Block i has id i; block 0 is the entry. */
  blocks: [Instruction[], Terminator][];
  slots?: [string, number][];
  returnWidth?: number;
  returnsPointer?: boolean;
}

function fn(name: string, spec: FunctionSpec): IrFunction {
  const params: IrParameter[] = (spec.params ?? []).map(([pname, type], register) => ({ name: pname, register, type }));
  const blocks: BasicBlock[] = spec.blocks.map(([instructions, terminator], id) => ({ id, instructions, terminator }));
  const slots: IrSlot[] = (spec.slots ?? []).map(([sname, size], id) => ({ id, name: sname, size }));
  const range = rng();
  return {
    name, file: 't.c', range, nameRange: range, params,
    returnWidth: spec.returnWidth ?? 32, returnsPointer: spec.returnsPointer ?? false, returnSigned: true,
    slots, blocks, entry: 0, registerCount: 64, registerNames: new Map(params.map((p) => [p.register, p.name])), signedRegisters: new Set(),
    loops: [], countMarks: [], callees: [], annotations: [], text: '',
  };
}

function global(name: string, size: number, initial: number[] = [], initialPointers: IrGlobal['initialPointers'] = []): IrGlobal {
  const bytes = new Uint8Array(size);
  bytes.set(initial);
  return { name, size, initial: bytes, initialPointers, readOnly: false, isConst: false, range: rng() };
}

function program(functions: IrFunction[], globals: IrGlobal[] = [], strings: string[] = [], externals: string[] = []): IrProgram {
  return {
    functions: new Map(functions.map((f) => [f.name, f])),
    globals: new Map(globals.map((g) => [g.name, g])),
    strings: strings.map((s) => new Uint8Array(Buffer.from(s + '\0', 'latin1'))),
    externals: new Set(externals),
  };
}

function witness(args: Witness['args'] = {}, memory: Witness['memory'] = {}, externals?: Witness['externals']): Witness {
  return { args, memory, pcv: {}, externals };
}

const v = (value: number | bigint): ConcreteValue => ({ kind: 'int', value: BigInt(value) });
const cost = (instructions: number, memory_accesses = 0) => ({ instructions, memory_accesses });

/** Runs a single-function program `main` with one block. */
function runBlock(instructions: Instruction[], result: Operand | undefined, options: { returnWidth?: number; w?: Witness } = {}): InterpretResult {
  const main = fn('main', { blocks: [[instructions, T.ret(result)]], returnWidth: options.returnWidth ?? 32 });
  return interpret(program([main]), 'main', options.w ?? witness());
}

function assertError(result: InterpretResult, reason: string, failing: Instruction | Terminator, expectedCost: { instructions: number; memory_accesses: number }): void {
  assert.ok(result.error, 'expected an error');
  assert.equal(result.error.reason, reason);
  assert.deepEqual(result.error.range, failing.range);
  assert.deepEqual(result.cost, expectedCost);
  assert.equal(result.returnValue, undefined);
}

// ------------------------------------------------------------------ arithmetic

test('binary operators wrap and divide like C', () => {
  const cases: [BinaryOp, bigint, bigint, number, bigint][] = [
    ['add', 0xffffffffn, 2n, 32, 1n],
    ['add', 200n, 100n, 8, 44n],
    ['sub', 0n, 1n, 32, 0xffffffffn],
    ['sub', 5n, 7n, 64, 0xfffffffffffffffen],
    ['mul', 0x10000n, 0x10000n, 32, 0n],
    ['mul', 200n, 2n, 8, 144n],
    ['udiv', 0xfffffff9n /* -7 */, 2n, 32, 0x7ffffffcn],
    ['sdiv', 0xfffffff9n /* -7 */, 2n, 32, 0xfffffffdn /* -3: truncates toward zero */],
    ['sdiv', 7n, 0xfffffffen /* -2 */, 32, 0xfffffffdn /* -3 */],
    ['urem', 0xfffffff9n, 2n, 32, 1n],
    ['srem', 0xfffffff9n /* -7 */, 2n, 32, 0xffffffffn /* -1: sign of the dividend */],
    ['srem', 7n, 0xfffffffen /* -2 */, 32, 1n],
    ['sdiv', 0x80n /* -128 */, 2n, 8, 0xc0n /* -64 */],
    ['and', 0xf0f0n, 0xff00n, 16, 0xf000n],
    ['or', 0xf0n, 0x0fn, 8, 0xffn],
    ['xor', 0xffn, 0x0fn, 8, 0xf0n],
    ['shl', 0x81n, 1n, 8, 0x02n],
    ['shl', 1n, 31n, 32, 0x80000000n],
    ['lshr', 0x80000000n, 31n, 32, 1n],
    ['ashr', 0x80000000n, 31n, 32, 0xffffffffn],
    ['ashr', 0x40000000n, 30n, 32, 1n],
  ];
  for (const [operator, a, b, width, expected] of cases) {
    const result = runBlock([I.copy(1, imm(a, width), width), I.bin(2, operator, r(1), imm(b, width), width)], r(2), { returnWidth: width });
    assert.equal(result.error, undefined, `${operator} ${a} ${b}`);
    assert.deepEqual(result.returnValue, v(expected), `${operator} i${width} ${a}, ${b}`);
    assert.deepEqual(result.cost, cost(3));
  }
});

test('compare and cast use signedness from the opcode', () => {
  const result = runBlock([
    I.cmp(1, 'slt', imm(-1), imm(1)),           // 1
    I.cmp(2, 'ult', imm(-1), imm(1)),           // 0
    I.cast(3, 'zext', r(1), 1, 32),             // 1
    I.cast(4, 'sext', r(1), 1, 32),             // 0xffffffff
    I.cast(5, 'sext', imm(0x80, 8), 8, 64),     // 0xffffffffffffff80
    I.cast(6, 'trunc', imm(0x12345678), 32, 8), // 0x78
    I.cast(7, 'zext', r(2), 1, 32),             // 0
    I.bin(8, 'shl', r(7), imm(60, 64), 64),     // 0
    I.bin(9, 'add', r(3), r(4)),                // 0
    I.bin(10, 'add', r(9), r(6)),               // 0x78
    I.cast(11, 'trunc', r(5), 64, 32),          // 0xffffff80
    I.bin(12, 'xor', r(10), r(11)),             // 0xfffffff8
  ], r(12));
  assert.deepEqual(result.returnValue, v(0xfffffff8n));
  assert.deepEqual(result.cost, cost(13));
});

test('immediates are masked to their own width before use', () => {
  // An 8-bit -1 used in a 32-bit add is 255, not 0xffffffff.
  const result = runBlock([I.bin(1, 'add', imm(-1, 8), imm(1)), I.copy(2, imm(0x1ffff, 16), 32), I.bin(3, 'add', r(1), r(2))], r(3));
  assert.deepEqual(result.returnValue, v(256 + 0xffff));
  assert.deepEqual(result.cost, cost(4));
});

// ------------------------------------------------------------------ errors

test('division by zero (udiv, sdiv, urem, srem) stops without counting the division', () => {
  for (const operator of ['udiv', 'sdiv', 'urem', 'srem'] as BinaryOp[]) {
    const failing = I.bin(2, operator, imm(7), r(1));
    const result = runBlock([I.copy(1, imm(0)), failing, I.copy(3, imm(1))], r(3));
    assertError(result, 'division-by-zero', failing, cost(1));
  }
  const fine = runBlock([I.copy(1, imm(3)), I.bin(2, 'udiv', imm(7), r(1))], r(2));
  assert.deepEqual(fine.returnValue, v(2));
});

test('signed division of the minimum value by -1 overflows', () => {
  for (const operator of ['sdiv', 'srem'] as BinaryOp[]) {
    const failing = I.bin(2, operator, r(1), imm(-1));
    const result = runBlock([I.copy(1, imm(0x80000000n)), failing], r(2));
    assertError(result, 'division-overflow', failing, cost(1));
  }
  // -2147483647 / -1 and unsigned division of the same bits are fine.
  assert.deepEqual(runBlock([I.bin(2, 'sdiv', imm(0x80000001n), imm(-1))], r(2)).returnValue, v(0x7fffffff));
  assert.deepEqual(runBlock([I.bin(2, 'udiv', imm(0x80000000n), imm(-1))], r(2)).returnValue, v(0));
  const i8 = I.bin(2, 'sdiv', imm(0x80, 8), imm(0xff, 8), 8);
  assertError(runBlock([i8], r(2), { returnWidth: 8 }), 'division-overflow', i8, cost(0));
});

test('oversized shifts', () => {
  for (const operator of ['shl', 'lshr', 'ashr'] as BinaryOp[]) {
    const failing = I.bin(2, operator, imm(1), imm(32));
    assertError(runBlock([I.copy(1, imm(0)), failing], r(2)), 'oversized-shift', failing, cost(1));
    // A negative amount is a huge unsigned amount.
    const negative = I.bin(2, operator, imm(1), imm(-1));
    assertError(runBlock([negative], r(2)), 'oversized-shift', negative, cost(0));
  }
  const wide = I.bin(2, 'shl', imm(1, 8), imm(8, 8), 8);
  assertError(runBlock([wide], r(2), { returnWidth: 8 }), 'oversized-shift', wide, cost(0));
});

test('out-of-bounds load from a record parameter', () => {
  const inBounds = I.load(2, r(0), 32);
  const failing = I.load(3, r(1), 32);
  const main = fn('main', {
    params: [['p', record(6)]],
    blocks: [[[inBounds, I.off(1, r(0), i64(2)), I.load(4, r(1), 32), I.off(1, r(0), i64(3)), failing], T.ret(r(3))]],
  });
  const result = interpret(program([main]), 'main', witness({}, { p: '010203040506' }));
  // load, offset, load (bytes 2..5 ok), offset: 4 instructions, 2 memory accesses counted.
  assertError(result, 'out-of-bounds', failing, cost(4, 2));
  // Negative offsets are out of bounds too.
  const negative = I.load(2, r(1), 8);
  const main2 = fn('main', { params: [['p', record(6)]], blocks: [[[I.off(1, r(0), i64(-1)), negative], T.ret(r(2))]] });
  assertError(interpret(program([main2]), 'main', witness()), 'out-of-bounds', negative, cost(1));
});

test('store through a null pointer', () => {
  const failing = I.store(r(1), imm(5));
  const result = runBlock([I.copy(1, NULL, 64), failing], imm(0));
  assertError(result, 'null-dereference', failing, cost(1));
  const direct = I.store(NULL, imm(5));
  assertError(runBlock([direct], imm(0)), 'null-dereference', direct, cost(0));
});

test('unreachable terminator is a missing return, with its message', () => {
  const end = T.unreachable('control reaches the end of non-void function f');
  const main = fn('main', { params: [['x', int(32)]], blocks: [[[I.cmp(1, 'eq', r(0), imm(0))], T.br(r(1), 1, 2)], [[], T.ret(imm(1))], [[I.copy(2, imm(9))], end]] });
  const bad = interpret(program([main]), 'main', witness({ x: 3 }));
  assertError(bad, 'missing-return', end, cost(3));
  assert.equal(bad.error!.message, 'control reaches the end of non-void function f');
  const good = interpret(program([main]), 'main', witness({ x: 0 }));
  assert.equal(good.error, undefined);
  assert.deepEqual(good.returnValue, v(1));
});

test('pointer loads need a stored pointer (or zero bytes: NULL); pointer misuse is invalid-pointer', () => {
  const failing = I.load(2, r(0), 64, true);
  const main = fn('main', { params: [['p', record(16)]], blocks: [[[failing], T.ret(imm(0))]] });
  const result = interpret(program([main]), 'main', witness({}, { p: '0100000000000000' }));
  assertError(result, 'invalid-pointer', failing, cost(0));
  assert.equal(result.error!.message, 'load of a pointer that was not stored');
  // Zero bytes where no pointer was stored read as NULL, as in the analysis (memset, a global's initial value).
  assert.equal(interpret(program([main]), 'main', witness()).error, undefined);

  const g = global('g', 8);
  const h = global('h', 8);
  const ordered = I.cmp(3, 'ult', r(1), r(2), 64, true);
  const m2 = fn('main', { blocks: [[[I.global(1, 'g'), I.global(2, 'h'), I.cmp(4, 'ne', r(1), r(2), 64, true), ordered], T.ret(r(4))]] });
  assertError(interpret(program([m2], [g, h]), 'main', witness()), 'invalid-pointer', ordered, cost(3));

  const diff = I.diff(3, r(1), r(2));
  const m3 = fn('main', { blocks: [[[I.global(1, 'g'), I.global(2, 'h'), diff], T.ret(imm(0))]] });
  assertError(interpret(program([m3], [g, h]), 'main', witness()), 'invalid-pointer', diff, cost(2));

  const nullPlus = I.off(2, NULL, i64(4));
  assertError(runBlock([I.off(1, NULL, i64(0)), nullPlus], imm(0)), 'invalid-pointer', nullPlus, cost(1));
});

test('pointer comparisons, differences and offsets', () => {
  const g = global('g', 8);
  const main = fn('main', {
    blocks: [[[
      I.global(1, 'g'),
      I.off(2, r(1), i64(6)),
      I.off(3, r(2), i64(-2)),                  // g+4
      I.diff(4, r(1), r(3)),                     // -4
      I.cmp(5, 'ult', r(1), r(3), 64, true),    // 1
      I.cmp(6, 'eq', r(1), NULL, 64, true),     // 0
      I.cmp(7, 'eq', NULL, NULL, 64, true),     // 1
      I.off(8, r(3), i64(-4)),
      I.cmp(9, 'eq', r(8), r(1), 64, true),     // 1
      I.cast(10, 'zext', r(5), 1, 64),
      I.cast(11, 'zext', r(6), 1, 64),
      I.cast(12, 'zext', r(7), 1, 64),
      I.cast(13, 'zext', r(9), 1, 64),
      I.bin(14, 'shl', r(11), i64(1), 64),
      I.bin(15, 'shl', r(12), i64(2), 64),
      I.bin(16, 'shl', r(13), i64(3), 64),
      I.bin(17, 'or', r(10), r(14), 64),
      I.bin(17, 'or', r(17), r(15), 64),
      I.bin(17, 'or', r(17), r(16), 64),       // 0b1101
      I.bin(18, 'shl', r(4), i64(8), 64),      // -4 << 8
      I.bin(19, 'or', r(18), r(17), 64),
    ], T.ret(r(19))]],
    returnWidth: 64,
  });
  const result = interpret(program([main], [g]), 'main', witness());
  assert.equal(result.error, undefined);
  assert.deepEqual(result.returnValue, v(BigInt.asUintN(64, -4n << 8n) | 0b1101n));
  assert.deepEqual(result.cost, cost(22));
});

test('maxSteps ends an endless loop with time-limit', () => {
  const main = fn('main', { blocks: [[[I.copy(1, imm(0))], T.jump(1)], [[I.bin(1, 'add', r(1), imm(1))], T.jump(1)]] });
  const result = interpret(program([main]), 'main', witness(), { maxSteps: 101 });
  assert.equal(result.error?.reason, 'time-limit');
  assert.deepEqual(result.cost, cost(101));
  assert.deepEqual(result.error!.range, main.blocks[1].terminator.range);
  const shorter = interpret(program([main]), 'main', witness(), { maxSteps: 100 });
  assert.deepEqual(shorter.error!.range, main.blocks[1].instructions[0].range);
});

test('runaway recursion is cut at depth 1000', () => {
  const f = fn('f', { blocks: [[[I.call(1, 'f', [], [])], T.ret(r(1))]] });
  const result = interpret(program([f]), 'f', witness());
  assert.equal(result.error?.reason, 'recursion');
  // Frames 1..999 each ran their call; the call from frame 1000 failed.
  assert.deepEqual(result.cost, cost(999));
});

// ------------------------------------------------------------------ control flow and traces

test('branch and switch: costs, results and path traces', () => {
  const main = fn('main', {
    params: [['x', int(32)]],
    blocks: [
      [[I.cmp(1, 'slt', r(0), imm(0))], T.br(r(1), 1, 2)],
      [[], T.ret(imm(1))],
      [[], T.sw(r(0), [[1, 3], [2, 4], [-1, 1]], 5)],
      [[], T.ret(imm(10))],
      [[I.copy(2, imm(20))], T.ret(r(2))],
      [[], T.ret(imm(30))],
    ],
  });
  const p = program([main]);
  const run = (x: number | string) => interpret(p, 'main', witness({ x }));
  const negative = run(-5);
  const one = run(1);
  const two = run(2);
  const seven = run(7);
  const eight = run('8');
  assert.deepEqual([negative, one, two, seven, eight].map((r) => r.returnValue), [v(1), v(10), v(20), v(30), v(30)]);
  assert.deepEqual([negative, one, two, seven, eight].map((r) => r.cost.instructions), [3, 4, 5, 4, 4]);

  const expected = (...decisions: [number, number][]) => {
    const trace = new PathTrace();
    for (const [from, to] of decisions) trace.decide('main', from, to);
    return trace.digest();
  };
  assert.equal(negative.trace, expected([0, 1]));
  assert.equal(one.trace, expected([0, 2], [2, 3]));
  assert.equal(two.trace, expected([0, 2], [2, 4]));
  assert.equal(seven.trace, expected([0, 2], [2, 5]));
  assert.equal(seven.trace, eight.trace);
  assert.equal(new Set([negative.trace, one.trace, two.trace, seven.trace]).size, 4);
  assert.equal(run(-7).trace, negative.trace);
});

test('switch masks case values to its width', () => {
  const main = fn('main', {
    params: [['c', int(8)]],
    blocks: [[[], T.sw(r(0), [[-1, 1], [0x1ff, 2]], 3, 8)], [[], T.ret(imm(1))], [[], T.ret(imm(2))], [[], T.ret(imm(3))]],
  });
  assert.deepEqual(interpret(program([main]), 'main', witness({ c: 255 })).returnValue, v(1));
  assert.deepEqual(interpret(program([main]), 'main', witness({ c: 3 })).returnValue, v(3));
});

// ------------------------------------------------------------------ calls

test('call to a defined function: arguments, result, cost, trace and slots', () => {
  const add1 = fn('add1', {
    params: [['x', int(8)]],
    slots: [['tmp', 4]],
    blocks: [
      [[I.addr(1, { kind: 'slot', slot: 0 }), I.cast(2, 'zext', r(0), 8, 32), I.bin(3, 'add', r(2), imm(1)), I.store(r(1), r(3)), I.load(4, r(1))], T.br(imm(1, 1), 1, 1)],
      [[], T.ret(r(4))],
    ],
  });
  const main = fn('main', {
    params: [['a', int(32)]],
    blocks: [[[I.call(1, 'add1', [r(0)], [8]), I.call(2, 'add1', [r(1)], [8]), I.bin(3, 'add', r(1), r(2))], T.ret(r(3))]],
  });
  const result = interpret(program([add1, main]), 'main', witness({ a: 0x1ff }));
  // a is truncated to 8 bits (255): add1(255) = 256, add1(256 -> 0) = 1.
  assert.equal(result.error, undefined);
  assert.deepEqual(result.returnValue, v(257));
  // main: 2 calls + add + return = 4; each add1: 5 instructions (2 memory) + branch + return = 7.
  assert.deepEqual(result.cost, cost(4 + 7 * 2, 4));
  const trace = new PathTrace();
  trace.enter('add1'); trace.decide('add1', 0, 1); trace.exit();
  trace.enter('add1'); trace.decide('add1', 0, 1); trace.exit();
  assert.equal(result.trace, trace.digest());
  assert.deepEqual(result.memory.get('add1.tmp#1'), new Uint8Array([0, 1, 0, 0]));
  assert.deepEqual(result.memory.get('add1.tmp#2'), new Uint8Array([1, 0, 0, 0]));
});

test('an error inside a callee stops the whole run', () => {
  const failing = I.bin(1, 'udiv', imm(1), r(0));
  const div = fn('div', { params: [['d', int(32)]], blocks: [[[failing], T.ret(r(1))]] });
  const main = fn('main', { blocks: [[[I.copy(5, imm(0)), I.call(1, 'div', [r(5)], [32])], T.ret(r(1))]] });
  assertError(interpret(program([div, main]), 'main', witness()), 'division-by-zero', failing, cost(2));
});

test('memset, memcpy and memcmp: results and costs', () => {
  const g = global('g', 8, [1, 2, 3, 4, 5, 6, 7, 8]);
  const main = fn('main', {
    params: [['p', buffer()]],
    blocks: [[[
      I.call(1, 'memset', [r(0), imm(0x1ab), i64(4)], [64, 32, 64], 64, true), // p[0..4) = ab
      I.global(2, 'g'),
      I.call(3, 'memcpy', [r(2), r(0), i64(6)], [64, 64, 64], 64, true),      // g = ab ab ab ab 00 00 07 08
      I.call(4, 'memcmp', [r(0), r(2), i64(8)], [64, 64, 64]),                 // p[6]=5 vs g[6]=7 -> -2, all 8 bytes charged
      I.call(5, 'memcmp', [r(0), r(2), i64(6)], [64, 64, 64]),                 // equal: 0
      I.cmp(6, 'eq', r(3), r(2), 64, true),
      I.cast(7, 'zext', r(6), 1, 32),
    ], T.ret(r(4))]],
  });
  const result = interpret(program([main], [g], [], ['memset', 'memcpy', 'memcmp']), 'main', witness({}, { p: '00000000000005' }), { regions: { bufferBytes: 16 } });
  assert.equal(result.error, undefined);
  assert.deepEqual(result.returnValue, v(0xfffffffen));
  // calls 4, address 1, compare 1, cast 1, return 1; memset 4; memcpy 12 (12); memcmp 24 (16) + 18 (12):
  // memcmp is charged for every byte, wherever the first difference is.
  assert.deepEqual(result.cost, cost(8 + 4 + 12 + 24 + 18, 4 + 12 + 16 + 12));
  assert.deepEqual(result.memory.get('g'), new Uint8Array([0xab, 0xab, 0xab, 0xab, 0, 0, 7, 8]));
  assert.deepEqual(result.memory.get('p')!.subarray(0, 8), new Uint8Array([0xab, 0xab, 0xab, 0xab, 0, 0, 5, 0]));
  assert.equal(result.memory.get('p')!.length, 16);

  // The second memcmp result and memcpy's returned pointer.
  const check = fn('main', { params: [['p', buffer()]], blocks: [[[...main.blocks[0].instructions], T.ret(r(5))]] });
  assert.deepEqual(interpret(program([check], [g]), 'main', witness({}, { p: '' }), { regions: { bufferBytes: 16 } }).returnValue, v(0));
  const check2 = fn('main', { params: [['p', buffer()]], blocks: [[[...main.blocks[0].instructions], T.ret(r(7))]] });
  assert.deepEqual(interpret(program([check2], [g]), 'main', witness(), { regions: { bufferBytes: 16 } }).returnValue, v(1));
});

test('memcmp sign of the first mismatch, every byte charged, and memset of zero bytes', () => {
  const a = global('a', 4, [1, 0x20, 3, 4]);
  const b = global('b', 4, [1, 0x10, 0, 0]);
  const main = fn('main', {
    blocks: [[[I.global(1, 'a'), I.global(2, 'b'), I.call(3, 'memcmp', [r(1), r(2), i64(4)], [64, 64, 64]), I.call(4, 'memset', [r(1), imm(0), i64(0)], [64, 32, 64], 64, true)], T.ret(r(3))]],
  });
  const result = interpret(program([main], [a, b]), 'main', witness());
  assert.deepEqual(result.returnValue, v(0x10));
  assert.deepEqual(result.cost, cost(2 + 1 + 12 + 1 + 1, 8));
});

test('intrinsics check the whole range first and count nothing when out of bounds', () => {
  const g = global('g', 8);
  const failing = I.call(2, 'memset', [r(1), imm(0), i64(9)], [64, 32, 64], 64, true);
  const main = fn('main', { blocks: [[[I.global(1, 'g'), failing], T.ret(imm(0))]] });
  const result = interpret(program([main], [g]), 'main', witness());
  assertError(result, 'out-of-bounds', failing, cost(1));
  const copy = I.call(3, 'memcpy', [r(1), r(2), i64(8)], [64, 64, 64], 64, true);
  const m2 = fn('main', { blocks: [[[I.global(1, 'g'), I.off(2, r(1), i64(1)), copy], T.ret(imm(0))]] });
  assertError(interpret(program([m2], [g]), 'main', witness()), 'out-of-bounds', copy, cost(2));
  const nul = I.call(3, 'memcmp', [NULL, NULL, i64(0)], [64, 64, 64]);
  assertError(runBlock([nul], imm(0)), 'null-dereference', nul, cost(0));
});

test('external calls return the witness values per call, masked', () => {
  const main = fn('main', {
    blocks: [[[
      I.call(1, 'rand', [], []),
      I.call(2, 'rand', [], []),
      I.call(3, 'other', [imm(4)], [32], 16),
      I.call(4, 'alloc', [], [], 64, true),
      I.call(undefined, 'log', [], [], 0),
      I.cmp(5, 'eq', r(4), NULL, 64, true),
      I.call(6, 'rand', [], []),
    ], T.ret(r(2))]],
  });
  const p = program([main], [], [], ['rand', 'other', 'alloc', 'log']);
  const result = interpret(p, 'main', witness({}, {}, { 'rand#1': 5, 'rand#2': '-1', 'other#1': 0x12345, 'alloc#1': 7, 'rand#3': 9 }));
  assert.equal(result.error, undefined);
  assert.deepEqual(result.returnValue, v(0xffffffffn));
  assert.deepEqual(result.cost, cost(8));
  const returnOther = fn('main', { blocks: [[[...main.blocks[0].instructions], T.ret(r(3))]], returnWidth: 16 });
  assert.deepEqual(interpret(program([returnOther]), 'main', witness({}, {}, { 'other#1': 0x12345 })).returnValue, v(0x2345));
  const returnFirst = fn('main', { blocks: [[[...main.blocks[0].instructions], T.ret(r(1))]] });
  assert.deepEqual(interpret(program([returnFirst]), 'main', witness({}, {}, { 'rand#1': 5 })).returnValue, v(5));
  const returnThird = fn('main', { blocks: [[[...main.blocks[0].instructions], T.ret(r(6))]] });
  assert.deepEqual(interpret(program([returnThird]), 'main', witness({}, {}, { 'rand#3': 9 })).returnValue, v(9));
  const returnNull = fn('main', { blocks: [[[...main.blocks[0].instructions], T.ret(r(5))]], returnWidth: 1 });
  assert.deepEqual(interpret(program([returnNull]), 'main', witness({}, {}, { 'alloc#1': 7 })).returnValue, v(1));
  // Missing witness entries are 0.
  assert.deepEqual(interpret(program([main]), 'main', witness()).returnValue, v(0));
});

// ------------------------------------------------------------------ memory

test('a pointer stored into a global is loaded back; an int store over it removes it', () => {
  const arr = global('arr', 4, [1, 2, 3, 4]);
  const gp = global('gp', 8, [0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
  const main = fn('main', {
    blocks: [[[
      I.global(1, 'arr'),
      I.off(2, r(1), i64(2)),
      I.global(3, 'gp'),
      I.store(r(3), r(2), 64, true),
      I.load(4, r(3), 64, true),
      I.load(5, r(4), 8),
      I.cmp(6, 'eq', r(4), r(2), 64, true),
      I.cast(7, 'zext', r(6), 1, 8),
      I.bin(8, 'add', r(5), r(7), 8),
    ], T.ret(r(8))]],
    returnWidth: 8,
  });
  const result = interpret(program([main], [arr, gp]), 'main', witness());
  assert.equal(result.error, undefined);
  assert.deepEqual(result.returnValue, v(4));
  assert.deepEqual(result.cost, cost(10, 3));
  // The pointer store writes only the pointer table.
  assert.deepEqual(result.memory.get('gp'), new Uint8Array([0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]));

  const clobber = I.load(5, r(3), 64, true);
  const m2 = fn('main', {
    blocks: [[[I.global(1, 'arr'), I.global(3, 'gp'), I.store(r(3), r(1), 64, true), I.off(4, r(3), i64(7)), I.store(r(4), imm(0, 8), 8), clobber], T.ret(imm(0))]],
  });
  assertError(interpret(program([m2], [arr, gp]), 'main', witness()), 'invalid-pointer', clobber, cost(5, 2));

  // A stored null pointer loads back as null.
  const m3 = fn('main', { blocks: [[[I.global(3, 'gp'), I.store(r(3), NULL, 64, true), I.load(4, r(3), 64, true)], T.ret(r(4))]], returnsPointer: true, returnWidth: 64 });
  assert.deepEqual(interpret(program([m3], [arr, gp]), 'main', witness()).returnValue, { kind: 'null' });
});

test('global initial pointers, string literals and witness contents of globals', () => {
  const q = global('q', 16, [], [{ offset: 8, target: { kind: 'string', index: 1 }, targetOffset: 1 }]);
  const r0 = global('r', 8, [], [{ offset: 0, target: { kind: 'global', name: 'q' }, targetOffset: 8 }]);
  const k = global('k', 4, [9, 9, 9, 9]);
  const main = fn('main', {
    blocks: [[[
      I.global(1, 'r'),
      I.load(2, r(1), 64, true),   // &q[8]
      I.load(3, r(2), 64, true),   // "abc" + 1
      I.load(4, r(3), 8),          // 'b'
      I.addr(5, { kind: 'string', index: 0 }),
      I.load(6, r(5), 8),          // 'x'
      I.global(7, 'k'),
      I.load(8, r(7), 32),
      I.cast(9, 'zext', r(4), 8, 32),
      I.cast(10, 'zext', r(6), 8, 32),
      I.bin(11, 'shl', r(10), imm(8)),
      I.bin(12, 'or', r(9), r(11)),
      I.bin(13, 'add', r(12), r(8)),
    ], T.ret(r(13))]],
  });
  const p = program([main], [q, r0, k], ['x', 'abc']);
  const fromInitial = interpret(p, 'main', witness());
  assert.equal(fromInitial.error, undefined);
  assert.deepEqual(fromInitial.returnValue, v(0x62 + (0x78 << 8) + 0x09090909));
  assert.deepEqual(fromInitial.memory.get('str#1'), new Uint8Array([0x61, 0x62, 0x63, 0]));
  // Witness bytes replace the initialiser, zero-padded.
  const fromWitness = interpret(p, 'main', witness({}, { k: '01' }));
  assert.deepEqual(fromWitness.returnValue, v(0x62 + (0x78 << 8) + 1));
  assert.deepEqual(fromWitness.memory.get('k'), new Uint8Array([1, 0, 0, 0]));
});

test('pointer parameters: region sizes, witness bytes, padding and growth', () => {
  const probe = (offset: number) => fn('main', {
    params: [['p', buffer()], ['s', record(4)]],
    blocks: [[[I.off(2, r(0), i64(offset)), I.load(3, r(2), 16), I.load(4, r(1), 32)], T.ret(r(3))]],
  });
  const w = witness({}, { p: '3412', s: 'efbeadde' });
  const small = { regions: { bufferBytes: 8 } };
  const a = interpret(program([probe(0)]), 'main', w, small);
  assert.deepEqual(a.returnValue, v(0x1234));
  assert.equal(a.memory.get('p')!.length, 8);
  assert.deepEqual(a.memory.get('s'), new Uint8Array([0xef, 0xbe, 0xad, 0xde]));
  assert.deepEqual(interpret(program([probe(6)]), 'main', w, small).returnValue, v(0));
  assert.equal(interpret(program([probe(7)]), 'main', w, small).error?.reason, 'out-of-bounds');
  // Default buffer size is 2048 bytes.
  assert.equal(interpret(program([probe(2046)]), 'main', w).error, undefined);
  assert.equal(interpret(program([probe(2047)]), 'main', w).error?.reason, 'out-of-bounds');
  // Longer hex grows the object.
  const grown = interpret(program([probe(8)]), 'main', witness({}, { p: '00000000000000000000cdab' }), small);
  assert.equal(grown.memory.get('p')!.length, 12);
  assert.deepEqual(interpret(program([probe(10)]), 'main', witness({}, { p: '00000000000000000000cdab' }), small).returnValue, v(0xabcd));
});

test('witness args: negative numbers, decimal strings, widths and defaults', () => {
  const main = fn('main', {
    params: [['a', int(32)], ['b', int(64)], ['c', int(8)], ['d', int(16, false)]],
    blocks: [[[I.cast(4, 'sext', r(2), 8, 64), I.cast(5, 'zext', r(0), 32, 64), I.cast(6, 'zext', r(3), 16, 64)], T.ret(r(1))]],
    returnWidth: 64,
  });
  const p = program([main]);
  const ret = (reg: number) => fn('main', { ...{ params: main.params.map((x) => [x.name, x.type] as [string, ParameterKind]) }, blocks: [[[...main.blocks[0].instructions], T.ret(r(reg))]], returnWidth: 64 });
  assert.deepEqual(interpret(p, 'main', witness({ b: '18446744073709551615' })).returnValue, v(0xffffffffffffffffn));
  assert.deepEqual(interpret(p, 'main', witness({ b: '-2' })).returnValue, v(0xfffffffffffffffen));
  assert.deepEqual(interpret(p, 'main', witness({ b: '+7' })).returnValue, v(7));
  assert.deepEqual(interpret(p, 'main', witness({ b: -3 })).returnValue, v(0xfffffffffffffffdn));
  assert.deepEqual(interpret(p, 'main', witness({ b: '123456789012345678' })).returnValue, v(123456789012345678n));
  assert.deepEqual(interpret(p, 'main', witness({})).returnValue, v(0));
  assert.deepEqual(interpret(program([ret(5)]), 'main', witness({ b: 1 })).returnValue, v(0)); // a missing, not Object.prototype
  assert.deepEqual(interpret(program([fn('main', { params: [['constructor', int(32)]], blocks: [[[], T.ret(r(0))]] })]), 'main', witness()).returnValue, v(0));
  assert.deepEqual(interpret(program([ret(5)]), 'main', witness({ a: -1 })).returnValue, v(0xffffffffn));
  assert.deepEqual(interpret(program([ret(5)]), 'main', witness({ a: '-2147483648' })).returnValue, v(0x80000000n));
  assert.deepEqual(interpret(program([ret(4)]), 'main', witness({ c: -1 })).returnValue, v(0xffffffffffffffffn));
  assert.deepEqual(interpret(program([ret(4)]), 'main', witness({ c: 300 })).returnValue, v(44));
  assert.deepEqual(interpret(program([ret(6)]), 'main', witness({ d: '65537' })).returnValue, v(1));
  assert.throws(() => interpret(p, 'main', witness({ b: '1.5' })));
});
