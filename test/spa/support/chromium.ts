/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core. Playwright's own browser
 * download is not used: this machine reaches no download host. `.ci/install-chromium` installs
 * the package. The flags keep Chromium off the network it would otherwise try (updates, sync,
 * safe browsing), which this machine refuses; --no-sandbox because tests run as root.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash .ci/install-chromium), or set CHROMIUM_BIN`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}
