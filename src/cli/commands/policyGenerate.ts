import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import { configFromFlags } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { LIST_OUTPUTS } from '../listOutput.js';
import { printErr } from '../output.js';

/** Adds `policy generate` to the `policy` command (registered by identity.ts). */
export function registerPolicyGenerate(program: Command): void {
  const policy = program.commands.find((c) => c.name() === 'policy') ?? program.command('policy');
  policy
    .command('generate')
    .description('Write the least-privilege IAM policy of the read actions the audit trail shows were used.')
    .option('--from-audit <store>', 'audit store to read (default: the configured one)')
    .option('--since <duration>', 'only calls in this window, e.g. 24h, 7d, 2w')
    .option('--config <file>', 'configuration file')
    .option('--out <file>', 'write the policy here instead of standard output')
    .option('--output <file>', 'the same as --out (a file: the policy is always JSON, there is no --query)')
    .addHelpText(
      'after',
      `
Examples:
  inventag exec -- ./nightly-inventory.sh && inventag policy generate --since 1d --out ro.json
  inventag policy generate --from-audit .inventag/audit.db | inventag policy check -

Exit codes: 0 written, 2 bad usage, an unreadable store, or no allowed read in the window.`,
    )
    .action(async (opts: { fromAudit?: string; since?: string; config?: string; out?: string; output?: string }) => {
      // Unlike the listing commands' --output json|table|text, --output here names a file: refuse a format name.
      if ((LIST_OUTPUTS as readonly string[]).includes(opts.output ?? ''))
        throw new UsageError(
          `--output ${opts.output}: policy generate writes one JSON policy document and takes --out <file> (or --output <file>), not a format; give a file name such as ro.json`,
        );
      if (opts.out !== undefined && opts.output !== undefined)
        throw new UsageError('--out and --output name the same file; give one of them');
      const outFile = opts.out ?? opts.output;
      let sinceIso: string | undefined;
      if (opts.since !== undefined) {
        const { parseDuration } = await import('../../cloudtrail/window.js');
        const ms = parseDuration(opts.since);
        if (typeof ms === 'string') throw new UsageError(`--since: ${ms}`);
        sinceIso = new Date(Date.now() - ms).toISOString();
      }
      const path = opts.fromAudit ?? (await configFromFlags(opts.config)).auditStore!;
      const { AuditStore } = await import('../../audit/AuditStore.js');
      const { generateReadPolicy } = await import('../../gateway/generatePolicy.js');
      let store: ReturnType<typeof AuditStore.open>;
      try {
        store = AuditStore.open({ path, readonly: true });
      } catch (error) {
        throw new UsageError(`cannot open the audit store ${path}: ${(error as Error).message}`, { cause: error });
      }
      const entries: { kind?: string; decision?: 'allowed' | 'blocked'; iamAction?: string }[] = [];
      try {
        const lines = createInterface({
          input: store.export({ format: 'jsonl', ...(sinceIso === undefined ? {} : { since: sinceIso }) }),
        });
        for await (const line of lines)
          if (line.trim() !== '') entries.push(JSON.parse(line) as (typeof entries)[number]);
      } finally {
        await store.close();
      }
      const generated = generateReadPolicy(entries);
      if (generated === undefined)
        throw new UsageError(
          `no allowed read is on the audit trail ${path}${opts.since ? ` in the last ${opts.since}` : ''}`,
        );
      for (const action of generated.leftOut)
        printErr(
          `inventag: warning: ${action} was allowed but is not a Read/List action; it is left out of the policy`,
        );
      const text = `${JSON.stringify(generated.policy, null, 2)}\n`;
      if (outFile === undefined) process.stdout.write(text);
      else {
        const { writeFileSync } = await import('node:fs');
        try {
          writeFileSync(outFile, text);
        } catch (error) {
          throw new CliError(`cannot write ${outFile}: ${(error as Error).message}`, ExitCode.USAGE, {
            cause: error,
          });
        }
        printErr(
          `inventag: wrote ${outFile} (${generated.policy.Statement[0].Action.length} read actions from ${generated.observedCalls} calls)`,
        );
      }
    });
}
