/**
 * Pure mappers of the Solana connector: parsed RPC results → positions and SPEC §8 transactions.
 * Movements come from the transaction's own pre/post balances (lamports for SOL, token balances
 * per mint for SPL), summed over every account of the wallet, so any instruction mix — transfers,
 * swaps, account creation — is reported as its net effect.
 */
import type { PositionRecord } from '../../domain/records.js';
import type { TransactionType } from '../../domain/transactions.js';
import { isoOf } from '../../lib/clock.js';
import { fromBaseUnits } from '../../lib/decimal.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';
import type { ParsedTokenAccount, ParsedTransaction, TokenBalance } from './solana.types.js';

const SOL = { asset_id: 'solana', asset_symbol: 'SOL', decimals: 9 } as const;

/** Symbols of well-known mints; any other mint is shown by its shortened address (SPL balances carry no symbol). */
const KNOWN_MINTS: Record<string, string> = {
  EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v: 'USDC',
  Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB: 'USDT',
  So11111111111111111111111111111111111111112: 'wSOL',
  mSoLzYCxHdYgdzU16g5QSh3i5K3z3KZK7ytfqcJm7So: 'mSOL',
  JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN: 'JUP',
  DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263: 'BONK',
};

/** `solana:<mint>` — an SPL token's asset id (mints are case-sensitive base58, kept as they are). */
export function splAssetId(mint: string): string {
  return `solana:${mint}`;
}

export function splSymbol(mint: string): string {
  return KNOWN_MINTS[mint] ?? `${mint.slice(0, 4)}…${mint.slice(-4)}`;
}

/** The SOL position (lamports summed over the wallet's addresses). */
export function solPosition(lamports: bigint, raw: unknown, version: string): PositionRecord {
  return { asset_id: SOL.asset_id, asset_symbol: SOL.asset_symbol, asset_name: 'Solana', network: 'solana', quantity: fromBaseUnits(lamports, SOL.decimals), raw, connector_version: version };
}

/**
 * SPL positions from the owner's token accounts, summed per mint (an owner may hold several
 * accounts of one mint); empty accounts are left out.
 *
 * Raw sample (`getTokenAccountsByOwner` jsonParsed, one element):
 *   { "pubkey": "C2gJg6tKpQs41PRS1nC8aw3ZKNZK3HQQZGVrDFDup5nx",
 *     "account": { "data": { "parsed": { "info": { "isNative": false, "mint": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
 *       "owner": "4Qkev8aNZcqFNSRhQzwyLMFSsi94jHqE8WNVTJzTP99F", "state": "initialized",
 *       "tokenAmount": { "amount": "100499999", "decimals": 6, "uiAmount": 100.499999, "uiAmountString": "100.499999" } },
 *       "type": "account" }, "program": "spl-token", "space": 165 },
 *       "executable": false, "lamports": 2039280, "owner": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "rentEpoch": 18446744073709551615 } }
 */
export function splPositions(accounts: readonly ParsedTokenAccount[], version: string): PositionRecord[] {
  const per = new Map<string, { units: bigint; decimals: number; accounts: string[] }>();
  for (const a of accounts) {
    const info = a.account.data.parsed.info;
    const cur = per.get(info.mint) ?? { units: 0n, decimals: info.tokenAmount.decimals, accounts: [] };
    cur.units += BigInt(info.tokenAmount.amount);
    cur.accounts.push(a.pubkey);
    per.set(info.mint, cur);
  }
  return [...per]
    .filter(([, v]) => v.units > 0n)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([mint, v]) => ({
      asset_id: splAssetId(mint),
      asset_symbol: splSymbol(mint),
      asset_name: null,
      network: 'solana',
      quantity: fromBaseUnits(v.units, v.decimals),
      raw: { mint, token_accounts: v.accounts, amount: v.units.toString(), decimals: v.decimals },
      connector_version: version,
    }));
}

