import { Module } from '@nestjs/common';
import { BindingModule } from '@hybrid-estate/binding/nest';
import { createBindingOptions } from './binding-options';
import { MeController } from './me.controller';
import { settingsFrom } from './settings';

@Module({
  imports: [
    // CommonJS has no top-level await: the verifiers are built in an async factory, once, at start-up.
    BindingModule.forRootAsync({ useFactory: () => createBindingOptions(settingsFrom(process.env)) }),
  ],
  controllers: [MeController],
})
export class AppModule {}
