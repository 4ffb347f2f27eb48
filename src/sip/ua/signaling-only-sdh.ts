import { isIPv6 } from 'node:net';
import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from './session-description-handler.js';

/** The formats it lists, by payload type (RFC 3551): a `codecs` option keeps only those named. */
const FORMATS = [
  { pt: 0, name: 'PCMU' },
  { pt: 8, name: 'PCMA' },
];

/**
 * An SDP offer/answer partner that sends no media: a valid audio description on the discard
 * port with `a=inactive`. For signaling-only runs (`--media none`, load tests of held calls),
 * where opening RTP sockets per call would only measure the generator.
 */
export class SignalingOnlySdh implements SessionDescriptionHandler {
  private remote: string | undefined;

  constructor(private readonly address: string) {}

  close(): void {
    this.remote = undefined;
  }

  async getDescription(options?: SessionDescriptionHandlerOptions): Promise<BodyAndContentType> {
    const wanted = options?.codecs;
    const formats = FORMATS.filter((f) => wanted === undefined || wanted.includes(f.name));
    if (formats.length === 0) throw new Error(`cannot offer ${wanted!.join(', ')}: only PCMU and PCMA are described`);
    const session = Date.now() % 1_000_000_000;
    const addrType = isIPv6(this.address) ? 'IP6' : 'IP4';
    const body = [
      'v=0',
      `o=sipbots ${session} ${session} IN ${addrType} ${this.address}`,
      's=sipbots',
      `c=IN ${addrType} ${this.address}`,
      't=0 0',
      `m=audio 9 RTP/AVP ${formats.map((f) => f.pt).join(' ')} 101`,
      ...formats.map((f) => `a=rtpmap:${f.pt} ${f.name}/8000`),
      'a=rtpmap:101 telephone-event/8000',
      'a=ptime:20',
      'a=inactive',
      '',
    ].join('\r\n');
    return { body, contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async setDescription(sdp: string): Promise<void> {
    this.remote = sdp;
  }

  sendDtmf(): boolean {
    return false;
  }
}
