import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['**/dist/**', '**/node_modules/**', 'packages/db/src/generated/**', '.beacon/**', '**/.js-src/**', '**/.js-test/**', '**/.js-scripts/**', '.js-vendor/**']
  }),
  {
    // `export const Code = {…}` beside `export type Code = …` is the TypeScript idiom for enums
    // we use in every errors.ts; the base rule cannot tell a type from a value.
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
