/**
 * Actions whose IAM access level says Read or List although the call changes
 * something. These are the only places our verdict departs from the IAM data;
 * test/catalog/everyAction.test.ts checks every other action against its
 * access level.
 */
export const DELIBERATE_OVERRIDES: Readonly<Record<string, { readonly treatAs: 'mutating'; readonly reason: string }>> =
  {
    'ssm:PutConfigurePackageResult': {
      treatAs: 'mutating',
      reason: 'records a package configuration result in Systems Manager',
    },
    'ec2:StartDeclarativePoliciesReport': {
      treatAs: 'mutating',
      reason: 'starts a report job that writes its output to an S3 bucket',
    },
    'securityhub:SendFindingEvents': { treatAs: 'mutating', reason: 'sends finding events into Security Hub' },
    'securityhub:SendInsightEvents': { treatAs: 'mutating', reason: 'sends insight events into Security Hub' },
    'a4b:StartSmartHomeApplianceDiscovery': {
      treatAs: 'mutating',
      reason: 'starts a device discovery that registers appliances',
    },
  };
