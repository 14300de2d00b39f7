import { describe, expect, it } from 'vitest';
import { ConfigError, loadEndpoints } from './config.js';

describe('connector endpoints from the environment', () => {
  it('reads every prefix by provider id, and per-chain token lists', () => {
    const e = loadEndpoints({
      TORTIE_RPC_ETHEREUM: 'http://node:8545/',
      TORTIE_RPC_BNB: 'http://bnb',
      TORTIE_EXPLORER_BASE: 'https://explorer.example/api',
      TORTIE_ESPLORA_BITCOIN: 'http://esplora/api/',
      TORTIE_EXCHANGE_URL_KRAKEN: 'http://127.0.0.1:9999',
      TORTIE_EXCHANGE_URL_SANDBOX_EXCHANGE: 'http://x',
      TORTIE_TOKENS_POLYGON: '0x3C499c542cEF5E3811e1192ce70d8cC03d5c3359, 0xc2132d05d31c914a87c6611c10748aeb04b58e8f',
    });
    expect(e).toEqual({
      rpc: { ethereum: 'http://node:8545', bnb: 'http://bnb' },
      explorer: { base: 'https://explorer.example/api' },
      esplora: 'http://esplora/api',
      exchange: { kraken: 'http://127.0.0.1:9999', 'sandbox-exchange': 'http://x' },
      tokens: { polygon: ['0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', '0xc2132d05d31c914a87c6611c10748aeb04b58e8f'] },
    });
  });

  it('refuses a token list that is not contract addresses, naming the variable', () => {
    expect(() => loadEndpoints({ TORTIE_TOKENS_ETHEREUM: '0x123,USDT' })).toThrow(ConfigError);
    expect(() => loadEndpoints({ TORTIE_TOKENS_ETHEREUM: '0x123' })).toThrow(/TORTIE_TOKENS_ETHEREUM/);
  });
});

describe('TORTIE_SYNC_WORKER', () => {
  const base = { TORTIE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), TORTIE_DATA_DIR: '/tmp/tortie-config-test' };
  it('is on unless set to off; anything else is refused, naming the variable', async () => {
    const { loadConfig } = await import('./config.js');
    expect(loadConfig(base).inProcessSyncWorker).toBe(true);
    expect(loadConfig({ ...base, TORTIE_SYNC_WORKER: 'on' }).inProcessSyncWorker).toBe(true);
    expect(loadConfig({ ...base, TORTIE_SYNC_WORKER: 'off' }).inProcessSyncWorker).toBe(false);
    expect(() => loadConfig({ ...base, TORTIE_SYNC_WORKER: 'no' })).toThrow(/TORTIE_SYNC_WORKER must be on or off/);
  });
});
