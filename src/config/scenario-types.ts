import type { CalleeBehaviour, Rel100 } from './behaviour.js';
import type { FlowPattern } from './flow-pattern.js';

/**
 * A scenario file resolved: durations in milliseconds, default names filled in, flow patterns
 * parsed. Data only; the runner compiles it into a plan.
 */
export interface Scenario {
  file: string;
  id: string;
  /** In English (or the file's only language). */
  title: string;
  description?: string;
  /** The title and description in other languages, when the file gives them. */
  translations?: ScenarioTranslations;
  /** Role name to bot name. `caller` and `callee` always exist; one bot may play several roles. */
  roles: Roles;
  /** Per-role overrides of the bot's CalleeBehaviour, merged over it by `resolveBehaviour`. */
  behaviour: Record<string, Partial<CalleeBehaviour>>;
  proxy: ProxySettings;
  /** The capture the scenario was made from, its path resolved against the scenario's folder. */
  source?: CaptureSource;
  steps: ScenarioStep[];
  expect: ScenarioExpect;
}

/** `source:` of a scenario made by `sipbots scenario from-capture`: which capture, which calls of it. */
export interface CaptureSource {
  capture: string;
  /** Call-IDs of the captured calls the scenario replays. */
  calls: string[];
}

/** `{ zh: { title, description } }`: what a `title: { en, zh }` file says besides English. */
export type ScenarioTranslations = Partial<Record<'zh', { title?: string; description?: string }>>;

export type Roles = { caller: string; callee: string } & Record<string, string>;

/** Settings for the embedded lab proxy; ignored with an external server. */
export interface ProxySettings {
  /** INVITE timer after a provisional response, like Kamailio's fr_inv_timer. Proxy default when absent. */
  inviteTimeoutMs?: number;
  /** 408 makes the proxy answer a cancelled INVITE 408 instead of relaying 487, as iptel.org did. */
  cancelledInviteStatus?: 408 | 487;
}

export type ScenarioStep = CallStep | WaitStep | HangupStep | DtmfStep | HoldStep | AwaitStep | MessageStep | OptionsStep | InfoStep | RegisterStep | TransferStep | SubscribeStep | OfferStep;

/** Extension headers a step adds to the request it sends, name to value, in order. */
export type RequestHeaders = Readonly<Record<string, string>>;

/** Call states a call step can wait for before the next step starts. */
export type CallWaitFor = 'ringing' | 'confirmed' | 'terminated';

export interface CallStep {
  kind: 'call';
  /** Unique within the scenario; `call-1`, `call-2`, ... by position among call steps when not set. */
  name: string;
  /** Role that places the call. */
  from: string;
  to: CallTarget;
  /** CANCEL if no final response by then. */
  cancelAfterMs?: number;
  /** BYE this long after the call is answered. */
  hangupAfterMs?: number;
  /** The display name of the INVITE's To (`To: "Bob" <sip:bob@lab.test>`). */
  toDisplayName?: string;
  waitFor: CallWaitFor;
  headers?: RequestHeaders;
  /** Offer reliable provisionals (RFC 3262): `Supported: 100rel`, or `Require: 100rel`. */
  rel100?: Rel100;
}

export type CallTarget = { kind: 'role'; role: string } | { kind: 'uri'; uri: string };

export interface WaitStep {
  kind: 'wait';
  ms: number;
}

/** Hang up (BYE, or CANCEL if still early) every call of a role. */
export interface HangupStep {
  kind: 'hangup';
  role: string;
}

/** Send RFC 4733 telephone-events on every connected call of a role; the step ends once they are out. */
export interface DtmfStep {
  kind: 'dtmf';
  role: string;
  /** Upper-case digits 0-9 * # A-D. */
  digits: string;
}

/**
 * Re-INVITE every connected call of a role: `hold` offers a=sendonly, so the peer answers
 * a=recvonly and only this role keeps sending (RFC 3264 §8.4); unhold offers a=sendrecv.
 * The step ends once the re-INVITE is answered and ACKed.
 */
export interface HoldStep {
  kind: 'hold';
  role: string;
  /** true: hold (`hold: caller`); false: resume (`unhold: caller`). */
  hold: boolean;
}

/** MESSAGE (RFC 3428) from a role to a role or URI; the final status must be one of `status` (any 2xx when absent). */
export interface MessageStep {
  kind: 'message';
  from: string;
  /** A role name or a SIP URI. */
  to: string;
  body: string;
  contentType: string;
  /** Any of these final statuses passes. */
  status?: number[];
  headers?: RequestHeaders;
}

/** OPTIONS (RFC 3261 §11) from a role to a role or URI; the final status must be one of `status` (any 2xx when absent). */
export interface OptionsStep {
  kind: 'options';
  from: string;
  to: string;
  /** Any of these final statuses passes. */
  status?: number[];
  headers?: RequestHeaders;
}

/** One INFO per digit (application/dtmf-relay) on every connected call of a role; each answered one of `status` (any 2xx when absent). */
export interface InfoStep {
  kind: 'info';
  role: string;
  digits: string;
  /** Any of these final statuses passes. */
  status?: number[];
  headers?: RequestHeaders;
}

/**
 * Blind transfer (RFC 3515, RFC 5589 §6) of every connected call of a role: REFER with
 * Refer-To `to`; the transferee's NOTIFY sipfrag must report one of `status` (any 2xx when
 * absent); the role then hangs up its call with BYE.
 */
