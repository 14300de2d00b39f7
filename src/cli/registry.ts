/** Every CLI command. Each command lives in its own file; this list is the only place naming them. */
import type { Command } from './command.js';
import { serveCommand } from './serve.command.js';
import { startCommand } from './start.command.js';
import { migrateCommand } from './migrate.command.js';
import { enterpriseCreateCommand } from './enterprise-create.command.js';
import { clientCreateCommand } from './client-create.command.js';
import { keysRotateCommand } from './keys-rotate.command.js';
import { openapiCommand } from './openapi.command.js';
import { demoCommand } from './demo.command.js';

export const COMMANDS: Command[] = [
  serveCommand,
  startCommand,
  migrateCommand,
  enterpriseCreateCommand,
  clientCreateCommand,
  keysRotateCommand,
  openapiCommand,
  demoCommand,
];
