/**
 * What `inventag validate` does once its arguments are parsed, without commander: the program's action runs it,
 * and so does the start-up path for plain `inventag validate SERVICE OPERATION` runs (../fastPath.ts).
 */
import { ExitCode } from '../../constants.js';
// The modules themselves, not their packages' index files: fewer modules on every run.
import { isInvalidOptionsError } from '../../policy/errors.js';
import { VerdictEngine } from '../../policy/VerdictEngine.js';
import { ReadOnlyAccessValidator } from '../../validator/ReadOnlyAccessValidator.js';
import { UsageError } from '../errors.js';
import { printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colour, printLine } from '../output.js';

export interface ValidateOptions extends ListOutputFlags {
  standard: string;
  stdin?: boolean;
  allow?: string[];
  deny?: string[];
}

export async function runValidate(
  service: string | undefined,
  operation: string | undefined,
  opts: ValidateOptions,
): Promise<void> {
  let validator: ReadOnlyAccessValidator;
  try {
    const engine = new VerdictEngine({
      standard: opts.standard as never,
      overrides: { allow: opts.allow ?? [], deny: opts.deny ?? [] },
    });
    validator = new ReadOnlyAccessValidator({ engine });
  } catch (err) {
    if (isInvalidOptionsError(err)) throw new UsageError(err.message);
    throw err;
  }

  if (opts.stdin) {
    if (service || operation) throw new UsageError('validate --stdin takes no SERVICE or OPERATION arguments');
    if (opts.output !== undefined || opts.query !== undefined)
      throw new UsageError(
        `${opts.query !== undefined ? '--query' : '--output'} applies to one SERVICE OPERATION; validate --stdin prints one JSON object per line (filter them with jq)`,
      );
    process.exitCode = await validateLines(validator);
    return;
  }
  if (!service)
    throw new UsageError(
      'validate needs SERVICE and OPERATION (e.g. "inventag validate ec2 describe_instances"), or --stdin',
    );
  if (!operation) {
    if (!service.includes(':'))
      throw new UsageError(
        `validate needs an OPERATION after SERVICE ${JSON.stringify(service)}, or one "service:Action" argument`,
      );
    [service, operation] = [service.slice(0, service.indexOf(':')), service];
  }
  const result = validator.validateOperation(service, operation);
  if (wantsListOutput(opts)) await printListOutput(result, opts);
  else {
    const mark = result.isValid ? colour.green('ALLOWED') : colour.red('BLOCKED');
    printLine(
      `${mark} ${result.iamAction ?? `${service} ${operation}`} ${colour.dim(`(${result.operationType}${result.accessLevel ? `, IAM ${result.accessLevel}` : ''}, risk ${result.riskLevel})`)}`,
    );
    printLine(`  ${result.validationMessage}`);
    for (const note of result.complianceNotes) printLine(`  - ${note}`);
  }
  process.exitCode = result.isValid ? ExitCode.OK : ExitCode.BLOCKED;
}

async function validateLines(validator: {
  validateOperation(s: string, o: string): { isValid: boolean };
}): Promise<number> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  let blocked = false;
  let malformed = false;
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let pair: [string, string] | undefined;
    if (parts.length === 2) pair = [parts[0]!, parts[1]!];
    else if (parts.length === 1 && parts[0]!.includes(':')) pair = [parts[0]!.split(':')[0]!, parts[0]!];
    if (!pair) {
      malformed = true;
      process.stdout.write(
        `${JSON.stringify({ line: lineNo, isValid: false, error: `line ${lineNo}: expected "service operation" or "service:Action", got ${JSON.stringify(line.slice(0, 120))}` })}\n`,
      );
      continue;
    }
    const result = validator.validateOperation(pair[0], pair[1]);
    if (!result.isValid) blocked = true;
    process.stdout.write(`${JSON.stringify({ line: lineNo, ...result })}\n`);
  }
  return malformed ? ExitCode.USAGE : blocked ? ExitCode.BLOCKED : ExitCode.OK;
}
