import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { T0 } from './fixtures/call-events.js';
import { classicPcap } from './fixtures/classic-pcap.js';
import { message, phone, proxy, udpFrame } from './fixtures/frames.js';
import { requireTool, runToEnd } from './fixtures/peers.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * A capture of several calls gives documents that the tools people open them with accept:
 * one well-formed SVG (an XML parser and Chromium are the judges), Markdown with one mermaid
 * block per call, an HTML page with a heading per call; long and oddly-clocked captures keep
 * their rows in line.
 */

const DAY = 24 * 3600 * 1000;
const dir = mkdtempSync(join(tmpdir(), 'sipbots-outputs-'));
const inv = (id: string) => message('INVITE sip:bob@example.com SIP/2.0', id, '1 INVITE');
const ok = (id: string) => message('SIP/2.0 200 OK', id, '1 INVITE');
const bye = (id: string) => message('BYE sip:bob@example.com SIP/2.0', id, '2 BYE');
const frames = [
  { at: T0, frame: udpFrame(phone, proxy, inv('short-call')) },
  { at: T0 + 40, frame: udpFrame(proxy, phone, ok('short-call')) },
  { at: T0 + 100, frame: udpFrame(phone, proxy, inv('long-call')) },
  { at: T0 + 200, frame: udpFrame(proxy, phone, ok('long-call')) },
  { at: T0 + 200, frame: udpFrame(phone, proxy, inv('jumping-clock')) },
  { at: T0 + 300, frame: udpFrame(proxy, phone, ok('jumping-clock')) },
  // The capturing box's clock was set forward two years mid-call.
  { at: T0 + 300 + 730 * DAY, frame: udpFrame(phone, proxy, bye('jumping-clock')) },
  // A call that lasts 3 h 25 min: its times need more digits than the column's default.
  { at: T0 + 12_345_678, frame: udpFrame(phone, proxy, bye('long-call')) },
].sort((a, b) => a.at - b.at);
const file = join(dir, 'three-calls.pcap');
writeFileSync(file, classicPcap(1, frames));

describe('several calls in one document', () => {
  beforeAll(() => requireTool('chromium', ['--version']));

  it('svg: one well-formed document, a heading and a nested ladder per call', async () => {
    const result = await runCli(['ladder', file, '--format', 'svg']);
    expect(result.code, result.stderr).toBe(0);
    expect(XMLValidator.validate(result.stdout)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(result.stdout) as { svg: { svg: unknown[]; text: Array<{ '#text': string }> } };
    expect(doc.svg.svg).toHaveLength(3);
    expect(doc.svg.text.map((t) => t['#text'])).toEqual([
      'Call-ID short-call · INVITE sip:bob@example.com SIP/2.0',
      'Call-ID long-call · INVITE sip:bob@example.com SIP/2.0',
      'Call-ID jumping-clock · INVITE sip:bob@example.com SIP/2.0',
    ]);
    // Chromium opens it as an image document: no parser error.
    const svgFile = join(dir, 'three.svg');
    writeFileSync(svgFile, result.stdout);
    const dom = await runToEnd('chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${mkdtempSync(join(dir, 'p-'))}`, '--dump-dom', `file://${svgFile}`], { timeoutMs: 60_000 });
    expect(dom.stdout).toContain('jumping-clock');
    expect(dom.stdout).not.toMatch(/parsererror|error on line/i);
  }, 90_000);

  it('html: a heading per call with its first request, start time and parties, as Chromium renders it', async () => {
    const result = await runCli(['ladder', file, '--format', 'html']);
    const page = join(dir, 'three.html');
    writeFileSync(page, result.stdout);
    const dom = await runToEnd('chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${mkdtempSync(join(dir, 'p-'))}`, '--dump-dom', `file://${page}`], { timeoutMs: 60_000 });
    const headings = [...dom.stdout.matchAll(/<h2>([^<]*)<\/h2>\s*<p class="meta">([^<]*)<\/p>/g)].map((h) => `${h[1]} | ${h[2]}`);
    expect(headings).toEqual([
      `Call-ID short-call | INVITE sip:bob@example.com SIP/2.0 · started ${new Date(T0).toISOString()} · parties: 192.0.2.10:5060, 192.0.2.20:5060`,
      `Call-ID long-call | INVITE sip:bob@example.com SIP/2.0 · started ${new Date(T0 + 100).toISOString()} · parties: 192.0.2.10:5060, 192.0.2.20:5060`,
      `Call-ID jumping-clock | INVITE sip:bob@example.com SIP/2.0 · started ${new Date(T0 + 200).toISOString()} · parties: 192.0.2.10:5060, 192.0.2.20:5060`,
    ]);
    expect(dom.stdout).toMatch(/<footer><p>read 8 frames: 8 SIP messages in 3 calls; skipped 0 unknown<\/p><\/footer>/);
  }, 90_000);

  it('mermaid: Markdown with one fenced sequenceDiagram per call', async () => {
    const result = await runCli(['ladder', file, '--format', 'mermaid']);
    const blocks = [...result.stdout.matchAll(/^## Call-ID (\S+)\n\n```mermaid\n(sequenceDiagram\n[\s\S]*?)```$/gm)];
    expect(blocks.map((b) => b[1])).toEqual(['short-call', 'long-call', 'jumping-clock']);
    expect(result.stdout.match(/sequenceDiagram/g)).toHaveLength(3);
    expect(blocks[2]![2]).toContain('Note over p0,p1: capture clock jumps, 2.0 years later');
  });

  it('--split DIR: one valid file per call', async () => {
    const out = join(dir, 'split');
    const result = await runCli(['ladder', file, '--format', 'svg', '--split', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['001-short-call.svg', '002-long-call.svg', '003-jumping-clock.svg']);
    for (const name of readdirSync(out)) expect(XMLValidator.validate(readFileSync(join(out, name), 'utf8'))).toBe(true);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('--split into a folder that holds files: refused (exit 2) unless --force, and nothing there is touched', async () => {
    const out = join(dir, 'split-taken');
    mkdirSync(out);
    writeFileSync(join(out, '001-short-call.svg'), 'mine');
    const refused = await runCli(['ladder', file, '--format', 'svg', '--split', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--split .*split-taken is not empty \(1 entry\); choose another folder, or add --force/);
    expect(readFileSync(join(out, '001-short-call.svg'), 'utf8')).toBe('mine');
    const forced = await runCli(['ladder', file, '--format', 'svg', '--split', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(out)).toHaveLength(3);
  });
});

it('holds what tshark sees: 8 SIP messages in 3 calls', () => {
  expect(tsharkSipCounts(file)).toEqual({ messages: 8, callIds: 3 });
});

describe('time column', () => {
  it('widens for long calls and draws a clock jump as a gap, keeping every row in line', async () => {
    const result = await runCli(['ladder', file]);
    const long = result.stdout.split('\n\n')[1]!.split('\n');
    const rows = long.filter((l) => l.includes('|'));
    expect(rows.at(-1)).toMatch(/^12345\.578s  /);
    expect(rows[0]).toMatch(/^    0\.000s  /);
    const bars = (line: string) => [...line].flatMap((c, i) => (c === '|' ? [i] : []));
    expect(new Set(rows.map((r) => bars(r).join(','))).size).toBe(1);
    const jumping = result.stdout.split('\n\n')[2]!;
    expect(jumping).toMatch(/~~~ capture clock jumps: 2\.0 years later ~~~\n +0\.100s  /);
  });
});
