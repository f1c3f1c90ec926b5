// Parses callgrind output written with --combine-dumps=yes: one part per CALLGRIND_DUMP_STATS_AT, with its label and event totals.
import { MeasureError } from './measureError';

export interface CallgrindPart {
  /** The label given to CALLGRIND_DUMP_STATS_AT (the "Client Request" trigger). */
  label: string;
  /** Event name -> total over the part (events the part does not list are 0). */
  totals: Record<string, number>;
}

/** Splits a combined callgrind output into its parts, in dump order. */
export function parseCallgrindParts(text: string): CallgrindPart[] {
  const parts: CallgrindPart[] = [];
  let events: string[] = [];
  let label: string | undefined;
  let totals: number[] | undefined;
  let inPart = false;
  const finish = () => {
    if (!inPart) return;
    if (label === undefined) throw new MeasureError('bad-callgrind-output', `part ${parts.length + 1} has no client-request trigger`);
    if (totals === undefined) throw new MeasureError('bad-callgrind-output', `part ${parts.length + 1} ('${label}') has no totals or summary line`);
    const record: Record<string, number> = {};
    events.forEach((event, i) => { record[event] = totals![i] ?? 0; });
    parts.push({ label, totals: record });
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('part:')) {
      finish();
      inPart = true;
      label = undefined;
      totals = undefined;
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
