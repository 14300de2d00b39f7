/**
 * Builders of the sandbox's synthetic transactions (see sandbox-ledger.ts for the rules the history
 * keeps): each returns a draft that fits its type's shape, sized from the account's balances and
 * the synthetic prices, or null when the account cannot make it now (the caller funds it instead).
 * Amounts are bigint base units of the asset; floats serve only to size them.
 */
import type { AssetInfo } from '../domain/assets.js';
import type { TransactionRecord } from '../domain/records.js';
import type { TransactionType } from '../domain/transactions.js';
import type { Prng } from '../lib/prng.js';
import type { SyntheticSeries } from '../prices/synthetic-series.js';
import { addressFor, evmAddress, txHashFor } from './sandbox-addresses.js';
import { ETHER, INTEREST_ASSETS, MINED_ASSETS, assetsOf, UNPRICED_EXCHANGE_TOKEN, UNPRICED_WALLET_TOKEN, type SandboxProviderId } from './sandbox-assets.js';

/** The account a ledger is generated for, as the caller identifies it. */
export interface SandboxAccountSpec {
  /** The account's id (assigned by the caller; internal transfers name their counterparty by it). */
  id: string;
  provider_id: SandboxProviderId;
  /** The wallet's public address (wallet accounts only). */
  address: string | null;
}

/** One movement of a draft: an asset and a quantity in its base units. */
export interface Leg {
  asset: AssetInfo;
  units: bigint;
}

/** A transaction before it is recorded (status, time, ids and values are added then). */
export interface Draft {
  type: TransactionType;
  inputs: Leg[];
  outputs: Leg[];
  fees: Leg[];
  description: string;
  network?: string | null;
  tx_hash?: string | null;
  from_address?: string | null;
  to_address?: string | null;
}

/** One account while its history is generated: balances in base units, records so far. */
export interface AccountState {
  spec: SandboxAccountSpec;
  kind: SandboxProviderId;
  bal: Map<string, bigint>;
  assets: Map<string, AssetInfo>;
  records: TransactionRecord[];
  depositAddresses: Map<string, string | null>;
}

/** Relative frequency of each type on each kind of source: also the types each kind can produce. */
export const TYPE_WEIGHTS: Record<SandboxProviderId, readonly (readonly [TransactionType, number])[]> = {
  'sandbox-exchange': [['receive', 14], ['send', 8], ['buy', 22], ['sell', 10], ['trade', 10], ['staking_reward', 12], ['fee', 3], ['airdrop', 2], ['uncategorized', 2]],
  'sandbox-custodian': [['receive', 14], ['send', 6], ['buy', 18], ['sell', 8], ['interest', 22], ['mining', 9], ['staking_reward', 3], ['fee', 4]],
  'sandbox-wallet': [['receive', 22], ['send', 16], ['swap', 16], ['airdrop', 4], ['staking_reward', 12], ['fee', 6], ['uncategorized', 4]],
};
/** Rough USD prices for sizing amounts of assets that have no price (their values stay null). */
const SIZING_PRICE_USD: Record<string, number> = { [UNPRICED_WALLET_TOKEN.asset_id]: 0.02, [UNPRICED_EXCHANGE_TOKEN.asset_id]: 0.004 };

const pow10 = (n: number): bigint => 10n ** BigInt(n);

export class DraftBuilder {
  constructor(
    private readonly rng: Prng,
    private readonly prices: SyntheticSeries,
    private readonly homeFiat: AssetInfo,
    private readonly wealth: number,
  ) {}

  build(acc: AccountState, type: TransactionType, day: number): Draft | null {
    switch (type) {
      case 'receive':
        return this.receive(acc, day);
      case 'send':
        return this.send(acc, day);
      case 'fee':
        return this.feeOnly(acc, day);
      case 'buy':
        return this.buy(acc, day);
      case 'sell':
        return this.sell(acc, day);
      case 'trade':
        return this.trade(acc, day);
      case 'swap':
        return this.swap(acc, day);
      case 'staking_reward':
        return this.stakingReward(acc, day);
      case 'interest':
        return this.interest(acc, day);
      case 'mining':
        return this.mining(acc, day);
      case 'airdrop':
        return this.airdrop(acc, day);
      case 'uncategorized':
        return this.uncategorized(acc, day);
    }
  }

