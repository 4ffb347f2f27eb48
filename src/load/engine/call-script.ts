/**
 * What a scenario file's one call step becomes on the lean load path: plain data (it is posted
 * to worker threads), read by the caller (`ClientCall`) and the answering side (`CalleeSide`).
 * Without a script, `call` load keeps its fixed behaviour: answer at once, BYE after --hold,
 * any 2xx succeeds.
 */
export interface CallScript {
  /** The scenario file and its id, for the report. */
  file: string;
  id: string;
  caller: CallerScript;
  callee: CalleeScript;
  /**
   * The longest a call can last apart from its transactions (ringing, cancel delay, talk):
   * the engine waits this much longer for the last calls before calling them unfinished.
   */
  spanMs: number;
}

/** The caller's actions and how its call must end. */
export interface CallerScript {
  /** CANCEL this long after the arrival's scheduled time if no final response came (RFC 3261 §9.1). */
  cancelAfterMs?: number;
  /** BYE this long after the 200 was ACKed. Absent: wait for the callee's BYE, or with none coming, --hold. */
  hangupAfterMs?: number;
  /** The callee sends BYE: wait this long after the ACK for it before failing the call. */
  awaitByeMs?: number;
  /** Final status the INVITE (after the digest retry) must get; 200 means any 2xx. */
  expectStatus: number;
}

export const CALLEE_ACTIONS = ['answer', 'ring', 'reject'] as const;

/**
 * The callee's answer to every INVITE: 180 at once, then after `ringForMs` a 200 (`answer`) or
 * `finalStatus` (`reject`, which is also the `timeout` behaviour with 408), or nothing
 * (`ring`, until CANCEL).
 */
export interface CalleeScript {
  action: (typeof CALLEE_ACTIONS)[number];
  ringForMs: number;
  /** `reject`: the final status line, e.g. `486 Busy Here`. */
  finalStatus: string;
  /** After the ACK of our 200, send BYE this long later. */
  hangupAfterMs?: number;
}
