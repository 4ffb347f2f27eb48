import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { buildCli, spawnCli, waitFor } from '../security/support/spawn-cli.js';

/**
 * `sipbots lab|run --lang zh` with broken bots and scenario files and wrong options, run as the
 * built binary a student runs: every problem, hint and usage error reads in Chinese; only file
 * names, paths, keys, option names and values stay as written. `--lang en` says exactly what it
 * said before.
 */
const dir = mkdtempSync(join(tmpdir(), 'sipbots-zh-config-'));
const file = (name: string, text: string | Buffer): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const GOOD_BOTS = file('good-bots.yaml', 'defaults: { domain: lab.local }\nbots:\n  alice: { user: alice, password: secret }\n  bob: { user: bob, password: secret }\n');
const BAD_BOTS = file(
  'bad-bots.yaml',
  [
    'defaults:',
    '  domain: lab.local',
    '  expires: soon', // a wrong type: not a whole number
    'bots:',
    '  alice: { user: alice, password: secret, colour: red }', // an unknown key
    '  bob: { user: bob, password: secret, server: "http://pbx", transport: carrier-pigeon }', // not a SIP URI; not one of the transports
    '  2nd: { user: carol, password: [secret] }', // a bad bot name; a wrong type with zod's own message
  ].join('\n'),
);
const BAD_SCENARIO = file(
  'bad-scenario.yaml',
  [
    'id: Bad_Id',
    'title: broken',
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { ringFor: 2 sec, onInvite: sing }', // a bad duration; a value not in the list
    'steps:',
    '  - call: { from: caller, to: callee, name: 7, cancelAfter: soon }',
    '  - hangup: nobody', // an unknown role
    '  - await: { call: later }', // a call no step places
    '  - wait: 1s',
    '    hold: caller', // two actions in one step
    'expect:',
    '  legs:',
    '    caller: [INVITE>, <1800, "<>BYE", FOO>]', // three bad flow patterns
    '  headers: { caller: { "<INVITE": { X-Run: "~ ([" } } }', // a bad regular expression
    '  bogus: 1', // an unknown key
  ].join('\n'),
);
const SYNTAX = file('syntax.yaml', 'id: x\nroles: [caller\nsteps: : -\n');
const LATIN1 = file('latin1.yaml', Buffer.from('id: cafe\ntitle: caf\xe9\n', 'latin1'));

/**
 * English left in a line: three or more ASCII words in a row, once what may stay English is
 * taken out (the test folder's paths, quoted values, `key: value` examples and option names).
 */
function englishIn(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.split(dir).join('DIR').replace(/"[^"]*"/g, '""'))
    .flatMap((line) => line.match(/[A-Za-z]+(?: [A-Za-z]+){2,}/g) ?? []);
}

async function sipbots(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const out = args.includes('--out') ? [] : ['--out', mkdtempSync(join(dir, 'run-'))];
  const cli = spawnCli([...args, ...out], { cwd: dir });
  const { code } = await cli.exit;
  return { code, stderr: cli.stderr() };
}

