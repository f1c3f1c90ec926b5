// Which C files of the workspace define which functions, so an open file's analysis unit can include the library code it calls.
import * as fs from 'fs';
import * as path from 'path';
import type { Parser } from 'web-tree-sitter';
import { Outline, outlineOfText } from './sourceOutline';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'out', 'dist', '.perfcontract-cache', '.vscode-test']);
const MAX_FILES = 2000;

interface IndexedFile { mtimeMs: number; outline: Outline }

export class WorkspaceIndex {
  private readonly files = new Map<string, IndexedFile>();
  private listed: string[] | undefined;

  constructor(private readonly parser: Parser, private roots: string[]) {}

  setRoots(roots: string[]): void {
    this.roots = roots;
    this.listed = undefined;
  }

  /** Forgets what is known about a file (it changed on disk, was created or deleted). */
  invalidate(filePath?: string): void {
    if (filePath) this.files.delete(filePath);
    this.listed = undefined;
  }

  /**
   * The main files of the unit for `mainPath`: itself, then the workspace files that define the functions
   * it calls (transitively). A file that would define a function twice is left out.
   */
  unitFor(mainPath: string, mainOutline: Outline, openOutlines: Map<string, Outline>): string[] {
    const unit = [mainPath];
    const defined = new Set(mainOutline.functions.map((f) => f.name));
    const queue = mainOutline.functions.flatMap((f) => f.calls).filter((c) => !defined.has(c));
    const candidates = this.candidateFiles(mainPath, openOutlines);
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (defined.has(name) || seen.has(name)) continue;
      seen.add(name);
      for (const [file, outline] of candidates) {
        if (unit.includes(file) || !outline.functions.some((f) => f.name === name)) continue;
        if (outline.functions.some((f) => defined.has(f.name))) continue;
        unit.push(file);
        for (const f of outline.functions) defined.add(f.name);
        for (const f of outline.functions) for (const call of f.calls) if (!defined.has(call)) queue.push(call);
        break;
      }
    }
    return unit;
  }

  /** Workspace C files with outlines, the ones nearest to `mainPath` first. */
  private candidateFiles(mainPath: string, openOutlines: Map<string, Outline>): [string, Outline][] {
    const directory = path.dirname(mainPath);
    const files = new Set([...this.list(), ...[...openOutlines.keys()].filter((p) => p.endsWith('.c'))]);
    files.delete(mainPath);
    const distance = (file: string) => {
      const relative = path.relative(directory, path.dirname(file));
      return relative === '' ? 0 : relative.startsWith('..') ? 1000 + relative.split(path.sep).length : relative.split(path.sep).length;
    };
    return [...files].sort((a, b) => distance(a) - distance(b) || (a < b ? -1 : 1))
      .map((file) => [file, openOutlines.get(file) ?? this.outlineOf(file)] as [string, Outline | undefined])
      .filter((entry): entry is [string, Outline] => entry[1] !== undefined);
  }

  /** The outline of a workspace file: its open buffer's, else the one parsed from disk. */
  outlineFor(file: string, openOutlines: Map<string, Outline>): Outline | undefined {
    return openOutlines.get(file) ?? this.outlineOf(file);
  }

  private outlineOf(file: string): Outline | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.files.delete(file);
      return undefined;
    }
    const known = this.files.get(file);
    if (known && known.mtimeMs === stat.mtimeMs) return known.outline;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const outline = outlineOfText(this.parser, text);
    this.files.set(file, { mtimeMs: stat.mtimeMs, outline });
    return outline;
  }

  private list(): string[] {
    if (this.listed) return this.listed;
    const found: string[] = [];
    const walk = (directory: string, depth: number) => {
      if (found.length >= MAX_FILES || depth > 12) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(directory, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) {
          if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(directory, entry.name), depth + 1);
        } else if (entry.isFile() && entry.name.endsWith('.c') && found.length < MAX_FILES) {
          found.push(path.join(directory, entry.name));
        }
      }
    };
    for (const root of this.roots) walk(root, 0);
    this.listed = found;
    return found;
  }
}
