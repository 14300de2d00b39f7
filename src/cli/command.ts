/**
 * The CLI command contract (SPEC §11). `--json` prints exactly one JSON document on stdout (logs go
 * to stderr); failures print `{ "errors": [ErrorItem] }` and exit 1 (failure) or 2 (bad usage).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface CommandContext {
  /** Configuration from the environment (loaded lazily: `--help` must not need a database). */
  config: () => Config;
  io: CliIo;
  json: boolean;
}

export interface Command {
  /** Words that select the command: `['enterprise', 'create']`. */
  path: string[];
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the JSON document (printed as JSON with --json, or by `human` without). */
  run(ctx: CommandContext, values: Record<string, unknown>, positionals: string[]): Promise<unknown>;
  /** Human-readable output; defaults to pretty JSON. */
  human?(result: unknown): string;
}

/** Thrown for bad usage: exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...cmd.options, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: tortie ${cmd.usage}`);
  }
}
