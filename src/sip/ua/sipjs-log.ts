import type { Logger } from '../../util/logger.js';

type SipJsLevel = 'debug' | 'log' | 'warn' | 'error';

/**
 * Routes sip.js's own log lines into the bot's pino logger (category as a field). sip.js
 * logs at `log` level for every state change; that is debug for us.
 */
export function sipJsLogConnector(logger: Logger) {
  return (level: SipJsLevel, category: string, _label: string | undefined, content: string): void => {
    const fields = { sipjs: category };
    if (level === 'error') logger.error(fields, content);
    else if (level === 'warn') logger.warn(fields, content);
    else logger.debug(fields, content);
  };
}
