// @peculiar/x509, ready to use: its encoders resolve through tsyringe, which needs the Reflect
// polyfill loaded first (ESM evaluates these imports in order), and it signs with Node's
// WebCrypto set explicitly rather than whatever global a runtime happens to expose.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
