import { describeGap, formatOffset, type Ladder, type LadderArrow } from './ladder-model.js';

export interface LadderTextOptions {
  /** ANSI colours (requests cyan, 1xx yellow, 2xx green, failures red, retransmissions dim). */
  color?: boolean;
}

const ANSI: Record<LadderArrow['kind'], string> = {
  request: '\x1b[36m',
  provisional: '\x1b[33m',
  success: '\x1b[32m',
  failure: '\x1b[31m',
  unparsable: '\x1b[35m',
};
const ANSI_DIM = '\x1b[2m';
const ANSI_RESET = '\x1b[0m';
/** The time column is at least this wide, and widens for long captures (`12345.678s`). */
const MIN_TIME_WIDTH = 10;
const MIN_COLUMN = 16;

/**
 * A ladder for the terminal, one line per message, time since the first message on the left:
 *
 *               alice          proxy           bob
 *      0.000s     |---INVITE---->|              |
 */
export function renderLadderText(ladder: Ladder, options: LadderTextOptions = {}): string {
  const { columns, arrows } = ladder;
  if (columns.length === 0) return '(no SIP messages)\n';
  const longestCaption = Math.max(0, ...arrows.map((a) => a.caption.length));
  const longestName = Math.max(...columns.map((c) => c.length));
  const width = Math.max(MIN_COLUMN, longestCaption + 6, longestName + 2);
  const center = (i: number) => i * width + Math.floor(width / 2);
  const lineLength = columns.length * width;
  const TIME_WIDTH = Math.max(MIN_TIME_WIDTH, ...arrows.map((a) => formatOffset(a.offsetMs).length + 2));

  const lines: string[] = [];
  const header = new Array<string>(lineLength).fill(' ');
  columns.forEach((name, i) => {
    const start = Math.max(0, center(i) - Math.floor(name.length / 2));
    for (let k = 0; k < name.length; k++) header[start + k] = name[k]!;
  });
  lines.push(' '.repeat(TIME_WIDTH) + header.join('').trimEnd());

  for (const arrow of arrows) {
    if (arrow.gapMs !== undefined) lines.push(`${' '.repeat(TIME_WIDTH)}~~~ capture clock jumps: ${describeGap(arrow.gapMs)} ~~~`);
    const row = new Array<string>(lineLength).fill(' ');
    columns.forEach((_c, i) => (row[center(i)] = '|'));
    const a = center(columns.indexOf(arrow.from));
    const b = center(columns.indexOf(arrow.to));
    let spanStart = Math.min(a, b);
    let spanEnd = Math.max(a, b);
    if (a === b) {
      const text = ` <-' ${arrow.caption}`;
      for (let k = 0; k < text.length && a + 1 + k < lineLength; k++) row[a + 1 + k] = text[k]!;
      spanStart = a + 1;
      spanEnd = Math.min(lineLength - 1, a + text.length);
    } else {
      for (let x = spanStart + 1; x < spanEnd; x++) row[x] = '-';
      if (b > a) row[spanEnd - 1] = '>';
      else row[spanStart + 1] = '<';
      const room = spanEnd - spanStart - 3;
      const caption = arrow.caption.length > room ? arrow.caption.slice(0, Math.max(0, room)) : arrow.caption;
      const start = spanStart + 2 + Math.floor((room - caption.length) / 2);
      for (let k = 0; k < caption.length; k++) row[start + k] = caption[k]!;
      spanStart += 1;
      spanEnd -= 1;
    }
    const time = formatOffset(arrow.offsetMs).padStart(TIME_WIDTH - 2) + '  ';
    lines.push(time + paint(row, spanStart, spanEnd, arrow, options.color === true).trimEnd());
  }
  if (arrows.some((a) => a.retransmission)) lines.push(`${' '.repeat(TIME_WIDTH)}[retx] = retransmission of an earlier message`);
  if (arrows.some((a) => a.problem !== undefined)) lines.push(`${' '.repeat(TIME_WIDTH)}[!...] = the message fails strict parsing, for this reason`);
  return lines.join('\n') + '\n';
}

function paint(row: string[], start: number, end: number, arrow: LadderArrow, color: boolean): string {
  if (!color) return row.join('');
  const style = (arrow.retransmission ? ANSI_DIM : '') + ANSI[arrow.kind];
  return row.slice(0, start).join('') + style + row.slice(start, end + 1).join('') + ANSI_RESET + row.slice(end + 1).join('');
}
