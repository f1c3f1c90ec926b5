// What the server may do in an untrusted workspace: analysis reads code, x86 metrics compile and run it.

/**
 * The perfcontract settings section with x86 metrics switched off: what the server gets in an
 * untrusted workspace, whatever the user settings say (restricted configurations only drop
 * workspace-level values).
 */
export function withoutX86(section: unknown): unknown {
  if (typeof section !== 'object' || section === null) return section;
  const value = section as { x86?: Record<string, unknown> };
  return { ...value, x86: { ...(value.x86 ?? {}), enabled: false } };
}

/**
 * The section with a git-revision baseline switched off: in an untrusted workspace the server runs
 * no git command (a repository's own configuration can make git run programs, such as
 * `core.fsmonitor`). A saved contract file (`*.json`) stays: reading it runs nothing.
 */
export function withoutRevisionBaseline(section: unknown): unknown {
  if (typeof section !== 'object' || section === null) return section;
  const value = section as { baseline?: unknown };
  const baseline = typeof value.baseline === 'string' ? value.baseline.trim() : 'HEAD';
  return baseline.endsWith('.json') ? value : { ...value, baseline: '' };
}
