import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import { toCloudTrailEvent } from '../../src/cloudtrail/CloudTrailEvent.js';
import { EventClassifier } from '../../src/cloudtrail/EventClassifier.js';
import { PrincipalAnalyzer } from '../../src/cloudtrail/PrincipalAnalyzer.js';
import { guardClient, isOperationBlockedError } from '../../src/guard/index.js';
import { loadConfiguration } from '../../src/manager/config.js';
import { analyzePolicies } from '../../src/policy/analysis/PolicyAnalyzer.js';
import { parsePolicyText } from '../../src/policy/analysis/parsePolicy.js';
import {
  SanctionedRoles,
  isSessionRecord,
  isSessionRefusedError,
  parseRolePattern,
  sessionCredentials,
} from '../../src/sessions/index.js';
import { profileCredentials } from '../../src/sessions/profileCredentials.js';
import {
  exampleOrganization,
  memberId,
  orgRecord,
  organizationWorld,
  type OrgWorld,
} from '../support/aws/organization.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';

const ROLE = (n: number, name = 'InventoryReadOnly') => `arn:aws:iam::${memberId(n)}:role/${name}`;
const base = { accessKeyId: 'AKIDORGBASE000000001', secretAccessKey: 'base-secret' };
let server: AwsTestServer;
let world: OrgWorld;
const dir = mkdtempSync(join(tmpdir(), 'inventag-sessions-'));
let store: AuditStore;
let n = 0;

beforeAll(async () => {
  world = organizationWorld(exampleOrganization({ accounts: 3, eventsPerAccount: 0 }));
  server = await startAwsServer({ handlers: world.handlers });
});
afterEach(() => store?.closeSync());
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const openStore = () => (store = AuditStore.open({ path: join(dir, `audit-${++n}.db`) }));
const clientConfig = () => ({ region: 'us-east-1', endpoint: server.url });

describe('role ARN patterns', () => {
  it.each([
    ['arn:aws:iam::*:role/InventoryReadOnly', ROLE(1), true],
    ['arn:aws:iam::*:role/InventoryReadOnly', ROLE(1, 'Admin'), false],
    ['arn:aws:iam::100000000001:role/Inventory*', ROLE(1, 'InventoryAudit'), true],
    ['arn:aws:iam::100000000001:role/Inventory*', ROLE(2, 'InventoryAudit'), false],
    ['arn:aws:iam::*:role/teams/*/reader', 'arn:aws:iam::100000000001:role/teams/a/reader', true],
    ['arn:aws:iam::*:role/InventoryReadOnly', 'arn:aws:iam::100000000001:user/InventoryReadOnly', false],
  ])('%s matches %s: %s', (pattern, arn, expected) => {
    const p = parseRolePattern(pattern);
    if (typeof p === 'string') throw new Error(p);
    expect(p.matches(arn)).toBe(expected);
  });

  it.each([
    ['arn:aws:iam:*:role/X', /is not a role ARN pattern/],
    ['arn:aws:iam::12345:role/X', /is not a role ARN pattern/],
    ['arn:aws:iam::*:role/*', /a pattern for every role is not a sanctioned role/],
    ['', /expected a role ARN pattern/],
  ])('refuses %j', (pattern, message) => {
    expect(parseRolePattern(pattern)).toMatch(message);
  });

  it('a malformed pattern in the configuration names the field', () => {
    expect(() =>
      loadConfiguration({ noFile: true, env: {}, values: { sessions: { assumeRoles: [{ roleArn: 'role/X' }] } } }),
    ).toThrow(/sessions\.assumeRoles\[0\]\.roleArn: .*is not a role ARN pattern/);
    expect(() =>
      loadConfiguration({
        noFile: true,
        env: {},
        values: { sessions: { assumeRoles: [{ roleArn: ROLE(1), sessionName: 'a b' }] } },
      }),
    ).toThrow(/sessions\.assumeRoles\[0\]\.sessionName/);
  });
});

