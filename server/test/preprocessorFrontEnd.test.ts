// The front end on the constructs real code uses: the preprocessor before parsing, typedef casts, GNU C.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze } from '../src/core/analysis';
import { Reasons } from '../src/core/reasons';
import { harnessSource } from '../src/ground/replay';
import { GroundingError } from '../src/ground/groundingError';
import { interpret } from '../src/core/interp/interpreter';

const memory = (files: Record<string, string>) => ({ readFile: (p: string) => files[p] });

async function run(source: string, entries: string[], defines: Record<string, string> = {}) {
  const result = await analyze([{ path: '/src/main.c' }], { entries, defines }, memory({ '/src/main.c': source }));
  return { result, codes: result.diagnostics.map((d) => `${Reasons[d.reason].code}@${d.startLine + 1}: ${d.message}`) };
}

test('code in an inactive #ifdef branch is never parsed or reported', async () => {
  const { result, codes } = await run(`
#ifdef SOME_TOOL
#define AND &
#endif
int f(int x) {
#ifdef SOME_TOOL
  tool_assume(x AND 1);
#endif
  if (x > 3) return 1;
  return 0;
}
`, ['f']);
  assert.deepEqual(codes, []);
  assert.equal(result.contracts.length, 1);
  assert.ok(result.contracts[0]!.complete);
});

test('a type as a macro argument, __always_inline and -D all go through the preprocessor', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
#define __always_inline inline __attribute__((always_inline))
struct eth { uint16_t type; };
#define pkt_mtod(p, off, t) ((t)((char *)(p) + (off)))
#define ETHERTYPE_IPV4 0x0800
static __always_inline int is_ipv4(char *data) {
  struct eth *e = pkt_mtod(data, 2, struct eth *);
  if (e->type != ETHERTYPE_IPV4) return 0;
  return 1;
}
int f(char *data) {
#if LIMIT > 2
  if (is_ipv4(data)) return data[5] * 3 + data[6];
  return 1;
#else
  return 0;
#endif
}
`, ['f'], { LIMIT: '3' });
  assert.deepEqual(codes, []);
  const conditions = result.contracts[0]!.classes.map((c) => c.condition).join(' | ');
  assert.match(conditions, /e->type != ETHERTYPE_IPV4/, 'the condition keeps the macro name the user wrote');
});

test('typedef casts that tree-sitter parses as expressions are casts; the same shape with a function is a call', async () => {
  const { result, codes } = await run(`
typedef unsigned short u16;
static int twice(int v) { return v * 2; }
int f(unsigned char *p, int x) {
  unsigned a = (u16)*p;
  unsigned b = ((u16)(x));
  unsigned c = (u16)-x;
  switch (x) {
  case ((u16)(0x0800)): return 7; /* a typedef cast in a case label is a constant */
  default: break;
  }
  return a + b + c + (twice)(1);
}
`, ['f']);
  assert.deepEqual(codes, []);
  const witness = result.contracts[0]!.classes[0]!;
  assert.ok(witness, 'the function is analysed');
});

test('GNU C: statement expressions, __extension__, builtins, local enums and aligned layout', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
struct __attribute__((packed)) hdr { uint8_t a; uint32_t b; };
struct line { uint8_t x; } __attribute__((aligned(64)));
int sizes[sizeof(struct hdr) == 5 && sizeof(struct line) == 64 ? 1 : -1];
int f(uint32_t v) {
  enum { SHIFT = 3 };
  uint32_t w = ({ uint32_t t = v << SHIFT; t + 1; });
  if (__builtin_expect(w > 100, 0)) return __extension__ 1;
  __builtin_prefetch(&w);
  return (int)__builtin_bswap32(w) + __builtin_constant_p(7) + (int)__builtin_offsetof(struct hdr, b);
}
`, ['f']);
  assert.deepEqual(codes, []);
  assert.ok(result.contracts[0]!.classes.length >= 2);
});

test('a requested entry stopped by the front end is reported with its reason', async () => {
  const { result, codes } = await run('int f(int x) { return undeclared_thing(x); }\n', ['f']);
  assert.equal(result.contracts.length, 0);
  assert.match(codes.join('\n'), /PC403@1: function 'undeclared_thing' is not declared/);
});

