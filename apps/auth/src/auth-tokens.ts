/** Injection token for the frozen AuthConfig; classes (ProviderHost, DevAccounts) are their own tokens. */
export const AUTH_CONFIG = Symbol('hybrid-estate:auth-config');
