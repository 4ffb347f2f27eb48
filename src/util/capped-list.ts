/** How many problems of one kind a message lists before it only counts the rest. */
export const LISTED_PROBLEMS = 20;

/**
 * The first `limit` lines, then "… and N more": a 50 MB file of bad lines must not print half a
 * million errors (69 MB on stderr); the first twenty show what is wrong.
 */
export function capLines(lines: readonly string[], limit = LISTED_PROBLEMS): string[] {
  if (lines.length <= limit) return [...lines];
  return [...lines.slice(0, limit), `... and ${lines.length - limit} more`];
}