test('an array sized with sizeof of a typedef name (glibc fd_set) gets its real size', async () => {
  const { result, codes } = await run(`
typedef long int __fd_mask;
typedef struct { __fd_mask fds_bits[1024 / (8 * (int) sizeof (__fd_mask))]; } fd_set;
#define PREFIX "RG_"
struct ring { char name[32 - sizeof(PREFIX) + 1]; int flags; long tail[_Alignof(long) / 4]; };
int f(fd_set *s) { return sizeof(fd_set) == 128 && sizeof(struct ring) == 56 ? 1 : 0; }
`, ['f']);
  assert.deepEqual(codes, []);
  assert.deepEqual(result.contracts[0]!.classes.map((c) => c.returns), [['1']]);
});

test('an array size that cannot be computed is a diagnostic, and a function using the type is reported, not analysed with 0 bytes', async () => {
  const { result, codes } = await run(`
struct ring { int head; char slots[UNDEFINED_SIZE]; int tail; };
struct ring r;
int uses(struct ring *p) { return p->tail; }
int other(int x) { return x + 1; }
`, ['uses', 'other']);
  assert.deepEqual(result.contracts.map((c) => c.name), ['other']);
  assert.ok(codes.some((c) => /^PC404@2: the array size 'UNDEFINED_SIZE' could not be computed/.test(c)), codes.join('\n'));
  assert.ok(codes.some((c) => /^PC404@4: the layout of struct ring depends on the array size 'UNDEFINED_SIZE'/.test(c)), codes.join('\n'));
});

test('header function bodies no main-file code reaches are not parsed; used ones, tables and requested entries are', async () => {
  const header = `
#pragma once
struct ops { int (*cb)(int); };
static inline int helper_leaf(int x) { return x * 2; }
static inline int helper_used(int x) { return helper_leaf(x) + 1; }
static inline int helper_unused(int x) { for (int i = 0; i < x; i++) x--; return x; }
static inline int helper_in_table(int x) { return x - 1; }
static const struct ops table_ops = { .cb = helper_in_table };
static inline int (*picker(int which))(int) { return which ? helper_leaf : 0; }
extern __inline void * __attribute__((__always_inline__)) intrinsic_like(void) { return 0; }
#define CALL_USED(v) helper_used(v)
`;
  const main = `#include "lib.h"
int handler(int v) {
  if (v > 10) return CALL_USED(v);
  return table_ops.cb(v);
}
`;
  const files = { '/src/main.c': main, '/src/lib.h': header };
  const build = async (keepUnusedHeaderBodies: boolean) => {
    const { buildTranslationUnit } = await import('../src/core/syntax/translationUnit');
    const unit = await buildTranslationUnit([{ path: '/src/main.c' }], { includeDirs: [], defines: {}, keepUnusedHeaderBodies }, memory(files));
    const defined = [...unit.functions.values()].filter((f) => f.definition).map((f) => f.name).sort();
    const handlerLine = unit.functions.get('handler')!.line;
    const result = { defined, blanked: [...unit.blankedBodies].sort(), handlerLine, errors: unit.diagnostics.map((d) => d.message) };
    unit.dispose();
    return result;
  };
  const pruned = await build(false);
  assert.deepEqual(pruned.defined, ['handler', 'helper_in_table', 'helper_leaf', 'helper_used', 'picker']);
  // `picker` returns a function pointer: a declarator the scan does not read, so it is kept as written.
  assert.deepEqual(pruned.blanked, ['helper_unused', 'intrinsic_like']);
  assert.deepEqual(pruned.errors, []);
  const full = await build(true);
  assert.deepEqual(full.defined, ['handler', 'helper_in_table', 'helper_leaf', 'helper_unused', 'helper_used', 'intrinsic_like', 'picker']);
  assert.deepEqual(full.blanked, []);
  assert.equal(pruned.handlerLine, full.handlerLine, 'positions in the main file do not move');

  // The contract of the handler is the same either way; a header function asked for by name is analysed.
  const contract = async (entries: string[], keepUnusedHeaderBodies: boolean) =>
    (await analyze([{ path: '/src/main.c' }], { entries, frontEnd: { keepUnusedHeaderBodies } }, memory(files))).contracts;
  const strip = (cs: { classes: unknown[] }[]) => JSON.stringify(cs.map((c) => c.classes));
  assert.equal(strip(await contract(['handler'], false)), strip(await contract(['handler'], true)));
  const unused = await contract(['helper_unused'], false);
  assert.equal(unused.length, 1);
  assert.ok(unused[0]!.classes.length >= 1, 'the requested header function was analysed from its body');
});

