// `@hybrid-estate/binding/nest/rpc`: the NATS side of the Nest skin. A refusal as the
// RpcException H13 asks for, and what a handler that reads its caller's proof itself needs.
// Needs @nestjs/microservices (11 or 12). Listed by hand.
export { toRpcException } from '../../nest/rpc-refusal.js';
export { HOP_PROOF_HEADER, HOP_TOKEN_HEADER, hopProofValuesOf, type HopRefusal, type NatsContextLike } from '../../nest/rpc-binding.js';
