import { dirname, isAbsolute, resolve } from 'node:path';
import { decodePlayableWav, WavError } from '../media/wav.js';
import { InputFileError, readInputFileSync } from '../util/input-file.js';
import type { PathProblem } from './env-substitution.js';
import { isRecord } from './is-record.js';
import { referenceProblem, type ProblemText } from './problem-text.js';
import { readReason } from './problem-text.js';

/** `play:` paths are written relative to the bots file, like an include, not to the working directory. */
export function resolvePlayPath(botsFile: string, play: string): string {
  return isAbsolute(play) ? play : resolve(dirname(botsFile), play);
}

/**
 * Every bot's `play:` WAV is read and checked when the bots file loads, so a wrong format fails
 * the run before any call with the bots file's line and the WAV's name, not mid-call.
 */
export function checkPlayFiles(data: unknown, botsFile: string): PathProblem[] {
  if (!isRecord(data) || !isRecord(data['bots'])) return [];
  const problems: PathProblem[] = [];
  for (const [name, bot] of Object.entries(data['bots'])) {
    if (!isRecord(bot) || typeof bot['play'] !== 'string' || bot['play'] === '') continue;
    const path = resolvePlayPath(botsFile, bot['play']);
    const problem = playableProblem(path);
    if (problem) problems.push({ path: ['bots', name, 'play'], ...problem });
  }
  return problems;
}

function playableProblem(path: string): ProblemText | undefined {
  let bytes: Buffer;
  try {
    bytes = readInputFileSync(path, 'wav');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    return referenceProblem.playUnreadable(path, readReason(error));
  }
  try {
    decodePlayableWav(bytes, path);
    return undefined;
  } catch (error) {
    if (!(error instanceof WavError)) throw error;
    return referenceProblem.playNotPcm(path, error.message);
  }
}
