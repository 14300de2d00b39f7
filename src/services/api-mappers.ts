/**
 * Stored rows → the wire shapes of SPEC §8. Pure functions: every read service maps through here,
 * so a User, an Account or a Transaction looks the same on every endpoint.
 */
import type { Account, AccountStatus, AccountStatusCause, Consent, CurrencyValue, Movement, Transaction, User } from '../domain/api-types.js';
import type { ErrorCause, ErrorItem } from '../domain/errors.js';
import type { Category, TransactionStatus, TransactionType } from '../domain/transactions.js';
import { findProvider } from '../domain/providers.js';
import { normalize } from '../lib/decimal.js';
import { asJsonText, jsonString, jsonStringOrNull, type JsonText } from '../lib/json-text.js';
import type { UserListRow } from '../repositories/users.repository.js';
import type { AccountRow } from '../repositories/accounts.repository.js';
import type { ConsentRow } from '../repositories/consents.repository.js';
import type { TransactionRow } from '../repositories/transactions.repository.js';

/** [seed] exactly six fields, in this order. Only non-erased rows (which have e-mail and name) reach here. */
export function toUser(r: UserListRow): User {
  return {
    email: r.email ?? '',
    user_id: r.id,
    consented_at: r.consented_at,
    full_name: r.full_name ?? '',
    deactivated_on: r.deactivated_on,
    deactivated: r.deactivated === 1,
  };
}

/** A User as JSON text: byte for byte what serializing `toUser(r)` through UserSchema writes (see `transactionJson`). */
export function userJson(r: UserListRow): JsonText {
  return asJsonText(
    `{"email":${jsonString(r.email ?? '')},"user_id":${jsonString(r.id)},"consented_at":${jsonString(r.consented_at)},"full_name":${jsonString(r.full_name ?? '')}` +
      `,"deactivated_on":${jsonStringOrNull(r.deactivated_on)},"deactivated":${r.deactivated === 1}}`,
  );
}

export function toConsent(r: ConsentRow): Consent {
  return {
    consented_at: r.consented_at,
    scopes: JSON.parse(r.scopes) as string[],
    client_id: r.client_id,
    revoked_at: r.revoked_at,
    version: r.version,
  };
}

export function providerName(providerId: string): string {
  return findProvider(providerId)?.name ?? providerId;
}

/** An Account; never a credential (the row's `credentials_enc` is not read). */
export function toAccount(r: AccountRow, totalValue: CurrencyValue): Account {
  return {
    account_id: r.id,
    user_id: r.user_id,
    provider_id: r.provider_id,
    provider_name: providerName(r.provider_id),
    display_label: r.display_label,
    connection_type: r.connection_type,
    addresses: JSON.parse(r.addresses) as string[],
    status: r.status as AccountStatus,
    status_cause: r.status_cause as AccountStatusCause | null,
    created_at: r.created_at,
    last_synced_at: r.last_synced_at,
    next_sync_at: r.next_sync_at,
    total_value: totalValue,
  };
}

export function toTransaction(r: TransactionRow): Transaction {
  return {
    transaction_id: r.id,
    user_id: r.user_id,
    account_id: r.account_id,
    provider_id: r.provider_id,
    timestamp: r.timestamp,
    type: r.type as TransactionType,
    status: r.status as TransactionStatus,
    categorization: { category: r.category as Category, is_internal_transfer: r.is_internal_transfer === 1, counterparty_account_id: r.counterparty_account_id },
    inputs: JSON.parse(r.inputs) as Movement[],
    outputs: JSON.parse(r.outputs) as Movement[],
    fees: { total: r.fee_total === null ? null : { amount: normalize(r.fee_total), currency: r.value_currency }, items: JSON.parse(r.fee_items) as Movement[] },
    network: r.network,
    tx_hash: r.tx_hash,
    from_address: r.from_address,
    to_address: r.to_address,
    provider_transaction_id: r.provider_transaction_id,
    description: r.description,
  };
}

/**
 * A Transaction as JSON text: byte for byte what serializing `toTransaction(r)` through the
 * response schema (TransactionSchema) writes, without building the object — in particular the
 * stored movement arrays are copied as they are instead of parsed and written again (see
 * `movementsJson`). For list pages, where parsing and re-serializing 300 movement arrays cost more
 * than reading the rows. `transaction-json.test.ts` holds the two paths equal.
 */
