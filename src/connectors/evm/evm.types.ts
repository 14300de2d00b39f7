/**
 * Raw payload types of the EVM connector (node JSON-RPC through viem, and the Etherscan-compatible
 * explorer API). They never leave this folder.
 */

/** One EVM chain as Tortie configures it. */
export interface EvmChainConfig {
  /** Provider id (SPEC §2): `ethereum`, `polygon`, `arbitrum`, `optimism`, `base`, `bnb`, `avalanche`. */
  providerId: string;
  /** EIP-155 chain id of the real network (informational; a test node may run another). */
  chainId: number;
  /** The native coin: its asset id (SPEC §2), symbol and decimals (18 on every supported chain). */
  native: { asset_id: string; symbol: string; name: string; decimals: number };
  /** Major ERC-20 contracts whose balance is always read (lowercase addresses). */
  tokens: readonly string[];
}

/** ERC-20 metadata read from the contract (`symbol()`, `decimals()`, `name()`). */
export interface TokenMeta {
  /** Lowercase contract address. */
  address: string;
  /** As the contract spells it; the shortened address when the contract has none. */
  symbol: string;
  name: string | null;
  decimals: number;
}

/** One ERC-20 `Transfer` as seen in a receipt's logs or an explorer's `tokentx` row. */
export interface TokenTransferFact {
  /** Lowercase contract address. */
  token: string;
  /** Lowercase. */
  from: string;
  /** Lowercase. */
  to: string;
  /** Base units. */
  value: bigint;
  logIndex: number;
  /** Metadata the explorer reported with the transfer (used when the contract cannot be read). */
  explorerMeta?: { symbol: string; name: string | null; decimals: number };
}

/**
 * Everything the mapper needs about one transaction, gathered from the node (block, transaction,
 * receipt) or from explorer rows. Addresses are lowercase; amounts are base units.
 */
export interface EvmTxFacts {
  hash: string;
  blockNumber: number;
  /** Seconds since the epoch. */
  timestamp: number;
  /** The transaction's sender; null when an explorer did not list the transaction itself (someone else sent it). */
  from: string | null;
  /** Null for a contract creation (or an unknown sender's transaction). */
  to: string | null;
  value: bigint;
  /** false when the transaction reverted (its gas was still paid). */
  success: boolean;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** OP-stack L1 data fee (`l1Fee` in the receipt), paid by the sender on top of L2 gas. */
  l1Fee: bigint;
  transfers: TokenTransferFact[];
}

/** Etherscan's envelope: `status` "1" with a result array, or "0" with a message. */
export interface EtherscanEnvelope<T> {
  status: string;
  message: string;
  result: T[] | string;
}

/**
 * A `module=account&action=txlist` row (Etherscan documents every field as a string):
 * https://docs.etherscan.io/api-endpoints/accounts#get-a-list-of-normal-transactions-by-address
 */
export interface EtherscanTxRow {
  blockNumber: string;
  timeStamp: string;
  hash: string;
  from: string;
  to: string;
  value: string;
  gas: string;
  gasPrice: string;
  isError: string;
  txreceipt_status: string;
  contractAddress: string;
  gasUsed: string;
  [k: string]: string;
}

/** A `module=account&action=tokentx` row. */
export interface EtherscanTokenTxRow {
  blockNumber: string;
  timeStamp: string;
  hash: string;
  from: string;
  to: string;
  value: string;
  contractAddress: string;
  tokenName: string;
  tokenSymbol: string;
  tokenDecimal: string;
  transactionIndex?: string;
  logIndex?: string;
  gasPrice?: string;
  gasUsed?: string;
  [k: string]: string | undefined;
}

/** The EVM connector's cursor: the next block whose transactions have not been returned yet. */
export interface EvmCursor {
  next_block: number;
  [k: string]: unknown;
}