  // ----- transaction builders ----------------------------------------------------------------

  /** A deposit that is always possible: fiat into an exchange or custodian, ether into a wallet. */
  funding(acc: AccountState, day: number): Draft {
    if (acc.kind === 'sandbox-wallet') {
      const units = this.unitsForUsd(acc, ETHER, this.rng.logUniform(300, 6000) * this.wealth, day);
      return this.onChainIn(acc, ETHER, units, 'Received ether');
    }
    const amount = this.rng.logUniform(500, 20_000) * this.wealth;
    return { type: 'receive', inputs: [], outputs: [{ asset: this.homeFiat, units: this.cents(amount) }], fees: [], description: `Bank transfer deposit (${this.homeFiat.symbol})` };
  }

  private receive(acc: AccountState, day: number): Draft {
    const { rng } = this;
    if (acc.kind !== 'sandbox-wallet' && rng.chance(0.4)) return this.funding(acc, day);
    const assets = assetsOf(acc.kind).crypto;
    const asset = acc.kind === 'sandbox-wallet' && rng.chance(0.5) ? ETHER : rng.pick(assets);
    const units = this.unitsForUsd(acc, asset, rng.logUniform(40, 6000) * this.wealth, day);
    return this.onChainIn(acc, asset, units, acc.kind === 'sandbox-wallet' ? `Received ${asset.symbol}` : `${asset.symbol} deposit`);
  }

  private send(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    const asset = this.pickHeld(acc, assetsOf(acc.kind).crypto);
    if (!asset) return null;
    const bal = acc.bal.get(asset.asset_id) ?? 0n;
    const fee = this.transferFee(acc, asset, day);
    let units = this.fraction(acc, asset, bal, 100, 800);
    const feeInSame = fee.asset.asset_id === asset.asset_id;
    if (feeInSame && units + fee.units > bal) units = this.truncate(acc, asset, bal - fee.units);
    if (units <= 0n) return null;
    const to = addressFor(asset, rng);
    return {
      type: 'send',
      inputs: [{ asset, units }],
      outputs: [],
      fees: [fee],
      description: acc.kind === 'sandbox-wallet' ? `Sent ${asset.symbol}` : `${asset.symbol} withdrawal`,
      network: this.networkOf(acc, asset),
      tx_hash: txHashFor(asset, rng),
      from_address: acc.spec.address ?? (acc.kind === 'sandbox-wallet' ? null : addressFor(asset, rng)),
      to_address: to,
    };
  }

  private feeOnly(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    if (acc.kind === 'sandbox-wallet') {
      const gas = this.gas(rng.int(45_000, 60_000));
      return { type: 'fee', inputs: [gas], outputs: [], fees: [], description: 'Token approval (gas only)', network: 'ethereum', tx_hash: `0x${rng.hex(64)}`, from_address: acc.spec.address, to_address: evmAddress(rng) };
    }
    const asset = this.pickHeld(acc, [this.homeFiat, ...assetsOf(acc.kind).crypto]);
    if (!asset) return null;
    const bal = acc.bal.get(asset.asset_id) ?? 0n;
    let units = this.unitsForUsd(acc, asset, rng.logUniform(1, 15), day);
    const cap = bal / 200n;
    if (units > cap) units = this.truncate(acc, asset, cap);
    if (units <= 0n) return null;
    return { type: 'fee', inputs: [{ asset, units }], outputs: [], fees: [], description: acc.kind === 'sandbox-custodian' ? 'Monthly custody fee' : 'Account maintenance fee' };
  }