export function transactionJson(r: TransactionRow): JsonText {
  return asJsonText(
    `{"transaction_id":${jsonString(r.id)},"user_id":${jsonString(r.user_id)},"account_id":${jsonString(r.account_id)},"provider_id":${jsonString(r.provider_id)}` +
      `,"timestamp":${jsonString(r.timestamp)},"type":${jsonString(r.type)},"status":${jsonString(r.status)}` +
      `,"categorization":{"category":${jsonString(r.category)},"is_internal_transfer":${r.is_internal_transfer === 1},"counterparty_account_id":${jsonStringOrNull(r.counterparty_account_id)}}` +
      `,"inputs":${movementsJson(r.inputs)},"outputs":${movementsJson(r.outputs)}` +
      `,"fees":{"total":${r.fee_total === null ? 'null' : `{"amount":${jsonString(normalize(r.fee_total))},"currency":${jsonString(r.value_currency)}}`},"items":${movementsJson(r.fee_items)}}` +
      `,"network":${jsonStringOrNull(r.network)},"tx_hash":${jsonStringOrNull(r.tx_hash)},"from_address":${jsonStringOrNull(r.from_address)},"to_address":${jsonStringOrNull(r.to_address)}` +
      `,"provider_transaction_id":${jsonString(r.provider_transaction_id)},"description":${jsonStringOrNull(r.description)}}`,
  );
}

/** A JSON string with nothing JSON.stringify would escape (so it reads back and writes out unchanged). */
const PLAIN = String.raw`"[^"\\\u0000-\u001f]*"`;
const MOVEMENT = String.raw`\{"asset_id":${PLAIN},"asset_symbol":${PLAIN},"quantity":${PLAIN},"value":(?:null|\{"amount":${PLAIN},"currency":${PLAIN}\})\}`;
/** A movement array exactly as the ledger stores it (JSON.stringify of the wire Movement shape). */
const CANONICAL_MOVEMENTS = new RegExp(String.raw`^\[(?:${MOVEMENT}(?:,${MOVEMENT})*)?\]$`);

/**
 * A stored movement array as response JSON. The ledger stores each array as JSON.stringify of
 * exactly the wire shape (asset_id, asset_symbol, quantity, value {amount, currency} or null, in
 * schema order), so the stored text is the response text and is copied as is — after a check that
 * it has exactly that shape and no character that would be written differently. Anything else (an
 * escaped character, a field the schema does not name) is parsed and written field by field, as
 * the schema would.
 */
export function movementsJson(stored: string): string {
  if (CANONICAL_MOVEMENTS.test(stored)) return stored;
  const items = JSON.parse(stored) as Movement[];
  return JSON.stringify(
    items.map((m) => ({
      asset_id: m.asset_id,
      asset_symbol: m.asset_symbol,
      quantity: m.quantity,
      value: m.value === null ? null : { amount: m.value.amount, currency: m.value.currency },
    })),
  );
}

const CAUSE_OF_STATUS: Record<AccountStatusCause, ErrorCause> = {
  invalid_credentials: 'invalid_credentials',
  provider_unavailable: 'provider_unavailable',
  rate_limited: 'rate_limited',
  reconciliation_gap: 'internal_error',
  internal_error: 'internal_error',
};

const MESSAGE_OF_STATUS: Record<AccountStatusCause, string> = {
  invalid_credentials: 'The stored credentials were refused by the provider; the user must reconnect this account',
  provider_unavailable: 'The provider could not be reached; the data shown is from the last successful sync',
  rate_limited: 'The provider is rate limiting this account; the data shown is from the last successful sync',
  reconciliation_gap: 'The balances implied by the history disagree with those the provider reports',
  internal_error: 'The last sync of this account failed; the data shown is from the last successful sync',
};

/**
 * One ErrorItem per account in status `error` (SPEC §3, 206 Partial Content): the data of every
 * account is still returned, and each failing one is named with its provider and cause.
 */
export function accountErrors(accounts: readonly AccountRow[]): ErrorItem[] {
  return accounts
    .filter((a) => a.status === 'error')
    .map((a) => {
      const c = (a.status_cause ?? 'internal_error') as AccountStatusCause;
      return {
        cause: CAUSE_OF_STATUS[c] ?? 'internal_error',
        message: MESSAGE_OF_STATUS[c] ?? MESSAGE_OF_STATUS.internal_error,
        provider_id: a.provider_id,
        account_id: a.id,
      };
    });
}
