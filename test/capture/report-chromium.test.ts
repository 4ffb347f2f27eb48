import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENDINGS } from '../../src/capture/explanations-endings.js';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import { renderReport } from '../../src/capture/report.js';
import { explainCase } from '../../src/capture/explanations.js';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import type { CallEnding } from '../../src/scenario/call-ending.js';
import { failures, runLabJson } from '../support/lab-run.js';
import { testOutputDir } from '../support/test-output.js';
import { chromium, pageErrors } from '../support/chromium.js';
import { requireTool } from './fixtures/peers.js';

/*
 * The report.html of a real lab run (every case) as a person opens it: headless Chromium
 * (Debian package chromium) renders it from file:// with the network closed, dumps the DOM
 * it laid out and takes screenshots into test-output/report-chromium/.
 */

/** How each lab case must say it ended: the list, one wire story per case. */
const EXPECTED_ENDING: Record<string, CallEnding> = {
  'no-answer': 'caller-cancel',
  'no-answer-as-captured': 'caller-cancel',
  'no-answer-callee-408': 'callee-timer',
  'no-answer-proxy-408': 'proxy-timer',
  reject: 'callee-rejected',
  cancel: 'caller-cancel',
  'answer-bye-caller': 'caller-bye',
  'answer-bye-callee': 'callee-bye',
  'busy-self': 'callee-busy',
  'busy-in-call': 'callee-busy',
};

/** PNG signature, then IHDR with width and height. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The summary table's rows as Chromium laid them out: id → cell texts. */
function summaryRows(dom: string): Map<string, string[]> {
  const table = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
  const rows = new Map<string, string[]>();
  for (const row of table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
    if (cells.length > 0) rows.set(cells[0]!, cells);
  }
  return rows;
}

const ENDED_BY_COLUMN = 5;
const TITLE_COLUMN = 1;

let dir: string;
let out: string;
let caseIds: string[];
const dom: Record<'en' | 'zh', string> = { en: '', zh: '' };

beforeAll(async () => {
  requireTool('chromium', ['--version']);
  const run = await runLabJson(['--lang', 'zh']);
  expect(run.code, failures(run.summary)).toBe(0);
  dir = run.dir;
  caseIds = run.summary.cases.map((c) => c.id);
  out = testOutputDir('report-chromium');
  // The same run in English, from the run folder's own files.
  const events = await readMessagesJsonlFile(join(dir, 'messages.jsonl'));
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  writeFileSync(join(dir, 'report-en.html'), renderReport(summary, events, { lang: 'en' }).html);
  for (const [lang, file] of [['en', 'report-en.html'], ['zh', 'report.html']] as const) {
    const shown = await chromium(dir, ['--dump-dom', pathToFileURL(join(dir, file)).href]);
    expect(pageErrors(shown.stderr)).toEqual([]);
    dom[lang] = shown.stdout;
  }
}, 240_000);

