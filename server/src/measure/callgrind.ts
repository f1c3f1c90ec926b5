// Parses callgrind output written with --combine-dumps=yes: one part per CALLGRIND_DUMP_STATS_AT, with
// its label, its event totals and the calls it made into shared libraries (the C library's memcmp,
// memcpy, memset...).
import { MeasureError } from './measureError';

/** Calls from the program into one shared-library function during a part. */
export interface LibraryCalls {
  /** The library's file (e.g. /usr/lib/x86_64-linux-gnu/libc.so.6). */
  object: string;
  calls: number;
  /** Event name -> inclusive cost of those calls. */
  inclusive: Record<string, number>;
}

export interface CallgrindPart {
  /** The label given to CALLGRIND_DUMP_STATS_AT (the "Client Request" trigger). */
  label: string;
  /** Event name -> total over the part (events the part does not list are 0). */
  totals: Record<string, number>;
  /**
   * Function name (as the library resolved it: `__memcmp_avx2_movbe`) -> the calls made to it from
   * outside shared libraries. Absent when the part made none.
   */
  libraryCalls?: Record<string, LibraryCalls>;
}

/** A shared object's file name: `libc.so.6`, `libm-2.36.so`. */
const SHARED_OBJECT = /\.so(\.[0-9.]+)?$|-[0-9.]+\.so$/;

/** `(12) name` or `(12)`: callgrind's name compression, resolved through `names`. */
function compressedName(value: string, names: Map<string, string>): string {
  const match = /^\((\d+)\)(?:\s+(.*))?$/.exec(value.trim());
  if (!match) return value.trim();
  if (match[2] !== undefined) names.set(match[1]!, match[2]);
  return names.get(match[1]!) ?? `(${match[1]})`;
}

/** Splits a combined callgrind output into its parts, in dump order. */
export function parseCallgrindParts(text: string): CallgrindPart[] {
  const parts: CallgrindPart[] = [];
  let events: string[] = [];
  let label: string | undefined;
  let totals: number[] | undefined;
  let inPart = false;
  // Name compression spans the whole file; the current object, and the callee object of the next calls= line.
  const objects = new Map<string, string>();
  const functions = new Map<string, string>();
  let object = '';
  let caller = '';
  let calleeObject: string | undefined;
  let calleeFunction: string | undefined;
  let pendingCall: { name: string; object: string; count: number } | undefined;
  let libraryCalls: Record<string, LibraryCalls> | undefined;
  const finish = () => {
    if (!inPart) return;
    if (label === undefined) throw new MeasureError('bad-callgrind-output', `part ${parts.length + 1} has no client-request trigger`);
    if (totals === undefined) throw new MeasureError('bad-callgrind-output', `part ${parts.length + 1} ('${label}') has no totals or summary line`);
    const record: Record<string, number> = {};
    events.forEach((event, i) => { record[event] = totals![i] ?? 0; });
    parts.push({ label, totals: record, ...(libraryCalls ? { libraryCalls } : {}) });
  };
  for (const line of text.split('\n')) {
    if (pendingCall) {
      // The line after calls= holds the call's position and its inclusive cost.
      const call = pendingCall;
      pendingCall = undefined;
      const costs = line.trim().split(/\s+/).slice(1).map(Number);
      if (costs.some((n) => !Number.isFinite(n))) throw new MeasureError('bad-callgrind-output', `unreadable call cost: '${line.slice(0, 80)}'`);
      libraryCalls ??= {};
      const entry = libraryCalls[call.name] ??= { object: call.object, calls: 0, inclusive: Object.fromEntries(events.map((e) => [e, 0])) };
      entry.calls += call.count;
      events.forEach((event, i) => { entry.inclusive[event] = (entry.inclusive[event] ?? 0) + (costs[i] ?? 0); });
      continue;
    }
    if (line.startsWith('ob=')) {
      object = compressedName(line.slice(3), objects);
      calleeObject = undefined;
    } else if (line.startsWith('fn=')) {
      caller = compressedName(line.slice(3), functions);
      calleeObject = undefined;
    } else if (line.startsWith('cob=')) {
      calleeObject = compressedName(line.slice(4), objects);
    } else if (line.startsWith('cfn=')) {
      calleeFunction = compressedName(line.slice(4), functions);
    } else if (line.startsWith('calls=')) {
      const target = calleeObject ?? object;
      // The program's startup code calls the C library's start routine, which calls main: that call's
      // cost is the program's own.
      const startup = caller === '(below main)' || caller === '_start';
      if (calleeFunction !== undefined && !startup && SHARED_OBJECT.test(target) && !SHARED_OBJECT.test(object)) {
        pendingCall = { name: calleeFunction, object: target, count: Number(line.slice(6).trim().split(/\s+/)[0]) };
      }
      calleeObject = undefined;
    } else if (line.startsWith('part:')) {
      finish();
      inPart = true;
      label = undefined;
      totals = undefined;
      libraryCalls = undefined;
    } else if (line.startsWith('events:')) {
      events = line.slice('events:'.length).trim().split(/\s+/);
    } else if (line.startsWith('desc: Trigger:')) {
      const match = /Client Request: (.*)$/.exec(line);
      label = match ? match[1]!.trim() : line.slice('desc: Trigger:'.length).trim();
    } else if (line.startsWith('totals:') || (line.startsWith('summary:') && totals === undefined)) {
      totals = line.replace(/^(totals|summary):/, '').trim().split(/\s+/).filter((x) => x.length > 0).map(Number);
      if (totals.some((n) => !Number.isFinite(n))) throw new MeasureError('bad-callgrind-output', `unreadable totals: '${line.slice(0, 80)}'`);
    }
  }
  finish();
  if (parts.length === 0) throw new MeasureError('bad-callgrind-output', 'no parts (was callgrind run with --combine-dumps=yes and client requests?)');
  return parts;
}
