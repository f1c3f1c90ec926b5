// The real-world corpus: DPDK examples and kernel XDP/TC programs from Debian packages, parsed and lowered with their own build flags.
//
// gcc -fsyntax-only with the same flags is the referee: a unit it rejects is skipped and listed.
// Of the functions of the accepted units (their headers' included), at least 98% must lower
// without a PC4xx diagnostic, and no packet handler may be stopped by the front end (missing, or
// a PC4xx): a handler whose lowering stops on the memory model (PC107) or an unsupported construct
// (PC204) is listed in the report instead. BPF's (void *)(long)ctx->data is a packet pointer
// (symex/packet.ts); the contracts of those handlers are measured in docs/real-world.md. The corpus and its flags are documented in docs/real-world.md; set
// REAL_WORLD_REPORT=FILE to write the per-unit table there.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { buildTranslationUnit } from '../src/core/syntax/translationUnit';
import { lowerProgram } from '../src/core/ir/lowerProgram';
import { Reasons } from '../src/core/reasons';
import { emptyCompilerFlags, frontEndOptions, readCompilerFlag } from '../src/cli/compilerFlags';

const DPDK_EXAMPLES = '/usr/share/dpdk/examples';
const KERNEL = path.resolve(__dirname, '../../../.cache/kernel/linux-source-6.1');
const SELFTESTS = path.join(KERNEL, 'tools/testing/selftests/bpf');

interface CorpusUnit {
  file: string;
  flags: string[];
  /** The per-packet functions that must reach the symbolic executor. */
  handlers: string[];
}

function dpdkFlags(): string[] {
  const result = spawnSync('pkg-config', ['--cflags', 'libdpdk'], { encoding: 'utf8' });
  assert.equal(result.status, 0, `pkg-config --cflags libdpdk failed (is libdpdk-dev installed? npm test installs it): ${result.stderr}`);
  // The examples' meson.build add ALLOW_EXPERIMENTAL_API and their own folder (l3fwd also ../common).
  return [...result.stdout.trim().split(/\s+/), '-DALLOW_EXPERIMENTAL_API'];
}

function dpdk(example: string, handlers: string[], extra: string[] = []): CorpusUnit {
  const file = path.join(DPDK_EXAMPLES, example);
  return { file, flags: [...dpdkFlags(), '-I', path.dirname(file), ...extra], handlers };
}

/** Selftests programs as the Debian packages provide them: libbpf-dev's bpf_helpers.h, linux-libc-dev's uapi headers. */
function bpf(program: string, handlers: string[]): CorpusUnit {
  return { file: path.join(SELFTESTS, 'progs', program), flags: ['-I', SELFTESTS, '-D__TARGET_ARCH_x86'], handlers };
}

