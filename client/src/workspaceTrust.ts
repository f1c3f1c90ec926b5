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
