// One line makes an AWS SDK v3 client unable to change anything.
import { DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { guardClient, isOperationBlockedError } from 'inventag';

const s3 = guardClient(new S3Client({ region: 'us-east-1' }), { standard: 'soc2' });
try {
  await s3.send(new DeleteBucketCommand({ Bucket: 'prod-data' }));
} catch (err) {
  if (!isOperationBlockedError(err)) throw err;
  // Thrown before serialization: no credentials were resolved and no request was sent.
  console.log(`blocked: ${err.verdict.iamAction} (${err.verdict.accessLevel}, risk ${err.verdict.riskLevel})`);
}