  private buy(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    const fiatBal = acc.bal.get(this.homeFiat.asset_id) ?? 0n;
    if (fiatBal < 2000n) return null;
    let spend = this.cents(rng.logUniform(30, 4000) * this.wealth);
    const cap = (fiatBal * BigInt(rng.int(200, 900))) / 1000n;
    if (spend > cap) spend = cap;
    const fee = (spend * BigInt(rng.int(4, 15))) / 1000n || 1n;
    if (spend + fee > fiatBal || spend <= 0n) return null;
    const asset = rng.weighted(assetsOf(acc.kind).crypto.map((a) => [a, a.asset_id === 'bitcoin' || a.asset_id === 'ethereum' ? 5 : 1] as const));
    const price = this.sizingPrice(asset, this.homeFiat.symbol, day);
    const units = this.unitsFromQuantity(acc, asset, (Number(spend) / 100 / price) * 0.999);
    return { type: 'buy', inputs: [{ asset: this.homeFiat, units: spend }], outputs: [{ asset, units }], fees: [{ asset: this.homeFiat, units: fee }], description: `Bought ${asset.symbol} with ${this.homeFiat.symbol}` };
  }

  private sell(acc: AccountState, day: number): Draft | null {
    const asset = this.pickHeld(acc, assetsOf(acc.kind).crypto);
    if (!asset) return null;
    const units = this.fraction(acc, asset, acc.bal.get(asset.asset_id) ?? 0n, 100, 700);
    if (units <= 0n) return null;
    const proceeds = this.cents(this.toFloat(asset, units) * this.sizingPrice(asset, this.homeFiat.symbol, day) * 0.998);
    const fee = (proceeds * 5n) / 1000n || 1n;
    if (proceeds <= fee) return null;
    return { type: 'sell', inputs: [{ asset, units }], outputs: [{ asset: this.homeFiat, units: proceeds }], fees: [{ asset: this.homeFiat, units: fee }], description: `Sold ${asset.symbol} for ${this.homeFiat.symbol}` };
  }

  private trade(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    const crypto = assetsOf(acc.kind).crypto;
    const from = this.pickHeld(acc, crypto);
    if (!from) return null;
    const to = rng.pick(crypto.filter((a) => a.asset_id !== from.asset_id));
    const units = this.fraction(acc, from, acc.bal.get(from.asset_id) ?? 0n, 100, 500);
    if (units <= 0n) return null;
    const got = this.unitsFromQuantity(acc, to, (this.toFloat(from, units) * this.sizingPrice(from, 'USD', day)) / this.sizingPrice(to, 'USD', day) * 0.998);
    const fee = this.truncate(acc, to, got / 1000n);
    if (fee <= 0n || got <= fee) return null;
    return { type: 'trade', inputs: [{ asset: from, units }], outputs: [{ asset: to, units: got }], fees: [{ asset: to, units: fee }], description: `Traded ${from.symbol} for ${to.symbol}` };
  }

  private swap(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    const crypto = assetsOf(acc.kind).crypto;
    const from = this.pickHeld(acc, crypto);
    if (!from) return null;
    const to = rng.pick(crypto.filter((a) => a.asset_id !== from.asset_id));
    const units = this.fraction(acc, from, acc.bal.get(from.asset_id) ?? 0n, 100, 600);
    if (units <= 0n) return null;
    const got = this.unitsFromQuantity(acc, to, (this.toFloat(from, units) * this.sizingPrice(from, 'USD', day)) / this.sizingPrice(to, 'USD', day) * 0.997);
    if (got <= 0n) return null;
    return {
      type: 'swap',
      inputs: [{ asset: from, units }],
      outputs: [{ asset: to, units: got }],
      fees: [this.gas(rng.int(120_000, 260_000))],
      description: `Swapped ${from.symbol} for ${to.symbol} on a DEX`,
      network: 'ethereum',
      tx_hash: `0x${rng.hex(64)}`,
      from_address: acc.spec.address,
      to_address: evmAddress(rng),
    };
  }

  private stakingReward(acc: AccountState, day: number): Draft {
    const { rng } = this;
    const stakable = assetsOf(acc.kind).stakable;
    const asset = this.pickHeld(acc, stakable) ?? rng.pick(stakable);
    const units = this.reward(acc, asset, day, 5, 30, 0.5, 5);
    const draft: Draft = { type: 'staking_reward', inputs: [], outputs: [{ asset, units }], fees: [], description: `${asset.symbol} staking reward` };
    if (acc.kind === 'sandbox-wallet') Object.assign(draft, { network: 'ethereum', to_address: acc.spec.address, from_address: evmAddress(rng), tx_hash: `0x${rng.hex(64)}` });
    return draft;
  }

