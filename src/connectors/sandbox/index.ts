import type { ConnectorFactory } from '../connector.js';
import { SandboxConnector } from './sandbox.connector.js';

export const sandboxExchange: ConnectorFactory = () => new SandboxConnector('sandbox-exchange');
export const sandboxCustodian: ConnectorFactory = () => new SandboxConnector('sandbox-custodian');
export const sandboxWallet: ConnectorFactory = () => new SandboxConnector('sandbox-wallet');
