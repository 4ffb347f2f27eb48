import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseShard } from '../../src/load/plan/shard.js';
import { ROOT } from './support/spawn-shards.js';

/**
 * The image and the compose load profile checked by reading them: the stages, the user, what
 * the runtime image gets, and that every file they copy exists in the repository.
 */
const dockerfile = readFileSync(resolve(ROOT, 'docker/Dockerfile'), 'utf8');
// Instructions with their continuation lines joined; comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = new Map<string, string[]>();
let current: string[] = [];
for (const line of instructions) {
  const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
  if (from) stages.set(from[1] ?? `#${stages.size}`, (current = []));
  current.push(line);
}

describe('docker/Dockerfile', () => {
  // scripts/container/image.sh builds and runs the image for real (in .ci/run); these checks are
  // what a reading can tell on a machine without a container engine.
  it('builds in stages and runs as a non-root user with entrypoint sipbots', () => {
    expect([...stages.keys()]).toEqual(['build', 'runtime']);
    const runtime = stages.get('runtime')!;
    const user = runtime.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    expect(runtime).toContain('ENTRYPOINT ["sipbots"]');
    expect(runtime.some((l) => l.includes('ln -s /app/bin/sipbots.js /usr/local/bin/sipbots'))).toBe(true);
    // The symlinked entrypoint runs through the shebang: node (with the V8 flags bin/sipbots.js
    // gives it through `env -S`, which the image's GNU coreutils env takes) on the compiled CLI.
    expect(readFileSync(resolve(ROOT, 'bin/sipbots.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env (-S node( --[\w-]+=\S+)+|node)\n[\s\S]*'\.\.\/dist\/cli\/main\.js'/);
  });

  it('the runtime image gets the production dependencies of a full npm ci (sip.js patched by prepare) and dist/', () => {
    const build = stages.get('build')!.join('\n');
    // `npm ci` runs prepare (patch-package && tsc): patches and sources must be there first.
    expect(build.indexOf('COPY patches')).toBeLessThan(build.indexOf('npm ci'));
    expect(build.indexOf('COPY src')).toBeLessThan(build.indexOf('npm ci'));
    expect(build).not.toMatch(/npm ci[^\n]*--ignore-scripts/);
    expect(build.indexOf('npm ci')).toBeLessThan(build.indexOf('npm prune --omit=dev'));
    const runtime = stages.get('runtime')!;
    expect(runtime).toContain('COPY --from=build /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.some((l) => /npm (ci|install)/.test(l))).toBe(false);
  });

  it('copies only files that exist and that the .dockerignore lets through', () => {
    const ignored = readFileSync(resolve(ROOT, 'docker/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect(existsSync(resolve(ROOT, source)), source).toBe(true);
        expect(ignored, source).not.toContain(source.replace(/^\.\//, ''));
      }
    }
  });
});

describe('docker/compose.yaml, load profile', () => {
  const compose = parse(readFileSync(resolve(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };
  const shards = ['load-shard-0', 'load-shard-1', 'load-shard-2'].map((name) => compose.services[name]);

  it('runs shards 0..2 of 3 against the Kamailio service, each with its own result file', () => {
    shards.forEach((shard, i) => {
      expect(shard.profiles).toEqual(['load']);
      expect(shard.depends_on).toEqual({ kamailio: { condition: 'service_healthy' } });
      expect(shard.environment.SHARD).toBe(String(i));
      expect(shard.volumes).toEqual(['load-results:/results']);
      const command: string = shard.command.join(' ');
      expect(command).toContain('--proxy "127.0.0.1:${SIP_PORT:-5060}"');
      expect(command).toContain('--shard "$$SHARD/3"');
      expect(command).toContain('--json "/results/shard-$$SHARD.json"');
      expect(parseShard(`${shard.environment.SHARD}/3`)).toEqual({ index: i, count: 3 });
    });
    // The password the shards use is the lab one Kamailio knows for those users.
    const users = readFileSync(resolve(ROOT, 'docker/kamailio/users.txt'), 'utf8');
    expect(users).toContain(`u0001=${shards[0].environment.SIPBOTS_PASSWORD}`);
    expect(users).toContain(`u0200=${shards[0].environment.SIPBOTS_PASSWORD}`);
    expect(compose.volumes).toHaveProperty('load-results');
  });

  it('merges the three files once every shard exited 0; the lab services stay outside the profile', () => {
    const merge = compose.services['load-merge'];
    expect(merge.profiles).toEqual(['load']);
    expect(merge.depends_on).toEqual(Object.fromEntries(['load-shard-0', 'load-shard-1', 'load-shard-2'].map((s) => [s, { condition: 'service_completed_successfully' }])));
    expect(merge.command.slice(0, 4)).toEqual(['merge', '/results/shard-0.json', '/results/shard-1.json', '/results/shard-2.json']);
    expect(merge.volumes).toEqual(['load-results:/results']);
    expect(compose.services.kamailio.profiles).toBeUndefined();
    expect(compose.services.sipbots.profiles).toBeUndefined();
  });
});
