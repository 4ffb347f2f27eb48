/** Configuration as data: bots and scenario files, validated with every problem located. */
export { ConfigError, formatProblem, type ConfigProblem } from './config-error.js';
export { loadDotEnv, substituteEnv, type Env, type PathProblem } from './env-substitution.js';
export { durationMs, parseDuration, parsePercent, percentFraction } from './duration.js';
export { FlowPatternError, parseFlowPattern, SIP_METHODS, type FlowPattern } from './flow-pattern.js';
export { DEFAULT_BEHAVIOUR, ON_INVITE, resolveBehaviour, type CalleeBehaviour, type OnInvite } from './behaviour.js';
export { DEFAULT_EXPIRES, DEFAULT_TONE_HZ, DEFAULT_TRANSPORT, type BotConfig, type BotsFile } from './bots-schema.js';
export { loadBotsFile, MASK, maskSecrets } from './load-bots.js';
export { loadScenarioFile, loadScenarioFiles, type LoadScenarioOptions } from './load-scenario.js';
export { loadYamlFile, type LoadYamlOptions } from './load-yaml.js';
export type {
  CallStep,
  CallTarget,
  CallWaitFor,
  ExpectedOutcome,
  HangupStep,
  MediaExpectation,
  ProxySettings,
  Roles,
  Scenario,
  ScenarioExpect,
  ScenarioStep,
  WaitStep,
} from './scenario-types.js';
