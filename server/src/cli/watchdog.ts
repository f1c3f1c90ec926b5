import { Worker } from 'node:worker_threads';

/**
 * Ends the CLI process when its main thread stops answering: a call into z3's WASM build has been
 * seen to spin forever on a lock held by one of z3's threads. Nothing on the main thread can run
 * then (no timer, no promise), so a small worker thread watches a heartbeat the main thread's
 * event loop bumps; when the heartbeat stalls for `stallMs`, the worker writes the reason (code
 * PC305) to stderr and kills the process (SIGKILL: a worker cannot choose the process's exit code),
 * so that a script or CI job sees a clear failure instead of a hang.
 */
export interface Watchdog {
  stop(): void;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const beats = new Int32Array(workerData.heartbeat);
let last = Atomics.load(beats, 0);
let lastChange = Date.now();
setInterval(() => {
  const now = Date.now();
  const current = Atomics.load(beats, 0);
  if (current !== last) { last = current; lastChange = now; return; }
  if (now - lastChange >= workerData.stallMs) {
    fs.writeSync(2, 'perfcontract: PC305 the analysis stopped responding for ' + Math.round((now - lastChange) / 1000) +
      ' s (a call into z3 did not return); the process was ended. Run again; if it recurs, lower --time-limit or --max-paths.\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, Math.min(1000, workerData.stallMs / 4));
`;

export function startWatchdog(stallMs: number): Watchdog {
  const heartbeat = new SharedArrayBuffer(4);
  const beats = new Int32Array(heartbeat);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { heartbeat, stallMs } });
  worker.unref();
  const interval = setInterval(() => Atomics.add(beats, 0, 1), Math.min(500, stallMs / 8));
  interval.unref();
  return {
    stop() {
      clearInterval(interval);
      void worker.terminate();
    },
  };
}