test('typeof of an expression has the expression type: min/max and READ_ONCE macros as DPDK and the kernel write them', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
#define MIN(a, b) __extension__ ({ typeof (a) _a = (a); typeof (b) _b = (b); _a < _b ? _a : _b; })
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
struct counters { uint32_t packets; uint64_t bytes; };
uint64_t clamp_bytes(struct counters *c, uint16_t n) {
  uint64_t total = MIN(READ_ONCE(c->bytes), 5000000000ULL);
  if (MIN(n - 1, 32) > 10) return total + 1;
  return total;
}
int wide(uint64_t v) {
  typeof(v) w = v;
  if (w == 0x100000000ull) return 1;
  return 0;
}
`, ['clamp_bytes', 'wide']);
  assert.deepEqual(codes, []);
  const [clamp, wide] = result.contracts;
  assert.ok(clamp!.complete && wide!.complete);
  // A 64-bit minimum keeps its 64-bit constant: typeof is not read as int.
  assert.ok(clamp!.classes.some((c) => c.returns?.includes('5000000000')), JSON.stringify(clamp!.classes.map((c) => c.returns)));
  // The condition names the macro once, as written.
  assert.ok(clamp!.classes.some((c) => /MIN\(n - 1, 32\) > 10/.test(c.condition) && !/MIN\(n - 1, 32\)n/.test(c.condition)), clamp!.classes.map((c) => c.condition).join(' | '));
  // typeof of a single 64-bit variable: both outcomes, so the value was not truncated to 32 bits.
  assert.deepEqual(wide!.classes.flatMap((c) => c.returns ?? []).sort(), ['0', '1']);
});

test('compound literals are objects of their own, initialised like declarations', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
struct tuple { uint32_t src, dst; uint16_t sport, dport; uint8_t proto; };
static int same(const struct tuple *a, const struct tuple *b) {
  return a->src == b->src && a->dst == b->dst && a->proto == b->proto;
}
int classify(uint32_t src, uint32_t dst, uint8_t proto) {
  if (same(&(struct tuple){ .src = src, .dst = dst, .proto = proto }, &(struct tuple){ .src = 1, .dst = 2, .proto = 17 })) return 7;
  int weight = ((int[]){ 3, 5, 9 })[proto & 1];
  return (int){ weight } + (struct tuple){ .sport = 40 }.sport + (struct tuple){ 0 }.dport;
}
`, ['classify']);
  assert.deepEqual(codes, []);
  const contract = result.contracts[0]!;
  assert.ok(contract.complete);
  // Two literals in one call are two objects: the match on the constant tuple is one class of four.
  assert.equal(contract.classes.length, 4, contract.classes.map((c) => c.condition).join(' | '));
  const matched = contract.classes.find((c) => c.returns?.includes('7'))!;
  assert.equal(matched.witness.args.src, 1);
  assert.equal(matched.witness.args.proto, 17);
  // Every other witness replays into its own class.
  const others = contract.classes.filter((c) => c !== matched);
  for (const c of others) assert.ok(c.witnessVerified !== false);
});

