import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { callLadders, renderHtmlDocument, renderMermaidDocument, renderSvgDocument, renderTextDocument, type CallLadder } from '../../capture/ladder-document.js';
import { namePartiesByUser } from '../../capture/ladder-names.js';
import { captureWarnings, renderCaptureSummary } from '../../capture/ladder-summary.js';
import { readMessagesJsonlFile } from '../../capture/messages-jsonl.js';
import { groupByCallId, readSipCaptureFile, UNPARSABLE_CALL, type CaptureSummary } from '../../capture/pcap-reader.js';
import type { SipbotsEvent, SipMessageEvent } from '../../events/types.js';
import { createRunFolder } from '../../lab/run-folder.js';
import { ExitCode } from '../exit-codes.js';
import { fileOfOption, unlessInterrupted, type CommandContext } from './command-context.js';

type LadderFormat = 'text' | 'mermaid' | 'svg' | 'html';

const EXTENSIONS: Record<LadderFormat, string> = { text: 'txt', mermaid: 'mmd', svg: 'svg', html: 'html' };

export function ladderCommand(context: CommandContext): Command {
  return new Command('ladder')
    .argument('<file>', 'messages.jsonl, .pcapng or .pcap (also gzip-compressed)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'svg', 'html']).default('text'))
    .option('--call <call-id>', 'only this call (default: every call, one ladder each)')
    .option('--case <id>', 'only the messages of this lab case (messages.jsonl or a sipbots pcapng)')
    .option('--split <dir>', 'write one file per call into <dir>, new or empty, instead of one document on stdout')
    .option('--force', 'write --split files into a folder that is not empty')
    .option('--strict', 'fail on frames that cannot be decoded and on a capture cut short')
    .addOption(new Option('--truncated', 'read a capture cut off by a crash (the default unless --strict)').hideHelp())
    .action(async (file: string, options: Record<string, unknown>) => {
      const { io } = context;
      const format = options.format as LadderFormat;
      const strict = options.strict === true;
      // Refused before the capture is read: a long read must not end in "that folder holds files".
      if (options.split) await createRunFolder(options.split as string, { option: '--split', force: options.force === true });
      // A huge capture can take a while to read: Ctrl-C ends the wait (exit 130).
      const { messages, summary } = await unlessInterrupted(io.signal, fileOfOption('ladder', readMessages(file, strict)));
      const calls = groupByCallId(messages);
      const selected = options.call ? new Map([[options.call as string, calls.get(options.call as string) ?? []]]) : calls;
      const ladders = callLadders(selected, { caseId: options.case as string | undefined, names: namePartiesByUser(messages) });
      const notes = summary ? [...captureWarnings(summary, file), renderCaptureSummary(summary, messages.length, countCalls(calls))] : [];
      if (ladders.length === 0) {
        const what = options.call ? ` of call ${options.call as string}` : options.case ? ` of case ${options.case as string}` : '';
        io.stderr.write(`sipbots: no SIP messages${what} in ${file}\n${notes.map((n) => `sipbots: ${n}\n`).join('')}`);
        context.setExitCode(ExitCode.Failed);
        return;
      }
      if (options.split) {
        const written = await writeSplit(options.split as string, format, ladders, file, notes);
        io.stdout.write(written.map((path) => `${path}\n`).join(''));
      } else {
        io.stdout.write(render(format, ladders, file, notes, io.stdout.isTTY === true));
      }
      if (format !== 'html' || options.split) io.stderr.write(notes.map((n) => `sipbots: ${n}\n`).join(''));
      const unknown = summary?.skipped.get('unknown') ?? 0;
      if (strict && unknown > 0) {
        io.stderr.write(`sipbots: --strict: ${unknown} frame${unknown === 1 ? '' : 's'} could not be decoded\n`);
        context.setExitCode(ExitCode.Failed);
        return;
      }
      context.setExitCode(ExitCode.Ok);
    });
}

function render(format: LadderFormat, ladders: readonly CallLadder[], file: string, notes: readonly string[], color: boolean): string {
  if (format === 'text') return renderTextDocument(ladders, color);
  if (format === 'mermaid') return renderMermaidDocument(ladders);
  if (format === 'svg') return renderSvgDocument(ladders);
  return renderHtmlDocument(file, ladders, notes);
}

/** `--split DIR`: `001-<call-id>.svg` and so on, numbered in call order. */
async function writeSplit(dir: string, format: LadderFormat, ladders: readonly CallLadder[], file: string, notes: readonly string[]): Promise<string[]> {
  const written: string[] = [];
  for (const [i, call] of ladders.entries()) {
    const name = `${String(i + 1).padStart(3, '0')}-${call.callId.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 80)}.${EXTENSIONS[format]}`;
    const path = join(dir, name);
    await writeFile(path, render(format, [call], file, format === 'html' ? notes : [], false));
    written.push(path);
  }
  return written;
}

function countCalls(calls: ReadonlyMap<string, unknown>): number {
  return [...calls.keys()].filter((id) => id !== UNPARSABLE_CALL).length;
}

async function readMessages(file: string, strict: boolean): Promise<{ messages: SipMessageEvent[]; summary?: CaptureSummary }> {
  if (file.endsWith('.jsonl')) {
    const events: SipbotsEvent[] = await readMessagesJsonlFile(file);
    return { messages: events.filter((e): e is SipMessageEvent => e.type === 'sip') };
  }
  const result = await readSipCaptureFile(file, { allowTruncated: !strict });
  return { messages: result.messages, summary: result.summary };
}
