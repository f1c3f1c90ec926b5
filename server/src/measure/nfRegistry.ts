// The NF registry: for each NF of test-fixtures/nf, its sources, entry points, analysis settings and trace generators.
import { MeasureError } from './measureError';
import { TraceGenerator } from './traffic';
import { NAT_TRACES } from './natTraffic';
import { BRIDGE_TRACES } from './bridgeTraffic';
import { ROUTER_TRACES } from './routerTraffic';
import { FIREWALL_TRACES } from './firewallTraffic';
import { POLICER_TRACES } from './policerTraffic';
import { LB_TRACES } from './lbTraffic';

export interface NfDefinition {
  name: string;
  description: string;
  /** C sources relative to the repository root; the first one is the NF itself. */
  sources: string[];
  /** Include directories relative to the repository root. */
  includeDirs: string[];
  /** Packet handler and initialiser (the NF interface of test-fixtures/nf/README.md). */
  entry: string;
  init: string;
  /**
   * Time limit for the contract of `entry` (ms); past it the contract is incomplete. 30 s for the
   * NAT and the bridge: with 60 s their analyses ran past 6 minutes (the limit bounds exploration only).
   */
  contractTimeLimitMs: number;
  /** The first trace is the typical one. */
  traces: TraceGenerator[];
  /**
   * Analyse with `--prefer-contracts`: calls to library functions that have a contract file use it
   * (the library's code stays among the sources). The interpreter session then runs the library's
   * code and places each packet by a replay against the contracts (see session.ts).
   */
  modular?: boolean;
  /** `--unroll N` for the contract (default: the analysis's, 2). */
  unrollLimit?: number;
}

const LIB = 'test-fixtures/nf/lib';
const NF = 'test-fixtures/nf';

export const NF_REGISTRY: NfDefinition[] = [
  {
    name: 'nat', description: 'NAPT on the hash map and the dchain', sources: [`${NF}/nat.c`, `${LIB}/map.c`, `${LIB}/dchain.c`],
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 30_000, traces: NAT_TRACES, modular: true,
  },
  {
    name: 'bridge', description: 'MAC learning bridge on its own MAC table and the dchain', sources: [`${NF}/bridge.c`, `${LIB}/dchain.c`],
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 30_000, traces: BRIDGE_TRACES, modular: true,
  },
  {
    name: 'router', description: 'IPv4 router on the LPM trie', sources: [`${NF}/router.c`, `${NF}/lpm.c`],
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 60_000, traces: ROUTER_TRACES,
  },
  {
    name: 'firewall', description: 'stateless filter with an ordered rule list', sources: [`${NF}/firewall.c`],
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 60_000, traces: FIREWALL_TRACES,
  },
  {
    name: 'lb', description: 'Maglev-like load balancer with flow affinity and heartbeat liveness',
    sources: [`${NF}/lb.c`, `${LIB}/map.c`, `${LIB}/dchain.c`, `${LIB}/vector.c`, `${LIB}/maglev.c`],
    // Against the library's contracts and with every loop summarised from its first iteration: with
    // two explicit iterations, the exploration of maglev_populate's loops (no contract) takes the
    // time limit; with them summarised the contract is complete in about 17 s.
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 30_000, traces: LB_TRACES, modular: true, unrollLimit: 0,
  },
  {
    name: 'policer', description: 'per-destination token-bucket policer',
    sources: [`${NF}/policer.c`, `${LIB}/map.c`, `${LIB}/dchain.c`, `${LIB}/vector.c`, `${LIB}/token_bucket.c`],
    includeDirs: [LIB], entry: 'nf_process', init: 'nf_init', contractTimeLimitMs: 30_000, traces: POLICER_TRACES, modular: true,
  },
];

export function findNf(name: string): NfDefinition {
  const nf = NF_REGISTRY.find((n) => n.name === name);
  if (!nf) throw new MeasureError('unknown-nf', `'${name}' (known: ${NF_REGISTRY.map((n) => n.name).join(', ')})`);
  return nf;
}

export function findTrace(nf: NfDefinition, name: string): TraceGenerator {
  const trace = nf.traces.find((t) => t.name === name);
  if (!trace) throw new MeasureError('bad-arguments', `NF '${nf.name}' has no trace '${name}' (known: ${nf.traces.map((t) => t.name).join(', ')})`);
  return trace;
}
