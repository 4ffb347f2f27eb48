import { parseDuration, parsePercent } from '../config/duration.js';

/** What the relay does to the datagrams of one direction. Fractions are 0..1, times in ms. */
export interface DirectionFaults {
  /** Chance a datagram is dropped. */
  loss: number;
  /** Chance a forwarded datagram is sent twice. */
  duplicate: number;
  /** Base one-way delay. */
  delayMs: number;
  /** Uniform jitter added to the delay: delay ± jitter, never below 0. */
  jitterMs: number;
  /** Chance a datagram is held back `reorderHoldMs` so later ones overtake it. */
  reorder: number;
  reorderHoldMs: number;
}

export const NO_FAULTS: DirectionFaults = { loss: 0, duplicate: 0, delayMs: 0, jitterMs: 0, reorder: 0, reorderHoldMs: 30 };

/** A fault option the relay cannot use; `option` names the flag or field. */
export class FaultSpecError extends Error {
  constructor(
    readonly option: string,
    readonly value: string,
    hint: string,
  ) {
    super(`${option}: ${JSON.stringify(value)} ${hint}`);
    this.name = 'FaultSpecError';
  }
}

/** `10%` or `10%/20%` (towards the target / towards the clients). */
export function parsePercentPair(option: string, value: string): [number, number] {
  return pair(option, value, (part) => {
    const fraction = parsePercent(part);
    if (fraction === undefined) throw new FaultSpecError(option, value, 'is not a percentage (write e.g. 10% or 10%/20% for target/client directions)');
    return fraction;
  });
}

/** `20ms±10ms`, `20ms+-10ms`, `20ms` or a pair `20ms±5ms/0ms`: [delayMs, jitterMs] per direction. */
export function parseDelayPair(option: string, value: string): [[number, number], [number, number]] {
  return pair(option, value, (part) => {
    const [base, jitter = '0ms', ...rest] = part.split(/±|\+-/);
    const delayMs = parseDuration(base!.trim());
    const jitterMs = parseDuration(jitter.trim());
    if (rest.length > 0 || delayMs === undefined || jitterMs === undefined) {
      throw new FaultSpecError(option, value, 'is not a delay (write e.g. 20ms, 20ms±10ms or 20ms+-10ms)');
    }
    return [delayMs, jitterMs];
  });
}

function pair<T>(option: string, value: string, parse: (part: string) => T): [T, T] {
  const parts = value.split('/');
  if (parts.length > 2) throw new FaultSpecError(option, value, 'has more than two directions (write A or A/B)');
  const first = parse(parts[0]!);
  return [first, parts.length === 2 ? parse(parts[1]!) : first];
}

/** Every problem with a fault profile at once (loss of 100 % would make a black hole, etc.). */
export function checkFaults(direction: string, faults: DirectionFaults): string[] {
  const problems: string[] = [];
  const fraction = (name: keyof DirectionFaults, max: number) => {
    const v = faults[name];
    if (!(Number.isFinite(v) && v >= 0 && v <= max)) problems.push(`${direction} ${name} must be between 0 and ${max}, got ${v}`);
  };
  fraction('loss', 1);
  fraction('duplicate', 1);
  fraction('reorder', 1);
  for (const name of ['delayMs', 'jitterMs', 'reorderHoldMs'] as const) {
    const v = faults[name];
    if (!(Number.isFinite(v) && v >= 0 && v <= 60_000)) problems.push(`${direction} ${name} must be 0..60000 ms, got ${v}`);
  }
  return problems;
}
