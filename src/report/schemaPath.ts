import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the published JSON Schema of the report
 * (`schemas/compliance-report.schema.json` in the package), for tools that
 * validate saved reports. The same relative path holds from `src/report` and
 * from the built `dist/report`.
 */
export const REPORT_SCHEMA_PATH: string = fileURLToPath(
  new URL('../../schemas/compliance-report.schema.json', import.meta.url),
);
