/**
 * `inventag audit verify|export|cleanup|tail`: the audit trail from the
 * command line. SQLite is loaded inside each action so other commands start
 * without it.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import { AUDIT_KEY_ENV, DEFAULT_AUDIT_STORE_PATH } from '../../audit/defaults.js';
import { formatAnchor, parseAnchor } from '../../audit/chain.js';
import type { AuditStore, AuditStoreOptions } from '../../audit/AuditStore.js';
import type { AuditEntry, VerifyResult } from '../../audit/types.js';
import type { HeadCheck, KnownHead } from '../../audit/knownHead.js';
import { AuditStoreErrorCode, isAuditStoreError } from '../../audit/errors.js';
import { configFromFlags } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { addListOutputFlags, printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colour, printErr, printLine } from '../output.js';

interface StoreOpts {
  store?: string;
  config?: string;
}

const STORE_HELP = `audit store file (default: auditStore of the configuration, ${DEFAULT_AUDIT_STORE_PATH}; a keyed store reads its key from ${AUDIT_KEY_ENV})`;

const storePathOf = async (opts: StoreOpts): Promise<string> =>
  opts.store ?? (await configFromFlags(opts.config)).auditStore ?? DEFAULT_AUDIT_STORE_PATH;

/** A damaged store cannot be proved intact, so `verify` fails it as tampered; other commands call it bad input. */
const TAMPER_CODES = new Set<string>([AuditStoreErrorCode.CORRUPT, AuditStoreErrorCode.NOT_SQLITE]);
const IO_CODES = new Set<string>([
  AuditStoreErrorCode.STORE_FULL,
  AuditStoreErrorCode.WRITE_FAILED,
  AuditStoreErrorCode.BUSY,
]);

function toCliError(err: unknown, forVerify: boolean): unknown {
  if (!isAuditStoreError(err)) return err;
  if (forVerify && TAMPER_CODES.has(err.code))
    return new CliError(`${err.message} (the trail cannot be proved intact)`, ExitCode.TAMPERED, { cause: err });
  if (IO_CODES.has(err.code)) return new CliError(err.message, ExitCode.INTERNAL, { cause: err });
  return new UsageError(err.message, { cause: err });
}

async function withStore<T>(
  opts: StoreOpts,
  extra: Partial<AuditStoreOptions>,
  forVerify: boolean,
  use: (store: AuditStore) => Promise<T> | T,
): Promise<T> {
  const { openAuditStore } = await import('../../manager/openAuditStore.js');
  const config = await configFromFlags(opts.config);
  let store: AuditStore;
  try {
    store = openAuditStore(config, { path: opts.store ?? config.auditStore ?? DEFAULT_AUDIT_STORE_PATH, ...extra });
  } catch (err) {
    throw toCliError(err, forVerify);
  }
  try {
    return await use(store);
  } catch (err) {
    throw toCliError(err, forVerify);
  } finally {
    await store.close();
  }
}

function wholeNumber(option: string, min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new UsageError(`${option} must be a whole number >= ${min}; got ${JSON.stringify(value)}`);
    return n;
  };
}

function formatEntry(e: AuditEntry): string {
  if (e.kind === 'checkpoint') {
    const cp = e.checkpoint;
    return `#${e.sequence} ${e.timestamp} ${colour.dim('CHECKPOINT')} removed ${cp?.removedCount ?? '?'} entries through #${cp?.prunedThroughSequence ?? '?'}`;
  }
  const decision = e.decision === 'blocked' ? colour.red('BLOCKED') : colour.green('allowed');
  const outcome =
    e.outcome === undefined
      ? colour.dim('pending')
      : e.outcome.success
        ? `ok ${e.outcome.durationMs.toFixed(1)}ms`
        : colour.yellow(`failed ${e.outcome.errorCode ?? ''}`.trim());
  const action = e.iamAction ? ` (${e.iamAction})` : '';
  return `#${e.sequence} ${e.timestamp} ${decision} ${e.service}:${e.operation}${action} ${e.riskLevel ?? ''} ${outcome}`;
}

/** The head the security audit log recorded, and how the store compares, as `audit verify --json` prints it. */
function knownHeadJson(logged: { known: KnownHead; check: HeadCheck }): Record<string, unknown> {
  return {
    ...logged.known,
    anchorText: formatAnchor(logged.known.head),
    status: logged.check.status,
    message: logged.check.message,
  };
}

