#!/usr/bin/env node
/**
 * Process entry: `tortie <command>` (the package's bin), `npm run cli -- <command>`, `npm start`.
 * Everything happens in the dispatcher; this file only binds it to the process.
 */
import { runCli } from './cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
