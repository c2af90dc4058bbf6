import { type DynamicModule, Module } from '@nestjs/common';
import { BindingModule } from '#binding/nest';
import { appConfigFeature } from '#estate';
import { createEdgeBinding } from './edge-binding.js';
import { EdgeIdentity } from './edge-identity.js';
import { EdgeReplayStore } from './edge-replay-store.js';
import { EdgeRevocations } from './edge-revocations.js';
import { EDGE_CONFIG } from './edge-config.provider.js';
import type { EdgeConfig } from './edge-config.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import { OrdersLink } from './orders/orders-link.js';
import { OrdersController } from './orders/orders.controller.js';
import { ResourceMetadataController } from './resource-metadata.controller.js';

@Module({})
export class EdgeModule {
  static register(config: EdgeConfig): DynamicModule {
    // ConfigModule namespace `edge`: the configuration main.ts read through ConfigModule (or a test's).
    const feature = appConfigFeature('edge', config);
    const configModule = {
      module: EdgeConfigModule,
      imports: [feature],
      providers: [
        { provide: EdgeIdentity, useFactory: () => EdgeIdentity.open(config) },
        { provide: EdgeRevocations, inject: [EdgeIdentity], useFactory: (identity: EdgeIdentity) => EdgeRevocations.open(config, identity) },
        { provide: EdgeReplayStore, inject: [EdgeIdentity], useFactory: (identity: EdgeIdentity) => EdgeReplayStore.open(config, identity) },
      ],
      exports: [feature, EdgeIdentity, EdgeRevocations, EdgeReplayStore],
    };
    return {
      module: EdgeModule,
      imports: [
        configModule,
        BindingModule.forRootAsync({ imports: [configModule], inject: [EDGE_CONFIG, EdgeRevocations, EdgeReplayStore], useFactory: createEdgeBinding }),
      ],
      controllers: [MeController, HealthController, ResourceMetadataController, OrdersController],
      // Orders over NATS when NATS_URL is set; without it the order routes answer 503.
      providers: [{ provide: OrdersLink, inject: [EdgeIdentity], useFactory: (identity: EdgeIdentity) => OrdersLink.open(config, identity) }],
    };
  }
}

@Module({})
class EdgeConfigModule {}