test('inline assembly is an opaque step: outputs are unknown values, the cost a lower bound, a barrier costs nothing', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
static inline uint32_t swab32(uint32_t x) { asm("roll $3, %0" : "=r" (x) : "0" (x)); return x; }
int route(uint32_t dst_be, uint32_t *counter) {
  asm volatile("" ::: "memory");
  uint32_t dst = swab32(dst_be);
  __asm__ __volatile__("addl %1, %0" : "+r" (*counter) : "ir" (1));
  if ((dst >> 24) == 10) return 1 + *counter;
  return 2;
}
`, ['route']);
  assert.deepEqual(codes, []);
  const contract = result.contracts[0]!;
  assert.ok(contract.complete);
  assert.deepEqual(contract.unmodelledCalls.map((u) => u.callee).sort(), ['__asm_3_45_0', '__asm_7_3_0']);
  // The swapped address decides the branch: both outcomes, each a lower bound, each witness replayed.
  assert.equal(contract.classes.length, 2);
  for (const c of contract.classes) {
    assert.equal(c.lowerBound, true);
    assert.notEqual(c.witnessVerified, false);
  }
});

test('byte swaps written in assembly (bswap, bswapq, xchgb) are byte swaps: exact classes, packet witnesses in network order', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
static inline uint32_t sw32(uint32_t v) { uint32_t x = v; asm volatile ("bswap %[x]" : [x] "+r" (x)); return x; }
static inline uint64_t sw64(uint64_t val) { __asm__("bswapq %0" : "=r" (val) : "0" (val)); return val; }
static inline uint16_t sw16(uint16_t v) { uint16_t x = v; asm volatile ("xchgb %b[x1],%h[x2]" : [x1] "=Q" (x) : [x2] "0" (x)); return x; }
int classify(const uint8_t *p) {
  uint32_t dst; __builtin_memcpy(&dst, p + 16, 4);
  if (sw32(dst) == 0x0a000001u) return 1;
  uint16_t port; __builtin_memcpy(&port, p + 22, 2);
  if (sw16(port) == 80) return 2;
  uint64_t k; __builtin_memcpy(&k, p, 8);
  if (sw64(k) >> 56 == 0x45) return 3;
  return 0;
}
`, ['classify']);
  assert.deepEqual(codes, []);
  const contract = result.contracts[0]!;
  assert.ok(contract.complete);
  assert.deepEqual(contract.unmodelledCalls, []);
  assert.ok(contract.classes.every((c) => !c.lowerBound && c.witnessVerified), JSON.stringify(contract.classes.map((c) => c.witness)));
  const byReturn = (value: string) => contract.classes.find((c) => c.returns.length === 1 && c.returns[0] === value)!;
  // Bytes as they are on the wire: 10.0.0.1 at offset 16, port 80 at offset 22.
  assert.match(byReturn('1').witness.memory.p!, /^0{32}0a000001$/);
  assert.match(byReturn('2').witness.memory.p!, /^0{32}(?!0a000001)[0-9a-f]{8}[0-9a-f]{4}0050$/);
});

