/** Small argument checks shared by commands; each failure is bad usage (exit 2). */
import { UsageError, type Command } from './command.js';

export function expectNoPositionals(cmd: Command, positionals: string[]): void {
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}"\nusage: tortie ${cmd.usage}`);
}

/** The value of a required string option. */
export function requiredString(cmd: Command, values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required\nusage: tortie ${cmd.usage}`, name);
  return v;
}
