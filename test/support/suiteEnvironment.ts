/**
 * Loaded by mocha before any spec (.mocharc.json "require").
 *
 * The specs run the program through the real engine dozens of times, and Pulumi's runtime would
 * type check all of infra/ with ts-node on every run, repeating what `npm run typecheck` (tsc over
 * the same tsconfig.json) has already proven before the specs start (test/offlineEngine.spec.ts
 * alone: 166 s type checked, 143 s transpiled; BENCHMARKS.md). So engine runs started by the specs only transpile (the SDK's own switch). The
 * type-checked path the CLI takes for users is kept under test by test/pulumiRuntime.spec.ts, which
 * removes this switch from its child's environment.
 */
process.env.PULUMI_NODEJS_TRANSPILE_ONLY ??= "true";