  private interest(acc: AccountState, day: number): Draft {
    const asset = this.pickHeld(acc, [this.homeFiat, ...INTEREST_ASSETS]) ?? (INTEREST_ASSETS[0] as AssetInfo);
    const units = this.reward(acc, asset, day, 10, 40, 1, 10);
    return { type: 'interest', inputs: [], outputs: [{ asset, units }], fees: [], description: `Interest on ${asset.symbol} balance` };
  }

  private mining(acc: AccountState, day: number): Draft {
    const asset = this.rng.pick(MINED_ASSETS);
    const units = this.unitsForUsd(acc, asset, this.rng.logUniform(5, 150) * Math.sqrt(this.wealth), day);
    return { type: 'mining', inputs: [], outputs: [{ asset, units }], fees: [], description: `Mining pool payout (${asset.symbol})` };
  }

  private airdrop(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    const drops = assetsOf(acc.kind).airdrops;
    if (!drops.length) return null;
    const asset = rng.pick(drops);
    const units = this.unitsForUsd(acc, asset, rng.logUniform(20, 600), day);
    const draft: Draft = { type: 'airdrop', inputs: [], outputs: [{ asset, units }], fees: [], description: `${asset.symbol} airdrop` };
    if (acc.kind === 'sandbox-wallet') Object.assign(draft, { network: 'ethereum', to_address: acc.spec.address, from_address: evmAddress(rng), tx_hash: `0x${rng.hex(64)}` });
    return draft;
  }

  private uncategorized(acc: AccountState, day: number): Draft | null {
    const { rng } = this;
    if (acc.kind === 'sandbox-wallet') {
      const ethIn = this.unitsForUsd(acc, ETHER, rng.logUniform(5, 80), day);
      const tokenOut = this.unitsForUsd(acc, UNPRICED_WALLET_TOKEN, rng.logUniform(5, 80), day);
      return {
        type: 'uncategorized',
        inputs: [{ asset: ETHER, units: ethIn }],
        outputs: [{ asset: UNPRICED_WALLET_TOKEN, units: tokenOut }],
        fees: [this.gas(rng.int(90_000, 200_000))],
        description: 'Contract interaction',
        network: 'ethereum',
        tx_hash: `0x${rng.hex(64)}`,
        from_address: acc.spec.address,
        to_address: evmAddress(rng),
      };
    }
    const asset = this.pickHeld(acc, assetsOf(acc.kind).crypto) ?? (assetsOf(acc.kind).crypto[0] as AssetInfo);
    const units = this.unitsForUsd(acc, asset, rng.logUniform(0.5, 20), day);
    return { type: 'uncategorized', inputs: [], outputs: [{ asset, units }], fees: [], description: 'Balance adjustment' };
  }

  // ----- amounts -----------------------------------------------------------------------------

  /** Decimals this source reports an asset with. */
  private precision(acc: AccountState, asset: AssetInfo): number {
    return Math.min(asset.decimals, assetsOf(acc.kind).maxDecimals);
  }

  /** Drops digits the source does not report. */
  truncate(acc: AccountState, asset: AssetInfo, units: bigint): bigint {
    if (units <= 0n) return 0n;
    const step = pow10(asset.decimals - this.precision(acc, asset));
    return units - (units % step);
  }

  /** Base units of a quantity given as a float (synthetic sizing only), at the source's precision; at least one unit. */
  private unitsFromQuantity(acc: AccountState, asset: AssetInfo, q: number): bigint {
    const p = this.precision(acc, asset);
    const hi = Math.min(p, 8);
    let units = BigInt(Math.max(1, Math.round(q * 10 ** hi))) * pow10(asset.decimals - hi);
    if (p > hi) units += this.rng.bigintBelow(pow10(p - hi)) * pow10(asset.decimals - p);
    return units;
  }

