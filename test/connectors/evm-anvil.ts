/**
 * A real local EVM node for the EVM connector tests: the `anvil` binary shipped by
 * `@foundry-rs/anvil` (its platform package), on a free port, with a fixed mnemonic and chain id,
 * behind a fault-injecting proxy (./chain-server.ts). Also the ERC-20 used by the tests: the
 * `ERC20PresetFixedSupply` bytecode shipped in `@openzeppelin/contracts@4.9.6` (no compiler).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { createPublicClient, createTestClient, createWalletClient, http, type Abi, type Hex } from 'viem';
import { startChainServer, type ChainServer } from './chain-server.js';

const require = createRequire(import.meta.url);

/** anvil's default test mnemonic: its accounts are 0xf39F…2266, 0x7099…79C8, 0x3C44…93BC, … */
export const MNEMONIC = 'test test test test test test test test test test test junk';
export const ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
] as const;
/** Every anvil account starts with 10 000 ETH (a genesis allocation, not a transaction). */
export const GENESIS_WEI = 10_000n * 10n ** 18n;

function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return path.join(path.dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Anvil {
  /** Direct URL of the node (test setup and reference reads). */
  url: string;
  /** The fault-injecting proxy in front of it (what the connector is given). */
  proxy: ChainServer;
  publicClient: ReturnType<typeof createPublicClient>;
  wallet: ReturnType<typeof createWalletClient>;
  test: ReturnType<typeof createTestClient>;
  stop(): Promise<void>;
}

/** Starts anvil (chain id 1, fixed mnemonic, automine) and a proxy in front of it. */
export async function startAnvil(): Promise<Anvil> {
  const port = await freePort();
  const child: ChildProcess = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--chain-id', '1', '--mnemonic', MNEMONIC, '--accounts', '5', '--silent'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('anvil did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const proxy = await startChainServer(async (req) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: req.body });
    return { status: r.status, text: await r.text(), headers: { 'content-type': 'application/json' } };
  });
  return {
    url,
    proxy,
    publicClient: createPublicClient({ transport: http(url), cacheTime: 0 }),
    wallet: createWalletClient({ transport: http(url) }),
    test: createTestClient({ mode: 'anvil', transport: http(url) }),
    stop: async () => {
      await proxy.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** ABI and creation bytecode of OpenZeppelin 4.9.6's ERC20PresetFixedSupply(name, symbol, initialSupply, owner). */
export function erc20Preset(): { abi: Abi; bytecode: Hex } {
  const file = require.resolve('@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json');
  const j = JSON.parse(readFileSync(file, 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: j.abi, bytecode: j.bytecode };
}