/** Adds `inventag audit` and its sub-commands. */
export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('verify, export, clean up and read the tamper-evident audit trail');

  addListOutputFlags(audit.command('verify'))
    .description(
      'walk the hash chain; exit 0 when intact, 4 when an entry was edited, deleted, reordered, inserted or truncated',
    )
    .option('--store <path>', STORE_HELP)
    .option('--config <file>', 'configuration file (for the store path and retention defaults)')
    .option(
      '--anchor <SEQ:HASH>',
      'a chain head published earlier (report, log line): detects removal of the newest entries',
    )
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .action(async (opts: StoreOpts & { anchor?: string } & ListOutputFlags) => {
      const anchor = opts.anchor === undefined ? undefined : parseAnchor(opts.anchor);
      if (opts.anchor !== undefined && anchor === undefined) {
        throw new UsageError(
          `--anchor must be SEQ:HASH (a sequence number, a colon and a 64-digit hex SHA-256); got ${JSON.stringify(opts.anchor)}`,
        );
      }
      const config = await configFromFlags(opts.config);
      const { checkAgainstLog, headWentBackwards } = await import('../../audit/knownHead.js');
      const storePath = resolve(await storePathOf(opts));
      let verified: { result: VerifyResult; logged: ReturnType<typeof checkAgainstLog> };
      try {
        verified = await withStore(opts, { readonly: true }, true, (store) => ({
          result: store.verify(anchor === undefined ? {} : { anchor }),
          // The last head recorded outside the store (security audit log): a head that went backwards lost entries.
          logged: checkAgainstLog(config.logDirectory, store, storePath),
        }));
      } catch (err) {
        // No store file, or one whose trail is gone (a deleted write-ahead log that held all of it): tampered when
        // the security audit log recorded a head for this path.
        const missing = err instanceof CliError && isAuditStoreError(err.cause) && err.cause.code === 'NOT_FOUND';
        const logged = missing ? checkAgainstLog(config.logDirectory, undefined, storePath) : undefined;
        if (logged === undefined) throw err;
        const message = `${logged.check.message}; ${(err as Error).message}`;
        if (wantsListOutput(opts))
          await printListOutput(
            { store: storePath, ok: false, checked: 0, knownHead: knownHeadJson(logged), error: message },
            opts,
          );
        else {
          printLine(`${colour.red('TAMPERED')}: ${message}`);
          printLine(`  the security audit log ${logged.known.source} recorded head ${formatAnchor(logged.known.head)}`);
        }
        process.exitCode = ExitCode.TAMPERED;
        return;
      }
      const { result, logged } = verified;
      const known = logged?.known;
      const headCheck = logged?.check;
      const headLost = headWentBackwards(headCheck);
      const ok = result.ok && !headLost;
      if (wantsListOutput(opts))
        await printListOutput(
          {
            store: storePath,
            ...result,
            ok,
            anchorText: result.head ? formatAnchor(result.head) : null,
            ...(logged === undefined ? {} : { knownHead: knownHeadJson(logged) }),
          },
          opts,
        );
      else if (result.ok && headLost) {
        printLine(`${colour.red('TAMPERED')}: ${headCheck?.message ?? ''}`);
        printLine(
          `  the security audit log ${known?.source ?? ''} recorded head ${known ? formatAnchor(known.head) : ''}${known?.at ? ` at ${known.at}` : ''}`,
        );
        printLine(`  ${result.checked} entries verified; the chain that remains is intact`);
      } else if (result.ok) {
        const range =
          result.firstSequence === undefined ? 'empty trail' : `${result.firstSequence}..${result.head?.sequence}`;
        printLine(
          `${colour.green('intact')}: ${result.checked} entries checked (${range})${result.anchor ? `, anchor ${result.anchor}` : ''}`,
        );
        if (result.head) printLine(`head ${formatAnchor(result.head)}`);
        if (headCheck !== undefined) printLine(`security audit log: ${headCheck.message}`);
      } else {
        const bad = result.firstBad;
        printLine(
          `${colour.red('TAMPERED')}: first bad entry #${bad?.sequence}${bad?.auditId ? ` (${bad.auditId})` : ''}: ${bad?.reason}`,
        );
        printLine(`  ${bad?.message}`);
        printLine(`  ${result.checked} entries verified before it`);
      }
      for (const w of result.warnings) printErr(`inventag: warning: ${w}`);
      process.exitCode = ok ? ExitCode.OK : ExitCode.TAMPERED;
    });

  audit
    .command('export')
    .description('write the trail as JSON lines or CSV (attempts with their outcomes merged)')
    .option('--store <path>', STORE_HELP)
    .option('--config <file>', 'configuration file (for the store path and retention defaults)')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--since <ISO>', 'only entries at or after this time, e.g. 2026-01-31T00:00:00Z')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--raw', 'every stored row with all hashed columns, for re-verification with other tools')
    .action(async (opts: StoreOpts & { format: string; since?: string; out?: string; raw?: boolean }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv')
        throw new UsageError(`--format must be jsonl or csv; got ${JSON.stringify(opts.format)}`);
      if (opts.since !== undefined && Number.isNaN(new Date(opts.since).getTime())) {
        throw new UsageError(
          `--since must be an ISO 8601 date or time, e.g. 2026-01-31T00:00:00Z; got ${JSON.stringify(opts.since)}`,
        );
      }
      const format = opts.format;
      await withStore(opts, { readonly: true }, false, async (store) => {
        const stream = store.export({
          format,
          ...(opts.since === undefined ? {} : { since: opts.since }),
          raw: opts.raw ?? false,
        });
        if (opts.out !== undefined) {
          try {
            mkdirSync(dirname(resolve(opts.out)), { recursive: true });
            await pipeline(stream, createWriteStream(opts.out, { mode: 0o600 }));
          } catch (err) {
            if (isAuditStoreError(err)) throw err;
            throw new UsageError(
              `cannot write ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
              { cause: err },
            );
          }
          printErr(`inventag: wrote ${opts.out}`);
          return;
        }
        try {
          await pipeline(stream, process.stdout, { end: false });
        } catch (err) {
          // A reader that stops early (`| head`) is not an error.
          if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
        }
      });
    });

  addListOutputFlags(audit.command('cleanup'))
    .description('remove entries past the retention period or count, leaving a checkpoint so the chain still verifies')
    .option('--store <path>', STORE_HELP)
    .option('--config <file>', 'configuration file (for the store path and retention defaults)')
    .option(
      '--retention-days <N>',
      'remove entries older than N days (default with no --max-entries: auditLogRetentionDays)',
      wholeNumber('--retention-days', 0),
    )
    .option(
      '--max-entries <N>',
      'keep at most N entries, the checkpoint included (default with no --retention-days: maxAuditEntries)',
      wholeNumber('--max-entries', 1),
    )
    .option('--json', 'print the result as JSON (the document --output and --query work on)')
    .action(async (opts: StoreOpts & { retentionDays?: number; maxEntries?: number } & ListOutputFlags) => {
      if (opts.retentionDays === undefined && opts.maxEntries === undefined) {
        // Neither flag: the configuration's auditLogRetentionDays and maxAuditEntries (the seed's 30 days, 10,000 entries by default).
        const config = await configFromFlags(opts.config);
        opts.retentionDays = config.auditLogRetentionDays;
        opts.maxEntries = config.maxAuditEntries;
      }
      const result = await withStore(opts, { mustExist: true }, false, (store) =>
        store.cleanup({
          ...(opts.retentionDays === undefined ? {} : { retentionDays: opts.retentionDays }),
          ...(opts.maxEntries === undefined ? {} : { maxEntries: opts.maxEntries }),
        }),
      );
      if (wantsListOutput(opts)) await printListOutput(result, opts);
      else {
        printLine(
          result.removed === 0
            ? 'nothing to remove'
            : `removed ${result.removed} entries; checkpoint #${result.checkpoint?.sequence} records their last hash`,
        );
        if (result.head) printLine(`head ${formatAnchor(result.head)}`);
      }
    });

  addListOutputFlags(audit.command('tail'))
    .description('show the newest entries')
    .option('--store <path>', STORE_HELP)
    .option('--config <file>', 'configuration file (for the store path and retention defaults)')
    .option('-n, --lines <N>', 'how many entries', wholeNumber('--lines', 0), 20)
    .option('--json', 'one JSON object per line (--output and --query work on the array of entries)')
    .addHelpText(
      'after',
      `
Examples:
  inventag audit tail -n 50
  inventag audit tail --query "[?decision=='blocked'].[sequence, timestamp, service, operation]" --output text
  inventag audit tail --query "[].{seq: sequence, op: operation, decision: decision}" --output table`,
    )
    .action(async (opts: StoreOpts & { lines: number } & ListOutputFlags) => {
      const entries = await withStore(opts, { readonly: true }, false, (store) => store.tail(opts.lines));
      if (opts.output !== undefined || opts.query !== undefined) await printListOutput(entries, opts);
      else for (const e of entries) printLine(opts.json ? JSON.stringify(e) : formatEntry(e));
    });
}
