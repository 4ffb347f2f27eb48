import { describeGap, formatOffset, type Ladder, type LadderArrow } from './ladder-model.js';

export interface LadderSvgOptions {
  /** Prefix for element ids (markers), unique per SVG when several share one HTML page. */
  idPrefix?: string;
  title?: string;
  /** Inline in HTML (no xmlns needed, none written) instead of a standalone .svg file. */
  inline?: boolean;
  /** Arrows (indices) to mark as having no counterpart in a ladder shown beside this one. */
  marked?: ReadonlySet<number>;
}

/** The time column is at least this wide and widens for long captures. */
const MIN_TIME_COLUMN = 72;
const TOP = 56;
const ROW = 26;
const CHAR_WIDTH = 7;
const COLOURS: Record<LadderArrow['kind'], string> = {
  request: '#1f5fa8',
  provisional: '#a86b00',
  success: '#1d7a34',
  failure: '#b3261e',
  unparsable: '#7b3fa0',
};

/**
 * A self-contained SVG ladder: no scripts, no external fonts or links, integer coordinates so
 * the output is byte-stable. Each arrow carries a <title> with its start line for hovering.
 */
export function renderLadderSvg(ladder: Ladder, options: LadderSvgOptions = {}): string {
  const prefix = sanitizeId(options.idPrefix ?? 'ladder');
  const longest = Math.max(12, ...ladder.arrows.map((a) => a.caption.length), ...ladder.columns.map((c) => c.length));
  const column = Math.max(150, longest * CHAR_WIDTH + 40);
  const TIME_COLUMN = Math.max(MIN_TIME_COLUMN, ...ladder.arrows.map((a) => formatOffset(a.offsetMs).length * CHAR_WIDTH + 16));
  const width = TIME_COLUMN + Math.max(1, ladder.columns.length) * column;
  const height = TOP + ladder.arrows.length * ROW + 24;
  const x = (party: string) => TIME_COLUMN + ladder.columns.indexOf(party) * column + Math.floor(column / 2);

  const out: string[] = [];
  const namespace = options.inline ? '' : ' xmlns="http://www.w3.org/2000/svg"';
  out.push(`<svg${namespace} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12" role="img">`);
  out.push(`<title>${escapeXml(options.title ?? 'SIP ladder')}</title>`);
  out.push('<defs>');
  for (const [kind, colour] of Object.entries(COLOURS)) {
    out.push(`<marker id="${prefix}-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  ladder.columns.forEach((name) => {
    const cx = x(name);
    const boxWidth = Math.max(60, name.length * CHAR_WIDTH + 16);
    out.push(`<rect x="${cx - Math.floor(boxWidth / 2)}" y="8" width="${boxWidth}" height="24" rx="4" fill="#eef2f7" stroke="#5b6b7f"/>`);
    out.push(`<text x="${cx}" y="24" text-anchor="middle" font-weight="bold">${escapeXml(name)}</text>`);
    out.push(`<line x1="${cx}" y1="32" x2="${cx}" y2="${height - 8}" stroke="#9aa5b1" stroke-dasharray="4 3"/>`);
  });
  ladder.arrows.forEach((arrow, i) => {
    const y = TOP + i * ROW + 14;
    const colour = COLOURS[arrow.kind];
    const dash = arrow.retransmission ? ' stroke-dasharray="6 4"' : '';
    const x1 = x(arrow.from);
    const x2 = x(arrow.to);
    const marked = options.marked?.has(arrow.index) === true;
    out.push(`<g class="arrow ${arrow.kind}${arrow.retransmission ? ' retransmission' : ''}${marked ? ' unmatched' : ''}">`);
    out.push(`<title>${escapeXml(arrow.views[0]?.startLine ?? arrow.label)}${marked ? ' (not in the other ladder)' : ''}</title>`);
    if (marked) out.push(`<rect x="0" y="${y - 13}" width="${width}" height="${ROW - 2}" fill="#fde8e6"/>`);
    if (arrow.gapMs !== undefined) out.push(`<text x="6" y="${y - 8}" fill="#b3261e" font-size="10">${escapeXml(describeGap(arrow.gapMs))}</text>`);
    out.push(`<text x="6" y="${y + 4}" fill="#5b6b7f">${formatOffset(arrow.offsetMs)}</text>`);
    if (x1 === x2) {
      out.push(`<path d="M${x1},${y - 6} h30 v12 h-30" fill="none" stroke="${colour}" stroke-width="1.5"${dash} marker-end="url(#${prefix}-${arrow.kind})"/>`);
      out.push(`<text x="${x1 + 36}" y="${y + 4}" fill="${colour}">${escapeXml(arrow.caption)}</text>`);
    } else {
      out.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${colour}" stroke-width="1.5"${dash} marker-end="url(#${prefix}-${arrow.kind})"/>`);
      out.push(`<text x="${Math.floor((x1 + x2) / 2)}" y="${y - 5}" text-anchor="middle" fill="${colour}">${escapeXml(arrow.caption)}</text>`);
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function sanitizeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}
