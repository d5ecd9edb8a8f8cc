/**
 * Stack names, stages and layers: shared by the program (infra/) and the policy pack, which lives in
 * this folder so that `pulumi policy publish` packs it. Nothing here imports a package: the program
 * loads these modules too and must not pick up a second copy of @pulumi/pulumi from policies/node_modules.
 */

/**
 * The layers in dependency order: each may read the outputs of the ones before it. Every stage has
 * a stack for each; a layer its stage's config switches off (network, unless spotify:network is
 * "isolated") declares nothing, so turning it off empties its stack on the next deploy.
 */
export const LAYERS = ["network", "storage", "etl", "queries", "dashboards"] as const;
export type Layer = (typeof LAYERS)[number];

/** Lowercase letters and digits, starting with a letter: safe in bucket, Glue and stack names. */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{1,11}$/;

/** What a stack deploys: one layer of a stage, or every layer of it ("all-in-one"). */
export interface StackTarget {
    stackName: string;
    stage: string;
    layers: readonly Layer[];
    topology: "layer" | "all-in-one";
}

/**
 * A stack name the program cannot map to a stage and layer; raised before any resource exists. The
 * program reports it as a pulumi.RunError (infra/program.ts), which the CLI prints without a stack trace.
 */
export class StackNameError extends Error {
    override name = "StackNameError";
}

function usage(stackName: string, problem: string): string {
    const givenStage = stackName.split("-")[0];
    const example = STAGE_PATTERN.test(givenStage) ? givenStage : "dev";
    return (
        `Stack "${stackName}" ${problem}\n` +
        `  spotify-pipeline stacks are "<stage>-<layer>" with <layer> one of ${LAYERS.join(", ")} ` +
        `(for example "${example}-storage"), or "<stage>" for every layer in one stack.\n` +
        `  Every stack of a stage reads Pulumi.<stage>.yaml, for example:\n` +
        `    pulumi up -s ${example}-storage --config-file ${configFileFor(example)}`
    );
}

export function configFileFor(stage: string): string {
    return `Pulumi.${stage}.yaml`;
}

export function layerStackName(stage: string, layer: Layer): string {
    return `${stage}-${layer}`;
}

/** The stacks of a stage in deployment order. */
export function stageStacks(stage: string, allInOne: boolean): string[] {
    if (allInOne) return [stage];
    return LAYERS.map((layer) => layerStackName(stage, layer));
}

/** Maps a stack name to its stage and layers, or explains how to name the stack. */
export function resolveStack(stackName: string): StackTarget {
    if (STAGE_PATTERN.test(stackName)) {
        return { stackName, stage: stackName, layers: LAYERS, topology: "all-in-one" };
    }
    const separator = stackName.indexOf("-");
    if (separator < 0) {
        throw new StackNameError(usage(stackName, "is not a valid stage name (lowercase letters and digits, 2-12 characters, starting with a letter)."));
    }
    const stage = stackName.slice(0, separator);
    const layer = stackName.slice(separator + 1);
    if (!STAGE_PATTERN.test(stage)) {
        throw new StackNameError(usage(stackName, `has an invalid stage "${stage}" (lowercase letters and digits, 2-12 characters, starting with a letter).`));
    }
    if (!(LAYERS as readonly string[]).includes(layer)) {
        // "my-dev" reads as stage "my", layer "dev": it may be meant as a stage with a hyphen.
        const asStage = `; if "${stackName}" is meant as a stage, stage names have no hyphens (for example "${stackName.replace(/-/g, "")}")`;
        throw new StackNameError(usage(stackName, `names an unknown layer "${layer}"${asStage}.`));
    }
    return { stackName, stage, layers: [layer as Layer], topology: "layer" };
}
