// The built `inventag` CLI with the cloudtrail command registered, for the
// CLI tests; the same as dist/cli/main.js once the root registers it itself.
import { commands } from '../../dist/cli/commands/index.js';
import { registerCloudtrail } from '../../dist/cli/commands/cloudtrail.js';

if (!commands.includes(registerCloudtrail)) commands.push(registerCloudtrail);
await import('../../dist/cli/main.js');
