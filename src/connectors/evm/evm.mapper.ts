/**
 * Pure mappers of the EVM connector: raw node/explorer payloads → facts → normalized records.
 * Both history sources (a node scan and an Etherscan-compatible explorer) produce the same
 * `EvmTxFacts`, so one mapper decides types, nets and fees for both.
 */
import { getAddress } from 'viem';
import type { PositionRecord } from '../../domain/records.js';
import type { TransactionType } from '../../domain/transactions.js';
import { isoOf } from '../../lib/clock.js';
import { fromBaseUnits } from '../../lib/decimal.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';
import type { EtherscanTokenTxRow, EtherscanTxRow, EvmChainConfig, EvmTxFacts, TokenMeta, TokenTransferFact } from './evm.types.js';

/** keccak256("Transfer(address,address,uint256)"): ERC-20 (and ERC-721, which indexes a third topic). */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** `ethereum:0xa0b8…` — a token's asset id: the chain's provider id and the lowercase contract address. */
export function tokenAssetId(chain: EvmChainConfig, token: string): string {
  return `${chain.providerId}:${token.toLowerCase()}`;
}

/** The symbol shown for a token whose contract has no readable `symbol()`: its shortened address. */
export function fallbackSymbol(token: string): string {
  return `${token.slice(0, 6)}…${token.slice(-4)}`.toLowerCase();
}

/** The native coin's position (wei summed over the wallet's addresses). */
export function nativePosition(chain: EvmChainConfig, wei: bigint, raw: unknown, version: string): PositionRecord {
  return {
    asset_id: chain.native.asset_id,
    asset_symbol: chain.native.symbol,
    asset_name: chain.native.name,
    network: chain.providerId,
    quantity: fromBaseUnits(wei, chain.native.decimals),
    raw,
    connector_version: version,
  };
}

/** An ERC-20 position from `balanceOf` (base units) and the contract's metadata. */
export function tokenPosition(chain: EvmChainConfig, meta: TokenMeta, units: bigint, raw: unknown, version: string): PositionRecord {
  return {
    asset_id: tokenAssetId(chain, meta.address),
    asset_symbol: meta.symbol,
    asset_name: meta.name,
    network: chain.providerId,
    quantity: fromBaseUnits(units, meta.decimals),
    raw,
    connector_version: version,
  };
}

/**
 * ERC-20 transfers in a receipt's logs. ERC-721 `Transfer`s (four topics, no amount in data) are
 * not fungible movements and are left out.
 *
 * Raw sample (one receipt log, as the node returns it):
 *   { "address": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
 *     "topics": ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
 *                "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
 *                "0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"],
 *     "data": "0x00000000000000000000000000000000000000000000000ad78ebc5ac6200000",
 *     "logIndex": "0x0", "transactionHash": "0x…", "blockNumber": "0x5", "removed": false }
 */
export function transfersFromLogs(logs: readonly { address: string; topics: readonly string[]; data: string; logIndex: number | bigint | null }[]): TokenTransferFact[] {
  const out: TokenTransferFact[] = [];
  for (const l of logs) {
    if (l.topics.length !== 3 || l.topics[0]?.toLowerCase() !== TRANSFER_TOPIC) continue;
    if (!/^0x[0-9a-fA-F]{1,64}$/.test(l.data)) continue;
    out.push({
      token: l.address.toLowerCase(),
      from: `0x${l.topics[1]!.slice(26)}`.toLowerCase(),
      to: `0x${l.topics[2]!.slice(26)}`.toLowerCase(),
      value: BigInt(l.data),
      logIndex: Number(l.logIndex ?? 0),
    });
  }
  return out;
}

/**
 * Facts of one transaction from an explorer's rows: its `txlist` row (absent when someone else
 * sent it, e.g. an incoming token transfer) and its `tokentx` rows. Etherscan's `gasPrice` on a
 * mined transaction is the effective gas price, so the fee is `gasUsed × gasPrice`.
 *
 * Raw sample (txlist row, Etherscan's documented format):
 *   { "blockNumber": "14923678", "timeStamp": "1654646411", "hash": "0xc52783ad354aecc04c670047754f062e3d6d04e8f5b24774472651f9c3882c60",
 *     "nonce": "1", "blockHash": "0x…", "transactionIndex": "61", "from": "0x9aa99c23f67c81701c772b106b4f83f6e858dd2e",
 *     "to": "0xaa2b7b4a1c8d5b0e6b0f0a7e3d4c2b1a09f8e7d6", "value": "5000000000000000", "gas": "21000",
 *     "gasPrice": "45819609624", "isError": "0", "txreceipt_status": "1", "input": "0x", "contractAddress": "",
 *     "cumulativeGasUsed": "4121265", "gasUsed": "21000", "confirmations": "1000" }
 * (tokentx rows add "contractAddress", "tokenName", "tokenSymbol", "tokenDecimal", "logIndex".)
 */
export function factsFromExplorer(tx: EtherscanTxRow | undefined, tokenRows: readonly EtherscanTokenTxRow[]): EvmTxFacts {
  const first = tx ?? tokenRows[0];
  if (!first) throw new Error('factsFromExplorer: no rows');
  return {
    hash: first.hash.toLowerCase(),
    blockNumber: Number(first.blockNumber),
    timestamp: Number(first.timeStamp),
    from: tx ? tx.from.toLowerCase() : null,
    to: tx ? (tx.to ? tx.to.toLowerCase() : null) : null,
    value: tx ? BigInt(tx.value) : 0n,
    success: tx ? tx.isError !== '1' && tx.txreceipt_status !== '0' : true,
    gasUsed: tx ? BigInt(tx.gasUsed) : 0n,
    effectiveGasPrice: tx ? BigInt(tx.gasPrice) : 0n,
    l1Fee: 0n,
    transfers: tokenRows.map((r, i) => ({
      token: r.contractAddress.toLowerCase(),
      from: r.from.toLowerCase(),
      to: r.to.toLowerCase(),
      value: BigInt(r.value),
      logIndex: r.logIndex !== undefined && r.logIndex !== '' ? Number(r.logIndex) : i,
      explorerMeta: { symbol: r.tokenSymbol, name: r.tokenName || null, decimals: Number(r.tokenDecimal || '0') },
    })),
  };
}