function corpus(): CorpusUnit[] {
  const common = ['-I', path.join(DPDK_EXAMPLES, 'common')];
  return [
    dpdk('l2fwd/main.c', ['l2fwd_simple_forward', 'l2fwd_mac_updating']),
    dpdk('l3fwd/l3fwd_lpm.c', ['lpm_get_ipv4_dst_port', 'lpm_get_dst_port'], common),
    dpdk('l3fwd/l3fwd_em.c', ['em_get_ipv4_dst_port', 'ipv4_hash_crc'], common),
    dpdk('l3fwd/l3fwd_fib.c', [], common),
    dpdk('ip_fragmentation/main.c', ['l3fwd_simple_forward']),
    dpdk('ipv4_multicast/main.c', ['mcast_forward', 'mcast_out_pkt']),
    dpdk('skeleton/basicfwd.c', ['lcore_main']),
    dpdk('rxtx_callbacks/main.c', ['add_timestamps', 'calc_latency']),
    dpdk('ip_reassembly/main.c', []),
    dpdk('link_status_interrupt/main.c', []),
    dpdk('packet_ordering/main.c', []),
    dpdk('flow_filtering/main.c', []),
    dpdk('l2fwd-jobstats/main.c', []),
    dpdk('l2fwd-keepalive/main.c', []),
    dpdk('vmdq/main.c', []),
    dpdk('vmdq_dcb/main.c', []),
    dpdk('ptpclient/ptpclient.c', []),
    dpdk('timer/main.c', []),
    dpdk('service_cores/main.c', []),
    dpdk('distributor/main.c', []),
    bpf('test_l4lb.c', ['balancer_ingress']),
    bpf('test_l4lb_noinline.c', ['balancer_ingress']),
    bpf('test_xdp_noinline.c', ['balancer_ingress_v4', 'balancer_ingress_v6']),
    bpf('xdpwall.c', ['edgewall']),
    bpf('xdping_kern.c', ['xdping_client', 'xdping_server']),
    bpf('test_xdp_vlan.c', ['xdp_prognum0', 'xdp_prognum1', 'xdp_prognum2', 'xdp_prognum3']),
    bpf('test_xdp.c', ['_xdp_tx_iptunnel']),
    bpf('test_xdp_loop.c', ['_xdp_tx_iptunnel']),
    bpf('test_xdp_meta.c', ['ing_xdp', 'ing_cls']),
    bpf('test_xdp_redirect.c', ['xdp_redirect_to_111', 'xdp_redirect_to_222']),
    bpf('xdp_dummy.c', ['xdp_dummy_prog']),
    bpf('test_xdp_adjust_tail_grow.c', ['_xdp_adjust_tail_grow']),
    bpf('test_xdp_adjust_tail_shrink.c', ['_xdp_adjust_tail_shrink']),
    bpf('test_xdp_devmap_helpers.c', ['xdpdm_devlog']),
    bpf('test_xdp_with_devmap_helpers.c', ['xdp_redir_prog', 'xdp_dummy_prog', 'xdp_dummy_dm']),
    bpf('test_xdp_with_cpumap_helpers.c', ['xdp_redir_prog', 'xdp_dummy_prog', 'xdp_dummy_cm']),
    bpf('xdp_redirect_map.c', ['xdp_redirect_map_0']),
    bpf('xdp_tx.c', ['xdp_tx']),
    bpf('test_xdp_context_test_run.c', ['xdp_context']),
    bpf('test_tc_edt.c', ['tc_prog']),
    bpf('test_tc_neigh.c', ['tc_chk', 'tc_dst', 'tc_src']),
    bpf('test_tc_tunnel.c', ['__encap_ipip_none', '__encap_gre_none', '__encap_udp_none', 'decap_f']),
    bpf('test_pkt_access.c', ['test_pkt_access']),
    bpf('test_xdp_update_frags.c', ['xdp_adjust_frags']),
  ];
}

interface UnitResult {
  unit: string;
  status: 'analysed' | 'rejected by gcc';
  functions: number;
  lowered: number;
  failures: { name: string; where: string; code: string; message: string }[];
  /** Handlers the front end stopped (missing, or a PC4xx diagnostic). */
  handlersStopped: string[];
  /** Handlers that parse but whose lowering stops on something the front end does not own (memory model, inline assembly). */
  handlersBlockedElsewhere: string[];
  milliseconds: number;
  note?: string;
}

const disk = { readFile: (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } } };

async function runUnit(unit: CorpusUnit): Promise<UnitResult> {
  const name = path.relative(unit.file.startsWith(DPDK_EXAMPLES) ? DPDK_EXAMPLES : KERNEL, unit.file);
  const referee = spawnSync('gcc', ['-fsyntax-only', ...unit.flags, unit.file], { encoding: 'utf8' });
  if (referee.status !== 0) {
    const first = referee.stderr.split('\n').find((l) => /error/.test(l)) ?? referee.stderr.split('\n')[0];
    return { unit: name, status: 'rejected by gcc', functions: 0, lowered: 0, failures: [], handlersStopped: [], handlersBlockedElsewhere: [], milliseconds: 0, note: first?.replace(KERNEL + '/', '') };
  }
  const flags = emptyCompilerFlags();
  for (let i = 0; i < unit.flags.length; i++) {
    const used = readCompilerFlag(unit.flags, i, flags);
    assert.ok(used > 0, `flag '${unit.flags[i]}' of ${name} is not understood`);
    i += used - 1;
  }
  const started = performance.now();
  const translationUnit = await buildTranslationUnit([{ path: unit.file }], { ...frontEndOptions(flags, true), keepUnusedHeaderBodies: true }, disk);
  try {
    const lowered = lowerProgram(translationUnit);
    const milliseconds = performance.now() - started;
    const definitions = [...translationUnit.functions.values()].filter((f) => f.definition);
    const failures = [...lowered.failedFunctions]
      .filter(([, d]) => Reasons[d.reason].code.startsWith('PC4'))
      .map(([fn, d]) => ({ name: fn, where: `${path.basename(d.file)}:${d.startLine + 1}`, code: Reasons[d.reason].code, message: d.message }));
    const handlersStopped: string[] = [];
    const handlersBlockedElsewhere: string[] = [];
    for (const handler of unit.handlers) {
      if (lowered.program.functions.has(handler)) continue;
      const failure = lowered.failedFunctions.get(handler);
      if (!translationUnit.functions.get(handler)?.definition || !failure || Reasons[failure.reason].code.startsWith('PC4')) handlersStopped.push(handler);
      else handlersBlockedElsewhere.push(`${handler}: ${Reasons[failure.reason].code} ${failure.message}`);
    }
    return { unit: name, status: 'analysed', functions: definitions.length, lowered: definitions.length - failures.length, failures, handlersStopped, handlersBlockedElsewhere, milliseconds };
  } finally {
    translationUnit.dispose();
  }
}

