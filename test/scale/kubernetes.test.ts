import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseShard } from '../../src/load/plan/shard.js';
import { ROOT } from './support/spawn-shards.js';

/**
 * deploy/kubernetes rendered by kustomize (`kubectl kustomize`, as its README does) and every
 * manifest validated against the official Kubernetes OpenAPI schemas, compiled by the
 * kubernetes-models package; then the fields that make a sharded load work.
 */
type Doc = Record<string, any>;

const MODELS: Record<string, new (doc: any) => { validate(): void }> = {
  'v1 ConfigMap': ConfigMap,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'batch/v1 Job': Job,
};

function kustomize(dir: string): Doc[] {
  const out = execFileSync('kubectl', ['kustomize', resolve(ROOT, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
}

/** The schema errors of one manifest: none when it is valid. */
function schemaErrors(doc: Doc): string {
  const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
  if (!Model) return `no schema for ${doc.apiVersion} ${doc.kind}`;
  try {
    new Model(doc).validate();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

const docs = kustomize('deploy/kubernetes/overlays/example');
const find = (kind: string, name: RegExp): Doc => docs.find((d) => d.kind === kind && name.test(d.metadata.name))!;
// configMapGenerator names the ConfigMap with a hash of its data, and kustomize updates the references.
const configMap = find('ConfigMap', /^sipbots-load-run1-[a-z0-9]+$/);
const settings = configMap.data as Record<string, string>;
const load = find('Job', /^sipbots-load-run1$/);
const merge = find('Job', /^sipbots-merge-run1$/);
const N = Number(settings.LOAD_SHARDS);

function expectLockedDown(job: Doc): void {
  const pod = job.spec.template.spec;
  expect(pod.restartPolicy).toBe('Never');
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
  for (const c of pod.containers) {
    expect(c.image).toBe('registry.example.com/sipbots:0.1.0');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
  }
  // Across pods and nodes: the run's claim, never an emptyDir.
  expect(pod.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'sipbots-results-run1' } }]);
}

describe('deploy/kubernetes: kustomize base + example overlay', () => {
  it('renders a ConfigMap, a ReadWriteMany claim and two Jobs, each valid against the Kubernetes schemas', () => {
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`).sort()).toEqual(['batch/v1 Job', 'batch/v1 Job', 'v1 ConfigMap', 'v1 PersistentVolumeClaim']);
    for (const doc of docs) expect(schemaErrors(doc), `${doc.kind} ${doc.metadata.name}`).toBe('');
    expect(find('PersistentVolumeClaim', /^sipbots-results-run1$/).spec.accessModes).toEqual(['ReadWriteMany']);
    for (const doc of docs) expect(doc.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'sipbots', 'sipbots.io/run': 'run1' });
  });

  it('the schema check does catch a wrong manifest', () => {
    expect(schemaErrors({ ...load, spec: { ...load.spec, completions: 'three' } })).toMatch(/completions/);
    expect(schemaErrors({ ...load, spec: { ...load.spec, template: { spec: { containers: [{ image: 'x' }] } } } })).toMatch(/name/);
  });

  it('an Indexed Job of LOAD_SHARDS pods, each with --shard JOB_COMPLETION_INDEX/N, the password from a Secret, its own result file', () => {
    expect(load.spec).toMatchObject({ completionMode: 'Indexed', completions: N, parallelism: N, backoffLimit: 0 });
    expectLockedDown(load);
    expectLockedDown(merge);
    const [container] = load.spec.template.spec.containers;
    const vars = Object.fromEntries(container.env.map((e: Doc) => [e.name, e]));
    expect(vars.JOB_COMPLETION_INDEX.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    expect(vars.SIPBOTS_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'sipbots-load-password', key: 'password' } });
    const args: string[] = container.args;
    const after = (flag: string): string => args[args.indexOf(flag) + 1]!;
    expect(args[0]).toBe('load');
    expect(after('--shard')).toBe('$(JOB_COMPLETION_INDEX)/$(LOAD_SHARDS)');
    expect(after('--json')).toBe('/results/$(LOAD_RUN)-shard-$(JOB_COMPLETION_INDEX).json');
    expect(args).not.toContain('--password');
    // What each pod's --shard becomes is one sipbots accepts, and the pods cover 0..N-1.
    const shardOf = (i: number) => parseShard(after('--shard').replace('$(JOB_COMPLETION_INDEX)', String(i)).replace('$(LOAD_SHARDS)', settings.LOAD_SHARDS!));
    expect(Array.from({ length: N }, (_, i) => shardOf(i))).toEqual(Array.from({ length: N }, (_, i) => ({ index: i, count: N })));
    // Every $(VAR) the args use is defined for the container.
    const defined = new Set([...Object.keys(vars), ...Object.keys(settings)]);
    for (const ref of args.join(' ').matchAll(/\$\((\w+)\)/g)) expect(defined.has(ref[1]!), ref[1]).toBe(true);
    expect(JSON.stringify(docs)).not.toMatch(/load-secret|password"\s*:\s*"[^"]/);
  });

  it('the merge Job merges this run\'s shard files and judges the thresholds', () => {
    const script = merge.spec.template.spec.containers[0].args.join(' ');
    // Kubernetes turns $$( into $( before the shell sees it.
    expect(script).toContain('$$(for t in');
    // The script as the pod's shell runs it, with echo for sipbots, in a folder of two runs' files.
    const printed = execFileSync('sh', ['-c', `cd "$1" && ${script.replaceAll('$$(', '$(').replace('exec sipbots', 'echo sipbots').replaceAll('/results/', './')}`, 'sh', makeShardDir(N)], { encoding: 'utf8', env: { PATH: process.env.PATH, LOAD_RUN: 'run1', LOAD_THRESHOLDS: 'failed<0.1% p99<500ms' } });
    expect(printed.trim().split(/\s+/)).toEqual(['sipbots', 'merge', ...Array.from({ length: N }, (_, i) => `./run1-shard-${i}.json`), '--json', './run1-merged.json', '--junit', './run1-merged.xml', '--threshold', 'failed<0.1%', '--threshold', 'p99<500ms']);
  });
});

function makeShardDir(n: number): string {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  for (let i = 0; i < n; i++) execFileSync('touch', [`${dir}/run1-shard-${i}.json`, `${dir}/run2-shard-${i}.json`]);
  return dir;
}
