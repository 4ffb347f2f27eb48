import type { Logger } from 'pino';
import { silentLogger } from '../../util/logger.js';
import { StreamSipSocket } from './stream-socket.js';
import type { SipSocket, SipSocketOptions } from './types.js';
import { UdpSipSocket } from './udp-socket.js';
import { WsSipSocket } from './ws-socket.js';

/**
 * The one place that maps a transport name to its socket. The socket is not open yet: call
 * `open()`. The logger only hears about what no caller can be told (a failed TLS handshake
 * from a client, a server error after listening); everything else reaches the caller.
 */
export function createSipSocket(options: SipSocketOptions, logger: Logger = silentLogger): SipSocket {
  const child = logger.child({ transport: options.protocol });
  switch (options.protocol) {
    case 'udp':
      return new UdpSipSocket(options, child);
    case 'tcp':
    case 'tls':
      return new StreamSipSocket(options.protocol, options, child);
    case 'ws':
    case 'wss':
      return new WsSipSocket(options.protocol, options, child);
  }
}
