import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface TinyUasOptions {
  /** Put a Contact into the 180 (RFC 3261 §12.1.1 wants one; linphone leaves it out). */
  contactIn180: boolean;
}

/**
 * A real UDP user agent on 127.0.0.1, port 0, that is also the bots' registrar and outbound
 * proxy: REGISTER gets 200 with the binding echoed; an INVITE gets 100 then 180 Ringing (with a
 * To tag, and a Contact only if asked) and rings until CANCELled (200, then 487, then the ACK).
 * Just enough SIP to play the phone that answers like linphone, and nothing smart.
 */
export class TinyUas {
  readonly received: string[] = [];
  private socket: Socket | undefined;

  constructor(private readonly options: TinyUasOptions) {}

  async start(): Promise<number> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (data, from) => this.receive(data.toString(), from));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket.address().port;
  }

  stop(): void {
    this.socket?.close();
  }

  private receive(raw: string, from: RemoteInfo): void {
    const method = /^([A-Z]+) /.exec(raw)?.[1];
    if (!method) return;
    this.received.push(method);
    if (method === 'REGISTER') {
      const contact = header(raw, 'Contact') ?? '';
      this.reply(raw, from, '200 OK', [`Contact: ${contact};expires=60`]);
    } else if (method === 'INVITE') {
      this.reply(raw, from, '100 Trying', []);
      const port = this.socket!.address().port;
      this.reply(raw, from, '180 Ringing', this.options.contactIn180 ? [`Contact: <sip:phone@127.0.0.1:${port}>`] : [], 'uas1');
    } else if (method === 'CANCEL') {
      this.reply(raw, from, '200 OK', []);
      this.reply(raw.replace(/CSeq: (\d+) CANCEL/i, 'CSeq: $1 INVITE'), from, '487 Request Terminated', [], 'uas1');
    } else if (method !== 'ACK') {
      this.reply(raw, from, '200 OK', []);
    }
  }

  private reply(request: string, to: RemoteInfo, status: string, extra: string[], toTag?: string): void {
    const to_ = header(request, 'To') ?? '';
    const lines = [
      `SIP/2.0 ${status}`,
      ...request.split('\r\n').filter((line) => /^(Via|From|Call-ID|CSeq):/i.test(line)),
      toTag && !/;tag=/.test(to_) ? `To: ${to_};tag=${toTag}` : `To: ${to_}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ];
    this.socket!.send(lines.join('\r\n'), to.port, to.address);
  }
}

function header(raw: string, name: string): string | undefined {
  const line = raw.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
