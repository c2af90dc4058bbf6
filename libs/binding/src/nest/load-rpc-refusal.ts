import { BindingConfigError } from '../errors/binding-error.js';
import type { HopRefusal } from './rpc-binding.js';

/** Turns a hop refusal into what Nest's RPC layer sends back (an RpcException). */
export type RpcRefusalMapper = (refusal: HopRefusal) => Error;

/**
 * Loads the RPC refusal mapping (rpc-refusal.ts, which imports @nestjs/microservices) on demand:
 * the guard calls this at start-up when the module has a hop verifier. @nestjs/microservices is an
 * optional peer dependency; a NATS service without it fails at start-up naming the package,
 * never at its first refused message.
 */
export async function loadRpcRefusal(): Promise<RpcRefusalMapper> {
  try {
    return (await import('./rpc-refusal.js')).toRpcException;
  } catch (error) {
    throw new BindingConfigError('BindingModule has a hop verifier but @nestjs/microservices cannot be loaded: install it (same major as @nestjs/common)', { cause: error });
  }
}
