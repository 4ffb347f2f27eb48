import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadDotEnv, substituteEnv } from '../../src/config/env-substitution.js';

describe('substituteEnv', () => {
  it('replaces a set variable anywhere in a string', () => {
    const { value, problems } = substituteEnv({ uri: 'sip:${HOST}:5060' }, { HOST: '10.0.0.1' });
    expect(value).toEqual({ uri: 'sip:10.0.0.1:5060' });
    expect(problems).toEqual([]);
  });

  it('uses the default when the variable is unset or empty', () => {
    const { value } = substituteEnv({ a: '${A:-one}', b: '${B:-two}' }, { B: '' });
    expect(value).toEqual({ a: 'one', b: 'two' });
  });

  it('prefers the variable over the default', () => {
    expect(substituteEnv('${A:-one}', { A: 'set' }).value).toBe('set');
  });

  it('allows an empty default and defaults containing colons', () => {
    expect(substituteEnv('[${A:-}]', {}).value).toBe('[]');
    expect(substituteEnv('${S:-sip:127.0.0.1:5060}', {}).value).toBe('sip:127.0.0.1:5060');
  });

  it('reports an unset variable without default at its path, with a hint', () => {
    const { problems } = substituteEnv({ bots: { alice: { password: '${ALICE_PASSWORD}' } } }, {});
    expect(problems).toEqual([
      {
        path: ['bots', 'alice', 'password'],
        message: 'environment variable ALICE_PASSWORD is not set',
        hint: 'set it in .env or the environment; see .env.example',
        zh: { message: '环境变量 ALICE_PASSWORD 未设置', hint: '在 .env 或环境中设置它；参见 .env.example' },
      },
    ]);
  });

  it('walks lists and leaves numbers, booleans and keys alone', () => {
    const { value } = substituteEnv({ '${K}': ['${X:-x}', 3, true, null] }, {});
    expect(value).toEqual({ '${K}': ['x', 3, true, null] });
  });

  it('keeps $${ as a literal ${', () => {
    expect(substituteEnv('cost $${PRICE}', { PRICE: '3' }).value).toBe('cost ${PRICE}');
  });

  it('reports a malformed reference', () => {
    expect(substituteEnv('${1BAD}', {}).problems[0]?.message).toBe('malformed environment reference ${1BAD}');
  });
});

describe('loadDotEnv', () => {
  const touched: string[] = [];
  afterEach(() => {
    for (const name of touched.splice(0)) delete process.env[name];
  });

  it('loads a file without overriding variables already set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'SIPBOTS_TEST_NEW=from-file\nSIPBOTS_TEST_SET=from-file\n');
    touched.push('SIPBOTS_TEST_NEW', 'SIPBOTS_TEST_SET');
    process.env['SIPBOTS_TEST_SET'] = 'from-environment';

    expect(loadDotEnv(file)).toBe(true);
    expect(process.env['SIPBOTS_TEST_NEW']).toBe('from-file');
    expect(process.env['SIPBOTS_TEST_SET']).toBe('from-environment');
  });

  it('returns false when there is no file', () => {
    expect(loadDotEnv(join(tmpdir(), 'sipbots-no-such-dir', '.env'))).toBe(false);
  });

  it('reports an unreadable file as a ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-env-'));
    expect(() => loadDotEnv(dir)).toThrow(ConfigError);
  });
});
