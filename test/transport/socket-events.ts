import type { Flow, SipSocket } from '../../src/sip/transport/types.js';

/** Records what a socket hands up, and lets a test wait for the next one. */
export class SocketEvents {
  readonly messages: { raw: string; flow: Flow }[] = [];
  readonly closedFlows: { flow: Flow; error?: Error }[] = [];
  private waiters: (() => void)[] = [];

  constructor(socket: SipSocket) {
    socket.onMessage((raw, flow) => {
      this.messages.push({ raw, flow });
      this.wake();
    });
    socket.onFlowClosed((flow, error) => {
      this.closedFlows.push({ flow, error });
      this.wake();
    });
  }

  /** Resolves with message number `index` (0-based) once it has arrived. */
  message(index: number, timeoutMs = 5_000): Promise<{ raw: string; flow: Flow }> {
    return this.until(() => this.messages[index], `message #${index}`, timeoutMs);
  }

  flowClosed(index = 0, timeoutMs = 5_000): Promise<{ flow: Flow; error?: Error }> {
    return this.until(() => this.closedFlows[index], `flow-closed #${index}`, timeoutMs);
  }

  private until<T>(pick: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): boolean => {
        const value = pick();
        if (value === undefined) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const waiter = (): void => {
        if (!check()) this.waiters.push(waiter);
      };
      waiter();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export function sipRequest(method: string, body = ''): string {
  return [
    `${method} sip:bob@lab.test SIP/2.0`,
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-transport',
    'From: <sip:alice@lab.test>;tag=a1',
    'To: <sip:bob@lab.test>',
    'Call-ID: transport-test@lab.test',
    `CSeq: 1 ${method}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export function sipResponse(status: string): string {
  return [
    `SIP/2.0 ${status}`,
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-transport',
    'From: <sip:alice@lab.test>;tag=a1',
    'To: <sip:bob@lab.test>;tag=b1',
    'Call-ID: transport-test@lab.test',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
