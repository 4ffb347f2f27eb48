import { z } from 'zod';
import { FlowPatternError, parseFlowPattern } from './flow-pattern.js';
import { customIssue } from './zod-problem.js';

/** One flow pattern of a leg (`<180`, `200/INVITE>`, `100>?`). YAML reads a bare `407` as a number; it is still a pattern, just one missing its direction. */
export const flowPattern = z.union([z.string(), z.number()]).transform((input, ctx) => {
  try {
    return parseFlowPattern(String(input));
  } catch (error) {
    if (!(error instanceof FlowPatternError)) throw error;
    ctx.addIssue(customIssue(error.text));
    return z.NEVER;
  }
});
