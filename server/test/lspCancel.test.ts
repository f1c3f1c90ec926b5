// A cancelled analysis that is inside a z3 check is waited for, not taken for a hung worker: the
// check cannot see the cancellation but ends at its resource limit, and a restart would reload z3.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisHost } from '../src/lsp/analysisHost';
import type { WorkerAnalysisOptions, WorkerToMain } from '../src/lsp/workerProtocol';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';

// A counter indexed by an FNV hash of packet bytes: deciding its branch takes z3 seconds.
const SOURCE = `
#include <stdint.h>
uint32_t counters[512];
int over(const uint8_t *k)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 13; i++) { h ^= k[i]; h *= 16777619u; }
    if (counters[h & 511] > 1000)
        return 1;
    counters[h & 511]++;
    return 0;
}
`;

const options: WorkerAnalysisOptions = {
  includeDirs: [], defines: {}, metrics: ['instructions', 'memory_accesses'], adversarialFactor: 5, solverTimeoutMs: 10_000,
  solverResourceLimit: 10_000_000, contractFiles: [], execution: { ...DEFAULT_EXECUTION_OPTIONS, timeLimitMs: 60_000 },
};

test('a job cancelled inside a long z3 check finishes on the same worker', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-cancel-'));
  const file = path.join(folder, 'hash.c');
  fs.writeFileSync(file, SOURCE);
  const logs: string[] = [];
  // A grace period far shorter than the check: only the probe keeps the worker. Once the check
  // ends, the job has as long as the server gives it (3 s) to wind up, whatever the load.
  const host = new AnalysisHost({ cancelGraceMs: 50, afterCheckGraceMs: 3000, log: (m) => logs.push(m) });
  try {
    let settle!: (outcome: string) => void;
    const ended = new Promise<string>((resolve) => { settle = resolve; });
    const id = host.start({ files: [file], overlay: {}, entries: ['over'], options, held: {} }, {
      onMessage: (message: WorkerToMain) => {
        if (message.type === 'done') settle(message.cancelled ? 'cancelled' : 'finished');
        if (message.type === 'failed') settle(`failed: ${message.message}`);
      },
      onLost: (reason) => settle(`lost: ${reason}`),
    });
    // Cancel once the worker has been inside one check for a while.
    const deadline = Date.now() + 120_000;
    // 200 ms into one check: a hard one, which goes on past the 50 ms grace period (without the
    // probe the worker is then restarted: this test fails).
    while ((host.z3CheckRunningMs ?? 0) < 200) {
      assert.ok(Date.now() < deadline, 'the worker never spent 200 ms in one z3 check');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    host.cancel(id);
    const outcome = await ended;
    assert.equal(outcome, 'cancelled', logs.join('\n'));
    assert.equal(host.restarts, 0, logs.join('\n'));
  } finally {
    await host.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
