import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { freeUdpPort, requireTool, runToEnd, startTcpdump } from './fixtures/peers.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * Someone else's capture: SIPp's built-in UAC calls SIPp's built-in UAS on loopback while
 * tcpdump records the wire; `sipbots ladder` on that file must draw the flow SIPp itself
 * logged with -trace_msg. Each link type tcpdump writes on Linux is tried: Ethernet on lo,
 * Linux cooked v2 on `any` (the default since libpcap 1.10) and Linux cooked v1.
 */

interface Hop {
  from: 'uac' | 'uas';
  label: string;
}

/** `-trace_msg` entries: "UDP message sent (511 bytes):" then the message's start line. */
function sippTrace(file: string, self: 'uac' | 'uas'): Hop[] {
  const peer = self === 'uac' ? 'uas' : 'uac';
  const hops: Hop[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const kind = /^UDP message (sent|received)/.exec(lines[i]!)?.[1];
    if (!kind) continue;
    const start = lines.slice(i + 1).find((l) => l.trim() !== '')!.trim();
    hops.push({ from: kind === 'sent' ? self : peer, label: startLabel(start) });
  }
  return hops;
}

/** INVITE for a request line, 200 for a status line. */
function startLabel(startLine: string): string {
  const status = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return status ? status[1]! : startLine.split(' ')[0]!;
}

/**
 * The text ladder's arrows: `|-----INVITE----->|` goes left to right, `|<--180 Ringing---|`
 * right to left. Nobody registers, so the columns are the UAC's and the UAS's address.
 */
function ladderHops(text: string, uac: string): { columns: string[]; hops: Hop[] } {
  const lines = text.split('\n');
  const columns = lines[1]!.trim().split(/\s+/);
  const hops: Hop[] = [];
  for (const line of lines) {
    const arrow = /\|(<?)-*([^-<>|][^|]*?)-*(>?)\|/.exec(line);
    if (!arrow) continue;
    const leftToRight = arrow[3] === '>';
    const from = leftToRight ? columns[0] : columns[1];
    hops.push({ from: from === uac ? 'uac' : 'uas', label: startLabel(arrow[2]!.trim().replace(/^(\d{3}) .*/, 'SIP/2.0 $1')) });
  }
  return { columns, hops };
}

interface SippCall {
  dir: string;
  ports: [number, number];
  uacTrace: Hop[];
  uasTrace: Hop[];
}

/** One SIPp call (uac -> uas, both on 127.0.0.1) while tcpdump runs with `tcpdumpArgs`. */
async function captureSippCall(name: string, tcpdumpArgs: string[]): Promise<SippCall> {
  const dir = mkdtempSync(join(tmpdir(), `sipbots-sipp-${name}-`));
  const [uacPort, uasPort] = [await freeUdpPort(), await freeUdpPort()];
  const capture = await startTcpdump([...tcpdumpArgs, '-w', join(dir, `${name}.pcap`), `udp port ${uacPort} or udp port ${uasPort}`]);
  try {
    const common = ['-i', '127.0.0.1', '-m', '1', '-nostdin', '-trace_msg', '-timeout', '15s', '-timeout_error'];
    const uas = runToEnd('sipp', ['-sn', 'uas', '-p', String(uasPort), '-message_file', join(dir, 'uas.msg'), ...common], { cwd: dir, timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the UAS bind before the INVITE
    const uac = await runToEnd('sipp', ['-sn', 'uac', `127.0.0.1:${uasPort}`, '-ci', '127.0.0.1', '-p', String(uacPort), '-message_file', join(dir, 'uac.msg'), ...common], {
      cwd: dir,
      timeoutMs: 20_000,
    });
    expect(uac.code, `sipp uac: ${uac.stdout}${uac.stderr}`).toBe(0);
    expect((await uas).code).toBe(0);
  } finally {
    await capture.stop();
  }
  return { dir, ports: [uacPort, uasPort], uacTrace: sippTrace(join(dir, 'uac.msg'), 'uac'), uasTrace: sippTrace(join(dir, 'uas.msg'), 'uas') };
}

/** tcpdump options and the LINKTYPE_ value they make it write into the pcap file header. */
const LINK_TYPES: Array<{ name: string; args: string[]; linkType: number }> = [
  { name: 'lo-ethernet', args: ['-i', 'lo'], linkType: 1 },
  { name: 'any-sll2', args: ['-i', 'any'], linkType: 276 },
  { name: 'any-sll', args: ['-i', 'any', '-y', 'LINUX_SLL'], linkType: 113 },
];

beforeAll(() => {
  requireTool('sipp', ['-v'], 'sip-tester');
  requireTool('tcpdump', ['--version']);
});

describe('sipbots ladder on a tcpdump capture of a SIPp call', () => {
  for (const linkType of LINK_TYPES) {
    // Concurrent: each call has its own ports and tcpdump filter, and SIPp lingers ~4 s on exit.
    it.concurrent(`draws the flow SIPp traced (${linkType.name})`, async () => {
      const call = await captureSippCall(linkType.name, linkType.args);
      // The UAC and UAS traces are one flow seen from both ends.
      expect(call.uasTrace).toEqual(call.uacTrace);
      expect(call.uacTrace.map((h) => `${h.from}:${h.label}`)).toEqual(['uac:INVITE', 'uas:180', 'uas:200', 'uac:ACK', 'uac:BYE', 'uas:200']);

      const file = join(call.dir, `${linkType.name}.pcap`);
      expect(readFileSync(file).readUInt32LE(20) & 0x0fffffff, 'link type in the pcap header').toBe(linkType.linkType);
      const result = await runCli(['ladder', file, '--format', 'text']);
      expect(result.code, result.stderr).toBe(0);
      const [uac, uas] = call.ports.map((p) => `127.0.0.1:${p}`);
      const drawn = ladderHops(result.stdout, uac!);
      expect(result.stdout).toMatch(/^Call-ID \S+@127\.0\.0\.1\n/);
      expect(drawn.columns).toEqual([uac, uas]);
      // Every frame tcpdump kept is one of the six messages: none skipped, none unknown.
      expect(result.stderr).toMatch(/read 6 frames: 6 SIP messages in 1 call; skipped 0 unknown\n/);
      // tshark, told that SIPp's random ports carry SIP, sees the same six messages of one call.
      expect(tsharkSipCounts(file, call.ports.map((p) => `udp.port==${p},sip`))).toEqual({ messages: 6, callIds: 1 });
      expect(drawn.hops).toEqual(call.uacTrace);
    }, 45_000);
  }
});
