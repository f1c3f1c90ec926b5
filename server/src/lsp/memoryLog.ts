// Memory samples for the benchmark and for investigations: with PERFCONTRACT_MEMORY_LOG=FILE in the
// server's environment, the main thread and the analysis worker each append one JSON line per second
// (and one per finished job in the worker) with their V8 heap figures and the process's RSS.
import * as fs from 'fs';
import * as v8 from 'v8';

const MB = 1024 * 1024;

export interface MemorySample {
  t: number;
  thread: 'main' | 'worker';
  what: string;
  /** Process-wide: resident set now and at its peak (VmHWM). */
  rss: number;
  peakRss: number;
  /** Process-wide, main thread only (0 in the worker's samples), read every 10 s: resident part of the mappings of 1 GiB or more, which are WebAssembly memories (z3's above all). */
  wasm: number;
  /** This thread's V8 heap: used, reserved, in large-object space, outside the heap (ArrayBuffers, Buffers). */
  heapUsed: number;
  heapTotal: number;
  largeObjects: number;
  external: number;
  [extra: string]: unknown;
}

/** Starts sampling when PERFCONTRACT_MEMORY_LOG is set; `extra` adds thread-specific figures. */
export function startMemoryLog(thread: MemorySample['thread'], extra: () => Record<string, unknown> = () => ({})): ((what: string) => void) | undefined {
  const file = process.env.PERFCONTRACT_MEMORY_LOG;
  if (!file) return undefined;
  const started = Date.now();
  let samples = 0;
  let wasm = 0;
  const sample = (what: string) => {
    try {
      const heap = v8.getHeapStatistics();
      const large = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'large_object_space')?.space_used_size ?? 0;
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
      const line: MemorySample = {
        t: Date.now() - started, thread, what, rss: Math.round(kb('VmRSS')), peakRss: Math.round(kb('VmHWM')),
        heapUsed: Math.round(heap.used_heap_size / MB), heapTotal: Math.round(heap.total_heap_size / MB), largeObjects: Math.round(large / MB),
        external: Math.round(process.memoryUsage().external / MB), wasm: residentWasmMb(), ...extra(),
      };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // A log that cannot be written must not disturb the server.
    }
  };
  /**
   * Reading /proc/self/smaps walks the page tables of every mapping, WASM reservations included:
   * about 85 ms per read on the loaded 2-core machine, once a second on both threads, which held up
   * hovers by up to seconds during `npm run fuzz:lsp`. It is process-wide, so only the main thread
   * reads it, every WASM_SAMPLE_EVERY samples; the worker reports its modules' memory instead
   * (wasmMemory.ts).
   */
  const residentWasmMb = () => {
    if (thread === 'main' && samples++ % WASM_SAMPLE_EVERY === 0) wasm = Math.round(wasmResidentKb() / 1024);
    return wasm;
  };
  setInterval(() => sample('tick'), 1000).unref();
  return sample;
}

/** One smaps read per this many samples (seconds) on the main thread; other samples repeat the last figure. */
const WASM_SAMPLE_EVERY = 10;

/** Resident kilobytes of anonymous mappings of 1 GiB or more: V8 reserves that much for each WebAssembly memory. */
function wasmResidentKb(): number {
  let total = 0;
  let large = false;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(\S*)$/.exec(line);
    if (range) large = range[3] === '' && parseInt(range[2]!, 16) - parseInt(range[1]!, 16) >= 2 ** 30;
    else if (large && line.startsWith('Rss:')) total += Number(line.split(/\s+/)[1]);
  }
  return total;
}
