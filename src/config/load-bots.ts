import type { Env } from './env-substitution.js';
import { botsFileSchema, checkBotsFile, type BotConfig, type BotsFile } from './bots-schema.js';
import { loadYamlFile } from './load-yaml.js';
import { checkPlayFiles, resolvePlayPath } from './play-file.js';

/** Loads and validates a bots file (`bots/lab.yaml`); throws ConfigError with every problem. */
export async function loadBotsFile(file: string, env?: Env): Promise<BotsFile> {
  const bots = await loadYamlFile(file, botsFileSchema, {
    ...(env === undefined ? {} : { env }),
    check: (data) => [...checkBotsFile(data), ...checkPlayFiles(data, file)],
  });
  for (const bot of bots.values()) if (bot.play !== undefined) bot.play = resolvePlayPath(file, bot.play);
  return { file, bots };
}

export const MASK = '****';

/** A copy safe to print or log (`--print-config`): every password replaced by `****`. */
export function maskSecrets(config: BotsFile): BotsFile;
export function maskSecrets(config: BotConfig): BotConfig;
export function maskSecrets(config: BotsFile | BotConfig): BotsFile | BotConfig {
  if ('bots' in config) {
    return { file: config.file, bots: new Map([...config.bots].map(([name, bot]) => [name, maskBot(bot)])) };
  }
  return maskBot(config);
}

function maskBot(bot: BotConfig): BotConfig {
  return { ...bot, password: MASK, behaviour: { ...bot.behaviour } };
}
