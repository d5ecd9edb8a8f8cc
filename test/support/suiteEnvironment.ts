/**
 * Loaded by mocha before any spec (.mocharc.json "require").
 *
 * The specs run the program through the real engine dozens of times, and Pulumi's runtime would
 * type check all of infra/ with ts-node on every run: about 3 s each, minutes per suite, repeating
 * what `npm run typecheck` (tsc over the same tsconfig.json) has already proven before the specs
 * start. So engine runs started by the specs only transpile (the SDK's own switch). The
 * type-checked path the CLI takes for users is kept under test by test/pulumiRuntime.spec.ts, which
 * removes this switch from its child's environment.
 */
process.env.PULUMI_NODEJS_TRANSPILE_ONLY ??= "true";
