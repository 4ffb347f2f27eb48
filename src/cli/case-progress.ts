import type { Lang } from '../capture/explanations-cases.js';
import type { CaseResult } from '../scenario/result-types.js';
import { CLEAR_LINE, formatCaseLine, formatLiveLine } from './print-lab.js';

/** What lab and run hand runSession for their output while cases run. */
export interface CaseProgress {
  onServer?: (description: string) => void;
  onCaseStart?: (caseId: string) => void;
  onCase?: (result: CaseResult) => void;
  /** Erases the live line, if any, before the footer. */
  end: () => void;
}

/**
 * The output of lab and run while cases run: one result line per case and, on a terminal, a
 * live line below them saying what runs now (`running no-answer …`, every running case under
 * `--parallel`), replaced by each result. `--json` prints nothing here.
 */
export function caseProgress(out: { write(text: string): unknown; isTTY?: boolean }, options: { json: boolean; lang: Lang; afterServer?: string }): CaseProgress {
  if (options.json) return { end: () => undefined };
  const live = out.isTTY === true;
  const running: string[] = [];
  const clear = live ? CLEAR_LINE : '';
  const redraw = () => live && out.write(running.length > 0 ? formatLiveLine({ cases: running }, options.lang) : CLEAR_LINE);
  if (live) out.write(formatLiveLine('starting', options.lang));
  return {
    onServer: (description) => {
      out.write(`${clear}${options.lang === 'zh' ? '服务器定位：' : 'server located: '}${description}\n${options.afterServer ?? ''}`);
      if (live) out.write(formatLiveLine('starting', options.lang));
    },
    onCaseStart: live
      ? (caseId) => {
          running.push(caseId);
          redraw();
        }
      : undefined,
    onCase: (result) => {
      const at = running.indexOf(result.id);
      if (at >= 0) running.splice(at, 1);
      out.write(clear + formatCaseLine(result, live, options.lang));
      redraw();
    },
    end: () => live && out.write(CLEAR_LINE),
  };
}
