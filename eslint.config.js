// Lint rules: the recommended sets of ESLint and typescript-eslint, no style rules (Prettier owns layout).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'test-artifacts', 'benchmarks/data'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Several validators reject control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The dependency rule (README, "Layout"): routes reach the database only through src/domain;
    // types from src/db are fine. server.ts opens the database, so it is the one exception.
    files: ['src/http/**'],
    ignores: ['src/http/server.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/db/*'],
              allowTypeImports: true,
              message: 'Routes go through src/domain; import only types from src/db.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/db is the bottom layer: its shapes are its own, it imports nothing from src/domain or src/http.
    files: ['src/db/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/domain/*', '**/http/*'],
              message: 'src/db imports nothing from src/domain or src/http.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/domain never reaches up into the HTTP layer; solver/ stays importable alone.
    files: ['src/domain/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/http/*'], message: 'src/domain imports nothing from src/http.' }] },
      ],
    },
  },
  {
    files: ['solver/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/*'], message: 'solver/ imports nothing from src/.' }] },
      ],
    },
  },
  {
    // Tests read arbitrary JSON answers.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
