import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { checkOutputFiles } from '../../lab/run-folder.js';
import { InputFileError, readInputText } from '../../util/input-file.js';
import { formatTable, renderLoadJunit } from '../../load/outputs/load-report.js';
import { checkShardSet, mergeShards, type ReadShard } from '../../load/results/merge-shards.js';
import { parseShardFile, type CompletedShard } from '../../load/results/shard-result.js';
import { parseThresholds } from '../../load/results/thresholds.js';
import { ExitCode } from '../exit-codes.js';
import { unlessInterrupted, type CommandContext } from './command-context.js';

export function mergeCommand(context: CommandContext): Command {
  return new Command('merge')
    .argument('<shard-files...>', 'shard results written by sipbots load --shard I/N --json FILE, one per shard 0..N-1')
    .option('--threshold <expr...>', "pass/fail criteria on the merged run, e.g. 'setup_p99<200ms' 'failed<0.1%' 'cps>=300' (exit 1 when one fails)")
    .option('--json <file>', 'write the merged results (histograms included) as JSON (a new file)')
    .option('--junit <file>', 'write thresholds as JUnit XML (a new file)')
    .option('--force', 'overwrite existing --json/--junit files')
    .action(async (files: string[], options: Record<string, unknown>) => {
      context.setExitCode(await merge(files, options, context));
    });
}

/**
 * Exit codes as for `load`: 0 merged and every threshold passed; 1 a threshold failed, or a
 * shard failed (its result says so) and nothing was merged; 2 bad thresholds or files that
 * are not one complete run (unreadable, not shard results, an index missing or twice), with
 * every problem listed.
 */
async function merge(files: string[], options: Record<string, unknown>, { io }: CommandContext): Promise<number> {
  await checkOutputFiles([{ option: '--json', path: options.json as string | undefined }, { option: '--junit', path: options.junit as string | undefined }], options.force === true);
  const { thresholds, problems } = parseThresholds((options.threshold as string[] | undefined) ?? []);
  const read: ReadShard[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await unlessInterrupted(io.signal, readInputText(file, 'capture'));
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      problems.push(error.message);
      continue;
    }
    const parsed = parseShardFile(text);
    if ('problems' in parsed) problems.push(...parsed.problems.map((p) => `${file}: ${p}`));
    else read.push({ file, shard: parsed.shard });
  }
  const { incomplete, failed } = read.length > 0 ? checkShardSet(read) : { incomplete: [], failed: [] };
  const usage = [...problems, ...incomplete];
  if (usage.length > 0 || failed.length > 0) {
    const lines = [...usage, ...failed];
    io.stderr.write(`sipbots merge: these shard results are not one complete, successful run; nothing merged:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`);
    return usage.length > 0 ? ExitCode.Usage : ExitCode.Failed;
  }
  const result = mergeShards(read as { file: string; shard: CompletedShard }[], thresholds);
  io.stdout.write(`sipbots merge: ${result.shards.length} shards, ${result.startedAt} .. ${result.endedAt}\n\n`);
  io.stdout.write(formatTable(result));
  if (typeof options.json === 'string') await writeFile(options.json, JSON.stringify(result, null, 2) + '\n');
  if (typeof options.junit === 'string') await writeFile(options.junit, renderLoadJunit(result));
  if (!result.passed) {
    io.stderr.write(`sipbots merge: thresholds failed: ${result.thresholds.filter((t) => !t.ok).map((t) => `${t.expression} (actual ${t.actual}${t.unit ? ' ' + t.unit : ''})`).join(', ')}\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}
