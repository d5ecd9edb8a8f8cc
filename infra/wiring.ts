import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StageConfig } from "../model/stageConfig";
import { Layer, layerStackName, StackTarget } from "../model/stacks";
import type { OutputSchemas } from "../model/layerOutputs";
import { UserError } from "../model/userError";

/** The outputs a set of schemas describes, as the layer that builds them holds them. */
export type OutputsOf<S extends OutputSchemas> = { [K in keyof S]: pulumi.Output<z.output<S[K]>> };
/** Any layer's outputs. */
export type LayerOutputs = Record<string, pulumi.Output<unknown>>;

/** An upstream stack's output is not what its layer declares (for example a stack deployed from older code). */
export class UpstreamOutputError extends UserError {}

/**
 * Upstream outputs for the layer being built. In an all-in-one stack they are the objects built
 * earlier in this process, passed as they are; in a layer stack they come from the upstream layer
 * stacks through StackReferences, the only thing that crosses stacks, and each is checked once
 * against the schema its layer declares.
 */
export class LayerWiring {
    private readonly built = new Map<Layer, LayerOutputs>();
    private readonly references = new Map<Layer, pulumi.StackReference>();

    constructor(
        private readonly target: StackTarget,
        private readonly config: StageConfig,
    ) {}

    /** Records the outputs of a layer built in this process. */
    provide(layer: Layer, outputs: LayerOutputs): void {
        this.built.set(layer, outputs);
    }

    /** The upstream outputs {@link checkUpstream} checked, as `<layer>.<output>`. */
    private readonly checked = new Set<string>();

    /** The outputs of an upstream layer that `schemas` names, typed by them. */
    require<S extends OutputSchemas>(layer: Layer, schemas: S): OutputsOf<S> {
        const keys = Object.keys(schemas);
        const inProcess = this.built.get(layer);
        if (inProcess !== undefined) {
            return Object.fromEntries(keys.map((key) => [key, inProcess[key]])) as OutputsOf<S>;
        }
        if (this.target.topology === "all-in-one") {
            throw new Error(`Layer ${layer} must be built before the layers that read it.`);
        }
        const unchecked = keys.filter((key) => !this.checked.has(`${layer}.${key}`));
        if (unchecked.length > 0) {
            throw new Error(
                `Reads ${unchecked.map((key) => `${layer}.${key}`).join(", ")} without checking it first: declare it in UPSTREAM_READS (infra/program.ts), which checkUpstream reads before any resource is registered.`,
            );
        }
        const reference = this.reference(layer);
        return Object.fromEntries(
            keys.map((key) => [
                key,
                // getOutput, not requireOutput: a missing output then fails as a RunError, which the
                // runtime reports as one line, where requireOutput's plain Error comes with its stack.
                reference.getOutput(key).apply((value: unknown) => {
                    const checked = this.checkedValue(layer, key, schemas[key], value);
                    if ("problem" in checked) throw new UpstreamOutputError(checked.problem);
                    return checked.value;
                }),
            ]),
        ) as OutputsOf<S>;
    }

    /**
     * Reads every upstream output that `reads` names and fails, before any resource is registered,
     * with one line per output that is missing or not what its layer declares. Without it, a
     * missing output fails inside every input that uses it, and the runtime spends a minute and
     * more formatting the nested serialization errors of a large input (a dashboard definition)
     * before it reports them. An all-in-one stack builds every layer itself and reads nothing.
     */
    async checkUpstream(reads: readonly (readonly [Layer, OutputSchemas])[]): Promise<void> {
        if (this.target.topology === "all-in-one") return;
        const pending = reads.flatMap(([layer, schemas]) =>
            Object.entries(schemas).map(async ([key, schema]) => {
                this.checked.add(`${layer}.${key}`);
                const details = await this.reference(layer).getOutputDetails(key);
                const checked = this.checkedValue(layer, key, schema, details.value ?? details.secretValue);
                return "problem" in checked ? checked.problem : undefined;
            }),
        );
        const problems = [...new Set((await Promise.all(pending)).filter((problem): problem is string => problem !== undefined))];
        if (problems.length > 0) throw new UpstreamOutputError(problems.join("\n"));
    }

    /** An upstream output's value as its layer's schema reads it, or why it cannot be used. */
    private checkedValue(layer: Layer, key: string, schema: z.ZodType, value: unknown): { value: unknown } | { problem: string } {
        const upstream = layerStackName(this.target.stage, layer);
        if (value === undefined) {
            return {
                problem: `Stack ${upstream} exports no ${key}: it has not been deployed yet, or from older code. Deploy it from this commit first (pulumi up -s ${upstream}), or the whole stage in order with npm run stage -- up ${this.target.stage}.`,
            };
        }
        const parsed = schema.safeParse(value);
        if (!parsed.success) {
            const problem = parsed.error.issues.map((issue) => `${[key, ...issue.path].join(".")}: ${issue.message}`).join("; ");
            return { problem: `Stack ${upstream} exports an unexpected ${key} (${problem}); deploy ${upstream} from this commit first.` };
        }
        return { value: parsed.data };
    }

    private reference(layer: Layer): pulumi.StackReference {
        let reference = this.references.get(layer);
        if (reference === undefined) {
            const organization = this.config.stackReferenceOrg !== "" ? this.config.stackReferenceOrg : pulumi.getOrganization();
            const stack = layerStackName(this.target.stage, layer);
            reference = new pulumi.StackReference(stack, { name: `${organization}/${pulumi.getProject()}/${stack}` });
            this.references.set(layer, reference);
        }
        return reference;
    }
}
