import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { runCli } from '../support/run-cli.js';
import { startUdpForwarder, type UdpForwarder } from '../support/udp-forwarder.js';

/** A lab case file rewritten by `edit`, in a temp folder. */
function brokenCase(id: string, edit: (yaml: string) => string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sipbots-case-')), `${id}.yaml`);
  writeFileSync(file, edit(readFileSync(`scenarios/lab/${id}.yaml`, 'utf8')));
  return file;
}

async function runJson(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'sipbots-run-')), 'run');
  const result = await runCli(['run', '--json', '--out', out, '--media', 'none', ...args]);
  return { ...result, summary: JSON.parse(result.stdout) };
}

describe('a lab case broken on purpose fails and names the difference', () => {
  let server: EmbeddedServer | undefined;
  let forwarder: UdpForwarder | undefined;
  afterEach(async () => {
    await forwarder?.stop();
    await server?.stop();
  });

  it('reject: the callee answers 480 instead of 486', async () => {
    const file = brokenCase('reject', (yaml) => yaml.replace(/rejectWith: 486/, 'rejectWith: 480'));
    expect(readFileSync(file, 'utf8')).toContain('rejectWith: 480');
    const { code, summary } = await runJson([file]);
    expect(code).toBe(1);
    expect(summary.passed).toBe(false);
    expect(summary.cases[0].difference).toMatch(/expected <486 on the caller leg after <180, saw 480 Temporarily Unavailable/);
  });

  it('answer: the caller expects a tone the callee does not send', async () => {
    const file = brokenCase('answer-bye-caller', (yaml) => yaml.replace('caller: { hears: callee,', 'caller: { hears: 2000,'));
    const out = join(mkdtempSync(join(tmpdir(), 'sipbots-run-')), 'run');
    const result = await runCli(['run', '--json', '--out', out, file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).cases[0].difference).toBe('expected the caller to hear 2000 Hz, heard 1000 Hz');
  });

  it('cancel: the proxy never receives the CANCEL, so the caller sees the proxy\'s 408 instead of 487', async () => {
    const bots = await loadBotsFile('bots/lab.yaml', {});
    server = await startEmbeddedServer({ transports: ['udp'], users: usersFromBots(bots.bots.values()), domain: 'lab.test', events: new EventStream(), inviteTimeoutMs: 3000 });
    forwarder = await startUdpForwarder(server.endpoints.get('udp')!, (datagram) => datagram.startsWith('CANCEL '));
    const { code, summary } = await runJson(['scenarios/lab/cancel.yaml', '--server', `sip:127.0.0.1:${forwarder.endpoint.port}`]);
    expect(forwarder.dropped.length).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(summary.cases[0].difference).toMatch(/on the caller leg after CANCEL>, saw 408 Request Timeout .*; the caller got 408 Request Timeout from the proxy, not from bob/);
  });
});
