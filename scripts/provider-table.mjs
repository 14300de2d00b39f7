#!/usr/bin/env node
/**
 * Generates the README's table of providers from what each connector declares (describe():
 * connection types and capabilities) and what the shared contract suite recorded on its last run
 * (test-artifacts/contract/*.json: pass / fail / skip with the reason). Run by
 * `npm run docs:providers`, which builds, runs the connector tests, then writes the table between
 * the README's `<!-- providers:start -->` and `<!-- providers:end -->` markers.
 *
 *   node scripts/provider-table.mjs          print the table
 *   node scripts/provider-table.mjs --write  replace it in README.md
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const { PROVIDERS } = await import(join(root, 'dist/domain/providers.js'));
const { connectorFor } = await import(join(root, 'dist/connectors/registry.js'));

const endpoints = { rpc: {}, explorer: {}, exchange: {}, esplora: null };
const resultsDir = join(root, 'test-artifacts/contract');
const runs = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8'))) : [];

const yes = (b) => (b ? 'yes' : '—');
const rows = [];
for (const p of PROVIDERS) {
  const c = connectorFor(p.provider_id, endpoints);
  const d = c?.describe();
  const mine = runs.filter((r) => r.provider_id === p.provider_id);
  let contract = '—';
  const notes = new Set();
  if (mine.length) {
    const all = mine.flatMap((r) => Object.values(r.results));
    const passed = all.filter((v) => v === 'pass').length;
    const failed = all.filter((v) => v === 'fail').length;
    const skipped = all.filter((v) => v.startsWith('skip')).length;
    for (const v of all) if (v.startsWith('skip: ')) notes.add(v.slice(6));
    contract = `${passed} passed${failed ? `, **${failed} failed**` : ''}${skipped ? `, ${skipped} skipped` : ''} (${mine.length} ${mine.length === 1 ? 'fixture' : 'fixtures'})`;
  }
  rows.push(
    `| \`${p.provider_id}\` | ${p.name} | ${p.type} | ${(d?.connection_types ?? p.connection_types).join(', ')} | ${yes(d?.capabilities.balances)} | ${yes(d?.capabilities.transactions)} | ${yes(d?.capabilities.as_of)} | ${d ? d.version : 'not yet'} | ${contract}${notes.size ? ` — skipped: ${[...notes].join('; ')}` : ''} |`,
  );
}
const table = [
  '| provider | name | type | connection | balances | history | as_of | connector | contract suite |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');

if (process.argv.includes('--write')) {
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- providers:start -->';
  const end = '<!-- providers:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error('README.md has no providers markers');
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
  process.stderr.write(`README.md: provider table written (${rows.length} providers, ${runs.length} contract runs)\n`);
} else process.stdout.write(table + '\n');
