import { circuitBreaker, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';

/**
 * The guard's own cockatiel breakers, one per `service:operation`, for when
 * no production monitor supplies shared ones. The guard only lets errors that
 * count as failures reach a breaker (see `countsAgainstBreaker`), so each
 * breaker handles every error it sees.
 */
export class GuardBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly threshold: number,
    private readonly halfOpenAfterMs: number,
  ) {}

  breakerFor(service: string, operation: string): CircuitBreakerPolicy {
    const key = `${service}:${operation}`;
    let breaker = this.breakers.get(key);
    if (breaker === undefined) {
      breaker = circuitBreaker(handleAll, { halfOpenAfter: this.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.threshold) });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }
}
