import { RiskLevel } from '../../constants.js';
import type { CallerIdentity } from '../../identity/types.js';
import { ControlTopic } from '../../policy/controls.js';
import { FindingCode } from '../../report/findingCodes.js';
import type { EvidenceFinding, EvidenceSection } from './types.js';

export function identityEvidence(identity: CallerIdentity): EvidenceSection {
  const findings: EvidenceFinding[] = identity.findings.map((f) => ({
    code: FindingCode.IDENTITY,
    severity: f.severity,
    title: f.title,
    description: f.description,
    recommendation: f.recommendation,
    topics: [ControlTopic.IDENTITY, ControlTopic.ACCESS_RIGHTS],
  }));
  const bad = identity.findings.some((f) => f.severity === RiskLevel.HIGH || f.severity === RiskLevel.CRITICAL);
  return {
    key: 'identity',
    source: 'identity',
    section: {
      title: 'Identity',
      status: bad ? 'FAIL' : findings.length ? 'WARN' : 'PASS',
      summary: `Runs as ${identity.arn} (${identity.type}, ${identity.credentialKind} credentials).`,
      facts: {
        arn: identity.arn,
        account: identity.account ?? null,
        type: identity.type,
        roleName: identity.roleName ?? null,
        sessionName: identity.sessionName ?? null,
        credentialKind: identity.credentialKind,
        accessKeyId: identity.accessKeyId ?? null,
      },
      detail: identity,
    },
    findings,
    facts: {
      kind: 'identity',
      arn: identity.arn,
      ...(identity.account ? { account: identity.account } : {}),
      type: identity.type,
    },
    checks: [
      {
        topic: ControlTopic.IDENTITY,
        passed: !bad,
        evidence: `The principal is ${identity.type}${bad ? ' (see findings)' : ''}.`,
      },
    ],
  };
}
