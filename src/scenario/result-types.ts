import type { TransportProtocol } from '../sip/transport/types.js';
import type { CaptureSource, ScenarioTranslations } from '../config/scenario-types.js';
import type { CallEnding } from './call-ending.js';

/**
 * What a run produced, as written to `summary.json` and read by the report, JUnit and ladder
 * writers. Flows are lists of compact tokens as seen at one party: `INVITE>` (sent),
 * `<180` (received), `<200/CANCEL` (status qualified by CSeq method where it helps).
 */
export interface LegResult {
  /** Bot name at this leg (`alice`). */
  party: string;
  callId?: string;
  expected: string[];
  /** Observed tokens, retransmissions removed. */
  observed: string[];
}

/** What one leg's bot sent and heard on the compared call (from its final media statistics). */
export interface MediaLegResult {
  party: string;
  callId: string;
  codec: string;
  sentPackets: number;
  receivedPackets: number;
  lost: number;
  jitterMs: number;
  /** Dominant frequency heard, Hz. */
  detectedHz?: number;
  /** RFC 4733 digits received, in order. */
  dtmf?: string;
}

/** A rule a peer broke and we bent (liberal in what we accept), seen at `party`. */
export interface Finding {
  party: string;
  callId?: string;
  message: string;
}

/** The verdict on one expected incoming call (`expect.calls.<name>`), as seen at the receiving role. */
export interface ExpectedCallResult {
  name: string;
  role: string;
  /** The receiving bot. */
  party: string;
  arrived: boolean;
  callId?: string;
  /** The caller's From URI. */
  from?: string;
  /** After the case started. */
  arrivedAfterMs?: number;
  /** The final status the receiving role sent (or 487 when the caller cancelled). */
  finalStatus?: number;
  outcome?: CaseOutcome;
  expected?: string[];
  observed?: string[];
  detectedHz?: number;
  dtmf?: string;
  passed?: boolean;
  difference?: string;
}

export type CaseOutcome = 'answered' | 'rejected' | 'cancelled' | 'timeout' | 'failed';

export interface CaseResult {
  id: string;
  title: string;
  description?: string;
  /** Title and description in other languages, from the scenario file. */
  translations?: ScenarioTranslations;
  passed: boolean;
  durationMs: number;
  /** Observed flows by role (`caller`, `callee`), the shape scripts rely on. */
  legs: Record<string, string[]>;
  /** Expected and observed side by side, by role. */
  flows: Record<string, LegResult>;
  /** First difference, in plain words; absent when passed. */
  difference?: string;
  /** Final status the caller saw for the compared call. */
  finalStatus?: number;
  outcome?: CaseOutcome;
  /** How the compared call ended, read off its legs (call-ending.ts). */
  ending?: CallEnding;
  /** Whose action ended it: `caller`, `callee` or `proxy` (the party of `ending`). */
  endedBy?: string;
  /** Media figures by role (`caller`, `callee`) for the compared call, when media ran. */
  media?: Record<string, MediaLegResult>;
  /** The expected incoming calls (`expect.calls`) by name, each with its own verdict. */
  calls?: Record<string, ExpectedCallResult>;
  /** What a peer did against the rules that we accepted anyway (a 180 without Contact, …). */
  findings?: Finding[];
  /** Call-IDs of every call the case made, to select its messages from the event log. */
  callIds: string[];
  /** The capture the scenario was made from (`source:`): the report shows its ladder too. */
  source?: CaptureSource;
  startedAt: number;
  endedAt: number;
  error?: string;
}

export interface RunSummary {
  passed: boolean;
  interrupted: boolean;
  startedAt: string;
  durationMs: number;
  server: string;
  /** How an external server was located (RFC 3263) and the target the bots ended on. */
  serverTarget?: string;
  /** `server` is an outbound proxy: every request outside a dialog carried `Route: <server;lr>` (RFC 3261 §8.1.2). */
  outboundProxy?: string;
  transport: TransportProtocol;
  /** `embedded` when sipbots ran its own lab proxy. */
  serverKind: 'embedded' | 'external';
  cases: CaseResult[];
  /** Ids of the cases never started because `--bail` stopped the suite after a failure. */
  skipped?: string[];
  /** Lab cases left out because only the embedded proxy plays them (an external server was given). */
  excluded?: { id: string; reason: string }[];
}
