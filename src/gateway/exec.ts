/** `inventag exec`: the environment a guarded child process gets, and running it. */
import { spawn } from 'node:child_process';
import type { SessionCredential } from './session.js';

/**
 * Variables that could hand a child real credentials or another endpoint: removed.
 * (Profiles, session tokens, container and web-identity credentials, the
 * shared files that hold keys, per-service endpoints.)
 */
const REMOVED = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
];

/** The child's environment: the parent's, less credentials, plus the gateway's endpoint and session key. */
export function childEnvironment(
  parent: NodeJS.ProcessEnv,
  gatewayUrl: string,
  session: SessionCredential,
  region: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (REMOVED.includes(name) || name.startsWith('AWS_ENDPOINT_URL')) continue;
    env[name] = value;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: gatewayUrl,
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // The shared files may hold real keys; the child reads none (its region comes from AWS_REGION).
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs the command with stdio passed through; resolves with its exit code (128 + signal number when killed). */
export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (): void => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      done();
      if (code !== null) resolve(code);
      else resolve(128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15));
    });
  });
}
