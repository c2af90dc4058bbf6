import { appConfigToken } from '#estate';

/** The ConfigModule namespace `edge` (edgeConfiguration): the whole frozen EdgeConfig. */
export const EDGE_CONFIG = appConfigToken('edge');
