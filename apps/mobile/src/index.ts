// The mobile client's programmatic surface, listed by hand, for tests and demo scripts.
export { MobileClient, EXPIRY_MARGIN_S, type CallInit, type LoginMethod } from './mobile-client.js';
export {
  allowsInsecure,
  mobileOptions,
  MobileOptionsError,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  DEFAULT_RESOURCE,
  DEFAULT_SCOPE,
  DEFAULT_STATE_DIR,
  DPOP_KEY_FILE,
  TOKEN_FILE,
  type MobileOptions,
} from './mobile-options.js';
export { loadOrCreateDpopKey, type DpopKey } from './keys/dpop-key.js';
export { ScriptedLoginError, type Credentials } from './login/scripted-browser.js';
export type { StoredTokens } from './session/token-store.js';
