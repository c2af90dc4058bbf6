// `@hybrid-estate/binding/nest/rpc`: the NATS side of the Nest skin. A refusal as the
// RpcException H13 asks for, what a handler that checks its caller's proof itself reads of the
// message, and the outbound client's transport over Nest's ClientNats. Needs
// @nestjs/microservices (11 or 12) and @nats-io/transport-node (the request headers). Listed by hand.
export { toRpcException } from '../../nest/rpc-refusal.js';
export { callerProofRequestOf } from '../../nest/rpc-binding.js';
export { clientProxyTransport } from '../../nest/client-proxy-transport.js';
