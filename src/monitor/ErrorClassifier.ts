import { randomUUID } from 'node:crypto';
import { ErrorSeverity } from '../constants.js';
import type { ErrorContext } from '../contracts.js';
import {
  ACCESS_DENIED_NAMES,
  VALIDATION_NAMES,
  isGuardBlock,
  isThrottling,
  readErrorFacts,
  safeGet,
  type ErrorFacts,
} from '../breaker/errorFacts.js';
import { redactSecrets, redactStack } from './redact.js';

/** What kind of failure an error is; the key of threshold alerts' "top error kinds". */
export const ErrorCategory = {
  MISSING_CREDENTIALS: 'missing_credentials',
  EXPIRED_CREDENTIALS: 'expired_credentials',
  SSO_SESSION_EXPIRED: 'sso_session_expired',
  INVALID_CREDENTIALS: 'invalid_credentials',
  ACCESS_DENIED: 'access_denied',
  OPERATION_BLOCKED: 'operation_blocked',
  THROTTLING: 'throttling',
  SERVER_ERROR: 'server_error',
  NETWORK: 'network',
  CIRCUIT_OPEN: 'circuit_open',
  VALIDATION: 'validation',
  NOT_FOUND: 'not_found',
  CLIENT_ERROR: 'client_error',
  CANCELLED: 'cancelled',
  UNEXPECTED: 'unexpected',
  NON_ERROR_THROWN: 'non_error_thrown',
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

/** The seed's user impact for each severity. */
export const USER_IMPACT: Record<ErrorSeverity, string> = {
  CRITICAL: 'System cannot proceed, immediate intervention required',
  HIGH: 'Operation may fail, significant functionality affected',
  MEDIUM: 'Operation may be retried, minimal user impact',
  LOW: 'Operation continues with degraded functionality',
  INFO: 'Informational messages, no impact',
};

/** An {@link ErrorContext} with the classification facts behind it. */
export interface ClassifiedError extends ErrorContext {
  category: ErrorCategory;
  httpStatusCode?: number;
  /** The AWS request ID, to quote in a support case or find the call in CloudTrail. */
  requestId?: string;
}

export interface ClassifyContext {
  operation: string;
  service: string;
  resourceArn?: string;
  /** Replaces the recovery action the classifier would choose. */
  recoveryAction?: string;
}

interface Verdict {
  category: ErrorCategory;
  severity: ErrorSeverity;
  retryable: boolean;
  recovery: string;
}

const EXPIRED_NAMES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'RequestExpired',
  'ExpiredTradeInTokenException',
]);
const INVALID_CREDENTIAL_NAMES = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'InvalidToken',
]);
const CIRCUIT_OPEN_NAMES = new Set(['BrokenCircuitError', 'IsolatedCircuitError', 'CircuitOpenError']);
const PROVIDER_ERROR_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError', 'ProviderError']);
const NETWORK_ADVICE: Record<string, string> = {
  ECONNREFUSED:
    'Nothing accepted the connection at the endpoint: check the endpoint URL, the region and any proxy settings (HTTPS_PROXY, NO_PROXY), then retry.',
  ETIMEDOUT:
    'The connection to AWS timed out: check network access (firewall, security groups, VPC endpoints, proxy) or raise the SDK connectionTimeout / requestTimeout, then retry.',
  ENOTFOUND:
    'The endpoint host name did not resolve: check the region name, any custom endpoint and the DNS configuration, then retry.',
  ECONNRESET:
    'The connection was dropped mid-request: retry; if it repeats, check proxies or load balancers between this host and AWS.',
};
const NETWORK_CODE_ALIASES: Record<string, string> = {
  EAI_AGAIN: 'ENOTFOUND',
  ESOCKETTIMEDOUT: 'ETIMEDOUT',
  ECONNABORTED: 'ECONNRESET',
  EPIPE: 'ECONNRESET',
  EHOSTUNREACH: 'ETIMEDOUT',
  ENETUNREACH: 'ETIMEDOUT',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
};

