// The state of a translation unit, which its layers build on: positions, then types and constants,
// then declarations, then the unit itself (../translationUnit.ts).
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { CType, RecordType } from '../cTypes';
import type { Macro, SourceMap } from '../preprocessor';
import type { Diagnostic, FileSystem, FrontEndOptions, FunctionDeclaration, GlobalDeclaration, MacroDefinition, ParsedFile } from './model';

export class UnitState {
  readonly files = new Map<string, ParsedFile>();
  readonly macros = new Map<string, MacroDefinition>();
  readonly typedefs = new Map<string, CType>();
  readonly records = new Map<string, RecordType>();
  readonly enumConstants = new Map<string, bigint>();
  readonly globals = new Map<string, GlobalDeclaration>();
  readonly functions = new Map<string, FunctionDeclaration>();
  readonly diagnostics: Diagnostic[] = [];
  /** Files the main files included, resolved, for dependency tracking. */
  readonly includedFiles = new Set<string>();
  /** Header functions whose bodies were not parsed because no main file reaches them. */
  readonly blankedBodies = new Set<string>();
  /** The argument text of each `typeof` of an expression, by its placeholder type name (`typeofExpressions.ts`). */
  readonly typeofArguments = new Map<string, string>();
  /**
   * The type of an expression's text in the scope being lowered, set by the lowering of a function
   * while it runs: `typeof` of an expression is resolved with it.
   */
  expressionTyper: ((text: string) => CType) | undefined;
  protected anonymousCounter = 0;
  protected snippetCache = new Map<string, Node | undefined>();
  /** Every tree this unit created (main files and snippets): `dispose` deletes them. */
  protected readonly ownedTrees: Tree[] = [];
  protected readonly sourceMaps = new Map<Tree, SourceMap>();
  protected finalMacros = new Map<string, Macro>();

  constructor(readonly parser: Parser, readonly options: FrontEndOptions, protected readonly fileSystem: FileSystem) {}
}
