/**
 * Runs suite cases at most `parallel` at a time, never two at once that share a bot: a bot
 * plays one scripted user, and two cases driving it together would see each other's calls
 * (busy answers, behaviour overrides). A case whose bots are busy waits; the others, in file
 * order, go first. `stop()` returning true (interrupted, `--bail` after a failure) starts no more.
 */
export async function runPool<T, R>(
  items: readonly T[],
  options: { parallel: number; botsOf: (item: T) => readonly string[]; stop: () => boolean },
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: Array<R | undefined> = new Array(items.length);
  const waiting = items.map((item, index) => ({ item, index }));
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  while (waiting.length > 0 && !options.stop()) {
    const next = running.size < options.parallel ? waiting.findIndex(({ item }) => options.botsOf(item).every((bot) => !busy.has(bot))) : -1;
    if (next === -1) {
      await Promise.race(running);
      continue;
    }
    const [{ item, index }] = waiting.splice(next, 1) as [{ item: T; index: number }];
    const bots = options.botsOf(item);
    for (const bot of bots) busy.add(bot);
    const task: Promise<void> = run(item).then((result) => {
      results[index] = result;
      for (const bot of bots) busy.delete(bot);
      running.delete(task);
    });
    running.add(task);
  }
  await Promise.all(running);
  return results.filter((r): r is R => r !== undefined);
}