/**
 * Turns any thrown value into the seed's ErrorContext: severity from the AWS
 * SDK v3 error model (`name`, `$metadata.httpStatusCode`, `$fault`,
 * `$retryable`) and Node system error codes, the seed's user impact for that
 * severity, and a recovery action that says what to do. Never throws.
 *
 * @example
 * const classifier = new ErrorClassifier();
 * const context = classifier.classify(err, { service: 'ec2', operation: 'DescribeInstances' });
 * if (context.severity === 'CRITICAL') console.error(context.recoveryAction);
 */
export class ErrorClassifier {
  classify(error: unknown, context: ClassifyContext, facts: ErrorFacts = readErrorFacts(error)): ClassifiedError {
    const verdict = this.judge(error, facts, context);
    const errorType = facts.isError && facts.name === 'Error' && facts.code ? facts.code : facts.name;
    const classified: ClassifiedError = {
      timestamp: new Date().toISOString(),
      errorType,
      errorMessage: redactSecrets(facts.message),
      severity: verdict.severity,
      operation: context.operation,
      service: context.service,
      recoveryAction: context.recoveryAction ?? verdict.recovery,
      userImpact: USER_IMPACT[verdict.severity],
      correlationId: randomUUID(),
      retryable: verdict.retryable,
      category: verdict.category,
    };
    if (context.resourceArn !== undefined) classified.resourceArn = context.resourceArn;
    if (facts.stack !== undefined) classified.stackTrace = redactStack(facts.stack);
    if (facts.httpStatusCode !== undefined) classified.httpStatusCode = facts.httpStatusCode;
    if (facts.requestId !== undefined) classified.requestId = facts.requestId;
    return classified;
  }

  private judge(error: unknown, facts: ErrorFacts, context: ClassifyContext): Verdict {
    const { name, httpStatusCode: status } = facts;
    const target = `${context.service}:${context.operation}`;
    if (!facts.isError) {
      return {
        category: ErrorCategory.NON_ERROR_THROWN,
        severity: ErrorSeverity.MEDIUM,
        retryable: false,
        recovery:
          'Code threw a value that is not an Error: throw Error objects so the cause and stack trace are kept, then look at the value in the message.',
      };
    }
    const credentials = this.credentialVerdict(facts);
    if (credentials) return credentials;
    if (isGuardBlock(error, facts)) {
      return {
        category: ErrorCategory.OPERATION_BLOCKED,
        severity: ErrorSeverity.HIGH,
        retryable: false,
        recovery: `The read-only guard refused ${target} before any request was sent. Remove the call from the automation; if the operation really only reads, add an override to the compliance policy.`,
      };
    }
    if (ACCESS_DENIED_NAMES.has(name) || (status === 403 && !isThrottling(facts))) {
      return {
        category: ErrorCategory.ACCESS_DENIED,
        severity: ErrorSeverity.HIGH,
        retryable: false,
        recovery: `Grant the principal read permission for ${target}: check its identity policies, permission boundary, service control policies and any resource policy. InvenTag never needs write permissions.`,
      };
    }
    if (isThrottling(facts)) {
      return {
        category: ErrorCategory.THROTTLING,
        severity: ErrorSeverity.MEDIUM,
        retryable: true,
        recovery:
          'AWS is throttling requests: the call is retried with backoff; lower the concurrency or raise maxAttempts, and spread runs out if it persists.',
      };
    }
    if (
      CIRCUIT_OPEN_NAMES.has(name) ||
      safeGet(error, 'isBrokenCircuitError') === true ||
      safeGet(error, 'isCircuitOpenError') === true
    ) {
      return {
        category: ErrorCategory.CIRCUIT_OPEN,
        severity: ErrorSeverity.LOW,
        retryable: true,
        recovery: `The circuit breaker for ${target} is open after repeated failures, so the call was skipped; one trial call is let through once circuitBreakerTimeout has passed.`,
      };
    }
    if (facts.fault === 'server' || (status !== undefined && status >= 500)) {
      return {
        category: ErrorCategory.SERVER_ERROR,
        severity: ErrorSeverity.MEDIUM,
        retryable: true,
        recovery: `AWS returned a server error${status ? ` (HTTP ${status})` : ''}: retry later (the SDK retries automatically); check the AWS Health Dashboard if it persists.`,
      };
    }
    const network = this.networkVerdict(facts);
    if (network) return network;
    if (name === 'AbortError' || name === 'TaskCancelledError') {
      return {
        category: ErrorCategory.CANCELLED,
        severity: ErrorSeverity.INFO,
        retryable: false,
        recovery: 'The caller cancelled the operation; nothing to do.',
      };
    }
    if (VALIDATION_NAMES.has(name)) {
      return {
        category: ErrorCategory.VALIDATION,
        severity: ErrorSeverity.MEDIUM,
        retryable: false,
        recovery: `AWS rejected the parameters of ${target}: fix the request (the message names the parameter); retrying unchanged will fail again.`,
      };
    }
    if (status === 404 || /NotFound|^NoSuch/.test(name)) {
      return {
        category: ErrorCategory.NOT_FOUND,
        severity: ErrorSeverity.LOW,
        retryable: false,
        recovery:
          'The resource does not exist (it may have been deleted, or lives in another region or account): check the identifier; the run continues without it.',
      };
    }
    if (facts.fault === 'client' || (status !== undefined && status >= 400)) {
      return {
        category: ErrorCategory.CLIENT_ERROR,
        severity: ErrorSeverity.MEDIUM,
        retryable: false,
        recovery: `AWS refused the request to ${target} (${name}${status ? `, HTTP ${status}` : ''}): read the message; retrying unchanged will fail again.`,
      };
    }
    return {
      category: ErrorCategory.UNEXPECTED,
      severity: ErrorSeverity.HIGH,
      retryable: false,
      recovery: `An unexpected ${name} was raised while running ${target}: see the stack trace; this is likely a fault in the automation, not in AWS.`,
    };
  }

