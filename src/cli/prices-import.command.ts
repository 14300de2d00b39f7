/**
 * `tortie prices import FILE.csv` → `{ imported, rejected: [{ row, reason }] }` (SPEC §11): fills the
 * local price store (`date,asset_id,currency,price`). Bad rows are reported, good rows imported.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError, type Command } from './command.js';
import { withContainer } from './open-container.js';
import { parsePriceCsv } from '../prices/price-import.js';

export const pricesImportCommand: Command = {
  path: ['prices', 'import'],
  usage: 'prices import FILE.csv [--json]',
  options: {},
  async run(ctx, _values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`Give exactly one CSV file\nusage: tortie ${this.usage}`, 'file');
    const file = positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read ${file}: ${(e as Error).message}`, 'file');
    }
    const report = parsePriceCsv(text, `import:${basename(file)}`);
    return withContainer(ctx, { migrations: 'require' }, async (c) => {
      await c.repos.prices.upsert(report.rows);
      return { imported: report.rows.length, rejected: report.rejected };
    });
  },
};
