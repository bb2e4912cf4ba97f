// Runs the real `inventag` entry point with the metrics and dashboard commands
// registered, whether or not the command index wires them in yet.
import { commands } from '../../dist/cli/commands/index.js';
import { registerDashboard } from '../../dist/cli/commands/dashboard.js';
import { registerMetrics } from '../../dist/cli/commands/metrics.js';

for (const register of [registerMetrics, registerDashboard]) if (!commands.includes(register)) commands.push(register);
await import('../../dist/cli/main.js');
