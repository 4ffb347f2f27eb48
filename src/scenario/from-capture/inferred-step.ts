/** A step of a scenario read off a capture, before it is written as YAML. */
export type InferredStep =
  | { kind: 'call'; name: string; from: string; to: string; cancelAfterMs?: number; hangupAfterMs?: number; rel100?: 'supported' | 'required'; waitFor?: 'ringing' | 'confirmed' }
  | { kind: 'wait'; ms: number }
  | { kind: 'hangup'; role: string }
  | { kind: 'hold'; role: string; hold: boolean }
  | { kind: 'dtmf'; role: string; digits: string }
  | { kind: 'info'; role: string; digits: string };