export interface TransferStep {
  kind: 'transfer';
  role: string;
  /** Blind: a role name or a SIP URI. */
  to?: string;
  /** Attended (RFC 5589 §7): the call step whose far end takes the call, with Replaces naming it. */
  attended?: string;
  /** The call step to transfer; default every other connected call of the role. */
  call?: string;
  status?: number[];
  headers?: RequestHeaders;
}

/** REGISTER again (`register: true`) or with Expires 0; the final status must be one of `status` (any 2xx when absent). */
export interface RegisterStep {
  kind: 'register';
  role: string;
  register: boolean;
  /** Try this password instead of the account's (a throwaway registration; the bot's binding is untouched). */
  password?: string;
  /** Any of these final statuses passes. */
  status?: number[];
}

/** Pause until the call named `call` (an expected incoming call or a call step) reaches `state` at `role`. */
export interface AwaitStep {
  kind: 'await';
  call: string;
  /** The side to watch; default: the receiving role of an expected call, the caller of a call step. */
  role?: string;
  state: 'ringing' | 'confirmed' | 'terminated';
  /** Default: the run's step timeout. */
  withinMs?: number;
}

/** Who an expected incoming call must come from. */
export interface CallerPattern {
  /** any: anyone; uri: the From URI (`*` wildcards); user: its user part (`*` wildcards) or a role name. */
  kind: 'any' | 'uri' | 'user';
  text: string;
}

/** `expect.calls.<name>`: a call a role must receive, with how to handle it and what to judge. */
export interface ExpectedCall {
  name: string;
  /** The role that receives it. */
  role: string;
  from: CallerPattern;
  /** It must arrive this long after the case starts, at the latest. */
  withinMs: number;
  /** How the receiving bot handles it, over the bot's and the role's behaviour. */
  behaviour: Partial<CalleeBehaviour>;
  outcome?: ExpectedOutcome;
  /** Final status the receiving role must send. */
  status?: number;
  /** Expected flow at the receiving role. */
  leg?: FlowPattern[];
  media?: MediaExpectation;
}

export type ExpectedOutcome = 'answered' | 'rejected' | 'cancelled' | 'timeout';

export interface ScenarioExpect {
  /** Name of the call step whose legs are compared; the last call step when not set. */
  call: string;
  outcome?: ExpectedOutcome;
  /** Final status the caller must see for that call. */
  status?: number;
  /** Expected flow by role; a role without an entry is not compared. */
  legs: Record<string, FlowPattern[]>;
  /** What each role must have heard while connected; a role without an entry is not checked. */
  media: Record<string, MediaExpectation>;
  /** Calls roles must receive (`expect.calls`), each judged on its own. */
  calls?: ExpectedCall[];
  /** Checks on headers of messages roles received (`expect.headers`). */
  headers?: HeaderExpectation[];
}

/**
 * `expect.headers.<role>."<INVITE"."P-Asserted-Identity": ~ "^<sip:\+49"`: a header of the
 * first message of that kind the role's bot received in the case.
 */
export interface HeaderExpectation {
  role: string;
  /** As written: `<INVITE`, `<200/INVITE`, `<180`. */
  message: string;
  method?: string;
  status?: number;
  header: string;
  check: HeaderCheck;
}

export type HeaderCheck = { kind: 'present' } | { kind: 'absent' } | { kind: 'equals'; text: string } | { kind: 'matches'; pattern: string };

export interface MediaExpectation {
  /** A frequency in Hz, or a role whose bot's tone must be heard. */
  hears?: number | string;
  /** The same, heard before the call was answered (early media, before the 200 arrived). */
  hearsBeforeAnswer?: number | string;
  minPackets?: number;
  /** Fraction 0-1 (`1%` in YAML). */
  maxLoss?: number;
  maxJitterMs?: number;
  /** RFC 4733 digits that must have been received, in order (upper case). */
  digits?: string;
}

export type OfferCodec = 'PCMU' | 'PCMA';
export type OfferDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * `reinvite` (method INVITE, RFC 3261 §14) or `update` (RFC 3311) on every connected call of a
 * role: a new offer listing only `codec` (every codec of the bot when absent) with `direction`
 * (sendrecv when absent). Its final status must be one of `status` (any 2xx when absent); after
 * a 2xx the answer must take the codec and a direction RFC 3264 §6.1 allows, and match `answer`.
 */
export interface OfferStep {
  kind: 'offer';
  method: 'INVITE' | 'UPDATE';
  role: string;
  codec?: OfferCodec;
  direction?: OfferDirection;
  status?: number[];
  answer?: { codec?: OfferCodec; direction?: OfferDirection };
}

/**
 * SUBSCRIBE (RFC 6665) from a role to a role or URI for an event package: the final status must
 * be one of `status` (any 2xx when absent); once accepted, a NOTIFY must come, its body
 * matching `notify` when given; then, unless `unsubscribe: false`, SUBSCRIBE with Expires: 0,
 * answered 2xx and followed by NOTIFY `Subscription-State: terminated`. `leg` is the
 * subscriber's flow for the subscription's Call-ID.
 */
export interface SubscribeStep {
  kind: 'subscribe';
  role: string;
  /** A role name or a SIP URI. */
  to: string;
  event: string;
  expires: number;
  status?: number[];
  /** A regular expression the first NOTIFY's body must match. */
  notify?: string;
  unsubscribe: boolean;
  leg?: FlowPattern[];
  headers?: RequestHeaders;
}
