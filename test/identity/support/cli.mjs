// Runs the real `inventag` entry point with the identity, permissions and
// policy commands registered, whether or not the command index lists them yet.
import { commands } from '../../../dist/cli/commands/index.js';
import { registerIdentity, registerPermissions, registerPolicy } from '../../../dist/cli/commands/identity.js';

for (const register of [registerIdentity, registerPermissions, registerPolicy]) if (!commands.includes(register)) commands.push(register);
await import('../../../dist/cli/main.js');