  private credentialVerdict(facts: ErrorFacts): Verdict | undefined {
    const { name, message } = facts;
    const fromProvider = PROVIDER_ERROR_NAMES.has(name);
    if ((fromProvider || EXPIRED_NAMES.has(name)) && /\bsso\b/i.test(message)) {
      return {
        category: ErrorCategory.SSO_SESSION_EXPIRED,
        severity: ErrorSeverity.CRITICAL,
        retryable: false,
        recovery:
          'The AWS SSO (IAM Identity Center) session has expired: run `aws sso login --profile <profile>` (or `aws sso login --sso-session <session>`), then run again.',
      };
    }
    if (EXPIRED_NAMES.has(name) || (fromProvider && /expired/i.test(message))) {
      const skew =
        name === 'RequestExpired'
          ? ' If the credentials are fresh, check the system clock: a request also expires when the clock is more than 5 minutes off.'
          : '';
      return {
        category: ErrorCategory.EXPIRED_CREDENTIALS,
        severity: ErrorSeverity.CRITICAL,
        retryable: false,
        recovery: `The session credentials have expired: refresh them (\`aws sso login --profile <profile>\`, or assume the role again with \`aws sts assume-role\`), then run again.${skew}`,
      };
    }
    if (fromProvider) {
      return {
        category: ErrorCategory.MISSING_CREDENTIALS,
        severity: ErrorSeverity.CRITICAL,
        retryable: false,
        recovery:
          'No AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`; check with `aws sts get-caller-identity`.',
      };
    }
    if (INVALID_CREDENTIAL_NAMES.has(name)) {
      return {
        category: ErrorCategory.INVALID_CREDENTIALS,
        severity: ErrorSeverity.CRITICAL,
        retryable: false,
        recovery:
          'AWS rejected the credentials (unknown or deactivated key, wrong secret, or a clock more than 5 minutes off): check which identity is in use with `aws sts get-caller-identity`, rotate or reconfigure the key, then run again.',
      };
    }
    return undefined;
  }

  private networkVerdict(facts: ErrorFacts): Verdict | undefined {
    const raw =
      facts.code ??
      (facts.name === 'TimeoutError' ? 'ETIMEDOUT' : /socket hang up/i.test(facts.message) ? 'ECONNRESET' : undefined);
    if (raw === undefined) return undefined;
    const code = NETWORK_CODE_ALIASES[raw] ?? raw;
    const advice = NETWORK_ADVICE[code];
    if (advice === undefined) return undefined;
    return { category: ErrorCategory.NETWORK, severity: ErrorSeverity.MEDIUM, retryable: true, recovery: advice };
  }
}
