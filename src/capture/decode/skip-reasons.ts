/**
 * Why a frame carried no SIP message. Every frame read ends either in a SIP message (or a part
 * of one) or in exactly one of these, so the ladder can account for the whole capture.
 * `unknown` is what we could not decode at all: `--strict` fails on it.
 */
export type SkipReason =
  | 'rtp'
  | 'rtcp'
  | 'tls-sip'
  | 'tls'
  | 'tcp-control'
  | 'other-udp'
  | 'other-tcp'
  | 'not-ip'
  | 'icmp'
  | 'icmp-sip'
  | 'fragment'
  | 'loopback-copy'
  | 'ws-control'
  | 'unknown';

/** Summary wording, in the order the summary lists them. */
export const SKIP_LABELS: Record<SkipReason, string> = {
  rtp: 'RTP',
  rtcp: 'RTCP',
  'tls-sip': 'TLS on a SIP port (encrypted SIP: sipbots cannot decrypt it; tshark can with -o tls.keylog_file:KEYS)',
  tls: 'TLS on other ports',
  'tcp-control': 'TCP without data (handshakes, ACKs)',
  'ws-control': 'WebSocket handshakes and control frames',
  'other-udp': 'other UDP (not SIP, RTP or RTCP)',
  'other-tcp': 'other TCP (not SIP or TLS)',
  'not-ip': 'not IP (ARP, LLDP, PPPoE discovery...)',
  icmp: 'ICMP',
  'icmp-sip': 'ICMP errors quoting a SIP message (not drawn)',
  fragment: 'IP fragments (counted with their datagram)',
  'loopback-copy': 'outgoing copies of loopback packets (Linux cooked capture)',
  unknown: 'unknown (link type, protocol or header we cannot decode)',
};

/** A frame's fate in the decoder: a reason to skip it, with detail for `unknown`. */
export interface Skip {
  skip: SkipReason;
  detail?: string;
}

export function skip(reason: SkipReason, detail?: string): Skip {
  return detail === undefined ? { skip: reason } : { skip: reason, detail };
}
