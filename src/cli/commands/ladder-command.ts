import { Command, Option } from 'commander';
import { buildLadder } from '../../capture/ladder-model.js';
import { renderLadderMermaid } from '../../capture/ladder-mermaid.js';
import { renderLadderSvg } from '../../capture/ladder-svg.js';
import { renderLadderText } from '../../capture/ladder-text.js';
import { readMessagesJsonlFile } from '../../capture/messages-jsonl.js';
import { groupByCallId, namePartiesByUser, readSipCaptureFile } from '../../capture/pcap-reader.js';
import type { SipbotsEvent, SipMessageEvent } from '../../events/types.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';

type LadderFormat = 'text' | 'mermaid' | 'svg' | 'html';

export function ladderCommand(context: CommandContext): Command {
  return new Command('ladder')
    .argument('<file>', 'messages.jsonl, .pcapng or .pcap')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'svg', 'html']).default('text'))
    .option('--call <call-id>', 'only this call (default: every call, one ladder each)')
    .option('--case <id>', 'only the messages of this lab case (messages.jsonl)')
    .option('--truncated', 'read a capture cut off by a crash up to its last whole packet')
    .action(async (file: string, options: Record<string, unknown>) => {
      const { io } = context;
      const format = options.format as LadderFormat;
      const messages = await readMessages(file, options.truncated === true);
      const calls = groupByCallId(messages);
      const selected = options.call ? new Map([[options.call as string, calls.get(options.call as string) ?? []]]) : calls;
      if ([...selected.values()].every((m) => m.length === 0)) {
        io.stderr.write(`sipbots: no SIP messages${options.call ? ` of call ${options.call as string}` : ''} in ${file}\n`);
        context.setExitCode(ExitCode.Failed);
        return;
      }
      const parts: string[] = [];
      for (const [callId, callMessages] of selected) {
        const ladder = buildLadder(callMessages, { names: namePartiesByUser(callMessages), caseId: options.case as string | undefined });
        if (format === 'text') parts.push(`Call-ID ${callId}\n${renderLadderText(ladder, { color: io.stdout.isTTY === true })}`);
        else if (format === 'mermaid') parts.push(`%% Call-ID ${callId}\n${renderLadderMermaid(ladder)}`);
        else parts.push(renderLadderSvg(ladder, { title: `Call-ID ${callId}`, idPrefix: `c${parts.length}` }));
      }
      io.stdout.write(format === 'html' ? htmlPage(file, parts) : parts.join('\n'));
      context.setExitCode(ExitCode.Ok);
    });
}

async function readMessages(file: string, allowTruncated: boolean): Promise<SipMessageEvent[]> {
  if (file.endsWith('.jsonl')) {
    const events: SipbotsEvent[] = await readMessagesJsonlFile(file);
    return events.filter((e): e is SipMessageEvent => e.type === 'sip');
  }
  return (await readSipCaptureFile(file, { allowTruncated })).messages;
}

function htmlPage(file: string, svgs: string[]): string {
  const title = file.replace(/[<>&"]/g, '');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>\n${svgs.join('\n')}\n</body></html>\n`;
}
