/**
 * Which guarded command the current async context belongs to. The guard
 * middleware runs the rest of an admitted call inside
 * {@link runAdmitted}; the credential provider and the transport check of
 * a guarded client ask {@link currentAdmission} and refuse when the answer
 * is not a live admission of their own client. Node's AsyncLocalStorage
 * carries the admission through every await, timer and callback the call
 * makes, so signing, retries and the HTTP handler all see it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Admission, GuardedCall, OperationGuard } from './OperationGuard.js';

/** One guarded client (or stack): what its layers share. */
export interface ClientBinding {
  readonly guard: OperationGuard;
  /** The layers installed on the client: the decision at `initialize` always; credentials and transport with `guardClient`. */
  readonly layers: { credentials: boolean; transport: boolean };
  /** Set when an entry was added to the stack under the guard's name (a replacement). */
  replaced: boolean;
}

/** A command the guard admitted, while it runs. */
export interface AdmittedCommand {
  readonly binding: ClientBinding;
  readonly call: GuardedCall;
  readonly admission: Admission;
  /** False once the guard middleware has returned: a timer the call left behind gets no credentials. */
  active: boolean;
  /** Credentials handed out within this call. */
  credentialsReleased: number;
  /** Requests the transport check let through for this call. */
  requestsSent: number;
}

const storage = new AsyncLocalStorage<AdmittedCommand>();

/** Runs `fn` (the rest of the middleware chain) as part of `admitted`. */
export function runAdmitted<T>(admitted: AdmittedCommand, fn: () => Promise<T>): Promise<T> {
  return storage.run(admitted, fn);
}

/** The live admission of `binding` the current async context belongs to, if any. */
export function currentAdmission(binding: ClientBinding): AdmittedCommand | undefined {
  const admitted = storage.getStore();
  return admitted !== undefined && admitted.binding === binding && admitted.active ? admitted : undefined;
}