test('an asm with a "memory" clobber may write any memory but locals; a barrier without instructions writes nothing', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
struct stats { uint64_t rx; uint64_t drops; };
struct stats port_stats;
static inline void locked_add(uint64_t *p, uint64_t v) { __asm__ volatile("lock; addq %1, %0" : "+m"(*p) : "r"(v) : "memory"); }
static inline void plain_add(uint64_t *p, uint64_t v) { __asm__ volatile("addq %1, %0" : "+r"(*p) : "r"(v) : "cc"); }
int count_rx(uint32_t len, struct stats *mine) {
  uint64_t before = port_stats.drops;
  uint64_t kept = 7;
  mine->rx = 5;
  locked_add(&port_stats.rx, len);
  if (kept != 7) return 4;
  if (port_stats.drops != before) return 2;
  if (mine->rx != 5) return 3;
  return 1;
}
int count_plain(uint32_t len) {
  uint64_t before = port_stats.drops;
  plain_add(&port_stats.rx, len);
  __asm__ volatile("" ::: "memory");
  if (port_stats.drops != before) return 2;
  return 1;
}
`, ['count_rx', 'count_plain']);
  assert.deepEqual(codes, []);
  const [clobbering, plain] = result.contracts;
  // The clobber makes a global's other field and a parameter's object unknown, not the local.
  assert.deepEqual(clobbering!.classes.flatMap((c) => c.returns ?? []).sort(), ['1', '2', '3']);
  assert.ok(clobbering!.classes.every((c) => c.witnessVerified), JSON.stringify(clobbering!.classes.map((c) => c.witness)));
  // A register clobber and an empty barrier change nothing the C code reads.
  assert.deepEqual(plain!.classes.flatMap((c) => c.returns ?? []), ['1']);
});

test('128-bit integers (__int128, __uint128_t) are 128 bits wide: a witness that needs the high half of a product runs so under gcc', async () => {
  const source = `
#include <stdint.h>
typedef unsigned __int128 u128;
int high_bucket(uint64_t key, uint64_t salt)
{
    u128 product = (u128)key * (salt | 1);
    uint64_t high = (uint64_t)(product >> 64);
    __int128 signed_sum = (__int128)(int64_t)key + (__int128)(int64_t)salt;
    if (signed_sum < 0) return 2;
    if (high == 0x1234) return 1;
    return 0;
}
`;
  const { result, codes } = await run(source, ['high_bucket']);
  assert.deepEqual(codes, []);
  const contract = result.contracts[0]!;
  assert.ok(contract.complete, JSON.stringify(contract.incompleteReasons));
  assert.deepEqual(contract.classes.flatMap((c) => c.returns ?? []).sort(), ['0', '1', '2']);
  assert.ok(contract.classes.every((c) => c.witnessVerified), 'the interpreter runs each witness into its class');
  // Each class's witness, compiled by gcc, returns what the class says.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-int128-'));
  const calls = contract.classes.map((c) => `printf("%d\\n", high_bucket(${BigInt(c.witness.args.key!)}ull, ${BigInt(c.witness.args.salt!)}ull));`).join('\n  ');
  fs.writeFileSync(path.join(dir, 'main.c'), `#include <stdio.h>\n${source}\nint main(void) {\n  ${calls}\n  return 0;\n}\n`);
  execFileSync('gcc', ['-O0', '-o', path.join(dir, 'main'), path.join(dir, 'main.c')]);
  const printed = execFileSync(path.join(dir, 'main'), { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(printed, contract.classes.map((c) => c.returns![0]!));
  fs.rmSync(dir, { recursive: true, force: true });
  // The x86 replay harness passes 64-bit arguments: a 128-bit one is refused by name, not truncated.
  const wide = await run('#include <stdint.h>\nuint64_t top(unsigned __int128 v) { return (uint64_t)(v >> 64) > 3; }\n', ['top']);
  assert.throws(() => harnessSource(wide.result.program.functions.get('top')!, undefined), (e: unknown) => e instanceof GroundingError && e.code === 'PG003' && /'v' is wider than 64 bits/.test(e.message));
});

test('a call through a function pointer (a field, a local, a global, an explicit *) is an unmodelled call named as written', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
extern void (*delay_us)(unsigned int us);
struct port_ops {
    uint16_t (*rx_burst)(void *queue, void **pkts, uint16_t n);
    int (*classify)(const uint8_t *pkt, uint32_t len);
};
struct port { struct port_ops ops; void *queue; uint32_t drops; };
int poll_port(struct port *p, void **pkts)
{
    uint16_t n = p->ops.rx_burst(p->queue, pkts, 32);
    if (n == 0) {
        delay_us(10);
        return -1;
    }
    if (n > 32) return -2;
    return n;
}
typedef int (*verdict_fn)(const uint8_t *, uint32_t);
int run_chain(const uint8_t *pkt, uint32_t len, verdict_fn first, struct port_ops *ops)
{
    verdict_fn local = first;
    int v = (*local)(pkt, len);
    if (v < 0) return v;
    return ops->classify(pkt, len) + v;
}
`, ['poll_port', 'run_chain']);
  assert.deepEqual(codes.filter((c) => !c.startsWith('PC405')), []);
  const [poll, chain] = result.contracts;
  assert.ok(poll!.complete && chain!.complete);
  assert.deepEqual(poll!.unmodelledCalls.map((u) => u.callee), ['(*p->ops.rx_burst)', 'delay_us']);
  assert.deepEqual(chain!.unmodelledCalls.map((u) => u.callee), ['(*local)', '(*ops->classify)']);
  // The 16-bit result decides the three outcomes; each witness supplies it and runs into its class.
  assert.deepEqual(poll!.classes.flatMap((c) => c.returns ?? []).sort(), ['-1', '-2', 'symbolic'].sort());
  for (const contract of [poll!, chain!]) assert.ok(contract.classes.every((c) => c.witnessVerified && c.lowerBound), JSON.stringify(contract.classes.map((c) => [c.id, c.witnessVerified, c.lowerBound])));
  // Something that is not a function cannot be called.
  const bad = await run('int f(int x) { int y = x; return y(2); }\n', ['f']);
  assert.ok(bad.codes.some((c) => /^PC204@1: calling 'y', which is not a function/.test(c)), bad.codes.join('\n'));
});

test('atomic builtins are the loads, stores and read-modify-writes one thread sees', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
struct queue { uint32_t head; uint32_t tail; void *slots[4]; };
int enqueue(struct queue *q, void *item, uint32_t *counter)
{
    uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
    void *current = __atomic_load_n(&q->slots[0], __ATOMIC_RELAXED);
    if (current != 0) return -1;
    __atomic_store_n(&q->slots[0], item, __ATOMIC_RELEASE);
    uint32_t before = __atomic_fetch_add(&q->head, 1, __ATOMIC_SEQ_CST);
    uint32_t after = __sync_add_and_fetch(counter, 2);
    if (before != head) return -2;
    if (q->head != head + 1) return -3;
    return (int)(after & 7);
}
`, ['enqueue']);
  assert.deepEqual(codes, []);
  const contract = result.contracts[0]!;
  assert.ok(contract.complete, JSON.stringify(contract.incompleteReasons));
  assert.deepEqual(contract.unmodelledCalls, []);
  // The slot read as a pointer decides; the fetch returns the value loaded, and the store is seen.
  assert.deepEqual(contract.classes.flatMap((c) => c.returns ?? []).sort(), ['-1', 'symbolic']);
  assert.ok(contract.classes.every((c) => c.witnessVerified), JSON.stringify(contract.classes.map((c) => c.witness)));
});

