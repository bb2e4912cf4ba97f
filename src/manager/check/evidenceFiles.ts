import { logDebug } from '../../logging/debugLog.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudTrailEvent } from '../../cloudtrail/CloudTrailEvent.js';
import type { PrincipalAnalyzer } from '../../cloudtrail/PrincipalAnalyzer.js';
import { TrailFileReader, trailScanProgressTo } from '../../cloudtrail/TrailFileReader.js';
import type { TrailStore } from '../../cloudtrail/trailStore.js';
import { checkTrailIntegrity, type TrailIntegrityOptions } from '../../cloudtrail/trailIntegrity.js';
import { identityFindings } from '../../identity/identityFindings.js';
import { credentialKindOf, parsePrincipalArn } from '../../identity/parsePrincipalArn.js';
import type { CallerIdentity } from '../../identity/types.js';
import { parsePolicyText } from '../../policy/analysis/parsePolicy.js';
import type { PolicyDocument } from '../../policy/analysis/types.js';
import { trailScanFacts, type CloudtrailScanFacts } from '../evidence/cloudtrailEvidence.js';
import type { ProgressListener } from '../../util/progress.js';
import { EvidenceError } from './EvidenceError.js';

/** A saved GetCallerIdentity response as the identity it names. */
export function identityFromCallerIdentity(
  data: { Arn?: string; UserId?: string; Account?: string; AccessKeyId?: string },
  source: string,
): CallerIdentity {
  if (typeof data.Arn !== 'string')
    throw new EvidenceError(`${source}: expected a GetCallerIdentity response with an "Arn" string`);
  const parsed = parsePrincipalArn(data.Arn);
  const credentialKind = credentialKindOf(data.AccessKeyId, parsed.type);
  return {
    ...parsed,
    arn: data.Arn,
    userId: data.UserId ?? '',
    accessKeyId: undefined,
    credentialKind,
    findings: identityFindings(parsed, credentialKind),
  };
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    logDebug('evidence file read', { file, bytes: Buffer.byteLength(text) });
  } catch (err) {
    throw new EvidenceError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EvidenceError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/** Every policy document in the given files and directories (`*.json`, sorted). */
export function policyDocumentsIn(paths: readonly string[]): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => join(path, f))
        : [path];
    } catch (err) {
      throw new EvidenceError(
        `cannot read policy location ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`,
        { cause: err },
      );
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
        logDebug('evidence file read', { file, bytes: Buffer.byteLength(text) });
      } catch (err) {
        throw new EvidenceError(`cannot read policy file ${file}: ${(err as Error).message}`, { cause: err });
      }
      docs.push(parsePolicyText(text, file));
    }
  }
  return docs;
}

/**
 * Reads trail files into the analyzer, then verifies the files read against the digests of log file validation;
 * the window defaults to the events' own first and last times.
 */
export async function scanTrail(
  store: TrailStore,
  analyzer: PrincipalAnalyzer,
  window: { start?: Date; end?: Date },
  integrity: Pick<TrailIntegrityOptions, 'publicKeys' | 'validation'> = {},
  progress?: ProgressListener,
): Promise<CloudtrailScanFacts> {
  const filesRead: string[] = [];
  let first: number | undefined;
  let last: number | undefined;
  const seen = (t: number | undefined): void => {
    if (t === undefined) return;
    if (first === undefined || t < first) first = t;
    if (last === undefined || t > last) last = t;
  };
  const reader = new TrailFileReader(store, {
    ...(window.start ? { start: window.start } : {}),
    ...(window.end ? { end: window.end } : {}),
    onFile: (f) => filesRead.push(f.file),
    ...(progress ? { onProgress: trailScanProgressTo(progress, store.location) } : {}),
    // Only the principal's events become objects; the rest are counted.
    select: { principal: analyzer.principal },
    onSkipped: (skipped) => {
      analyzer.addSkipped(skipped);
      seen(skipped.first);
      seen(skipped.last);
    },
  });
  const summary = await reader.scan((event: CloudTrailEvent) => {
    analyzer.add(event);
    seen(event.eventTime.getTime());
  });
  const verified = await checkTrailIntegrity(store, {
    ...window,
    ...integrity,
    filesRead,
    ...(progress
      ? {
          onProgress: (p: { digests: number; logFiles: number; bytes: number }) =>
            progress(`verifying CloudTrail files against their digests in ${store.location}`, {
              done: p.logFiles,
              unit: `log files hashed (${p.digests} digests)`,
              bytes: p.bytes,
            }),
        }
      : {}),
  });
  return {
    ...trailScanFacts(summary, {
      start: window.start ?? (first === undefined ? new Date(0) : new Date(first)),
      end: window.end ?? (last === undefined ? new Date() : new Date(last)),
    }),
    integrity: verified,
  };
}
