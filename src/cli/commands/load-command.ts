import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import type { EmbeddedServer } from '../../lab/embedded-server.js';
import { LoadSetupError } from '../../load/engine/load-engine.js';
import { LoadOutputs } from '../../load/outputs/load-outputs.js';
import { planLoad, LoadPlanError, type LoadInput, type LoadPlan } from '../../load/plan/load-plan.js';
import { formatProgress, formatTable, renderLoadJunit } from '../../load/outputs/load-report.js';
import { buildLoadResult } from '../../load/results/load-result.js';
import { runLoad } from '../../load/engine/run-load.js';
import { formatEndpoint } from '../../sip/transport/types.js';
import { ExitCode } from '../exit-codes.js';
import { checkOutputFiles } from '../../lab/run-folder.js';
import { dnsServer, ipAddress, port, type CommandContext } from './command-context.js';

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};
const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
};

export function loadCommand(context: CommandContext): Command {
  return new Command('load')
    .option('--proxy <uri>', 'the SIP proxy/registrar under test: IP:PORT, HOST:PORT, or a SIP domain located through DNS as RFC 3263 says (sip:example.com, NAPTR/SRV/AAAA/A)')
    .option('--dns <host:port>', 'DNS server that locates --proxy, e.g. 127.0.0.53:5353 (default: the system resolver)', dnsServer)
    .option('--embedded-proxy', 'start the embedded lab proxy in this process (accounts as its users) and load it')
    .option('--scenario <name|file>', 'what each arrival does: call, register, options, or a scenario file with one call step (e.g. scenarios/lab/reject.yaml)', 'call')
    .option('--accounts <pattern|csv>', "account pool, e.g. 'u{0001..0200}@lab.test', or a SIPp-style CSV (user;password[;domain])")
    .option('--password <password>', 'password of every account of a pattern (or default for CSV rows without one); default $SIPBOTS_PASSWORD')
    .option('--domain <domain>', 'domain for accounts without one')
    .option('--callee-uri <uri>', 'call (or OPTIONS-ping) this URI instead of our own registered callees, e.g. a SIPp UAS')
    .option('--rate <cps>', 'arrivals per second (open model)', positive)
    .addOption(new Option('--arrival <kind>', 'spacing of arrivals').choices(['constant', 'poisson']).default('constant'))
    .option('--ramp <stages>', 'RATE:DURATION stages ramping linearly from --rate (or 0), e.g. 100:30s,500:60s')
    .option('--concurrency <n>', 'at most this many calls (or REGISTERs/OPTIONS) at once; later arrivals wait, counted as delayed (default, like SIPp -l: peak rate × (hold + 8 s) for calls, peak rate × 3 s for register and options)', integer)
    .option('--calls <n>', 'stop starting after this many arrivals', integer)
    .option('--duration <seconds>', 'stop starting after this long', positive)
    .option('--hold <seconds>', 'call: time between ACK and BYE', positive, 1)
    .option('--timeout <seconds>', 'a transaction without final response fails after this long (64·T1)', positive, 32)
    .option('--register-expires <seconds>', 'Expires of REGISTERs (callees and the register scenario)', integer, 3600)
    .addOption(new Option('--transport <transport>', "transport of every socket (default: the one --proxy's NAPTR/SRV records choose, else udp)").choices(['udp', 'tcp', 'tls', 'ws', 'wss']))
    .option('--ca <file>', 'TLS/WSS: PEM file of the CA (or self-signed certificate) that signed the proxy\'s certificate')
    .option('--insecure', 'TLS/WSS: do not verify the proxy\'s certificate')
    .option('--sockets <n>', 'caller sockets per thread (bots are spread over them)', integer, 1)
    .option('--workers <n>', 'worker threads, accounts split between them', integer, 1)
    .option('--threshold <expr...>', "pass/fail criteria, e.g. 'setup_p99<200ms' 'failed<0.1%' 'cps>=300' (exit 1 when one fails)")
    .option('--json <file>', 'write the full results (histograms included) as JSON (a new file)')
    .option('--junit <file>', 'write thresholds as JUnit XML (a new file)')
    .option('--force', 'overwrite existing --json/--junit files and write into a non-empty --capture folder')
    .option('--capture [dir]', 'record every SIP message of the run in a run folder (default runs/<timestamp>): messages.jsonl, signaling.pcapng, summary.json, junit.xml (costs CPU)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://<metrics-bind>:<port>/metrics while the load runs (0: a free port, printed on stderr)', port)
    .option('--metrics-bind <ip>', 'address of the metrics endpoint', ipAddress, '127.0.0.1')
    .option('--seed <n>', 'seed of Poisson arrivals', integer)
    .option('--bind <ip>', 'local address of every socket (default: the loopback of the proxy\'s family, 127.0.0.1 or ::1)', ipAddress)
    .addOption(new Option('--media <kind>', 'rtp: every answered call sends a G.711 tone both ways for --hold from its own port pair; each side must hear the other\'s (one-way audio, loss, jitter, MOS per call); echo: the --callee-uri echoes RTP (SIPp -rtp_echo), each caller must hear its own tone').choices(['none', 'rtp', 'echo']).default('none'))
    .option('--capture-rtp <calls>', '--capture with --media rtp: record the RTP of the first N calls only (default: every call\'s, tens of KB per call-second)', integer)
    .option('--rtp-ports <low-high>', '--media rtp: bind media port pairs in this range only (RTP even, RTCP odd), e.g. 40000-49999')
    .option('--shard <i/n>', 'run shard I of N (I from 0, like JOB_COMPLETION_INDEX): its block of accounts, 1/N of rate and calls; --json then writes a shard result for sipbots merge')
    .action(async (options: Record<string, unknown>) => {
      context.setExitCode(await load(options, context));
    });
}

