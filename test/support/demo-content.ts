/** Reads back a demo enterprise: its rows, and its content without ids (for determinism checks). */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { normalize } from '../../src/lib/decimal.js';

export interface MovementJson {
  asset_id: string;
  asset_symbol: string;
  quantity: string;
  value: { amount: string; currency: string } | null;
}

export async function rowsOf(db: Kysely<Database>, enterpriseId: string) {
  const users = await db.selectFrom('users').selectAll().where('enterprise_id', '=', enterpriseId).orderBy('seq').execute();
  const accounts = await db.selectFrom('accounts').selectAll().where('enterprise_id', '=', enterpriseId).orderBy('seq').execute();
  const txs = await db.selectFrom('transactions').selectAll().where('enterprise_id', '=', enterpriseId).orderBy('seq').execute();
  const positions = await db.selectFrom('asset_positions').selectAll().where('enterprise_id', '=', enterpriseId).execute();
  const consents = await db.selectFrom('consents').selectAll().where('enterprise_id', '=', enterpriseId).execute();
  return { users, accounts, txs, positions, consents };
}

/** Everything generated except ids and credentials, in a stable order. */
export async function content(db: Kysely<Database>, enterpriseId: string) {
  const { users, accounts, txs, positions } = await rowsOf(db, enterpriseId);
  const u = new Map(users.map((x, i) => [x.id, i]));
  const a = new Map(accounts.map((x, i) => [x.id, i]));
  return {
    users: users.map((x) => [x.email, x.full_name, x.consented_at, x.deactivated_on, x.deactivated]),
    accounts: accounts.map((x) => [u.get(x.user_id), x.provider_id, x.display_label, x.connection_type, x.addresses, x.status, x.status_cause, x.created_at]),
    transactions: txs
      .map((t) => [
        a.get(t.account_id),
        t.timestamp,
        t.type,
        t.status,
        t.category,
        t.inputs,
        t.outputs,
        t.fee_items,
        t.fee_total === null ? null : normalize(t.fee_total),
        t.value_currency,
        t.network,
        t.tx_hash,
        t.from_address,
        t.to_address,
        t.provider_transaction_id,
        t.description,
        t.is_internal_transfer,
        t.counterparty_account_id === null ? null : a.get(t.counterparty_account_id),
      ])
      .sort((x, y) => (x[0] as number) - (y[0] as number) || String(x[1]).localeCompare(String(y[1])) || String(x[14]).localeCompare(String(y[14]))),
    positions: positions.map((p) => [a.get(p.account_id), p.asset_id, p.asset_symbol, normalize(p.quantity)]).sort((x, y) => (x[0] as number) - (y[0] as number) || String(x[1]).localeCompare(String(y[1]))),
  };
}

