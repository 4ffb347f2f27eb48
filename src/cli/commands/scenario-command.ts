import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { readSipCapture } from '../../capture/pcap-reader.js';
import { readRtpStreams } from '../../scenario/from-capture/captured-media.js';
import { readInputFile } from '../../util/input-file.js';
import { CaptureScenarioError } from '../../scenario/from-capture/captured-call.js';
import { scenariosFromCapture } from '../../scenario/from-capture/from-capture.js';
import type { InferredScenario, TimeMode } from '../../scenario/from-capture/infer-scenario.js';
import { renderBotsYaml, renderScenarioYaml } from '../../scenario/from-capture/scenario-yaml.js';
import { ExitCode } from '../exit-codes.js';
import { fileOfOption, unlessInterrupted, type CommandContext } from './command-context.js';

/** `sipbots scenario <subcommand>`: scenario files made from other things (a capture, for now). */
export function scenarioCommand(context: CommandContext): Command {
  const group = new Command('scenario').description('make scenario files');
  group.addCommand(fromCaptureCommand(context));
  return group;
}

function fromCaptureCommand(context: CommandContext): Command {
  return new Command('from-capture')
    .description('write a scenario (and a bots file) that replays the calls of a pcap/pcapng with bots')
    .argument('<file>', '.pcapng or .pcap (also gzip-compressed) holding SIP signaling')
    .option('--call <call-id>', 'only this call (default: every call of the capture, in one scenario)')
    .option('--all', 'one scenario per call')
    .option('--case <id>', 'only the messages of this lab case (a sipbots signaling.pcapng)')
    .option('--out <dir>', 'folder to write scenarios/<id>.yaml and bots.yaml into', '.')
    .addOption(new Option('--time <mode>', 'keep the captured timings, or squeeze waits longer than 2 s').choices(['real', 'compact']).default('real'))
    .option('--force', 'overwrite files of the same names')
    .action(async (file: string, options: Record<string, unknown>) => {
      const { io } = context;
      if (options.call !== undefined && options.all === true) throw new CaptureScenarioError('--call and --all exclude each other: name one call, or ask for all');
      const bytes = await unlessInterrupted(io.signal, fileOfOption('scenario from-capture', readInputFile(file, 'capture')));
      const capture = readSipCapture(bytes, { allowTruncated: true, file });
      const scenarios = scenariosFromCapture(capture.messages, {
        ...(options.all === true ? { calls: 'all' as const } : options.call !== undefined ? { calls: { callId: options.call as string } } : {}),
        ...(options.case !== undefined ? { caseId: options.case as string } : {}),
        time: options.time as TimeMode,
        source: file,
        streams: readRtpStreams(bytes, { file }),
      });
      const tls = capture.summary.skipped.get('tls-sip') ?? 0;
      if (tls > 0) for (const scenario of scenarios) scenario.notReproduced.push(`${tls} frames of SIP over TLS (ports ${capture.summary.tlsSipPorts.join(', ')}) could not be read: their calls are missing`);
      if (capture.summary.truncated) for (const scenario of scenarios) scenario.notReproduced.push('the capture is cut short: calls may end early');
      const out = options.out as string;
      // Scenarios in a folder of their own: `sipbots run DIR/scenarios` reads every YAML below it, a bots file included.
      const files = new Map<string, string>(scenarios.map((s) => {
          const path = join(out, 'scenarios', `${s.id}.yaml`);
          return [path, renderScenarioYaml(s, file, join(out, 'bots.yaml'), path)];
        }));
      files.set(join(out, 'bots.yaml'), renderBotsYaml(everyBot(scenarios), file));
      await mkdir(join(out, 'scenarios'), { recursive: true });
      if (options.force !== true) await refuseExisting([...files.keys()]);
      for (const [path, text] of files) await writeFile(path, text);
      io.stdout.write([...files.keys()].map((path) => `${path}\n`).join(''));
      for (const note of new Set(scenarios.flatMap((s) => s.notReproduced))) io.stderr.write(`sipbots: not reproduced: ${note}\n`);
      context.setExitCode(ExitCode.Ok);
    });
}

/** One bots file for all the scenarios written: every party once. */
function everyBot(scenarios: readonly InferredScenario[]): InferredScenario {
  const bots = new Map(scenarios.flatMap((s) => s.bots).map((b) => [b.name, b]));
  return { ...scenarios[0]!, bots: [...bots.values()] };
}

async function refuseExisting(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new CaptureScenarioError(`${path} exists already; choose another --out folder, or add --force to overwrite it`);
  }
}
