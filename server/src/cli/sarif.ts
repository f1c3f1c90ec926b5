// toSarif: `perfcontract check` findings as a SARIF 2.1.0 log, the format code-scanning services read to annotate a pull request.
import * as path from 'path';

export interface SarifRule { id: string; name: string; summary: string; help: string; level: 'error' | 'warning' | 'note' }

export interface SarifFinding {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: string;
  /** Absolute path of the source file. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** Identifies the finding across runs (function and what it is about), so that a service can tell new findings from old. */
  fingerprint: string;
}

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * The SARIF log of one run. Locations are relative to `root` (the checkout) under the base id
 * `%SRCROOT%`, as code scanning expects; a file outside `root` keeps its absolute URI.
 */
export function toSarif(findings: readonly SarifFinding[], rules: readonly SarifRule[], options: { root: string; version: string }): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'perfcontract',
          version: options.version,
          rules: rules.map((r) => ({
            id: r.id,
            name: r.name,
            shortDescription: { text: r.summary },
            fullDescription: { text: r.help },
            help: { text: r.help },
            defaultConfiguration: { level: r.level },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToUri(options.root.endsWith(path.sep) ? options.root : options.root + path.sep) } },
      results: findings.map((f) => {
        const relative = path.relative(options.root, f.file);
        const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
        return {
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId),
          level: f.level,
          message: { text: f.message },
          locations: [{
            physicalLocation: {
              artifactLocation: inside ? { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' } : { uri: pathToUri(f.file) },
              region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
            },
          }],
          partialFingerprints: { 'perfcontract/v1': f.fingerprint },
        };
      }),
    }],
  };
}

function pathToUri(file: string): string {
  return 'file://' + file.split(path.sep).map(encodeURIComponent).join('/');
}
