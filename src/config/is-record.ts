/** A YAML mapping after parsing: what the defensive cross-field checks walk. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
