// Builds a translation unit from C files: runs the preprocessor, parses its output with tree-sitter, and collects declarations.
//
// Each main file is preprocessed at the token level (`preprocessor.ts`) into one text, which
// tree-sitter parses once. Inactive `#if` branches never reach the parser, macros are expanded
// before parsing, and the source map of the expansion takes every node back to the file, line and
// column where the user wrote it (`sourceRange`) and to the text the user wrote (`sourceText`).
//
// This module is the entry: the unit's main-file pipeline, snippets and disposal. The layers the unit
// builds on are in ./translationUnit/: state, positions, types and constants, declarations; the
// main-file caches, the attribute blanking, the literals and the public data types have their own.
import type { Node } from 'web-tree-sitter';
import { collectSyntaxErrors, loadCParser } from './cParser';
import { expandText, macroBodyText } from './preprocessor';
import { blankUnusedHeaderBodies } from './unusedBodies';
import { rewriteTypeofExpressions } from './typeofExpressions';
import type { ReasonKind } from '../reasons';
import { blankDeclaratorAttributes } from './translationUnit/declaratorAttributes';
import { DeclarationCollector } from './translationUnit/declarations';
import { parseMainFile, preprocessMainFile } from './translationUnit/mainFile';
import type { FileSystem, FrontEndOptions } from './translationUnit/model';

export type {
  Diagnostic, FileSystem, FrontEndOptions, FunctionDeclaration, GlobalDeclaration, MacroDefinition, ParsedFile, SourcePlace,
} from './translationUnit/model';
export { clearPreambleCache, preambleCacheStatistics } from './translationUnit/mainFile';
export { precedingAnnotations } from './translationUnit/declarations';
export { decodeStringLiteral, parseCharLiteral, parseIntegerLiteral } from './translationUnit/literals';

/** Everything the lowering needs to know about the program. */
export class TranslationUnit extends DeclarationCollector {
  /** Reads a main file, preprocesses it with everything it includes, and parses the result. */
  addMainFile(filePath: string, text?: string): void {
    const content = text ?? this.fileSystem.readFile(filePath);
    if (content === undefined) {
      this.diagnostics.push(this.fileDiagnostic('missing-include', `cannot read '${filePath}'`, filePath));
      return;
    }
    if (this.files.has(filePath)) return;
    const result = preprocessMainFile(filePath, content, this.options, this.fileSystem);
    result.text = blankDeclaratorAttributes(result.text, result.map);
    if (!this.options.keepUnusedHeaderBodies) {
      const pruned = blankUnusedHeaderBodies(result.text, result.map, new Set([result.map.files.indexOf(filePath)]), this.options.keepBodiesOf);
      result.text = pruned.text;
      for (const name of pruned.blanked) this.blankedBodies.add(name);
    }
    result.text = rewriteTypeofExpressions(result.text, result.map, this.typeofArguments);
    result.map.output = result.text;
    const tree = parseMainFile(this.parser, filePath, result.text, this.options.incremental !== false);
    if (!tree) return;
    this.ownedTrees.push(tree);
    this.sourceMaps.set(tree, result.map);
    this.files.set(filePath, { path: filePath, text: result.text, tree });
    for (const included of result.includedFiles) {
      if (included === filePath) continue;
      this.includedFiles.add(included);
      if (!this.files.has(included)) {
        const index = result.map.files.indexOf(included);
        this.files.set(included, { path: included, text: index >= 0 ? result.map.fileTexts[index]! : '', tree });
      }
    }
    for (const [name, macro] of result.macros) {
      this.finalMacros.set(name, macro);
      if (!macro.builtin) this.macros.set(name, { name, params: macro.params, variadic: macro.variadic, body: macroBodyText(macro), file: macro.file });
    }
    for (const d of result.diagnostics) {
      const reason: ReasonKind = d.kind === 'missing-include' ? 'missing-include' : d.kind === 'error-directive' ? 'unsupported' : 'syntax-error';
      this.diagnostics.push(this.placeDiagnostic(reason, d.message, result.map, d.file, d.offset, d.end));
    }
    const items = tree.rootNode.namedChildren;
    const functionRanges = items.filter((c): c is Node => c?.type === 'function_definition').map((c) => [c.startIndex, c.endIndex] as const);
    for (const error of collectSyntaxErrors(tree.rootNode)) {
      if (insideRanges(functionRanges, error.startByte)) continue; // reported with the function
      const place = this.placeOfRange(tree, error.startByte, error.endByte);
      this.diagnostics.push({ reason: 'syntax-error', message: error.message, ...place });
    }
    this.processItems(items);
  }

  /** Deletes every tree this unit created (web-tree-sitter trees live in WebAssembly memory). */
  dispose(): void {
    for (const tree of this.ownedTrees) tree.delete();
    this.ownedTrees.length = 0;
    this.snippetCache.clear();
    this.sourceMaps.clear();
  }

  /** Parses `text` as a C expression; the node lives in a private snippet tree. */
  parseExpressionSnippet(text: string, expand = true): Node | undefined {
    const key = (expand ? 'e:' : 'r:') + text;
    if (this.snippetCache.has(key)) return this.snippetCache.get(key);
    // Annotations are comments, so their macros are expanded here, with the unit's final macros;
    // text taken from the expanded output (a typeof argument) is parsed as it is.
    const tree = this.parser.parse(`void __snippet(void) { (${expand ? expandText(text, this.finalMacros) : text}); }`);
    if (tree) this.ownedTrees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      const statement = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0];
      const parenthesized = statement?.namedChildren[0];
      result = parenthesized?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set(key, result);
    return result;
  }

  /** Parses `text` as a C statement (for macros such as `do { ... } while (0)`). */
  parseStatementSnippet(text: string): Node | undefined {
    if (this.snippetCache.has('s:' + text)) return this.snippetCache.get('s:' + text);
    const tree = this.parser.parse(`void __snippet(void) { ${expandText(text, this.finalMacros)}; }`);
    if (tree) this.ownedTrees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      result = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set('s:' + text, result);
    return result;
  }
}

/** Builds a translation unit for the given main files. */
export async function buildTranslationUnit(
  mainFiles: { path: string; text?: string }[], options: FrontEndOptions, fileSystem: FileSystem,
): Promise<TranslationUnit> {
  const parser = await loadCParser();
  const unit = new TranslationUnit(parser, options, fileSystem);
  for (const file of mainFiles) unit.addMainFile(file.path, file.text);
  return unit;
}

/** Whether `offset` is inside one of the sorted, disjoint ranges. */
function insideRanges(ranges: readonly (readonly [number, number])[], offset: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (offset < start) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return true;
  }
  return false;
}
