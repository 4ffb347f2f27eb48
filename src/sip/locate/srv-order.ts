export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * RFC 2782 target selection: lowest priority first; within one priority, a weighted random
 * order (a record's chance of going next is its weight over the weights left, zero-weight
 * records keep a small chance by sorting first, as the RFC says). A target of "." means the
 * service is decidedly not available and is dropped.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const record of records) {
    if (record.name === '.' || record.name === '') continue;
    byPriority.set(record.priority, [...(byPriority.get(record.priority) ?? []), record]);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const left = [...byPriority.get(priority)!].sort((a, b) => a.weight - b.weight);
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      const pick = Math.floor(random() * (total + 1));
      let running = 0;
      let index = left.findIndex((r) => (running += r.weight) >= pick);
      if (index < 0) index = left.length - 1;
      ordered.push(left.splice(index, 1)[0]!);
    }
  }
  return ordered;
}
