export const EDGE_CONFIG = Symbol('hybrid-estate:edge-config');
