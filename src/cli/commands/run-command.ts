import { Command, Option } from 'commander';
import { inLang, OptionValueError } from '../usage-zh.js';
import { parseHepTarget, type HepTarget } from '../../capture/hep-writer.js';
import { TRANSPORT_PROTOCOLS, type TransportProtocol } from '../../sip/transport/types.js';
import type { SessionMedia } from '../../lab/run-session.js';
import { ExitCode } from '../exit-codes.js';
import { caseProgress } from '../case-progress.js';
import { insecureWarning } from '../error-text.js';
import { formatLabFooter } from '../print-lab.js';
import { formatSuiteTable } from '../print-suite.js';
import { dnsServer, readCaFile, registerTimeoutOption, type CommandContext } from './command-context.js';
import { packageFile } from '../../util/package-files.js';

export function runCommand(context: CommandContext): Command {
  return new Command('run')
    .argument('<scenario...>', 'scenario YAML files or directories of them (a suite), run in order')
    .addOption(new Option('--bots <file>', 'bots file').default(packageFile('bots/lab.yaml'), "the package's bots/lab.yaml"))
    .option('--server <uri>', 'SIP server, located through DNS as RFC 3263 says when it is a name without port (default: $SIPBOTS_SERVER, else the embedded lab proxy)')
    .option('--outbound-proxy <uri>', "send every request through this proxy, with Route: <uri;lr> (RFC 3261 §8.1.2); the bots' domain stays their AOR's (default: the bots file's outboundProxy)")
    .option('--dns <host:port>', 'DNS server that locates --server (NAPTR, SRV, AAAA/A), e.g. 127.0.0.53:5353 (default: the system resolver)', inLang(context.lang, dnsServer))
    .addOption(new Option('--transport <transport>', 'transport for every bot').choices(TRANSPORT_PROTOCOLS))
    .option('--listen <address>', 'address the embedded lab proxy listens on (::1 runs everything over IPv6)')
    .option('--out <dir>', 'run folder, new or empty (default: runs/<timestamp>)')
    .option('--force', 'write into an --out folder that is not empty')
    .addOption(new Option('--media <media>', "every bot's media: tone over plain RTP, over WebRTC (ICE + DTLS-SRTP, needs --transport ws or wss), or signaling only (default: each bot's media, else rtp)").choices(['rtp', 'webrtc', 'none']))
    .addOption(registerTimeoutOption(context.lang))
    .option('--ca <file>', 'PEM file of the CA (or self-signed certificate) that signed an external TLS/WSS server')
    .option('--insecure', 'do not verify the TLS certificate of an external server')
    .option('--hep <udp:host:port>', 'also send every SIP message as HEPv3 to a Homer or sngrep collector', parseHepTarget)
    .addOption(new Option('--lang <lang>', 'language of the report and of this output').choices(['en', 'zh']).default('en'))
    .option('--json', 'print only the summary as JSON on stdout')
    .option('--bail', 'stop starting scenarios after the first one fails')
    .option('--parallel <n>', 'run up to n scenarios at once (never two that share a bot)', inLang(context.lang, positiveInteger), 1)
    .action(async (files: string[], options: Record<string, unknown>) => {
      const { io } = context;
      const json = options.json === true;
      const lang = options.lang as 'en' | 'zh';
      const transport = (options.transport ?? (io.env.SIPBOTS_TRANSPORT || undefined)) as TransportProtocol | undefined;
      // Loaded on use: the SIP user agent library and werift stay out of the start-up of every other command.
      const { runSession } = await import('../../lab/run-session.js');
      if (options.insecure) io.stderr.write(insecureWarning(lang));
      const progress = caseProgress(io.stdout, { json, lang });
      const { summary, runDir } = await runSession({
        botsFile: options.bots as string,
        scenarioFiles: files,
        server: (options.server as string | undefined) ?? (io.env.SIPBOTS_SERVER || undefined),
        ...(typeof options.outboundProxy === 'string' ? { outboundProxy: options.outboundProxy } : {}),
        ...(transport && { transport }),
        ...(typeof options.dns === 'string' ? { dns: options.dns } : {}),
        ...(typeof options.listen === 'string' ? { listen: options.listen } : {}),
        outDir: options.out as string | undefined,
        force: options.force === true,
        insecure: options.insecure === true,
        ca: typeof options.ca === 'string' ? await readCaFile(options.ca) : undefined,
        registerTimeoutMs: options.registerTimeout as number,
        media: options.media as SessionMedia | undefined,
        hep: options.hep as HepTarget | undefined,
        lang,
        env: io.env,
        logger: await context.logger(),
        signal: io.signal,
        bail: options.bail === true,
        parallel: options.parallel as number,
        onServer: progress.onServer,
        onCaseStart: progress.onCaseStart,
        onCase: progress.onCase,
      }).finally(progress.end);
      io.stdout.write(json ? JSON.stringify({ ...summary, runDir }) + '\n' : formatSuiteTable(summary, lang) + formatLabFooter(summary, runDir, lang));
      context.setExitCode(summary.interrupted ? ExitCode.Interrupted : summary.passed ? ExitCode.Ok : ExitCode.Failed);
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionValueError('expected a whole number of scenarios, 1 or more', '应为场景数，1 或更大的整数');
  return n;
}