test('a statement the lowering cannot model ends only the paths that reach it; the rest of the function is analysed', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
struct log { uint64_t last; };
static const int tracing = 0;
static void trace(struct log *l, const void *p) { if (!tracing) return; l->last = (uintptr_t)p; }
int handle(struct log *l, const uint8_t *pkt, unsigned len, int debug) {
  if (len < 14) return -1;
  trace(l, pkt);
  if (debug) { uint64_t where = (uintptr_t)pkt; return (int)(where & 1); }
  if (pkt[12] == 0x08) return 1;
  return 0;
}
`, ['handle']);
  // Both conversions are reported where they are, as PC107, and neither function is skipped.
  assert.deepEqual(codes.map((c) => c.slice(0, c.indexOf(':'))), ['PC107@5', 'PC107@9']);
  assert.match(codes[1]!, /paths that reach it end there, the rest of 'handle' is analysed/);
  assert.deepEqual(result.contracts.map((c) => c.name), ['handle']);
  const contract = result.contracts[0]!;
  // The trace point's conversion is never reached (tracing is 0); the debug one ends its own path.
  const outcomes = contract.classes.map((c) => `${c.outcome}${c.reason ? ' ' + c.reason.code : ''} ${[...c.returns].sort().join(',')}`).sort();
  assert.deepEqual(outcomes, ['error PC107 ', 'return -1', 'return 0,1']);
  assert.ok(contract.classes.every((c) => c.witnessVerified), JSON.stringify(contract.classes.map((c) => c.witness)));
});

test('initializers without inner braces fill nested aggregates in order (brace elision), as gcc does', async () => {
  const source = `
#include <stdint.h>
struct in6 { union { uint8_t b[16]; uint16_t h[8]; uint32_t w[4]; } u; };
struct rule { struct in6 addr; uint16_t port; uint8_t proto; };
struct pair { uint16_t lo, hi; };
int match(const struct in6 *a, uint16_t port) {
  struct in6 want = (struct in6){ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  struct rule r = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 443, 6 };
  struct pair ranges[2] = { 1, 1023, 8000, 8080 };
  if (a->u.w[0] == want.u.w[0] && a->u.w[3] == want.u.w[3]) return 1;
  if (a->u.b[15] == r.addr.u.b[15] && port == r.port && r.proto == 6) return 2;
  if (port >= ranges[1].lo && port <= ranges[1].hi) return 3;
  return 0;
}
`;
  const { result, codes } = await run(source, ['match']);
  assert.deepEqual(codes, []);
  assert.ok(result.contracts[0]!.complete);
  const returns = (hex: string, port: number) => { const value = interpret(result.program, 'match', { args: { port }, memory: { a: hex }, pcv: {} }, {}).returnValue; return value?.kind === 'int' ? value.value : undefined; };
  const address = (first: string, last: string) => first + '00'.repeat(14 - first.length / 2 + 1) + last;
  // What gcc's program returns for the same inputs.
  const binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-elide-')), 'elide');
  fs.writeFileSync(`${binary}.c`, `${source}
#include <stdio.h>
#include <string.h>
int main(void) {
  struct in6 x; memset(&x, 0, sizeof x); x.u.b[0] = 0xfe; x.u.b[1] = 0x80; x.u.b[15] = 1; printf("%d ", match(&x, 9));
  memset(&x, 0, sizeof x); x.u.b[15] = 2; printf("%d ", match(&x, 443));
  memset(&x, 0, sizeof x); printf("%d %d\\n", match(&x, 8001), match(&x, 80));
  return 0;
}
`);
  execFileSync('gcc', ['-O0', '-o', binary, `${binary}.c`]);
  assert.equal(execFileSync(binary, { encoding: 'utf8' }).trim(), '1 2 3 0');
  assert.deepEqual([returns(address('fe80', '01'), 9), returns(address('', '02'), 443), returns('', 8001), returns('', 80)], [1n, 2n, 3n, 0n]);
});

test('a global table initialised with elided braces, designators and bit-fields holds what gcc puts there', async () => {
  const source = `
#include <stdint.h>
struct in6 { union { uint8_t b[16]; uint32_t w[4]; } u; };
struct rule { struct in6 addr; uint16_t port; struct { uint8_t proto; uint8_t flags : 3; uint8_t more : 5; }; };
static const struct rule RULES[] = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 22, .proto = 6, .flags = 5 }, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 443, 17, 3, 9 };
int f(unsigned i) {
  if (i >= 2) return -1;
  return RULES[i].addr.u.b[15] * 100000 + RULES[i].port * 100 + RULES[i].proto * 10 + RULES[i].flags + RULES[i].more * 1000000;
}
`;
  const { result, codes } = await run(source, ['f']);
  assert.deepEqual(codes, []);
  const binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-table-')), 'table');
  fs.writeFileSync(`${binary}.c`, `${source}\n#include <stdio.h>\nint main(void) { printf("%d %d\\n", f(0), f(1)); return 0; }\n`);
  execFileSync('gcc', ['-O0', '-o', binary, `${binary}.c`]);
  const expected = execFileSync(binary, { encoding: 'utf8' }).trim();
  const value = (i: number) => { const v = interpret(result.program, 'f', { args: { i }, memory: {}, pcv: {} }, {}).returnValue; return v?.kind === 'int' ? BigInt.asIntN(32, v.value).toString() : '?'; };
  assert.equal(`${value(0)} ${value(1)}`, expected);
});

