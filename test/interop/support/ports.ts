import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 free for both UDP and TCP at the time of the call (SIP peers
 * often listen on both). The OS picks it (bind to port 0); a small race remains until
 * the peer binds it, which is acceptable for tests.
 */
export async function freeLoopbackPort(attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => {
          if (address && typeof address === 'object') resolve(address.port);
          else reject(new Error('TCP socket bound to port 0 has no address'));
        });
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on 127.0.0.1 after ${attempts} attempts`);
}

/**
 * Resolves once something (e.g. a SIPp UAS just spawned) has bound UDP `port` on
 * 127.0.0.1, detected by our own bind failing with EADDRINUSE.
 */
export async function waitForUdpBound(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', (error: NodeJS.ErrnoException) => {
        socket.close();
        resolve(error.code === 'EADDRINUSE');
      });
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
    });
    if (bound) return;
    if (Date.now() > deadline) throw new Error(`nothing bound udp:127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
