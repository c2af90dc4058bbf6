/**
 * The auth app's Nest module. Its parts are built before Nest starts (start-auth-server.ts) and
 * handed in as values, so the same objects are reachable from the programmatic API.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { appConfigFeature } from '#estate';
import { DevAccounts } from './accounts/dev-accounts.js';
import { SigningKeysController } from './admin/signing-keys.controller.js';
import type { AuthConfig } from './auth-config.js';
import { InteractionController } from './interaction/interaction.controller.js';
import { ProviderHost } from './provider/provider-host.js';
import { ProviderMountController } from './provider/provider-mount.controller.js';

export interface AuthModuleParts {
  readonly config: AuthConfig;
  readonly host: ProviderHost;
  readonly accounts: DevAccounts;
}

@Module({})
export class AuthModule {
  static register({ config, host, accounts }: AuthModuleParts): DynamicModule {
    return {
      module: AuthModule,
      // ConfigModule namespace `auth`: the configuration main.ts read through ConfigModule (or a caller's own).
      imports: [appConfigFeature('auth', config)],
      // Order matters: the provider's catch-all route comes last.
      controllers: [InteractionController, SigningKeysController, ProviderMountController],
      providers: [
        { provide: ProviderHost, useValue: host },
        { provide: DevAccounts, useValue: accounts },
      ],
    };
  }
}
