// Module hooks: appends the URL of every ES module the process loads to the file named by INVENTAG_TEST_LOAD_LOG.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.INVENTAG_TEST_LOAD_LOG) appendFileSync(process.env.INVENTAG_TEST_LOAD_LOG, `${url}\n`);
  return nextLoad(url, context);
}
