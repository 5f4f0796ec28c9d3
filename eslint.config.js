// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'stream',
  'timers',
  'url',
  'util',
  'worker_threads',
  'v8',
  'vm',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The shared-memory core is pure ECMAScript: no Node.js modules or globals, nothing from src/.
    files: ['native-free-core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', ...NODE_BUILTINS], message: 'native-free-core must not import Node.js modules.' },
            {
              group: ['**/src/**', '../src', '../../src'],
              message: 'native-free-core must not import from src/ (dependencies point native-free-core <- src <- workers).',
            },
            { group: ['**/workers/**'], message: 'native-free-core must not import from workers/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', 'require', 'setImmediate', 'setTimeout', 'setInterval', '__dirname'],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/**', '**/bench/**', '**/test/**'], message: 'src/ must not import from workers/, bench/ or test/.' },
          ],
          paths: [
            {
              name: 'msgpackr',
              message:
                "import msgpackr from src/codec/msgpackr-js.ts (it keeps msgpackr off its native addon without changing the host's environment).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/codec/msgpackr-js.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
