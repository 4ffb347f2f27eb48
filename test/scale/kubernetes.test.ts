import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseShard } from '../../src/load/plan/shard.js';
import { ROOT } from './support/spawn-shards.js';

/**
 * The manifests of deploy/kubernetes, rendered by the very commands of its README.
 * No kubeconform here (neither npm nor Debian has it, and `kubectl --dry-run=client` needs
 * a cluster), so the schema check is by hand: apiVersion/kind, every key we use is a field
 * of its Kubernetes type (a typo such as `completionsMode` would be silently ignored by
 * the API server), and the fields that make a sharded load work.
 */
type Doc = Record<string, any>;

const README = readFileSync(resolve(ROOT, 'deploy/kubernetes/README.md'), 'utf8');

/** The guide's `export …` and `render.sh …` lines (without `| kubectl apply`), run in order. */
function renderAsTheGuideDoes(): { load: Doc[]; merge: Doc[]; env: Record<string, string> } {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const lines = blocks.flatMap((b) => b.split('\n')).filter((l) => /^export |^deploy\/kubernetes\/render\.sh /.test(l));
  const renders = lines.filter((l) => l.startsWith('deploy/'));
  expect(renders.map((l) => l.split(' ')[1])).toEqual(['load', 'merge']);
  const script = lines.map((l) => (l.startsWith('deploy/') ? `echo '--- #render'; ${l.replace(/\s*\|\s*kubectl.*$/, '')}` : l)).join('\n');
  const out = execFileSync('sh', ['-euc', `${script}\necho "--- #env"; echo "$SHARDS $IMAGE $RUN"`], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
  const [, load, merge, env] = out.split(/^--- #\w+\n/m) as [string, string, string, string];
  const [shards, image, run] = env.trim().split(' ') as [string, string, string];
  const parse = (text: string): Doc[] =>
    parseAllDocuments(text).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Doc;
    });
  return { load: parse(load), merge: parse(merge), env: { shards, image, run } };
}

const { load, merge, env } = renderAsTheGuideDoes();
const N = Number(env.shards);
const byKind = (docs: Doc[], kind: string): Doc => docs.find((d) => d.kind === kind)!;

// The fields of each Kubernetes type these manifests use (k8s.io/api, v1.30); nested types by path.
const FIELDS: Record<string, string[]> = {
  object: ['apiVersion', 'kind', 'metadata', 'spec', 'data'],
  metadata: ['name', 'namespace', 'labels', 'annotations'],
  jobSpec: ['completionMode', 'completions', 'parallelism', 'backoffLimit', 'backoffLimitPerIndex', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'template', 'podFailurePolicy', 'suspend'],
  podTemplate: ['metadata', 'spec'],
  podSpec: ['restartPolicy', 'securityContext', 'containers', 'volumes', 'serviceAccountName', 'nodeSelector', 'tolerations'],
  podSecurityContext: ['runAsNonRoot', 'runAsUser', 'runAsGroup', 'fsGroup', 'seccompProfile'],
  container: ['name', 'image', 'imagePullPolicy', 'args', 'command', 'env', 'envFrom', 'resources', 'securityContext', 'volumeMounts'],
  containerSecurityContext: ['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities', 'runAsNonRoot', 'runAsUser'],
  envVar: ['name', 'value', 'valueFrom'],
  envVarSource: ['fieldRef', 'secretKeyRef', 'configMapKeyRef', 'resourceFieldRef'],
  resources: ['requests', 'limits'],
  volumeMount: ['name', 'mountPath', 'readOnly', 'subPath'],
  volume: ['name', 'persistentVolumeClaim', 'configMap', 'secret'],
  pvcSpec: ['accessModes', 'resources', 'storageClassName', 'volumeMode'],
};

function onlyFields(value: Doc | undefined, type: string, where: string): string[] {
  if (value === undefined) return [];
  return Object.keys(value)
    .filter((k) => !FIELDS[type]!.includes(k))
    .map((k) => `${where}.${k} is not a field of ${type}`);
}

