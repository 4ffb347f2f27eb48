import type { BotsFile } from './bots-schema.js';
import { ConfigError } from './config-error.js';
import type { Env } from './env-substitution.js';
import { loadYamlFile } from './load-yaml.js';
import { checkScenario } from './scenario-checks.js';
import { resolveScenario, scenarioSchema } from './scenario-schema.js';
import type { Scenario } from './scenario-types.js';
import { referenceProblem } from './problem-text.js';

export interface LoadScenarioOptions {
  env?: Env;
  /** When given, every bot named in `roles` must be defined in it (reported with the role's line). */
  bots?: BotsFile;
}

/** Loads and validates one scenario file; throws ConfigError with every problem. */
export async function loadScenarioFile(file: string, env?: Env, options: Omit<LoadScenarioOptions, 'env'> = {}): Promise<Scenario> {
  const botNames = options.bots === undefined ? undefined : [...options.bots.bots.keys()];
  const raw = await loadYamlFile(file, scenarioSchema, {
    ...(env === undefined ? {} : { env }),
    check: (data) =>
      checkScenario(data, {
        ...(botNames === undefined ? {} : { botNames }),
        ...(options.bots === undefined ? {} : { botsFile: options.bots.file }),
      }),
  });
  return resolveScenario(file, raw);
}

/**
 * Loads several scenario files; throws one ConfigError with the problems of all of them,
 * plus any id used by two files, so a broken lab is fixed in one pass.
 */
export async function loadScenarioFiles(files: readonly string[], options: LoadScenarioOptions = {}): Promise<Scenario[]> {
  const results = await Promise.allSettled(files.map((file) => loadScenarioFile(file, options.env, options)));
  const errors: ConfigError[] = [];
  const scenarios: Scenario[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') scenarios.push(result.value);
    else if (result.reason instanceof ConfigError) errors.push(result.reason);
    else throw result.reason;
  }
  const firstFileById = new Map<string, string>();
  for (const scenario of scenarios) {
    const first = firstFileById.get(scenario.id);
    if (first === undefined) firstFileById.set(scenario.id, scenario.file);
    else {
      errors.push(
        new ConfigError([
          { file: scenario.file, path: 'id', ...referenceProblem.duplicateId(scenario.id, first) },
        ]),
      );
    }
  }
  if (errors.length > 0) throw ConfigError.merge(errors);
  return scenarios;
}
