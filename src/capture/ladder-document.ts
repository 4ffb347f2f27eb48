import type { SipMessageEvent } from '../events/types.js';
import { buildLadder, type Ladder } from './ladder-model.js';
import { renderLadderMermaid } from './ladder-mermaid.js';
import { escapeXml, renderLadderSvg } from './ladder-svg.js';
import { renderLadderText } from './ladder-text.js';
import { UNPARSABLE_CALL } from './pcap-reader.js';

/** One call's ladder with what a heading says about it. */
export interface CallLadder {
  callId: string;
  ladder: Ladder;
  /** `INVITE sip:bob@example.com SIP/2.0`, the call's first request line, if any. */
  firstRequest?: string;
}

export interface CallLaddersOptions {
  caseId?: string;
  /** Party names for the whole capture (namePartiesByUser), the same in every ladder. */
  names?: ReadonlyMap<string, string>;
}

/** A ladder per call, calls in order of their first message; calls left empty by a filter are dropped. */
export function callLadders(calls: ReadonlyMap<string, readonly SipMessageEvent[]>, options: CallLaddersOptions = {}): CallLadder[] {
  const out: CallLadder[] = [];
  for (const [callId, messages] of calls) {
    const ladder = buildLadder(messages, { names: options.names, caseId: options.caseId });
    if (ladder.arrows.length === 0) continue;
    const firstRequest = ladder.arrows.find((a) => a.kind === 'request')?.views[0]?.startLine;
    out.push({ callId, ladder, ...(firstRequest ? { firstRequest } : {}) });
  }
  return out.sort((a, b) => a.ladder.startedAt - b.ladder.startedAt);
}

/** `Call-ID x`, or what the lane of messages without a readable Call-ID is. */
export function callTitle(callId: string): string {
  return callId === UNPARSABLE_CALL ? 'Messages without a readable Call-ID' : `Call-ID ${callId}`;
}

export function renderTextDocument(calls: readonly CallLadder[], color: boolean): string {
  return calls.map((c) => `${callTitle(c.callId)}\n${renderLadderText(c.ladder, { color })}`).join('\n');
}

/**
 * One call: a bare `sequenceDiagram` (what mmdc and mermaid.live take). Several: Markdown,
 * a heading and a ```mermaid fenced block per call, which GitHub, GitLab and mmdc render
 * as one diagram each (a text with several `sequenceDiagram` blocks is one broken diagram).
 */
export function renderMermaidDocument(calls: readonly CallLadder[]): string {
  if (calls.length === 1) return `%% ${callTitle(calls[0]!.callId)}\n${renderLadderMermaid(calls[0]!.ladder)}`;
  return calls.map((c) => `## ${callTitle(c.callId).replace(/[`*_[\]<>#\\]/g, '\\$&')}\n\n\`\`\`mermaid\n${renderLadderMermaid(c.ladder)}\`\`\`\n`).join('\n');
}

const HEADING = 28;
const GAP = 16;

/**
 * Every call in one standalone SVG document: each ladder is a nested <svg> placed below the
 * previous one, under a heading with its Call-ID and first request. One root element, so the
 * file is well-formed XML whatever the number of calls.
 */
export function renderSvgDocument(calls: readonly CallLadder[]): string {
  if (calls.length === 1) return renderLadderSvg(calls[0]!.ladder, { title: callTitle(calls[0]!.callId) });
  const parts: string[] = [];
  let y = 0;
  let width = 0;
  calls.forEach((call, i) => {
    const svg = renderLadderSvg(call.ladder, { title: callTitle(call.callId), idPrefix: `c${i}`, inline: true });
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    const h = Number(/height="(\d+)"/.exec(svg)![1]);
    parts.push(`<text x="8" y="${y + 20}" font-size="14" font-weight="bold">${escapeXml(heading(call))}</text>`);
    parts.push(svg.replace('<svg ', `<svg x="0" y="${y + HEADING}" `).trimEnd());
    y += HEADING + h + GAP;
    width = Math.max(width, w);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<title>SIP ladders of ${calls.length} calls</title>`,
    `<rect x="0" y="0" width="${width}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('\n') + '\n';
}

function heading(call: CallLadder): string {
  return `${callTitle(call.callId)}${call.firstRequest ? ` · ${call.firstRequest}` : ''}`;
}

/**
 * A self-contained page: per call a heading (Call-ID), a line with its first request, start
 * time and parties, then its SVG ladder; `footer` (the frame summary) closes the page.
 */
export function renderHtmlDocument(title: string, calls: readonly CallLadder[], footer: readonly string[]): string {
  const out = ['<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${escapeXml(title)}</title>`];
  out.push('<style>body{font:14px/1.45 system-ui,sans-serif;margin:16px}h2{font-size:16px;margin:24px 0 4px;font-family:ui-monospace,monospace}.meta{color:#5b6b7f;margin:0 0 8px}footer{color:#5b6b7f;border-top:1px solid #d5dbe3;margin-top:24px;padding-top:8px}</style>');
  out.push('</head><body>', `<h1>${escapeXml(title)}</h1>`);
  calls.forEach((call, i) => {
    out.push(`<section class="call" id="call-${i + 1}">`, `<h2>${escapeXml(callTitle(call.callId))}</h2>`);
    const started = new Date(call.ladder.startedAt).toISOString();
    const meta = [call.firstRequest ?? '(no request)', `started ${started}`, `parties: ${call.ladder.columns.join(', ')}`];
    out.push(`<p class="meta">${meta.map(escapeXml).join(' · ')}</p>`);
    out.push(renderLadderSvg(call.ladder, { title: callTitle(call.callId), idPrefix: `c${i}`, inline: true }).trimEnd(), '</section>');
  });
  if (footer.length > 0) out.push(`<footer>${footer.map((line) => `<p>${escapeXml(line)}</p>`).join('')}</footer>`);
  out.push('</body></html>');
  return out.join('\n') + '\n';
}
