import { RpcException } from '@nestjs/microservices';
import type { HopRefusal } from './rpc-binding.js';

/**
 * H13 over NATS: a refusal travels as an RpcException carrying `{ code, type, status, message }`
 * (Nest's RPC exception filter sends the object as the error reply; a bare Error would become a
 * generic "Internal server error" there). The only module of the library that imports
 * @nestjs/microservices for the guard: BindingGuard loads it at start-up, and only when the module
 * has a hop verifier, so an HTTP-only service never needs that package.
 */
export function toRpcException(refusal: HopRefusal): RpcException {
  return new RpcException(refusal);
}