function unknownFields(doc: Doc): string[] {
  const problems = [...onlyFields(doc, 'object', doc.kind), ...onlyFields(doc.metadata, 'metadata', `${doc.kind}.metadata`)];
  if (doc.kind === 'PersistentVolumeClaim') problems.push(...onlyFields(doc.spec, 'pvcSpec', 'pvc.spec'));
  if (doc.kind !== 'Job') return problems;
  const pod = doc.spec.template;
  problems.push(...onlyFields(doc.spec, 'jobSpec', 'job.spec'), ...onlyFields(pod, 'podTemplate', 'template'), ...onlyFields(pod.spec, 'podSpec', 'pod.spec'));
  problems.push(...onlyFields(pod.spec.securityContext, 'podSecurityContext', 'pod.securityContext'));
  for (const v of pod.spec.volumes ?? []) problems.push(...onlyFields(v, 'volume', 'volume'));
  for (const c of pod.spec.containers) {
    problems.push(...onlyFields(c, 'container', c.name), ...onlyFields(c.securityContext, 'containerSecurityContext', `${c.name}.securityContext`), ...onlyFields(c.resources, 'resources', `${c.name}.resources`));
    for (const e of c.env ?? []) problems.push(...onlyFields(e, 'envVar', `env ${e.name}`), ...onlyFields(e.valueFrom, 'envVarSource', `env ${e.name}.valueFrom`));
    for (const m of c.volumeMounts ?? []) problems.push(...onlyFields(m, 'volumeMount', 'volumeMount'));
  }
  return problems;
}

function expectLockedDown(job: Doc): void {
  const pod = job.spec.template.spec;
  expect(pod.restartPolicy).toBe('Never');
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
  for (const c of pod.containers) {
    expect(c.image).toBe(env.image);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
  }
  // Across pods and nodes: a claim, never an emptyDir.
  expect(pod.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'sipbots-results' } }]);
}

describe('deploy/kubernetes, rendered by the README commands', () => {
  it('renders a ConfigMap, a ReadWriteMany claim and an Indexed Job of N pods', () => {
    expect(load.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 ConfigMap', 'v1 PersistentVolumeClaim', 'batch/v1 Job']);
    expect(merge.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['batch/v1 Job']);
    for (const doc of [...load, ...merge]) expect(unknownFields(doc)).toEqual([]);
    const job = byKind(load, 'Job');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: N, parallelism: N, backoffLimit: 0 });
    expect(byKind(load, 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteMany']);
    expect(Object.values(byKind(load, 'ConfigMap').data).every((v) => typeof v === 'string')).toBe(true);
    expectLockedDown(job);
    expectLockedDown(byKind(merge, 'Job'));
  });

  it('gives each pod --shard JOB_COMPLETION_INDEX/N from the downward API, the password from a Secret, its own result file', () => {
    const job = byKind(load, 'Job');
    const [container] = job.spec.template.spec.containers;
    const vars = Object.fromEntries(container.env.map((e: Doc) => [e.name, e]));
    expect(vars.JOB_COMPLETION_INDEX.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    expect(vars.SIPBOTS_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'sipbots-load-password', key: 'password' } });
    expect(vars.POD_IP.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(container.envFrom).toEqual([{ configMapRef: { name: byKind(load, 'ConfigMap').metadata.name } }]);
    const args: string[] = container.args;
    expect(args[0]).toBe('load');
    const after = (flag: string): string => args[args.indexOf(flag) + 1]!;
    expect(after('--shard')).toBe(`$(JOB_COMPLETION_INDEX)/${N}`);
    expect(after('--json')).toBe(`/results/${env.run}-shard-$(JOB_COMPLETION_INDEX).json`);
    expect(after('--bind')).toBe('$(POD_IP)');
    expect(args).not.toContain('--password');
    // Every pod's substituted --shard is one sipbots accepts, and they cover 0..N-1.
    expect(Array.from({ length: N }, (_, i) => parseShard(after('--shard').replace('$(JOB_COMPLETION_INDEX)', String(i))))).toEqual(Array.from({ length: N }, (_, i) => ({ index: i, count: N })));
    // Every $(VAR) the args use is defined for the container.
    const defined = new Set([...Object.keys(vars), ...Object.keys(byKind(load, 'ConfigMap').data)]);
    for (const ref of args.join(' ').matchAll(/\$\((\w+)\)/g)) expect(defined.has(ref[1]!), ref[1]).toBe(true);
    // No secret value anywhere in what the guide applies.
    expect(JSON.stringify([...load, ...merge])).not.toMatch(/load-secret|password"\s*:\s*"[^"]/);
  });

  it('merges exactly the N shard files of this run', () => {
    const args: string[] = byKind(merge, 'Job').spec.template.spec.containers[0].args;
    expect(args.slice(0, N + 1)).toEqual(['merge', ...Array.from({ length: N }, (_, i) => `/results/${env.run}-shard-${i}.json`)]);
    expect(args).toContain('--threshold');
  });

  it('render.sh refuses bad arguments with a usage error', () => {
    for (const bad of [['load', '0', 'img', 'r'], ['load', '3', 'img with space', 'r'], ['apply', '3', 'img', 'r'], ['load', '3', 'img', 'Bad_Run'], ['load', '3']]) {
      const result = spawnSync(resolve(ROOT, 'deploy/kubernetes/render.sh'), bad, { encoding: 'utf8' });
      expect(result.status, bad.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage: render.sh');
    }
  });
});
