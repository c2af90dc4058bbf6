// `@hybrid-estate/binding/nest/rpc`: the NATS side of the Nest skin. A refusal as the
// RpcException H13 asks for, what a handler that reads its caller's proof itself needs, and the
// outbound client's transport over Nest's ClientNats. Needs @nestjs/microservices (11 or 12) and
// @nats-io/transport-node (the request headers). Listed by hand.
export { toRpcException } from '../../nest/rpc-refusal.js';
export { callerProofRequestOf, hopProofValuesOf, type HopRefusal, type NatsContextLike } from '../../nest/rpc-binding.js';
export { clientProxyTransport, type OutboundClientProxy } from '../../nest/client-proxy-transport.js';