describe('config problems and usage errors under --lang zh, from the built binary', () => {
  beforeAll(() => buildCli(), 120_000);

  it('the detector finds an English problem line, and leaves paths, values and examples alone', () => {
    expect(englishIn(`${dir}/a.yaml:3: defaults.expires: expected a whole number from 1 to 60, got "soon" (hint: the REGISTER expiry in seconds)`)).not.toEqual([]);
    expect(englishIn(`${dir}/a.yaml:5：bots.alice.colour：未知的键 "colour"（提示：检查拼写；键区分大小写）`)).toEqual([]);
    expect(englishIn(`${dir}/a.yaml:7：无效的值 "carrier pigeon post"（提示：可选：udp, tcp, tls, ws, wss）`)).toEqual([]);
  });

  it.each([
    ['lab, a malformed bots file', ['lab', '--lang', 'zh', '--bots', BAD_BOTS, '--only', 'reject'], 6],
    ['run, a malformed bots file', ['run', '--lang', 'zh', '--bots', BAD_BOTS, BAD_SCENARIO], 6],
    ['run, a malformed scenario', ['run', '--lang', 'zh', '--bots', GOOD_BOTS, BAD_SCENARIO], 13],
    ['run, a YAML syntax error', ['run', '--lang', 'zh', '--bots', GOOD_BOTS, SYNTAX], 1],
    ['run, a scenario that is not UTF-8', ['run', '--lang', 'zh', '--bots', GOOD_BOTS, LATIN1], 1],
    ['lab, a bots file that is not there', ['lab', '--lang', 'zh', '--bots', join(dir, 'missing.yaml'), '--only', 'reject'], 1],
  ])('%s: exit 2, every problem in Chinese', async (_name, args, problems) => {
    const { code, stderr } = await sipbots(args);
    expect(code, stderr).toBe(ExitCode.Usage);
    expect(stderr).toMatch(/^sipbots：配置有误：\n/);
    const lines = stderr.trimEnd().split('\n').slice(1);
    expect(lines.length, stderr).toBeGreaterThanOrEqual(problems);
    const located = new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[\\w-]+\\.yaml(:\\d+)?：`);
    for (const line of lines) expect(line).toMatch(located);
    expect(englishIn(stderr), stderr).toEqual([]);
  }, 20_000);

  it.each([
    ['an unknown option', ['lab', '--lang', 'zh', '--bot', 'x'], /^错误：未知的选项 '--bot'\n（是否想用 --bots？）\n/],
    ['an empty --only', ['lab', '--lang', 'zh', '--only', ','], /^错误：选项 '--only <ids>' 的值 ',' 无效：至少要有一项，用逗号分隔\n/],
    ['an unknown case id', ['lab', '--lang', 'zh', '--only', 'reject,nope'], /^sipbots：没有这个实验用例：nope（提示：可选 no-answer, /],
    ['a --register-timeout that is no number', ['run', '--lang', 'zh', '--register-timeout', 'soon', BAD_SCENARIO], /^错误：选项 '--register-timeout <seconds>' 的值 'soon' 无效：应为正的秒数\n/],
    ['a transport not in the list', ['lab', '--lang', 'zh', '--transport', 'sctp'], /^错误：选项 '--transport <transport>' 的值 'sctp' 无效：可选：udp, tcp, tls, ws, wss\n/],
    ['a --parallel of 0', ['run', '--lang', 'zh', '--parallel', '0', BAD_SCENARIO], /^错误：选项 '--parallel <n>' 的值 '0' 无效：应为场景数，1 或更大的整数\n/],
    ['no scenario', ['run', '--lang', 'zh', '--bots', GOOD_BOTS], /^错误：缺少必需的参数 'scenario'\n/],
    ['a bad --server', ['lab', '--lang', 'zh', '--server', 'sip:127.0.0.1:99999', '--only', 'reject'], /sipbots：服务器 "sip:127\.0\.0\.1:99999" 无效：端口 99999 超出范围/],
    ['a bad --hep', ['lab', '--lang', 'zh', '--hep', 'tcp:x', '--only', 'reject'], /^sipbots：--hep tcp:x 不是 udp:HOST:PORT 的形式/],
    ['an --out that is a file', ['lab', '--lang', 'zh', '--only', 'reject', '--out', GOOD_BOTS], new RegExp(`sipbots：运行目录不可用：--out ${GOOD_BOTS} 是文件，不是文件夹`)],
  ])('%s: exit 2, said in Chinese', async (_name, args, said) => {
    const { code, stderr } = await sipbots(args);
    expect(code, stderr).toBe(ExitCode.Usage);
    expect(stderr).toMatch(said);
    expect(englishIn(stderr), stderr).toEqual([]);
  }, 20_000);

  it('a --listen address this machine does not have: the transport error in Chinese, its errno code kept', async () => {
    const { code, stderr } = await sipbots(['lab', '--lang', 'zh', '--listen', '192.0.2.99', '--only', 'reject']);
    expect(code, stderr).toBe(ExitCode.Unreachable);
    expect(stderr).toMatch(/sipbots：传输错误（udp）：无法在 192\.0\.2\.99:0 上监听（EADDRNOTAVAIL）\n$/);
    expect(englishIn(stderr), stderr).toEqual([]);
  }, 20_000);

  it('an interrupted lab: the interrupt notice, the case line and the summary in Chinese, exit 130', async () => {
    const cli = spawnCli(['lab', '--lang', 'zh', '--only', 'no-answer', '--media', 'none', '--out', mkdtempSync(join(dir, 'run-'))], { cwd: dir });
    expect(await waitFor(() => cli.stdout().includes('sipbots 实验'), 15_000), cli.stderr()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    cli.child.kill('SIGINT');
    const { code } = await cli.exit;
    expect(code, cli.stderr()).toBe(ExitCode.Interrupted);
    expect(cli.stderr()).toContain('已中断：正在挂断呼叫并注销（再按一次 Ctrl-C 立即退出）');
    expect(cli.stdout()).toMatch(/^已中断：\d\/\d 个用例通过，服务器 /m);
    expect(cli.stdout()).toMatch(/^报告：.*report\.html$/m);
    expect(englishIn(cli.stdout() + cli.stderr()), cli.stdout() + cli.stderr()).toEqual([]);
  }, 30_000);

  it('--lang en keeps the English problems, word for word', async () => {
    const { code, stderr } = await sipbots(['run', '--bots', GOOD_BOTS, BAD_SCENARIO]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain(`sipbots: ${BAD_SCENARIO}:1: id: expected a kebab-case id such as no-answer\n`);
    expect(stderr).toContain(`${BAD_SCENARIO}:5: behaviour.callee.ringFor: invalid duration "2 sec" (hint: write e.g. 500ms, 1.5s, 2m, or a plain number of seconds)\n`);
    expect(stderr).toContain(`${BAD_SCENARIO}:5: behaviour.callee.onInvite: invalid value "sing" (hint: use one of: answer, ring, reject, timeout)\n`);
    expect(stderr).toContain(`${BAD_SCENARIO}:7: steps[0].call.name: Invalid input: expected string, received number\n`);
    expect(stderr).toContain(`${BAD_SCENARIO}:8: steps[1].hangup: unknown role "nobody" (hint: roles defined: caller, callee)\n`);
    expect(stderr).toContain(`${BAD_SCENARIO}:14: expect.legs.caller[3]: invalid flow pattern "FOO>": unknown method FOO (hint: write INVITE> for sent`);
    expect(stderr).toContain(`${BAD_SCENARIO}:16: expect.bogus: unknown key "bogus" (hint: check the spelling; keys are case-sensitive)\n`);
    expect(stderr).not.toMatch(/[\u4e00-\u9fff]/);
  }, 20_000);

  it('--lang en keeps commander\'s and our usage errors as they were', async () => {
    expect((await sipbots(['lab', '--only', ','])).stderr).toBe("error: option '--only <ids>' argument ',' is invalid. expected at least one item, comma-separated\n");
    expect((await sipbots(['lab', '--bot', 'x'])).stderr).toBe("error: unknown option '--bot'\n(Did you mean --bots?)\n");
  }, 20_000);
});
