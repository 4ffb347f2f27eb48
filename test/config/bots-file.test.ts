import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR } from '../../src/config/behaviour.js';
import { loadBotsFile, maskSecrets } from '../../src/config/load-bots.js';
import { configErrorOf, writeYaml } from './helpers.js';

describe('loadBotsFile', () => {
  it('fills defaults: authUser from user, udp, 60 s, 440 Hz, answer after 1 s', async () => {
    const file = writeYaml('bots:\n  dave:\n    user: dave\n    password: pw\n    domain: example.test\n');
    const bot = (await loadBotsFile(file, {})).bots.get('dave');
    expect(bot).toEqual({
      name: 'dave',
      user: 'dave',
      authUser: 'dave',
      password: 'pw',
      domain: 'example.test',
      transport: 'udp',
      expires: 60,
      tone: 440,
      behaviour: { onInvite: 'answer', ringForMs: 1000, rejectWith: 486, busyWhenInCall: true },
    });
    expect(bot?.behaviour).toEqual(DEFAULT_BEHAVIOUR);
  });

  it('applies the defaults section unless a bot sets its own', async () => {
    const file = writeYaml(`
defaults:
  domain: lab.test
  server: sip:127.0.0.1:5070
  transport: tcp
  expires: 120
  behaviour: { onInvite: reject, rejectWith: 603 }
bots:
  a: { user: a, password: x }
  b: { user: b, password: x, transport: ws, domain: other.test, behaviour: { ringFor: 250ms, hangupAfter: 2s } }
`);
    const { bots } = await loadBotsFile(file, {});
    expect(bots.get('a')).toMatchObject({ domain: 'lab.test', server: 'sip:127.0.0.1:5070', transport: 'tcp', expires: 120 });
    expect(bots.get('a')?.behaviour).toEqual({ onInvite: 'reject', ringForMs: 1000, rejectWith: 603, busyWhenInCall: true });
    expect(bots.get('b')).toMatchObject({ domain: 'other.test', transport: 'ws', server: 'sip:127.0.0.1:5070' });
    expect(bots.get('b')?.behaviour).toEqual({
      onInvite: 'reject',
      ringForMs: 250,
      rejectWith: 603,
      hangupAfterMs: 2000,
      busyWhenInCall: true,
    });
  });

  it('substitutes variables, with defaults, and reads numbers and booleans from them', async () => {
    const file = writeYaml(`
defaults: { domain: '\${DOMAIN:-lab.test}', expires: '\${EXPIRES:-60}' }
bots:
  alice:
    user: alice
    authUser: \${ALICE_AUTH:-alice-auth}
    password: \${ALICE_PASSWORD}
    tone: \${ALICE_TONE}
    behaviour: { busyWhenInCall: '\${BUSY:-false}', ringFor: '\${RING:-2}' }
`);
    const alice = (await loadBotsFile(file, { ALICE_PASSWORD: 's3cret', ALICE_TONE: '523', EXPIRES: '300' })).bots.get('alice');
    expect(alice).toMatchObject({ domain: 'lab.test', expires: 300, authUser: 'alice-auth', password: 's3cret', tone: 523 });
    expect(alice?.behaviour).toMatchObject({ busyWhenInCall: false, ringForMs: 2000 });
  });

  it('keeps numeric user names and passwords as the text written', async () => {
    const file = writeYaml('defaults: { domain: pbx.test }\nbots:\n  ext:\n    user: 1001\n    password: 1234\n');
    expect((await loadBotsFile(file, {})).bots.get('ext')).toMatchObject({ user: '1001', authUser: '1001', password: '1234' });
  });

  it('rejects a server that is not a SIP URI and a status outside 4xx-6xx', async () => {
    const file = writeYaml(
      'defaults: { domain: d, server: 127.0.0.1:5060 }\nbots:\n  a: { user: a, password: p, behaviour: { onInvite: reject, rejectWith: 302 } }\n',
    );
    const error = await configErrorOf(loadBotsFile(file, {}));
    expect(error.problems.map((problem) => problem.path)).toEqual(['defaults.server', 'bots.a.behaviour.rejectWith']);
  });

  it('reads process.env when no env is given', async () => {
    process.env['SIPBOTS_TEST_PW'] = 'from-process';
    try {
      const file = writeYaml('defaults: { domain: d }\nbots:\n  a: { user: a, password: "${SIPBOTS_TEST_PW}" }\n');
      expect((await loadBotsFile(file)).bots.get('a')?.password).toBe('from-process');
    } finally {
      delete process.env['SIPBOTS_TEST_PW'];
    }
  });

  it('rejects an empty file and an empty bots section', async () => {
    await expect(loadBotsFile(writeYaml(''), {})).rejects.toThrow(/the file is empty/);
    await expect(loadBotsFile(writeYaml('bots: {}\n'), {})).rejects.toThrow(/bots: no bots defined/);
  });
});

describe('maskSecrets', () => {
  it('replaces every password with **** in a copy', async () => {
    const original = await loadBotsFile('bots/lab.yaml', {});
    const masked = maskSecrets(original);
    expect([...masked.bots.values()].map((bot) => bot.password)).toEqual(['****', '****', '****']);
    expect(original.bots.get('alice')?.password).toBe('alice-secret');
    expect(masked.bots.get('alice')).toMatchObject({ user: 'alice', tone: 440 });
    expect(JSON.stringify(Object.fromEntries(masked.bots))).not.toContain('secret');
  });

  it('masks a single bot too', async () => {
    const alice = (await loadBotsFile('bots/lab.yaml', {})).bots.get('alice');
    expect(alice && maskSecrets(alice).password).toBe('****');
  });
});
