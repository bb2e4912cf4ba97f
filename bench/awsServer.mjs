// The loopback AWS server for benchmarks: it is test code (TypeScript), so it
// is transpiled into a temporary folder under bench/out/ (inside the project,
// so any package a handler imports resolves from node_modules) and imported.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The server module (`startAwsServer`), the organization world (`organizationWorld`), and a cleanup. */
export async function loadAwsServer() {
  mkdirSync(join(root, 'bench', 'out'), { recursive: true });
  const out = mkdtempSync(join(root, 'bench', 'out', 'aws-server-'));
  const support = join(root, 'test', 'support');
  const files = [
    'awsServer.ts',
    ...readdirSync(join(support, 'aws'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('aws', f)),
  ];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(support, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: file,
    });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const mod = await import(pathToFileURL(join(out, 'awsServer.js')).href);
  const org = await import(pathToFileURL(join(out, 'aws', 'organization.js')).href);
  return { mod, org, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
