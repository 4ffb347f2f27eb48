import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/scenario/result-types.js';
import { requireTool } from '../capture/fixtures/peers.js';
import { chromium, pageErrors } from '../support/chromium.js';
import { runCli } from '../support/run-cli.js';

/*
 * Issue 21: `sipbots run` of a scenario made from a capture shows the original capture's ladder
 * beside the new run's. The lab's capture (fixtures/lab-udp-signaling.pcapng) is copied into a
 * folder of its own, its answer-bye-caller case made into a scenario, the scenario run against
 * the embedded proxy, and report.html opened in headless Chromium: both ladders must be there,
 * as SVG an XML parser reads, with the messages of each. Then the capture is removed and the
 * scenario run again: the run still passes and the report says the original could not be read.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures/lab-udp-signaling.pcapng');
const PASSWORDS = { PATH: process.env.PATH, ALICE_PASSWORD: 'a', BOB_PASSWORD: 'b', CAROL_PASSWORD: 'c' };
const CASE = 'answer-bye-caller';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-from-capture-report-'));
const capture = join(dir, 'customer', 'lab.pcapng');
const generated = join(dir, 'generated');

interface Arrow {
  caption: string;
  unmatched: boolean;
}

/** Lanes and arrows of an inline SVG ladder, read by an XML parser. */
function readLadder(svg: string): { lanes: string[]; arrows: Arrow[]; title: string } {
  expect(XMLValidator.validate(svg)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['g', 'text', 'rect'].includes(name) }).parse(svg) as {
    svg: { title: string; text: Array<{ '#text': string | number; '@_font-weight'?: string }>; g: Array<{ '@_class': string; text: Array<{ '#text': string | number; '@_fill': string; '@_x': string }> }> };
  };
  const lanes = parsed.svg.text.filter((t) => t['@_font-weight'] === 'bold').map((t) => String(t['#text']));
  // Each arrow's texts: its time (x=6), then its caption.
  const arrows = parsed.svg.g.map((g) => ({ caption: String(g.text.filter((t) => t['@_x'] !== '6').at(-1)!['#text']), unmatched: g['@_class'].split(' ').includes('unmatched') }));
  return { lanes, arrows, title: parsed.svg.title };
}

/** The case section of a report Chromium laid out, and the SVG in each of its figures. */
function figures(dom: string): { run?: string; original?: string; section: string } {
  const section = dom.slice(dom.indexOf(`<section id="case-${CASE}"`), dom.indexOf('</section>', dom.indexOf(`<section id="case-${CASE}"`)));
  const svgIn = (cls: string) => /<svg[\s\S]*?<\/svg>/.exec(section.slice(section.indexOf(`<figure class="${cls}">`)))?.[0];
  return { run: section.includes('<figure class="run-ladder">') ? svgIn('run-ladder') : undefined, original: section.includes('<figure class="original-ladder">') ? svgIn('original-ladder') : undefined, section };
}

async function runGenerated(out: string): Promise<{ summary: RunSummary; dom: string; md: string }> {
  const run = await runCli(['run', join(generated, 'scenarios'), '--bots', join(generated, 'bots.yaml'), '--media', 'none', '--json', '--out', out], { env: PASSWORDS });
  const summary = JSON.parse(run.stdout) as RunSummary;
  expect(run.code, `${summary.cases[0]?.difference}\n${run.stderr}`).toBe(0);
  const shown = await chromium(dir, ['--dump-dom', pathToFileURL(join(out, 'report.html')).href]);
  expect(pageErrors(shown.stderr)).toEqual([]);
  return { summary, dom: shown.stdout, md: readFileSync(join(out, 'report.md'), 'utf8') };
}

beforeAll(async () => {
  requireTool('chromium', ['--version']);
  mkdirSync(join(dir, 'customer'));
  copyFileSync(FIXTURE, capture);
  const made = await runCli(['scenario', 'from-capture', capture, '--case', CASE, '--out', generated]);
  expect(made.code, made.stderr).toBe(0);
});

describe('sipbots run of a scenario made from a capture', () => {
  it('names its capture relative to the scenario file, and the report shows the original ladder beside the run\'s', async () => {
    const yaml = readFileSync(join(generated, 'scenarios', `${CASE}.yaml`), 'utf8');
    const source = /^source: \{ capture: "([^"]+)", calls: \["([^"]+)"\] \}$/m.exec(yaml);
    expect(source?.[1]).toBe('../../customer/lab.pcapng');

    const { summary, dom, md } = await runGenerated(join(dir, 'run'));
    expect(summary.cases[0]!.source).toEqual({ capture, calls: [source![2]] });
    const { run, original, section } = figures(dom);
    expect(section).toContain(`<figcaption>Original capture: ${capture} (Call-ID ${source![2]})</figcaption>`);
    const ours = readLadder(run!);
    const theirs = readLadder(original!);
    expect(theirs.title).toContain(capture);
    // The lab capture holds the bots' REGISTERs, so its endpoints are named after their users.
    expect(theirs.lanes).toEqual(['alice', expect.stringMatching(/^127\.0\.0\.1:\d+$/), 'bob']);
    expect(ours.lanes).toEqual(['alice', 'proxy', 'bob']);
    const flow = ['INVITE', '407 Proxy Authentication Required', 'ACK', 'INVITE', 'INVITE', '180 Ringing', '180 Ringing', '200 OK', '200 OK', 'ACK', 'ACK', 'BYE', 'BYE', '200 OK (BYE)', '200 OK (BYE)'];
    const withoutTrying = (arrows: Arrow[]) => arrows.map((a) => a.caption).filter((c) => !c.startsWith('100 '));
    expect(withoutTrying(theirs.arrows)).toEqual(flow);
    expect(withoutTrying(ours.arrows)).toEqual(flow);
    // A replay that passed differs at most in the hop-by-hop 100 Trying: only such rows are shaded.
    for (const ladder of [ours, theirs]) expect(ladder.arrows.filter((a) => a.unmatched && !a.caption.startsWith('100 '))).toEqual([]);
    expect(md).toContain(`**Original capture: ${capture} (Call-ID ${source![2]})**`);
    expect(md.match(/```mermaid/g)).toHaveLength(2);
  }, 120_000);

  it('still runs when the capture is gone, and the report says the original could not be read', async () => {
    rmSync(capture);
    const { summary, dom, md } = await runGenerated(join(dir, 'run-without-capture'));
    expect(summary.cases[0]!.passed).toBe(true);
    const { run, original, section } = figures(dom);
    expect(readLadder(run!).arrows.length).toBeGreaterThan(10);
    expect(original).toBeUndefined();
    expect(section).toContain(`<p class="difference">The original capture could not be read: ${capture}: file not found</p>`);
    expect(md).toContain(`> **The original capture could not be read:** ${capture}: file not found`);
  }, 120_000);
});
