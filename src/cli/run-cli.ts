/**
 * The CLI dispatcher (SPEC §11): selects the command whose words start the arguments (the longest
 * match), parses its options, runs it, prints its result, and turns failures into the contract's
 * output and exit codes — `{ "errors": [ErrorItem] }` (on stdout with --json, as text on stderr
 * otherwise), exit 1 for a failure and 2 for bad usage. Returns the exit code; never calls exit.
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AppError, type ErrorItem } from '../domain/errors.js';
import { UsageError, parseCommandArgs, type CliIo, type Command, type CommandContext } from './command.js';
import { COMMANDS } from './registry.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function findCommand(commands: Command[], argv: string[]): { cmd: Command; rest: string[] } | undefined {
  const matches = commands.filter((c) => c.path.every((word, i) => argv[i] === word));
  const best = matches.sort((a, b) => b.path.length - a.path.length)[0];
  return best && { cmd: best, rest: argv.slice(best.path.length) };
}

export function helpText(commands: Command[]): string {
  return ['usage: tortie <command> [options] [--json]', '', 'commands:', ...commands.map((c) => `  ${c.usage}`), '', 'Run `tortie <command> --help` for one command.', ''].join('\n');
}

export async function runCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, commands: Command[] = COMMANDS): Promise<number> {
  const json = argv.includes('--json');
  const fail = (code: number, items: ErrorItem[], detail?: string): number => {
    if (json) io.stdout(JSON.stringify({ errors: items }) + '\n');
    else io.stderr(`tortie: ${detail ?? items.map((i) => i.message).join('\n')}\n`);
    return code;
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    if (json) io.stdout(JSON.stringify({ commands: commands.map((c) => c.usage) }) + '\n');
    else (argv.length === 0 ? io.stderr : io.stdout)(helpText(commands));
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ');
    return fail(EXIT_USAGE, [{ cause: 'bad_request', message: `Unknown command "${words}"; run tortie --help` }]);
  }
  const { cmd, rest } = found;
  let config: Config | undefined;
  const ctx: CommandContext = { config: () => (config ??= loadConfig(env)), io, json };
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      io.stdout(json ? JSON.stringify({ usage: `tortie ${cmd.usage}` }) + '\n' : `usage: tortie ${cmd.usage}\n`);
      return EXIT_OK;
    }
    const result = await cmd.run(ctx, values, positionals);
    if (result !== undefined) io.stdout(json ? JSON.stringify(result) + '\n' : cmd.human ? cmd.human(result) : JSON.stringify(result, null, 2) + '\n');
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      const [message = '', ...usage] = e.message.split('\n');
      return fail(EXIT_USAGE, [{ cause: 'bad_request', message, ...(e.field ? { field: e.field } : {}) }], [message, ...usage].join('\n'));
    }
    if (e instanceof AppError) return fail(EXIT_FAILURE, e.items);
    if (e instanceof ConfigError) return fail(EXIT_FAILURE, [{ cause: 'bad_request', message: e.message }]);
    const err = e instanceof Error ? e : new Error(String(e));
    if (!json && err.stack) io.stderr(`${err.stack}\n`);
    return fail(EXIT_FAILURE, [{ cause: 'internal_error', message: err.message }]);
  }
}
