import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { getHeader } from '../../src/sip/message/headers.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, wire, type MediaLab } from './support/media-bots.js';


const head = (id: string) => [`id: ${id}`, `title: ${id}`, 'roles: { caller: alice, callee: bob }', 'steps:'];

describe('request steps over real bots and the embedded proxy: message, options, register, unregister, info, headers', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  const play = async (id: string, lines: string[]) => {
    const from = Date.now();
    const result = await runScenario(await scenarioFrom(id, [...head(id), ...lines]), { bots: lab.bots, events: lab.events, settleMs: 200, stepTimeoutMs: 5000 });
    return { result, from };
  };

  it('message: alice sends MESSAGE with a body and an X- header; bob receives both and answers 200; expect.headers holds', async () => {
    const { result, from } = await play('message-ok', [
      '  - message: { from: caller, to: callee, body: "hello bob" }',
      '    headers: { X-Run-Id: run-42 }',
      'expect:',
      '  headers:',
      '    callee:',
      '      "<MESSAGE": { X-Run-Id: run-42, Content-Type: "= text/plain", X-Missing: absent, From: "~ <sip:alice@lab\\\\.test>;tag=" }',
    ]);
    expect(result.difference).toBeUndefined();
    expect(result.passed).toBe(true);
    const [received] = wire(lab, 'bob', 'in', from).filter((e) => e.method === 'MESSAGE');
    const message = parseSipMessage(received!.raw);
    expect(message.body).toBe('hello bob');
    expect(getHeader(message, 'X-Run-Id')).toBe('run-42');
    expect(wire(lab, 'bob', 'out', from).map((e) => `${e.status}/${e.cseq}`)).toContainEqual(expect.stringMatching(/^200\/\d+ MESSAGE$/));
  });

  it('message, broken twins: a header check that does not hold, and a status the server does not send, each named', async () => {
    const header = await play('message-bad-header', [
      '  - message: { from: caller, to: callee, body: "hello bob" }',
      '    headers: { X-Run-Id: run-42 }',
      'expect:',
      '  headers:',
      '    callee: { "<MESSAGE": { X-Run-Id: run-43 } }',
    ]);
    expect(header.result.passed).toBe(false);
    expect(header.result.difference).toBe('expect.headers: callee (bob) <MESSAGE X-Run-Id: expected "run-43", it is "run-42"');
    const status = await play('message-bad-status', ['  - message: { from: caller, to: callee, body: hi, status: 202 }']);
    expect(status.result.difference).toBe('message from caller (alice) to callee: expected 202, got 200 OK');
  });

  it('options: to a role 200 with Allow; to an unknown user the proxy says 404, which status: 404 expects and a bare step refuses', async () => {
    const ok = await play('options-ok', ['  - options: { from: caller, to: callee }', '  - options: { from: caller, to: "sip:nobody@lab.test", status: 404 }']);
    expect(ok.result.difference).toBeUndefined();
    const answer = wire(lab, 'bob', 'out', ok.from).find((e) => e.cseq?.endsWith('OPTIONS'));
    expect(answer?.status).toBe(200);
    expect(getHeader(parseSipMessage(answer!.raw), 'Allow')).toMatch(/INVITE/);
    const bad = await play('options-bad', ['  - options: { from: caller, to: "sip:nobody@lab.test" }']);
    expect(bad.result.difference).toBe('options from caller (alice) to sip:nobody@lab.test: expected a 2xx, got 404 Not Found');
  });

  it('unregister, then a call to bob gets 480 from the proxy; register again and the next call is answered; bob is registered after the case', async () => {
    const { result, from } = await play('unregister-register', [
      '  - unregister: { role: callee }',
      '  - call: { from: caller, to: callee, name: away }',
      '  - register: { role: callee }',
      '  - call: { from: caller, to: callee, hangupAfter: 0.3s, name: back }',
      'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }',
      'expect: { call: away, status: 480 }',
    ]);
    expect(result.difference).toBeUndefined();
    const registers = wire(lab, 'bob', 'out', from).filter((e) => e.method === 'REGISTER').map((e) => parseSipMessage(e.raw));
    expect(registers.some((m) => /expires=0|^0$/.test(`${getHeader(m, 'Contact')};${getHeader(m, 'Expires') ?? ''}`) || getHeader(m, 'Expires') === '0')).toBe(true);
    const finals = wire(lab, 'alice', 'in', from).filter((e) => e.cseq?.endsWith('INVITE') && (e.status ?? 0) >= 200).map((e) => e.status);
    expect(finals).toContain(480);
    expect(finals).toContain(200);
  });

  it('register with a wrong password: the registrar refuses it 403 (status: 403 holds, a 200 expectation names what came) and the bot stays registered', async () => {
    const { result } = await play('register-wrong-ok', ['  - register: { role: callee, password: not-bobs, status: 403 }', '  - call: { from: caller, to: callee, hangupAfter: 0.2s }', 'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }']);
    expect(result.difference).toBeUndefined();
    const broken = await play('register-wrong-bad', ['  - register: { role: callee, password: not-bobs }']);
    expect(broken.result.difference).toMatch(/^register of callee \(bob\) with the given password: expected a 2xx, got 403 Forbidden$/);
  });

  it('info: one INFO per digit (application/dtmf-relay) inside the call, answered 200; the broken twin expects 415 and names the 200', async () => {
    const lines = (status: string) => [
      '  - call: { from: caller, to: callee, name: main }',
      '    waitFor: confirmed',
      `  - info: { from: caller, digits: "5#"${status} }`,
      '  - hangup: caller',
      'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }',
      'expect:',
      '  call: main',
      '  legs:',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, <INFO, 200/INFO>, <INFO, 200/INFO>, <BYE, 200/BYE>]',
    ];
    const { result, from } = await play('info-ok', lines(''));
    expect(result.difference).toBeUndefined();
    const infos = wire(lab, 'bob', 'in', from).filter((e) => e.method === 'INFO').map((e) => parseSipMessage(e.raw));
    expect(infos.map((m) => [getHeader(m, 'Content-Type'), m.body])).toEqual([
      ['application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'],
      ['application/dtmf-relay', 'Signal=#\r\nDuration=160\r\n'],
    ]);
    const broken = await play('info-bad', lines(', status: 415'));
    expect(broken.result.difference).toBe('info 5# by caller (alice) (digit 5): expected 415, got 200 OK');
  });

  it('headers on a call: P-Asserted-Identity reaches bob in the INVITE; expect.headers with a regex holds, its broken twin names the value', async () => {
    const lines = (pattern: string) => [
      '  - call: { from: caller, to: callee, hangupAfter: 0.2s }',
      '    headers: { P-Asserted-Identity: "<sip:+4930123@lab.test>", X-Case: "a b" }',
      'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }',
      'expect:',
      '  headers:',
      `    callee: { "<INVITE": { P-Asserted-Identity: "~ ${pattern}", X-Case: a b } }`,
      `    caller: { "<200/INVITE": { Contact: present }, "<180": { P-Asserted-Identity: absent } }`,
    ];
    const { result } = await play('pai-ok', lines('^<sip:\\\\+49'));
    expect(result.difference).toBeUndefined();
    const broken = await play('pai-bad', lines('^<sip:\\\\+33'));
    expect(broken.result.difference).toBe('expect.headers: callee (bob) <INVITE P-Asserted-Identity: expected to match /^<sip:\\+33/, it is "<sip:+4930123@lab.test>"');
  });
});
