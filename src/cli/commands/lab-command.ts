import { Command, Option } from 'commander';
import { parseHepTarget, type HepTarget } from '../../capture/hep-writer.js';
import { ConfigError } from '../../config/config-error.js';
import { loadBotsFile, maskSecrets } from '../../config/load-bots.js';
import { sessionProblem } from '../../config/problem-text.js';
import { LAB_CASE_IDS, labCaseFiles } from '../../lab/lab-cases.js';
import { sessionRoute } from '../../lab/session-route.js';
import { TRANSPORT_PROTOCOLS, type TransportProtocol } from '../../sip/transport/types.js';
import type { SessionMedia } from '../../lab/run-session.js';
import { ExitCode } from '../exit-codes.js';
import { caseProgress } from '../case-progress.js';
import { insecureWarning } from '../error-text.js';
import { formatLabFooter, formatLabHeader } from '../print-lab.js';
import { dnsServer, nonEmptyList, readCaFile, registerTimeoutOption, seconds, type CommandContext } from './command-context.js';
import { packageFile } from '../../util/package-files.js';
import { inLang } from '../usage-zh.js';

export function labCommand(context: CommandContext): Command {
  return new Command('lab')
    .option('--server <uri>', 'SIP server to use, located through DNS as RFC 3263 says when it is a name without port (default: $SIPBOTS_SERVER, else the embedded lab proxy)')
    .option('--outbound-proxy <uri>', "send every request through this proxy, with Route: <uri;lr> (RFC 3261 §8.1.2); the bots' domain stays their AOR's (default: the bots file's outboundProxy)")
    .option('--dns <host:port>', 'DNS server that locates --server (NAPTR, SRV, AAAA/A), e.g. 127.0.0.53:5353 (default: the system resolver)', inLang(context.lang, dnsServer))
    .addOption(new Option('--transport <transport>', 'transport for every bot').choices(TRANSPORT_PROTOCOLS))
    .addOption(new Option('--bots <file>', 'bots file').default(packageFile('bots/lab.yaml'), "the package's bots/lab.yaml"))
    .addOption(new Option('--scenarios <dir>', 'folder of the lab case files').default(packageFile('scenarios/lab'), "the package's scenarios/lab"))
    .option('--only <ids>', `comma-separated case ids (${LAB_CASE_IDS.join(', ')})`, inLang(context.lang, nonEmptyList))
    .option('--listen <address>', 'address the embedded lab proxy listens on (::1 runs everything over IPv6)')
    .option('--out <dir>', 'run folder, new or empty (default: runs/<timestamp>)')
    .option('--force', 'write into an --out folder that is not empty')
    .option('--ring-timeout <seconds>', 'the caller gives up (CANCEL) after this long in no-answer', inLang(context.lang, seconds))
    .addOption(new Option('--lang <lang>', 'language of the report and of this output').choices(['en', 'zh']).default('en'))
    .addOption(new Option('--media <media>', "every bot's media: tone over plain RTP, over WebRTC (ICE + DTLS-SRTP, needs --transport ws or wss), or signaling only (default: each bot's media, else rtp)").choices(['rtp', 'webrtc', 'none']))
    .option('--record', 'write what each bot heard as WAV files in the run folder')
    .addOption(registerTimeoutOption(context.lang))
    .option('--ca <file>', 'PEM file of the CA (or self-signed certificate) that signed an external TLS/WSS server')
    .option('--insecure', 'do not verify the TLS certificate of an external server')
    .option('--hep <udp:host:port>', 'also send every SIP message as HEPv3 to a Homer or sngrep collector', parseHepTarget)
    .option('--json', 'print only the summary as JSON on stdout')
    .option('--print-config', 'print the bots configuration, passwords masked, and exit')
    .action(async (options) => {
      context.setExitCode(await lab(options, context));
    });
}

async function lab(options: Record<string, unknown>, context: CommandContext): Promise<number> {
  const io = context.io;
  if (options.printConfig === true) {
    const bots = maskSecrets(await loadBotsFile(options.bots as string, io.env));
    io.stdout.write(JSON.stringify({ file: bots.file, bots: Object.fromEntries(bots.bots) }, null, 2) + '\n');
    return ExitCode.Ok;
  }
  const json = options.json === true;
  const transport = (options.transport ?? (io.env.SIPBOTS_TRANSPORT || undefined)) as TransportProtocol | undefined;
  const given = { server: (options.server as string | undefined) ?? (io.env.SIPBOTS_SERVER || undefined), outboundProxy: options.outboundProxy as string | undefined };
  // The bots file may name the server or an outbound proxy itself (session-route.ts).
  const route = sessionRoute(await loadBotsFile(options.bots as string, io.env), given);
  const server = route.server;
  if (transport !== undefined && !TRANSPORT_PROTOCOLS.includes(transport)) throw new ConfigError([{ file: 'SIPBOTS_TRANSPORT', path: '', ...sessionProblem.envTransport(transport, TRANSPORT_PROTOCOLS) }]);
  const lang = options.lang as 'en' | 'zh';
  const shownTransport = transport ?? /;transport=(\w+)/i.exec(server ?? '')?.[1] ?? (server ? undefined : 'udp');
  // Loaded on use: the SIP user agent library and werift stay out of the start-up of every other
  // command. Loaded before the header, so the header still means the run is starting now.
  const { runSession } = await import('../../lab/run-session.js');
  const cases = labCaseFiles(options.scenarios as string, options.only as string[] | undefined, { externalServer: server !== undefined });
  if (!json) io.stdout.write(formatLabHeader({ server, outboundProxy: route.outboundProxy !== undefined, transport: shownTransport }, lang, cases.excluded));
  if (options.insecure) io.stderr.write(insecureWarning(lang));
  const progress = caseProgress(io.stdout, { json, lang, afterServer: '\n' });
  const { summary, runDir } = await runSession({
    botsFile: options.bots as string,
    scenarioFiles: cases.files,
    excluded: cases.excluded,
    ...given,
    ...(transport && { transport }),
    ...(typeof options.dns === 'string' ? { dns: options.dns } : {}),
    ...(typeof options.listen === 'string' ? { listen: options.listen } : {}),
    outDir: options.out as string | undefined,
    force: options.force === true,
    ringTimeoutMs: options.ringTimeout as number | undefined,
    insecure: options.insecure === true,
    ca: typeof options.ca === 'string' ? await readCaFile(options.ca) : undefined,
    registerTimeoutMs: options.registerTimeout as number,
    lang,
    media: options.media as SessionMedia | undefined,
    hep: options.hep as HepTarget | undefined,
    record: options.record === true,
    partyAddresses: true,
    env: io.env,
    logger: await context.logger(),
    signal: io.signal,
    onServer: progress.onServer,
    onCaseStart: progress.onCaseStart,
    onCase: progress.onCase,
  }).finally(progress.end);
  if (json) io.stdout.write(JSON.stringify({ ...summary, runDir }) + '\n');
  else io.stdout.write(formatLabFooter(summary, runDir, lang));
  if (summary.interrupted) return ExitCode.Interrupted;
  return summary.passed ? ExitCode.Ok : ExitCode.Failed;
}
