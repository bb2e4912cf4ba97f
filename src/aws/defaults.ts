// No imports: the CLI reads these defaults without loading the proxy agent.
/** Defaults of the timeouts, in seconds. */
export const AWS_TIMEOUT_DEFAULTS = {
  /** Long enough for a slow IAM or LookupEvents page; short enough that a hung endpoint fails a CI job. */
  requestSeconds: 30,
  /** A TCP (and TLS) handshake to AWS takes milliseconds; seconds mean a black-holed route or proxy. */
  connectSeconds: 5,
} as const;