/** The facts with bigints as decimal strings: the raw record kept for provenance (JSON-safe). */
export function rawOfFacts(f: EvmTxFacts): Record<string, unknown> {
  return JSON.parse(JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

function display(a: string | null): string | null {
  return a ? getAddress(a) : null;
}

/**
 * One transaction's net effect on the wallet (all its addresses together) as a SPEC §8 record:
 *
 * - native value leaves when the sender is the wallet's and arrives when the recipient is (a
 *   reverted transaction moves nothing); every ERC-20 `Transfer` touching the wallet counts the same way;
 * - the gas fee (`gasUsed × effectiveGasPrice`, plus an OP-stack `l1Fee`) is a fee item when the
 *   wallet sent the transaction;
 * - nets decide the type: only out → `send`, only in → `receive`, both → `swap`; nothing moved
 *   but gas was paid (a self-transfer, a transfer between the wallet's own addresses, an approval,
 *   a reverted transaction) → a `fee` transaction whose input is the gas; nothing at all → null.
 *
 * Raw sample (facts gathered by the connector; see `factsFromExplorer` and `transfersFromLogs`):
 *   { "hash": "0x…", "blockNumber": 3, "timestamp": 1767225600, "from": "0xf39f…2266", "to": "0x7099…79c8",
 *     "value": 1500000000000000000n, "success": true, "gasUsed": 21000n, "effectiveGasPrice": 875175000n,
 *     "l1Fee": 0n, "transfers": [] }
 */
export function mapEvmTransaction(
  chain: EvmChainConfig,
  f: EvmTxFacts,
  wallet: ReadonlySet<string>,
  tokens: ReadonlyMap<string, TokenMeta>,
): SourceTransaction | null {
  const nets = new Map<string, { symbol: string; decimals: number; units: bigint }>();
  const bump = (asset_id: string, symbol: string, decimals: number, units: bigint) => {
    const cur = nets.get(asset_id) ?? { symbol, decimals, units: 0n };
    cur.units += units;
    nets.set(asset_id, cur);
  };
  const fromWallet = f.from !== null && wallet.has(f.from);
  if (f.success && f.value > 0n) {
    if (fromWallet) bump(chain.native.asset_id, chain.native.symbol, chain.native.decimals, -f.value);
    if (f.to !== null && wallet.has(f.to)) bump(chain.native.asset_id, chain.native.symbol, chain.native.decimals, f.value);
  }
  let relevant: { from: string; to: string } | null = null;
  let relevantCount = 0;
  for (const t of f.transfers) {
    const out = wallet.has(t.from);
    const inn = wallet.has(t.to);
    if (!out && !inn) continue;
    relevantCount++;
    relevant = { from: t.from, to: t.to };
    const meta = tokens.get(t.token);
    const symbol = meta?.symbol ?? t.explorerMeta?.symbol ?? fallbackSymbol(t.token);
    const decimals = meta?.decimals ?? t.explorerMeta?.decimals ?? 0;
    if (out) bump(tokenAssetId(chain, t.token), symbol, decimals, -t.value);
    if (inn) bump(tokenAssetId(chain, t.token), symbol, decimals, t.value);
  }
  const feeUnits = fromWallet ? f.gasUsed * f.effectiveGasPrice + f.l1Fee : 0n;
  const fee: SourceMovement[] = feeUnits > 0n ? [{ asset_id: chain.native.asset_id, asset_symbol: chain.native.symbol, quantity: fromBaseUnits(feeUnits, chain.native.decimals) }] : [];

  const inputs: SourceMovement[] = [];
  const outputs: SourceMovement[] = [];
  for (const [asset_id, n] of [...nets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n.units < 0n) inputs.push({ asset_id, asset_symbol: n.symbol, quantity: fromBaseUnits(-n.units, n.decimals) });
    if (n.units > 0n) outputs.push({ asset_id, asset_symbol: n.symbol, quantity: fromBaseUnits(n.units, n.decimals) });
  }

  let type: TransactionType;
  let description: string | null = null;
  let movementsIn = inputs;
  let fees = fee;
  if (inputs.length > 0 && outputs.length > 0) type = 'swap';
  else if (inputs.length > 0) type = 'send';
  else if (outputs.length > 0) type = 'receive';
  else if (fee.length > 0) {
    type = 'fee';
    movementsIn = fee;
    fees = [];
    description = !f.success
      ? 'Reverted transaction: only the network fee was paid'
      : f.value > 0n || relevantCount > 0
        ? "Transfer between the wallet's own addresses: only the network fee left the wallet"
        : 'Contract call: only the network fee left the wallet';
  } else return null;

  // a single token transfer (value-less call to the token contract) reads better with the transfer's ends
  const ends = f.value === 0n && relevantCount === 1 && relevant ? relevant : { from: f.from, to: f.to };
  return {
    fingerprint: f.hash,
    timestamp: isoOf(f.timestamp * 1000),
    type,
    status: 'confirmed',
    inputs: movementsIn,
    outputs,
    fees,
    network: chain.providerId,
    tx_hash: f.hash,
    from_address: display(ends.from),
    to_address: display(ends.to),
    provider_transaction_id: f.hash,
    description,
    raw: rawOfFacts(f),
  };
}
