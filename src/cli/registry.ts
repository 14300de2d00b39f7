/** Every CLI command. Each command lives in its own file; this list is the only place naming them. */
import type { Command } from './command.js';

export const COMMANDS: Command[] = [];
