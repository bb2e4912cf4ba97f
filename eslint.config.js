import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  performance: 'readonly',
  fetch: 'readonly',
};

const browserGlobals = {
  document: 'readonly',
  window: 'readonly',
  fetch: 'readonly',
  console: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  location: 'readonly',
  Chart: 'readonly',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-output/', 'bench/out/', 'src/dashboard/vendor/'] },
  js.configs.recommended,
  // TypeScript sources are linted with type information: a promise nobody awaits, or one handed to a
  // callback that ignores it, is an error (no-floating-promises, no-misused-promises); so are `any` flows.
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: nodeGlobals,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An async method that implements a Promise-returning interface without awaiting is fine: it keeps
      // throwing as a rejection, which is what the callers handle.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Tests read JSON printed by the CLI and rows read back from SQLite: `any` there is the point of the test.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  // Node scripts, benchmarks and examples (plain ESM JavaScript).
  {
    files: ['**/*.js', '**/*.mjs'],
    ignores: ['src/dashboard/assets/**'],
    languageOptions: { sourceType: 'module', globals: nodeGlobals },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  // The dashboard's browser script: a classic script served to the page, with browser globals only.
  {
    files: ['src/dashboard/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: browserGlobals },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-implicit-globals': 'error',
    },
  },
);
