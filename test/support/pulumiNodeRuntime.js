"use strict";
// Runs the program as Pulumi's Node.js language runtime runs it, under the mock runtime: the options
// of Pulumi.yaml become the environment the language host gives the runtime, and @pulumi/pulumi's own
// cmd/run loads the program from its directory (`main`), registering ts-node with the compiler
// options it derives. Plain node on purpose: under tsx the program would compile with tsx's loader.
//   node test/support/pulumiNodeRuntime.js <stack> <stage>
// Prints one JSON line: the types registered and the errors the runtime reported.
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const pulumi = require("@pulumi/pulumi");

// cmd/run/run.js imports its package's index.js, which starts the CLI (monitor address required)
// when loaded: that module is taken as loaded, with the one constant run.js reads from it.
const runIndex = require.resolve("@pulumi/pulumi/cmd/run");
require.cache[runIndex] = { id: runIndex, filename: runIndex, loaded: true, exports: { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 } };
const { run } = require("@pulumi/pulumi/cmd/run/run");

const ROOT = path.resolve(__dirname, "..", "..");
const { fakeCloud } = require(path.join(ROOT, "build", "engine", "fakeCloud.js"));
const { readStageConfigFile } = require(path.join(ROOT, "build", "ops", "stageFile.js"));

async function main() {
    const [stack, stage] = process.argv.slice(2);
    const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const options = (project.runtime && project.runtime.options) || {};
    if (options.typescript === true) process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (options.tsconfig !== undefined) process.env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;

    const config = readStageConfigFile(stage, ROOT);
    const mocks = fakeCloud(config["aws:region"], new Map());
    const types = [];
    const newResource = mocks.newResource.bind(mocks);
    mocks.newResource = (args) => {
        types.push(args.type);
        return newResource(args);
    };
    await pulumi.runtime.setMocks(mocks, project.name, stack, true, "organization");
    pulumi.runtime.setAllConfig(config);

    const errors = [];
    const report = (error) => errors.push(error instanceof Error ? error.message : String(error));
    try {
        // What the language host passes: --pwd <program directory> and the entry point ".".
        await run(
            { _: ["."], pwd: path.join(ROOT, project.main) },
            () => undefined,
            report,
            () => false,
        );
        await pulumi.runtime.waitForRPCs();
    } catch (error) {
        report(error);
    }
    process.stdout.write(`${JSON.stringify({ types, errors })}\n`);
    process.exit(0);
}

main();