describe('report.html of a real lab run in headless Chromium', () => {
  it.each(['en', 'zh'] as const)('renders in %s and the screenshot is a real picture, written to test-output/', async (lang) => {
    const png = join(out, `report-${lang}.png`);
    const shot = await chromium(dir, [`--screenshot=${png}`, '--window-size=1280,2400', pathToFileURL(join(dir, lang === 'en' ? 'report-en.html' : 'report.html')).href]);
    expect(pageErrors(shot.stderr)).toEqual([]);
    const bytes = readFileSync(png);
    expect(pngSize(bytes)).toEqual({ width: 1280, height: 2400 });
    // A blank page compresses to a few kB; text and tables do not.
    expect(bytes.length).toBeGreaterThan(50_000);
  }, 60_000);

  it.each(['en', 'zh'] as const)('says in %s how every case ended, in the summary and in its section', (lang) => {
    expect(caseIds).toEqual(expect.arrayContaining([...LAB_CASE_IDS]));
    const rows = summaryRows(dom[lang]);
    for (const id of caseIds) {
      const label = ENDINGS[EXPECTED_ENDING[id]!].label[lang];
      expect(rows.get(id)?.[ENDED_BY_COLUMN], id).toBe(label);
      const section = dom[lang].slice(dom[lang].indexOf(`<section id="case-${id}"`));
      expect(/<p class="ended-by"><b>([^<]*)<\/b>/.exec(section)?.[1], id).toBe(`${lang === 'en' ? 'Ended by' : '由谁结束'}: ${label}.`);
    }
  });

  it('has a registration section per bot: REGISTER, 401 with realm, nonce and qop, REGISTER with credentials, 200 with the binding', () => {
    const html = dom.en;
    const section = html.slice(html.indexOf('<section id="registration">'), html.indexOf('</section>', html.indexOf('<section id="registration">')));
    expect(section).toContain('<h2>Registration</h2>');
    for (const bot of ['alice', 'bob', 'carol']) {
      const start = section.indexOf(`<h3 id="registration-${bot}">`);
      expect(start, bot).toBeGreaterThan(0);
      const mine = section.slice(start, section.indexOf('<h3', start + 1) > 0 ? section.indexOf('<h3', start + 1) : undefined);
      const heads = [...mine.matchAll(/<span class="step-head">[^<]*<b>([^<]+)<\/b>/g)].map((m) => m[1]);
      expect(heads.slice(0, 4), bot).toEqual(['REGISTER', '401 Unauthorized (REGISTER)', 'REGISTER', '200 OK (REGISTER)']);
      for (const field of ['realm', 'nonce', 'qop', 'response', 'cnonce', 'nc']) expect(mine, `${bot} ${field}`).toContain(`<td>${field}</td>`);
      expect(mine).toMatch(/<td>Contact<\/td><td>&lt;sip:[^<]*;expires=60<\/td>/);
      expect(mine).toContain('The registrar granted 60 s.');
    }
  });

  it('writes no English case title or description under --lang zh', () => {
    const rows = summaryRows(dom.zh);
    for (const file of readdirSync('scenarios/lab').filter((f) => f.endsWith('.yaml'))) {
      type Text = { en: string } | string;
      const scenario = parseYaml(readFileSync(join('scenarios/lab', file), 'utf8')) as { id: string; title: Text; description?: Text };
      const english = (text: Text) => (typeof text === 'string' ? text : text.en);
      expect(dom.zh, scenario.id).not.toContain(english(scenario.title));
      if (scenario.description) expect(dom.zh, scenario.id).not.toContain(english(scenario.description).split('\n')[0]);
      if (rows.has(scenario.id)) expect(rows.get(scenario.id)![TITLE_COLUMN], scenario.id).toMatch(/\p{Script=Han}{3}/u);
    }
    expect(dom.zh).toContain('<html lang="zh-CN"');
    expect(dom.zh).toContain(explainCase('answer-bye-caller', 'zh')!.slice(0, 20));
    expect(dom.zh).toContain('主叫（alice）');
    expect(dom.zh).not.toMatch(/>(answered|rejected|cancelled|timeout)</);
  });

  it('draws busy-in-call with the callers left of the proxy and the callee right, and tells its two calls apart', () => {
    const html = dom.en;
    const section = html.slice(html.indexOf('<section id="case-busy-in-call"'), html.indexOf('</section>', html.indexOf('<section id="case-busy-in-call"')));
    const svg = section.slice(section.indexOf('<svg'), section.indexOf('</svg>'));
    const lanes = [...svg.matchAll(/<text [^>]*font-weight="bold">([^<]+)<\/text>/g)].map((m) => m[1]);
    // carol's call is the compared one; alice's (answered, many more arrows) never crosses a lifeline.
    expect(lanes).toEqual(['carol', 'alice', 'proxy', 'bob']);
    const legend = [...section.matchAll(/<ul class="calls">([\s\S]*?)<\/ul>/g)].map((m) => m[1]).join('');
    expect(legend).toMatch(/\[1\] call 1: alice → bob, Call-ID/);
    expect(legend).toMatch(/\[2\] call 2: carol → bob \(the call this case compares\), Call-ID/);
    const captions = [...svg.matchAll(/<text [^>]*text-anchor="middle" fill="[^"]+">([^<]+)<\/text>/g)].map((m) => m[1]!);
    expect(captions.length).toBeGreaterThan(10);
    for (const caption of captions) expect(caption).toMatch(/^\[[12]\] /);
    expect(captions).toContain('[2] 486 Busy Here');
    expect(captions).toContain('[1] BYE');
  });

  it('names a CJK font in the style sheet, so Chinese does not render as boxes', () => {
    expect(dom.zh).toMatch(/font:[^;}]*"Noto Sans CJK SC"/);
  });

  it('lays out the summary, every case section with its SVG ladder, the discussion and the glossary (English)', () => {
    const html = dom.en;
    expect(html).toContain('<html lang="en"');
    for (const id of caseIds) expect(html).toContain(`id="case-${id}"`);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(caseIds.length);
    expect(html).toContain(explainCase('no-answer', 'en')!.slice(0, 40));
    // The closing discussion's flow of each no-answer variant is what this run's capture shows.
    const discussion = /<table class="no-answer">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const variants = (discussion.match(/<tr><td>[\s\S]*?<\/tr>/g) ?? []).map((row) => [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<br>/g, '\n').replace(/<[^>]+>/g, '')));
    expect(variants.map((v) => v[0])).toEqual(['no-answer-callee-408', 'no-answer', 'no-answer-as-captured', 'no-answer-proxy-408']);
    for (const [id, , , caller, callee, run] of variants) {
      if (!caseIds.includes(id!)) continue;
      expect(run!.split('\n').slice(1), id).toEqual([caller, callee]);
    }
    for (const term of ['nonce', 'realm', 'qop', 'response', 'Call-ID', 'CSeq', 'tag (From/To)', 'branch', 'rport', 'Record-Route', 'Max-Forwards']) {
      expect(html.slice(html.indexOf('<section id="glossary">')), term).toContain(`<dt>${term}</dt>`);
    }
  });
});
