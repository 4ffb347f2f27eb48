import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A UDP registrar with a backlog, like a proxy that stalls (a database pause, a GC, an
 * overload): it answers no REGISTER until `stallMs` after the first one reached it, then
 * answers each (the queued ones at once, later ones on arrival) with a 200 OK. Retransmissions
 * of a request already answered get the same answer again, as a stateless registrar would.
 */
export interface StalledRegistrar {
  port: number;
  /** REGISTERs answered (one per transaction). */
  answered(): number;
  close(): Promise<void>;
}

function header(message: string, name: string): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return message.split('\r\n').filter((line) => line.toLowerCase().startsWith(prefix));
}

function okFor(request: string): string {
  const lines = [...header(request, 'Via'), ...header(request, 'From'), ...header(request, 'To').map((to) => (/;tag=/i.test(to) ? to : `${to};tag=stalled`)), ...header(request, 'Call-ID'), ...header(request, 'CSeq'), ...header(request, 'Contact')];
  return `SIP/2.0 200 OK\r\n${lines.join('\r\n')}\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n`;
}

export async function startStalledRegistrar(stallMs: number): Promise<StalledRegistrar> {
  const socket = dgram.createSocket('udp4');
  const branches = new Set<string>();
  let firstAt: number | undefined;
  let queued: { raw: string; port: number; address: string }[] | undefined = [];
  let released: NodeJS.Timeout | undefined;
  const answer = (raw: string, port: number, address: string): void => {
    branches.add(/branch=([^;\s,]+)/i.exec(raw)?.[1] ?? raw);
    socket.send(okFor(raw), port, address);
  };
  socket.on('message', (data, from) => {
    const raw = data.toString('latin1');
    if (!raw.startsWith('REGISTER ')) return;
    if (firstAt === undefined) {
      firstAt = Date.now();
      released = setTimeout(() => {
        const backlog = queued ?? [];
        queued = undefined;
        for (const q of backlog) answer(q.raw, q.port, q.address);
      }, stallMs);
    }
    if (queued) queued.push({ raw, port: from.port, address: from.address });
    else answer(raw, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    answered: () => branches.size,
    close: () => {
      clearTimeout(released);
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
