export type CliLang = 'en' | 'zh';

/**
 * The `--lang` a lab or run invocation asked for, read off its arguments: an error or an
 * interruption can come before (or without) commander handing the options to the command.
 */
export function langOf(argv: readonly string[]): CliLang {
  const command = argv.find((a) => !a.startsWith('-'));
  if (command !== 'lab' && command !== 'run') return 'en';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lang' && argv[i + 1] === 'zh') return 'zh';
    if (argv[i] === '--lang=zh') return 'zh';
  }
  return 'en';
}
