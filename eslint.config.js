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
    // Tests read arbitrary JSON answers.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
