import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerCheck, registerConfig, registerDemo, registerReport, registerStatus } from './check.js';
import { registerCloudtrail } from './cloudtrail.js';
import { registerDashboard } from './dashboard.js';
import { registerExec, registerGateway } from './gateway.js';
import { registerIdentity, registerPermissions, registerPolicy } from './identity.js';
import { registerMetrics } from './metrics.js';
import { registerMonitor } from './monitor.js';
import { registerPolicyGenerate } from './policyGenerate.js';
import { registerValidate } from './validate.js';

/** Every sub-command registers itself on the root program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDemo,
  registerCheck,
  registerValidate,
  registerReport,
  registerStatus,
  registerAudit,
  registerCloudtrail,
  registerIdentity,
  registerPermissions,
  registerPolicy,
  registerPolicyGenerate,
  registerMonitor,
  registerMetrics,
  registerDashboard,
  registerConfig,
  registerGateway,
  registerExec,
];
