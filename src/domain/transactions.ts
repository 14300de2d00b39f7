/**
 * Transaction types and the shape each one fixes (SPEC §8): which sides may carry movements and
 * which category the type belongs to.
 */
export const TRANSACTION_TYPES = [
  'send',
  'fee',
  'receive',
  'staking_reward',
  'interest',
  'airdrop',
  'mining',
  'buy',
  'sell',
  'trade',
  'swap',
  'uncategorized',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const TRANSACTION_STATUSES = ['confirmed', 'pending', 'failed'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export const CATEGORIES = ['trade', 'transfer', 'income', 'fee', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export type Shape = 'inputs_only' | 'outputs_only' | 'both' | 'any';

export const TYPE_RULES: Record<TransactionType, { shape: Shape; category: Category }> = {
  send: { shape: 'inputs_only', category: 'transfer' },
  fee: { shape: 'inputs_only', category: 'fee' },
  receive: { shape: 'outputs_only', category: 'transfer' },
  staking_reward: { shape: 'outputs_only', category: 'income' },
  interest: { shape: 'outputs_only', category: 'income' },
  airdrop: { shape: 'outputs_only', category: 'income' },
  mining: { shape: 'outputs_only', category: 'income' },
  buy: { shape: 'both', category: 'trade' },
  sell: { shape: 'both', category: 'trade' },
  trade: { shape: 'both', category: 'trade' },
  swap: { shape: 'both', category: 'trade' },
  uncategorized: { shape: 'any', category: 'other' },
};

/** Types that count as trading for the top-traded-assets statistic (SPEC §5.12). */
export const TRADE_TYPES: readonly TransactionType[] = ['buy', 'sell', 'trade', 'swap'];

/** Throws when a transaction's movements do not fit its type's shape. */
export function checkShape(type: TransactionType, inputs: number, outputs: number): void {
  const { shape } = TYPE_RULES[type];
  const ok =
    shape === 'any' ||
    (shape === 'inputs_only' && inputs > 0 && outputs === 0) ||
    (shape === 'outputs_only' && outputs > 0 && inputs === 0) ||
    (shape === 'both' && inputs > 0 && outputs > 0);
  if (!ok) throw new Error(`transaction of type ${type} cannot have ${inputs} inputs and ${outputs} outputs`);
}