async function load(options: Record<string, unknown>, context: CommandContext): Promise<number> {
  const { io } = context;
  const input: LoadInput = {
    proxy: options.proxy as string | undefined,
    ...(typeof options.dns === 'string' ? { dns: options.dns } : {}),
    scenario: options.scenario as string,
    env: io.env,
    accounts: options.accounts as string | undefined,
    // From the environment, a password stays out of the process list (a Kubernetes Secret as env).
    password: (options.password as string | undefined) ?? (io.env.SIPBOTS_PASSWORD || undefined),
    domain: options.domain as string | undefined,
    calleeUri: options.calleeUri as string | undefined,
    rate: options.rate as number | undefined,
    arrival: options.arrival as string,
    ramp: options.ramp as string | undefined,
    concurrency: options.concurrency as number | undefined,
    calls: options.calls as number | undefined,
    durationS: options.duration as number | undefined,
    holdS: options.hold as number,
    timeoutS: options.timeout as number,
    registerExpires: options.registerExpires as number,
    transport: options.transport as string | undefined,
    ca: options.ca as string | undefined,
    insecure: options.insecure === true,
    sockets: options.sockets as number,
    workers: options.workers as number,
    thresholds: (options.threshold as string[] | undefined) ?? [],
    seed: options.seed as number | undefined,
    ...(typeof options.bind === 'string' ? { bind: options.bind } : {}),
    shard: options.shard as string | undefined,
    media: options.media as string,
    rtpPorts: options.rtpPorts as string | undefined,
    capture: options.capture !== undefined && options.capture !== false,
    captureRtp: options.captureRtp as number | undefined,
  };
  let server: EmbeddedServer | undefined;
  let plan: LoadPlan | undefined;
  let outputs: LoadOutputs | undefined;
  const startedAt = new Date();
  // Every output path is checked before the first packet: a long run must not end in "cannot write".
  await checkOutputFiles([{ option: '--json', path: options.json as string | undefined }, { option: '--junit', path: options.junit as string | undefined }], options.force === true);
  try {
    try {
      if (options.embeddedProxy === true) {
        // The embedded proxy listens where the load binds (--bind ::1: everything over IPv6).
        const listen = input.bind ?? '127.0.0.1';
        const accounts = await planLoad({ ...input, proxy: formatEndpoint({ address: listen, port: 1 }) });
        // Loaded only here: the proxy's modules would otherwise weigh on every load's memory.
        const [{ startEmbeddedServer }, { EventStream }] = await Promise.all([import('../../lab/embedded-server.js'), import('../../events/event-stream.js')]);
        server = await startEmbeddedServer({
          transports: [accounts.engine.transport],
          users: new Map(accounts.engine.accounts.map((a) => [a.user, a.password])),
          domain: accounts.engine.domain,
          events: new EventStream(),
          bindAddress: listen,
        });
        plan = await planLoad(input, { ...server.endpoints.get(accounts.engine.transport)!, certificate: server.certificate });
      } else plan = await planLoad(input);
    } catch (error) {
      if (!(error instanceof LoadPlanError)) throw error;
      io.stderr.write(`sipbots load: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (plan.proxyLocated) io.stdout.write(`proxy located: ${plan.proxyLocated}\n`);
    if (input.insecure && (plan.engine.transport === 'tls' || plan.engine.transport === 'wss')) io.stderr.write('warning: --insecure: the proxy certificate is not verified\n');
    outputs = await LoadOutputs.open({ capture: options.capture as string | boolean | undefined, force: options.force === true, metricsPort: options.metricsPort as number | undefined, metricsBind: options.metricsBind as string });
    if (outputs.metricsUrl) io.stderr.write(`metrics: ${outputs.metricsUrl}\n`);
    if (outputs.capture) io.stderr.write(`capture: ${outputs.capture.dir}\n`);
    let previous = 0;
    const tty = io.stdout.isTTY === true;
    const run = await runLoad(plan.engine, plan.workers, {
      ...outputs.hooks(),
      signal: io.signal,
      onProgress: (progress) => {
        const line = formatProgress(progress, previous);
        previous = progress.counters.attempted;
        io.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      },
    });
    if (tty) io.stdout.write('\n');
    const result = buildLoadResult(plan.engine, run, { startedAt, workers: plan.workers, thresholds: plan.thresholds, interrupted: io.signal.aborted, proxyLocated: plan.proxyLocated });
    io.stdout.write('\n' + formatTable(result));
    const code = io.signal.aborted ? ExitCode.Interrupted : result.serverStopped ? ExitCode.Unreachable : result.passed ? ExitCode.Ok : ExitCode.Failed;
    const shardPlan = plan.shard && plan.whole ? { shard: plan.shard, whole: plan.whole, engine: plan.engine } : undefined;
    let output: object = result;
    if (shardPlan) {
      // The shard result's schema (zod) is loaded only by a shard.
      const { completedShard } = await import('../../load/results/shard-result.js');
      output = completedShard(result, shardPlan, run.snapshots, { startedAt, endedAt: new Date() }, io.signal.aborted, code);
    }
    if (typeof options.json === 'string') await writeFile(options.json, JSON.stringify(output, null, 2) + '\n');
    if (typeof options.junit === 'string') await writeFile(options.junit, renderLoadJunit(result));
    await outputs.finish(result);
    if (io.signal.aborted) return ExitCode.Interrupted;
    // Exit 3, not 1: the load did not run to its end because the server went away (see docs/reliability.md).
    if (result.serverStopped) {
      io.stderr.write(`sipbots load: ${result.serverStopped.message}\n`);
      return ExitCode.Unreachable;
    }
    if (!result.passed) {
      io.stderr.write(`sipbots load: thresholds failed: ${result.thresholds.filter((t) => !t.ok).map((t) => `${t.expression} (actual ${t.actual}${t.unit ? ' ' + t.unit : ''})`).join(', ')}\n`);
      return ExitCode.Failed;
    }
    return ExitCode.Ok;
  } catch (error) {
    // The code the process will exit with (main maps other errors the same way), also written to the result files.
    // exit-for-error knows every error type of every command: loaded only when one happened.
    const code = error instanceof LoadSetupError ? ExitCode.Unreachable : (await import('../exit-for-error.js')).exitCodeFor(error);
    await outputs?.fail(error as Error, code, startedAt);
    // A shard that could not run says so in its result file: the merge then names it.
    if (plan?.shard && plan.whole && typeof options.json === 'string') {
      const { failedShard } = await import('../../load/results/shard-result.js');
      const failed = failedShard({ shard: plan.shard, whole: plan.whole, engine: plan.engine }, { startedAt, endedAt: new Date() }, error as Error, code);
      await writeFile(options.json, JSON.stringify(failed, null, 2) + '\n');
    }
    if (error instanceof LoadSetupError) {
      io.stderr.write(`sipbots load: ${error.message}\n`);
      return ExitCode.Unreachable;
    }
    throw error;
  } finally {
    await outputs?.close();
    await server?.stop();
  }
}
