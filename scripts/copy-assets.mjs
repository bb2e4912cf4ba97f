// Copies the non-TypeScript files the built package serves (the dashboard's script and style sheet) into dist/.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src/dashboard/assets'), join(root, 'dist/dashboard/assets'), { recursive: true });
