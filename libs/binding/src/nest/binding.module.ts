import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { BINDING_OPTIONS, type BindingModuleOptions } from './binding-options.js';
import { BindingGuard } from './binding.guard.js';

export interface BindingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: readonly (string | symbol | Function)[];
  readonly useFactory: (...args: any[]) => BindingModuleOptions | Promise<BindingModuleOptions>;
}

/**
 * Provides the verifiers to the BindingGuard. Global, because @Bound puts the guard on handlers
 * in any module. The factory runs once at start-up: build verifiers, key sets and stores there,
 * never per request.
 */
@Module({})
export class BindingModule {
  static forRoot(options: BindingModuleOptions): DynamicModule {
    return {
      module: BindingModule,
      global: true,
      providers: [{ provide: BINDING_OPTIONS, useValue: Object.freeze({ ...options }) }, BindingGuard],
      exports: [BINDING_OPTIONS, BindingGuard],
    };
  }

  static forRootAsync(options: BindingModuleAsyncOptions): DynamicModule {
    return {
      module: BindingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: BINDING_OPTIONS,
          inject: [...(options.inject ?? [])],
          useFactory: async (...args: unknown[]) => Object.freeze({ ...(await options.useFactory(...args)) }),
        },
        BindingGuard,
      ],
      exports: [BINDING_OPTIONS, BindingGuard],
    };
  }
}
