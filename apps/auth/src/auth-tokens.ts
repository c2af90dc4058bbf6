import { appConfigToken } from '#estate';

/** The ConfigModule namespace `auth` (authConfiguration): the frozen AuthConfig; classes (ProviderHost, DevAccounts) are their own tokens. */
export const AUTH_CONFIG = appConfigToken('auth');
