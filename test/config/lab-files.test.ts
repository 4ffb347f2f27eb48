import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { loadScenarioFile, loadScenarioFiles } from '../../src/config/load-scenario.js';
import type { CallStep } from '../../src/config/scenario-types.js';
import { LAB_CASE_IDS as LAB_IDS } from '../../src/lab/lab-cases.js';

const labFile = (id: string): string => `scenarios/lab/${id}.yaml`;
const texts = (patterns: { text: string }[] | undefined): string[] | undefined => patterns?.map((pattern) => pattern.text);

describe('bots/lab.yaml', () => {
  it('defines alice, bob and carol with their tones and the lab domain', async () => {
    const file = await loadBotsFile('bots/lab.yaml', {});
    expect([...file.bots.keys()]).toEqual(['alice', 'bob', 'carol']);
    expect([...file.bots.values()].map((bot) => [bot.name, bot.tone, bot.domain, bot.transport])).toEqual([
      ['alice', 440, 'lab.test', 'udp'],
      ['bob', 1000, 'lab.test', 'udp'],
      ['carol', 2000, 'lab.test', 'udp'],
    ]);
    expect(file.bots.get('alice')).toMatchObject({ password: 'alice-secret', authUser: 'alice', expires: 60 });
    expect(file.bots.get('alice')?.server).toBeUndefined();
  });

  it('takes passwords from the environment', async () => {
    const file = await loadBotsFile('bots/lab.yaml', { BOB_PASSWORD: 'from-env' });
    expect(file.bots.get('bob')?.password).toBe('from-env');
  });
});

describe('scenarios/lab', () => {
  it('holds exactly the nine lab scenarios, each named after its id', () => {
    const files = readdirSync('scenarios/lab').sort();
    expect(files).toEqual(LAB_IDS.map((id) => `${id}.yaml`).sort());
  });

  it.each(LAB_IDS)('%s loads cleanly against bots/lab.yaml', async (id) => {
    const bots = await loadBotsFile('bots/lab.yaml', {});
    const scenario = await loadScenarioFile(labFile(id), {}, { bots });
    expect(scenario.id).toBe(id);
    expect(scenario.description?.length).toBeGreaterThan(50);
    expect(scenario.steps.some((step) => step.kind === 'call' && step.name === scenario.expect.call)).toBe(true);
    const caller = texts(scenario.expect.legs['caller']);
    expect(caller?.slice(0, 5)).toEqual(['INVITE>', '<100?', '<407', 'ACK>', 'INVITE>']);
  });

  it('loads all together', async () => {
    const scenarios = await loadScenarioFiles(LAB_IDS.map(labFile), { env: {} });
    expect(scenarios.map((scenario) => scenario.id)).toEqual(LAB_IDS);
  });

  it('no-answer: caller cancels after 2 s, callee rings forever', async () => {
    const scenario = await loadScenarioFile(labFile('no-answer'), {});
    expect(scenario.behaviour['callee']).toEqual({ onInvite: 'ring' });
    expect(scenario.steps[0]).toMatchObject({ kind: 'call', cancelAfterMs: 2000, to: { kind: 'role', role: 'callee' } });
    expect(scenario.expect).toMatchObject({ outcome: 'cancelled', status: 487 });
    expect(texts(scenario.expect.legs['callee'])).toEqual(['<INVITE', '100>?', '180>', '<CANCEL', '200/CANCEL>', '487>', '<ACK']);
  });

  it('no-answer-proxy-408: the proxy timer is in milliseconds', async () => {
    const scenario = await loadScenarioFile(labFile('no-answer-proxy-408'), {});
    expect(scenario.proxy).toEqual({ inviteTimeoutMs: 3000 });
    expect((scenario.steps[0] as CallStep).cancelAfterMs).toBeUndefined();
  });

  it('busy-self: one bot in both roles, only the caller leg compared', async () => {
    const scenario = await loadScenarioFile(labFile('busy-self'), {});
    expect(scenario.roles).toEqual({ caller: 'alice', callee: 'alice' });
    expect(Object.keys(scenario.expect.legs)).toEqual(['caller']);
  });

  it('busy-in-call: waits for the first call to be confirmed, compares the second', async () => {
    const scenario = await loadScenarioFile(labFile('busy-in-call'), {});
    expect(scenario.steps).toEqual([
      { kind: 'call', name: 'first', from: 'other', to: { kind: 'role', role: 'callee' }, waitFor: 'confirmed' },
      { kind: 'call', name: 'main', from: 'caller', to: { kind: 'role', role: 'callee' }, waitFor: 'terminated' },
      { kind: 'hangup', role: 'other' },
    ]);
    expect(scenario.expect.call).toBe('main');
    expect(texts(scenario.expect.legs['callee'])).toEqual(['<INVITE', '100>?', '486>', '<ACK']);
  });
});