function report(results: UnitResult[]): string {
  const lines = ['| unit | functions | lowered without PC4xx | time (ms) |', '|---|---:|---:|---:|'];
  for (const r of results) {
    lines.push(r.status === 'analysed'
      ? `| ${r.unit} | ${r.functions} | ${r.lowered} | ${Math.round(r.milliseconds)} |`
      : `| ${r.unit} | rejected by gcc: ${r.note ?? ''} | | |`);
  }
  const failures = new Map<string, { count: number; example: string }>();
  for (const r of results) {
    for (const f of r.failures) {
      const key = `${f.code} ${f.message.replace(/'[^']*'/g, "'…'")}`;
      const entry = failures.get(key) ?? { count: 0, example: `${f.name} (${f.where}): ${f.message}` };
      entry.count++;
      failures.set(key, entry);
    }
  }
  lines.push('', '| count | reason | first example |', '|---:|---|---|');
  for (const [key, { count, example }] of [...failures].sort((a, b) => b[1].count - a[1].count)) lines.push(`| ${count} | ${key} | ${example} |`);
  lines.push('', 'Packet handlers that parse and lower up to a construct outside the front end:', '');
  for (const r of results) for (const h of r.handlersBlockedElsewhere) lines.push(`- ${r.unit}: ${h}`);
  return lines.join('\n') + '\n';
}

test('real-world corpus: 98% of the functions gcc accepts lower without PC4xx, and no packet handler is stopped by the front end', { timeout: 3_600_000 }, async () => {
  for (const pkg of ['libdpdk-dev', 'dpdk-doc', 'libbpf-dev', 'linux-libc-dev']) {
    const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    assert.ok(status.stdout.includes('install ok installed'), `Debian package ${pkg} is missing; npm test installs it (e2e/setup.mjs)`);
  }
  assert.ok(fs.existsSync(SELFTESTS), `${SELFTESTS} is missing; node e2e/setup.mjs extracts it from linux-source-6.1`);
  const results: UnitResult[] = [];
  for (const unit of corpus()) results.push(await runUnit(unit));
  if (process.env.REAL_WORLD_REPORT) fs.writeFileSync(process.env.REAL_WORLD_REPORT, report(results));
  const analysed = results.filter((r) => r.status === 'analysed');
  const functions = analysed.reduce((n, r) => n + r.functions, 0);
  const lowered = analysed.reduce((n, r) => n + r.lowered, 0);
  assert.ok(analysed.length >= 40, `only ${analysed.length} units accepted by gcc; rejected: ${results.filter((r) => r.status !== 'analysed').map((r) => `${r.unit} (${r.note})`).join(', ')}`);
  assert.ok(lowered >= 0.98 * functions, `${lowered} of ${functions} functions lower without PC4xx (${(100 * lowered / functions).toFixed(2)}%)\n${report(results)}`);
  const stopped = analysed.flatMap((r) => r.handlersStopped.map((h) => `${r.unit}: ${h}`));
  assert.deepEqual(stopped, [], 'packet handlers stopped by the front end');
});