test('taking a function\'s address is an unsupported statement (PC204), not an undeclared name', async () => {
  const { result, codes } = await run(`
typedef void (*job_fn)(void *);
int timer_reset(int period, job_fn job, void *arg);
static void flush_job(void *arg) { (void)arg; }
int start(int period) {
  if (period <= 0) return -1;
  int ret = timer_reset(period, &flush_job, 0);
  return ret < 0 ? -2 : 0;
}
`, ['start']);
  assert.deepEqual(codes.map((c) => c.slice(0, c.indexOf(':'))), ['PC204@7']);
  assert.match(codes[0]!, /using function 'flush_job' as a value/);
  const outcomes = result.contracts[0]!.classes.map((c) => `${c.outcome} ${c.returns.join(',')}`).sort();
  assert.deepEqual(outcomes, ['incomplete ', 'return -1']);
});

test('a statement expression that fails inside its loop ends every path through it, and later breaks still leave their own loop', async () => {
  const { result, codes } = await run(`
#include <stdint.h>
int f(const uint8_t *p, int n) {
  int total = 0;
  for (int k = 0; k < 4; k++) {
    if (p[k] == 7) {
      int v = ({ int i = 0; while (i < n) { if ((uintptr_t)(p + i) & 1) break; i++; } i; });
      total += v;
    }
    if (p[k] == 9) break;
    total += p[k];
  }
  return total;
}
`, ['f']);
  assert.deepEqual(codes.map((c) => c.slice(0, c.indexOf(':'))), ['PC107@7']);
  const contract = result.contracts[0]!;
  // The loop's exit inside the failed statement is not an 'unterminated block' (PC106): it ends as the statement does.
  assert.deepEqual([...new Set(contract.classes.map((c) => `${c.outcome} ${c.reason?.code ?? ''}`))].sort(), ['error PC107', 'return ']);
  assert.ok(contract.classes.every((c) => c.witnessVerified), JSON.stringify(contract.classes.map((c) => c.witness)));
  // p[k] == 9 leaves the for loop: the path that sees 9 first returns the bytes before it.
  const early = contract.classes.filter((c) => c.outcome === 'return' && /p\[k\] == 9/.test(c.condition));
  assert.ok(early.length > 0, contract.classes.map((c) => c.condition).join('\n'));
});
