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
import { accountAddCommand } from './account-add.command.js';
import { syncCommand } from './sync.command.js';
import { workerCommand } from './worker.command.js';
import { pricesImportCommand } from './prices-import.command.js';

export const COMMANDS: Command[] = [
  serveCommand,
  startCommand,
  migrateCommand,
  enterpriseCreateCommand,
  clientCreateCommand,
  keysRotateCommand,
  openapiCommand,
  demoCommand,
  accountAddCommand,
  syncCommand,
  workerCommand,
  pricesImportCommand,
];
