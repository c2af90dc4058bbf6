import { type DynamicModule, Module } from '@nestjs/common';
import { BindingModule, type BindingModuleOptions } from '@hybrid-estate/binding/nest';
import { MeController } from './me.controller.js';

@Module({})
export class AppModule {
  static with(binding: BindingModuleOptions): DynamicModule {
    return { module: AppModule, imports: [BindingModule.forRoot(binding)], controllers: [MeController] };
  }
}