describe('sessionCredentials', () => {
  it('an AssumeRole into a sanctioned role is a session decision in the audit trail, once for every client', async () => {
    // Prepare
    const audit = openStore();
    const sanctioned = new SanctionedRoles([
      { roleArn: 'arn:aws:iam::*:role/InventoryReadOnly', externalId: 'ext-123' },
    ]);
    const before = server.count({ operation: 'AssumeRole' });
    const provider = sessionCredentials(ROLE(1), {
      sanctioned,
      masterCredentials: base,
      clientConfig: clientConfig(),
      audit,
    });

    // Act: two clients share the session
    const a = new STSClient({ ...clientConfig(), credentials: provider });
    const b = new STSClient({ ...clientConfig(), credentials: provider });
    const [who] = await Promise.all([
      a.send(new GetCallerIdentityCommand({})),
      b.send(new GetCallerIdentityCommand({})),
    ]);

    // Assess
    expect(who.Arn).toBe(`arn:aws:sts::${memberId(1)}:assumed-role/InventoryReadOnly/inventag`);
    expect(server.count({ operation: 'AssumeRole' }) - before).toBe(1);
    expect(world.sessions.at(-1)).toMatchObject({ externalId: 'ext-123', sessionName: 'inventag' });
    const records = [...audit.entries()].filter((e) => e.kind === 'attempt');
    expect(records).toHaveLength(1);
    expect(isSessionRecord(records[0]!)).toBe(true);
    expect(records[0]).toMatchObject({
      iamAction: 'sts:AssumeRole',
      decision: 'allowed',
      resourceArn: ROLE(1),
      identity: { account: memberId(1) },
      outcome: { success: true },
    });
    expect(records[0]!.validationMessage).toMatch(/^session: AssumeRole into the sanctioned role/);
  });

  it('an AssumeRole into any other role is blocked: 0 requests, a blocked record, a message saying how to sanction it', async () => {
    // Prepare
    const audit = openStore();
    const sanctioned = new SanctionedRoles([{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }]);
    const before = server.requests.length;

    // Act
    const provider = sessionCredentials(ROLE(1, 'Admin'), {
      sanctioned,
      masterCredentials: base,
      clientConfig: clientConfig(),
      audit,
    });
    const error = await provider().catch((e: unknown) => e);

    // Assess
    expect(isSessionRefusedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/matches no sessions\.assumeRoles pattern .*Add the role's ARN pattern/);
    expect(server.requests.length).toBe(before);
    const [record] = [...audit.entries()];
    expect(record).toMatchObject({ decision: 'blocked', resourceArn: ROLE(1, 'Admin'), operation: 'AssumeRole' });
    // A client that tries AssumeRole itself meets the guard: sts:AssumeRole is a write.
    const sts = guardClient(new STSClient({ ...clientConfig(), credentials: base }), { audit });
    const direct = await sts
      .send(new AssumeRoleCommand({ RoleArn: ROLE(1), RoleSessionName: 'x' }))
      .catch((e: unknown) => e);
    expect(isOperationBlockedError(direct)).toBe(true);
    expect(server.requests.length).toBe(before);
  });

  it('chains roles: the second session is assumed with the first one’s credentials, both on record', async () => {
    // Prepare
    const audit = openStore();
    const sanctioned = new SanctionedRoles([{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }]);
    const first = sessionCredentials(ROLE(1), {
      sanctioned,
      masterCredentials: base,
      clientConfig: clientConfig(),
      audit,
    });
    const second = sessionCredentials(ROLE(2), {
      sanctioned,
      masterCredentials: first,
      clientConfig: clientConfig(),
      audit,
    });

    // Act
    const creds = await second();
    const who = await new STSClient({ ...clientConfig(), credentials: second }).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(who.Account).toBe(memberId(2));
    const issued = world.sessions.slice(-2);
    expect(issued.map((s) => s.roleArn)).toEqual([ROLE(1), ROLE(2)]);
    expect(issued[1]!.signedWith).toMatch(new RegExp(`^ASIA${memberId(1)}`));
    expect(creds.accessKeyId).toMatch(new RegExp(`^ASIA${memberId(2)}`));
    const sessions = [...audit.entries()].filter((e) => isSessionRecord(e));
    // The chained AssumeRole is decided (and recorded) before its credentials, the first session, are resolved.
    expect(sessions.map((s) => s.resourceArn).sort()).toEqual([ROLE(1), ROLE(2)]);
  });

  it('a shared-config profile with role_arn goes through the sanctioned provider, or is refused with how to configure it', async () => {
    // Prepare
    const audit = openStore();
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(
      config,
      `[profile member]\nrole_arn = ${ROLE(3)}\nsource_profile = base\nrole_session_name = from-profile\n\n[profile admin]\nrole_arn = ${ROLE(3, 'Admin')}\nsource_profile = base\n`,
    );
    writeFileSync(
      credentials,
      `[base]\naws_access_key_id = ${base.accessKeyId}\naws_secret_access_key = ${base.secretAccessKey}\n`,
    );
    const previous = { c: process.env.AWS_CONFIG_FILE, s: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    const before = server.count({ operation: 'AssumeRole' });
    try {
      const assumeRoles = [{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }];
      // Act
      const provider = await profileCredentials({
        profile: 'member',
        assumeRoles,
        audit,
        clientConfig: clientConfig(),
        env: {},
      });
      const who = await new STSClient({ ...clientConfig(), credentials: provider! }).send(
        new GetCallerIdentityCommand({}),
      );
      const refused = await profileCredentials({ profile: 'admin', assumeRoles, audit, env: {} }).catch(
        (e: unknown) => e,
      );

      // Assess
      expect(who.Arn).toBe(`arn:aws:sts::${memberId(3)}:assumed-role/InventoryReadOnly/from-profile`);
      expect(server.count({ operation: 'AssumeRole' }) - before).toBe(1);
      expect([...audit.entries()].filter((e) => isSessionRecord(e)).map((e) => e.resourceArn)).toEqual([ROLE(3)]);
      expect(isSessionRefusedError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(
        /profile "admin" assumes .*Admin .*add \{ roleArn: ".*" \} to sessions\.assumeRoles/,
      );
      expect(server.count({ operation: 'AssumeRole' }) - before).toBe(1);
    } finally {
      process.env.AWS_CONFIG_FILE = previous.c;
      process.env.AWS_SHARED_CREDENTIALS_FILE = previous.s;
      if (previous.c === undefined) delete process.env.AWS_CONFIG_FILE;
      if (previous.s === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    }
  });
});

describe('CloudTrail and policy analysis know sessions', () => {
  const sanctioned = new SanctionedRoles([{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }]);
  const principal = `arn:aws:sts::${memberId(1)}:assumed-role/InventoryReadOnly/inventag`;
  const assume = (roleArn: string, id: string) =>
    orgRecord({
      account: memberId(1),
      arn: principal,
      time: new Date('2026-01-01T10:00:00Z'),
      region: 'us-east-1',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      readOnly: false,
      id,
      requestParameters: { roleArn, roleSessionName: 'inventag' },
    });

  it('an AssumeRole into a sanctioned role is a listed INFO session; into any other role a CRITICAL write', () => {
    // Prepare
    const classifier = new EventClassifier();
    const analyzer = new PrincipalAnalyzer(principal, { sessionRoles: sanctioned });
    for (const raw of [assume(ROLE(2), 'e1'), assume(ROLE(2, 'Admin'), 'e2')]) {
      const event = toCloudTrailEvent(raw, classifier);
      if (typeof event === 'string') throw new Error(event);
      analyzer.add(event);
    }

    // Act
    const result = analyzer.result();

    // Assess
    expect(result.sessions).toEqual([expect.objectContaining({ severity: 'INFO', roleArn: ROLE(2), eventId: 'e1' })]);
    expect(result.writes.map((w) => w.eventId)).toEqual(['e2']);
    expect(result.findings[0]).toMatchObject({ severity: 'CRITICAL', title: 'read-only guarantee broken' });
  });

  it('sts:AssumeRole on sanctioned roles is an expected grant; on * it stays a write', () => {
    // Prepare
    const doc = (resource: string) =>
      parsePolicyText(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource },
            { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
          ],
        }),
        'base.json',
      );

    // Act
    const scoped = analyzePolicies([doc('arn:aws:iam::*:role/InventoryReadOnly')], { sessionRoles: sanctioned });
    const star = analyzePolicies([doc('*')], { sessionRoles: sanctioned });
    const plain = analyzePolicies([doc('arn:aws:iam::*:role/InventoryReadOnly')]);

    // Assess
    expect(scoped.readOnly).toBe(true);
    expect(scoped.sessionGrants).toEqual([
      expect.objectContaining({ expected: true, roles: ['arn:aws:iam::*:role/InventoryReadOnly'] }),
    ]);
    expect(star.readOnly).toBe(false);
    expect(star.sessionGrants).toEqual([expect.objectContaining({ expected: false, roles: ['*'] })]);
    expect(star.writes.flatMap((g) => g.actions.map((a) => a.action))).toContain('sts:AssumeRole');
    expect(plain.readOnly).toBe(false);
    expect(plain.sessionGrants).toBeUndefined();
  });
});