  private unitsForUsd(acc: AccountState, asset: AssetInfo, usd: number, day: number): bigint {
    return this.unitsFromQuantity(acc, asset, usd / this.sizingPrice(asset, 'USD', day));
  }

  /** A share (per mille, drawn in [lo, hi]) of a balance, at the source's precision. */
  fraction(acc: AccountState, asset: AssetInfo, bal: bigint, lo: number, hi: number): bigint {
    return this.truncate(acc, asset, (bal * BigInt(this.rng.int(lo, hi))) / 1000n);
  }

  /** A reward: a small share (per 10,000, in [lo, hi]) of the holding, or a small USD amount when nothing is held. */
  private reward(acc: AccountState, asset: AssetInfo, day: number, lo: number, hi: number, usdLo: number, usdHi: number): bigint {
    const bal = acc.bal.get(asset.asset_id) ?? 0n;
    const share = this.truncate(acc, asset, (bal * BigInt(this.rng.int(lo, hi))) / 10_000n);
    return share > 0n ? share : this.unitsForUsd(acc, asset, this.rng.logUniform(usdLo, usdHi), day);
  }

  private cents(amount: number): bigint {
    return BigInt(Math.max(1, Math.round(amount * 100)));
  }

  private toFloat(asset: AssetInfo, units: bigint): number {
    return Number(units) / 10 ** asset.decimals;
  }

  /** A float price for sizing amounts (never for values). */
  private sizingPrice(asset: AssetInfo, currency: string, day: number): number {
    const p = this.prices.priceOn(asset.asset_id, currency, day);
    if (p !== null) return Number(p);
    const usd = SIZING_PRICE_USD[asset.asset_id] ?? 1;
    const rate = currency === 'USD' ? '1' : this.prices.priceOn('fiat:USD', currency, day);
    return usd * Number(rate ?? 1);
  }

  /** Gas paid in ether: `gasUsed` × a gas price of 3 to 60 gwei. */
  private gas(gasUsed: number): Leg {
    const gwei = BigInt(this.rng.int(3_000, 60_000)) * 1_000_000n; // in wei, to 3 decimals of gwei
    return { asset: ETHER, units: BigInt(gasUsed) * gwei };
  }

  /** The network fee of a withdrawal: gas for a wallet, the source's flat fee in the asset otherwise. */
  transferFee(acc: AccountState, asset: AssetInfo, day: number): Leg {
    if (acc.kind === 'sandbox-wallet') return this.gas(asset.asset_id === ETHER.asset_id ? 21_000 : this.rng.int(45_000, 70_000));
    return { asset, units: this.unitsForUsd(acc, asset, this.rng.logUniform(0.2, 6), day) };
  }

  /** A random asset of `among` the account holds (balance above zero), or null. */
  pickHeld(acc: AccountState, among: readonly AssetInfo[]): AssetInfo | null {
    const held = among.filter((a) => (acc.bal.get(a.asset_id) ?? 0n) > 0n);
    return held.length ? this.rng.pick(held) : null;
  }

  private networkOf(acc: AccountState, asset: AssetInfo): string | null {
    return acc.kind === 'sandbox-wallet' ? 'ethereum' : asset.network;
  }

  depositAddress(acc: AccountState, asset: AssetInfo): string | null {
    const key = asset.network ?? asset.asset_id;
    if (!acc.depositAddresses.has(key)) acc.depositAddresses.set(key, addressFor(asset, this.rng));
    return acc.depositAddresses.get(key) ?? null;
  }

  private onChainIn(acc: AccountState, asset: AssetInfo, units: bigint, description: string): Draft {
    const { rng } = this;
    return {
      type: 'receive',
      inputs: [],
      outputs: [{ asset, units }],
      fees: [],
      description,
      network: this.networkOf(acc, asset),
      tx_hash: txHashFor(asset, rng),
      from_address: addressFor(asset, rng),
      to_address: acc.spec.address ?? this.depositAddress(acc, asset),
    };
  }
}
