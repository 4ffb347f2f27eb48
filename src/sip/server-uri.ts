import { TRANSPORT_PROTOCOLS, type TransportProtocol } from './transport/types.js';

/** A `--server` value that is not a usable SIP URI, or names a host that resolves to nothing. */
export class ServerUriError extends Error {
  /** `reason` in Chinese, for `--lang zh`. */
  constructor(readonly uri: string, readonly reason: string, readonly zhReason: string) {
    super(`bad server ${JSON.stringify(uri)}: ${reason} (hint: sip:127.0.0.1:5060;transport=tcp, or sip:example.com to locate it through DNS)`);
    this.name = 'ServerUriError';
  }
}

export interface ParsedServerUri {
  /** `sips:`: TLS all the way (RFC 3261 §19.1). */
  secure: boolean;
  /** Without brackets: `::1`, `127.0.0.1`, `lab.test`. */
  host: string;
  port: number | undefined;
  /** From `;transport=`; undefined when the URI names none (a sips: URI then means TLS or WSS). */
  transport: TransportProtocol | undefined;
}

/** `sip:host[:port][;transport=x]`, `sips:…`, or a bare `host[:port]`. Where it leads is src/sip/locate. */
export function parseServerUri(uri: string): ParsedServerUri {
  const match = /^(?:(sips?):)?(?:[^@;]*@)?(\[[^\]]+\]|[^:;]+)(?::(\d+))?((?:;[^;]*)*)$/i.exec(uri.trim());
  if (!match) throw new ServerUriError(uri, 'not of the form sip:host:port', '不是 sip:host:port 的形式');
  const [, scheme, rawHost, rawPort, params] = match;
  const named = /;transport=([a-z]+)/i.exec(params ?? '')?.[1]?.toLowerCase();
  if (named !== undefined && !TRANSPORT_PROTOCOLS.includes(named as TransportProtocol)) {
    throw new ServerUriError(uri, `unknown transport ${named} (use ${TRANSPORT_PROTOCOLS.join(', ')})`, `未知的传输 ${named}（可选 ${TRANSPORT_PROTOCOLS.join(', ')}）`);
  }
  const secure = scheme?.toLowerCase() === 'sips';
  const transport = named as TransportProtocol | undefined;
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && !(port > 0 && port < 65536)) throw new ServerUriError(uri, `port ${rawPort} is out of range`, `端口 ${rawPort} 超出范围`);
  return { secure, host: rawHost!.replace(/^\[|\]$/g, ''), port, transport };
}
