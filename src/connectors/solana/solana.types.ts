/**
 * Raw payload types of the Solana connector: JSON-RPC results as documented at
 * https://solana.com/docs/rpc/http (getBalance, getTokenAccountsByOwner jsonParsed,
 * getSignaturesForAddress, getTransaction jsonParsed). They never leave this folder.
 */

/** `{ context, value }` results (getBalance, getTokenAccountsByOwner). */
export interface RpcContextResult<T> {
  context: { slot: number };
  value: T;
}

/** One element of `getTokenAccountsByOwner` with `encoding: "jsonParsed"`. */
export interface ParsedTokenAccount {
  pubkey: string;
  account: {
    data: { parsed: { info: { mint: string; owner: string; tokenAmount: UiTokenAmount }; type: string }; program: string; space?: number };
    executable: boolean;
    lamports: number;
    owner: string;
  };
}

/** A token amount in base units (`amount`, a string) with its mint's decimals. */
export interface UiTokenAmount {
  amount: string;
  decimals: number;
  uiAmount?: number | null;
  uiAmountString?: string;
}

/** One element of `getSignaturesForAddress` (newest first). */
export interface SignatureInfo {
  signature: string;
  slot: number;
  err: unknown;
  memo: string | null;
  blockTime: number | null;
  confirmationStatus?: string | null;
}

export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner?: string;
  programId?: string;
  uiTokenAmount: UiTokenAmount;
}

/** `getTransaction` with `encoding: "jsonParsed"`, `maxSupportedTransactionVersion: 0`. */
export interface ParsedTransaction {
  slot: number;
  blockTime: number | null;
  version?: number | 'legacy';
  meta: {
    err: unknown;
    fee: number;
    preBalances: number[];
    postBalances: number[];
    preTokenBalances?: TokenBalance[];
    postTokenBalances?: TokenBalance[];
    [k: string]: unknown;
  } | null;
  transaction: {
    signatures: string[];
    message: {
      /** jsonParsed: objects; the first is the fee payer. */
      accountKeys: { pubkey: string; signer: boolean; writable: boolean; source?: string }[];
      [k: string]: unknown;
    };
  };
}

/**
 * The Solana connector's cursor. Per address: `until[address]` is the newest signature of its last
 * complete walk (a later walk stops there, via getSignaturesForAddress's `until`); `walk` is the
 * walk in progress (`before` = the oldest signature read so far, `top` = the newest of this walk).
 */
export interface SolanaCursor {
  until: Record<string, string>;
  walk: { index: number; before: string | null; top: string | null } | null;
  [k: string]: unknown;
}
