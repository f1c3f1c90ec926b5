// Finds the places in a contract's Markdown that name source lines: `path/to/file.c:42` and
// `line 42` (a line of the contract's own source file). Pure, so the node tests check it.
import * as path from 'path';

export interface SourceLink {
  start: number;
  end: number;
  file: string;
  line: number;
}

export interface SourceLinkContext {
  /** The analysed file, for bare `line N` mentions. */
  sourcePath?: string;
  /** Where relative file names are resolved. */
  baseDirectory?: string;
}

const FILE_LINE = /((?:[A-Za-z]:)?[\w.\/\\-]*\.(?:c|h|pcontract\.json)):(\d+)/g;
const BARE_LINE = /\bline (\d+)\b/g;

export function findSourceLinks(text: string, context: SourceLinkContext): SourceLink[] {
  const links: SourceLink[] = [];
  for (const match of text.matchAll(FILE_LINE)) {
    const name = match[1]!;
    const file = path.isAbsolute(name) ? name : context.baseDirectory ? path.join(context.baseDirectory, name) : undefined;
    if (!file) continue;
    links.push({ start: match.index!, end: match.index! + match[0].length, file, line: Number(match[2]) });
  }
  if (context.sourcePath) {
    for (const match of text.matchAll(BARE_LINE)) {
      const start = match.index!;
      if (links.some((l) => start >= l.start && start < l.end)) continue;
      links.push({ start, end: start + match[0].length, file: context.sourcePath, line: Number(match[1]) });
    }
  }
  return links.sort((a, b) => a.start - b.start);
}
