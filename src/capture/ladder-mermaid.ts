import { describeGap, formatOffset, type Ladder } from './ladder-model.js';

/**
 * A Mermaid `sequenceDiagram` (renders in GitHub/GitLab Markdown). Participants get short ids
 * so addresses such as `10.0.0.1:5060` can be shown; `;` and `#` in text are written as
 * Mermaid entity codes because `;` would end the statement. Retransmissions are dotted arrows.
 */
export function renderLadderMermaid(ladder: Ladder): string {
  const ids = new Map(ladder.columns.map((name, i) => [name, `p${i}`] as const));
  const lines = ['sequenceDiagram'];
  for (const [name, id] of ids) lines.push(`    participant ${id} as ${escapeText(name)}`);
  const everyone = ladder.columns.length > 1 ? `p0,p${ladder.columns.length - 1}` : 'p0';
  for (const arrow of ladder.arrows) {
    if (arrow.gapMs !== undefined) lines.push(`    Note over ${everyone}: capture clock jumps, ${describeGap(arrow.gapMs)}`);
    const line = arrow.retransmission ? '-->>' : '->>';
    const time = `+${formatOffset(arrow.offsetMs)}`;
    lines.push(`    ${ids.get(arrow.from)}${line}${ids.get(arrow.to)}: ${escapeText(arrow.caption)} ${time}`);
  }
  return lines.join('\n') + '\n';
}

function escapeText(text: string): string {
  return text.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/:/g, '#58;').replace(/[\r\n]+/g, ' ');
}
