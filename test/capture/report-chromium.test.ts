import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import { renderReport } from '../../src/capture/report.js';
import { explainCase } from '../../src/capture/explanations.js';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { failures, runLabJson } from '../support/lab-run.js';
import { requireTool, runToEnd, type Finished } from './fixtures/peers.js';

/*
 * The run folder's report.html as a person opens it: headless Chromium (Debian package
 * chromium) renders it from file://, with the network closed, and takes a screenshot.
 */

const CASES = ['no-answer', 'answer-bye-caller'];

/** Flags from the machine notes: no sandbox as root, and no background network at start. */
function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
  ];
}

async function chromium(dir: string, args: string[]): Promise<Finished> {
  const result = await runToEnd('chromium', [...chromiumArgs(mkdtempSync(join(dir, 'profile-'))), ...args], { timeoutMs: 60_000 });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Page errors Chromium logs: uncaught exceptions, console errors, resources that failed to load. */
function pageErrors(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /CONSOLE\(|Uncaught|net::ERR_|Failed to load resource/.test(line));
}

/** PNG signature, then IHDR with width and height. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

let dir: string;

beforeAll(async () => {
  requireTool('chromium', ['--version']);
  const run = await runLabJson(['--only', CASES.join(','), '--lang', 'zh']);
  expect(run.code, failures(run.summary)).toBe(0);
  dir = run.dir;
  // The same run in English, from the run folder's own files.
  const events = await readMessagesJsonlFile(join(dir, 'messages.jsonl'));
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  writeFileSync(join(dir, 'report-en.html'), renderReport(summary, events, { lang: 'en' }).html);
}, 90_000);

describe('report.html in headless Chromium', () => {
  it('renders without page errors and the screenshot is a real picture', async () => {
    const png = join(dir, 'report.png');
    const shot = await chromium(dir, [`--screenshot=${png}`, '--window-size=1280,2000', pathToFileURL(join(dir, 'report-en.html')).href]);
    expect(pageErrors(shot.stderr)).toEqual([]);
    const bytes = readFileSync(png);
    expect(pngSize(bytes)).toEqual({ width: 1280, height: 2000 });
    // A blank page compresses to a few kB; text, tables and a ladder do not.
    expect(bytes.length).toBeGreaterThan(50_000);
  }, 60_000);

  it('lays out the summary table, every case section and its SVG ladder (English)', async () => {
    const { stdout: dom, stderr } = await chromium(dir, ['--dump-dom', pathToFileURL(join(dir, 'report-en.html')).href]);
    expect(pageErrors(stderr)).toEqual([]);
    expect(dom).toContain('<html lang="en"');
    const summaryTable = /<table[^>]*>[\s\S]*?<\/table>/.exec(dom.slice(dom.indexOf('Summary')))?.[0] ?? '';
    for (const id of CASES) {
      expect(summaryTable, id).toContain(`>${id}</a>`);
      expect(dom).toContain(`id="case-${id}"`);
    }
    expect(dom.match(/<svg/g)?.length).toBeGreaterThanOrEqual(CASES.length);
    expect(dom).toContain(explainCase('no-answer', 'en')!.slice(0, 40));
  }, 60_000);

  it('writes the report in the language asked for with --lang zh', async () => {
    const { stdout: dom, stderr } = await chromium(dir, ['--dump-dom', pathToFileURL(join(dir, 'report.html')).href]);
    expect(pageErrors(stderr)).toEqual([]);
    expect(dom).toContain('<html lang="zh-CN"');
    expect(dom).toContain(explainCase('answer-bye-caller', 'zh')!.slice(0, 20));
  }, 60_000);
});

describe('case explanations', () => {
  it.each(LAB_CASE_IDS)('exist in English and Chinese for %s', (id) => {
    expect(explainCase(id, 'en')?.length).toBeGreaterThan(40);
    expect(explainCase(id, 'zh')).toMatch(/[\u4e00-\u9fff]{4}/);
  });
});