/**
 * One transaction's net effect on the wallet:
 *
 * - SOL: Σ(post − pre) lamports over the wallet's addresses among the account keys; when the fee
 *   payer (the first account key) is the wallet's, the fee (`meta.fee`, which that delta already
 *   includes) is split out as a fee item;
 * - SPL: Σ(post − pre) per mint over token balances whose `owner` is the wallet's;
 * - only out → `send`, only in → `receive`, both → `swap`; nothing but the fee (a failed
 *   transaction, a transfer to oneself, an approval) → a `fee` transaction; nothing → null.
 *
 * Rent deposits the wallet pays into new token accounts show as SOL leaving it (the balance
 * `getBalance` reports excludes them; closing the account returns them as a receive).
 *
 * Raw sample (`getTransaction` jsonParsed, abridged):
 *   { "slot": 250000101, "blockTime": 1708000500, "version": 0,
 *     "meta": { "err": null, "fee": 5000, "preBalances": [2500000000, 0, 1], "postBalances": [1749995000, 750000000, 1],
 *               "preTokenBalances": [], "postTokenBalances": [] },
 *     "transaction": { "signatures": ["5h6x…"], "message": { "accountKeys": [
 *       { "pubkey": "4Qkev8aNZcqFNSRhQzwyLMFSsi94jHqE8WNVTJzTP99F", "signer": true, "writable": true, "source": "transaction" },
 *       { "pubkey": "83astBRguLMdt2h5U1Tpdq5tjFoJ6noeGwaY3mDLVcri", "signer": false, "writable": true, "source": "transaction" },
 *       { "pubkey": "11111111111111111111111111111111", "signer": false, "writable": false, "source": "transaction" } ] } } }
 */
export function mapSolanaTransaction(signature: string, tx: ParsedTransaction, wallet: ReadonlySet<string>): SourceTransaction | null {
  const meta = tx.meta;
  if (!meta || tx.blockTime === null) return null;
  const keys = tx.transaction.message.accountKeys.map((k) => k.pubkey);
  let lamports = 0n;
  keys.forEach((k, i) => {
    if (wallet.has(k)) lamports += BigInt(meta.postBalances[i] ?? 0) - BigInt(meta.preBalances[i] ?? 0);
  });
  const payer = keys[0] ?? null;
  const payerIsMine = payer !== null && wallet.has(payer);
  const feeLamports = payerIsMine ? BigInt(meta.fee) : 0n;
  lamports += feeLamports; // the fee is reported apart from the movement

  const tokens = new Map<string, { units: bigint; decimals: number }>();
  const bump = (b: TokenBalance, sign: 1n | -1n) => {
    if (!b.owner || !wallet.has(b.owner)) return;
    const cur = tokens.get(b.mint) ?? { units: 0n, decimals: b.uiTokenAmount.decimals };
    cur.units += sign * BigInt(b.uiTokenAmount.amount);
    tokens.set(b.mint, cur);
  };
  for (const b of meta.preTokenBalances ?? []) bump(b, -1n);
  for (const b of meta.postTokenBalances ?? []) bump(b, 1n);

  const inputs: SourceMovement[] = [];
  const outputs: SourceMovement[] = [];
  const push = (asset_id: string, asset_symbol: string, units: bigint, decimals: number) => {
    if (units < 0n) inputs.push({ asset_id, asset_symbol, quantity: fromBaseUnits(-units, decimals) });
    if (units > 0n) outputs.push({ asset_id, asset_symbol, quantity: fromBaseUnits(units, decimals) });
  };
  push(SOL.asset_id, SOL.asset_symbol, lamports, SOL.decimals);
  for (const [mint, v] of [...tokens].sort(([a], [b]) => (a < b ? -1 : 1))) push(splAssetId(mint), splSymbol(mint), v.units, v.decimals);
  const fee: SourceMovement[] = feeLamports > 0n ? [{ asset_id: SOL.asset_id, asset_symbol: SOL.asset_symbol, quantity: fromBaseUnits(feeLamports, SOL.decimals) }] : [];

  let type: TransactionType;
  let ins = inputs;
  let fees = fee;
  let description: string | null = null;
  if (inputs.length && outputs.length) type = 'swap';
  else if (inputs.length) type = 'send';
  else if (outputs.length) type = 'receive';
  else if (fee.length) {
    type = 'fee';
    ins = fee;
    fees = [];
    description = meta.err ? 'Failed transaction: only the network fee was paid' : 'Only the network fee left the wallet';
  } else return null;

  const counterparty = keys.find((k, i) => i > 0 && !wallet.has(k) && (meta.postBalances[i] ?? 0) !== (meta.preBalances[i] ?? 0)) ?? null;
  const mine = keys.find((k) => wallet.has(k)) ?? null;
  return {
    fingerprint: signature,
    timestamp: isoOf(tx.blockTime * 1000),
    type,
    status: 'confirmed',
    inputs: ins,
    outputs,
    fees,
    network: 'solana',
    tx_hash: signature,
    from_address: type === 'receive' ? payer : mine,
    to_address: type === 'receive' ? mine : counterparty,
    provider_transaction_id: signature,
    description,
    raw: tx,
  };
}
