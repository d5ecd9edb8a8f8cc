/**
 * One stack's operation as the stage driver runs it: through Pulumi's Automation API
 * (LocalWorkspace over the repository's project, Stack.up/preview/refresh/destroy with onOutput and
 * onEvent), the same online and offline. The driver prints the equivalent CLI command first, so a
 * reader sees what ran.
 */
import { CommandError, EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { REPO_ROOT } from "../../model/repository";

export const OPERATIONS = ["preview", "up", "destroy", "refresh"] as const;
export type Operation = (typeof OPERATIONS)[number];

export class UsageError extends Error {}

/** The pulumi options the driver passes on from after "--", as the Automation API takes them. */
export interface PulumiOptions {
    diff?: boolean;
    expectNoChanges?: boolean;
    refresh?: boolean;
    previewOnly?: boolean;
    color?: "always" | "never" | "raw" | "auto";
    parallel?: number;
    target?: string[];
    message?: string;
}

/** Options every Automation run implies: it never prompts and always answers yes. */
const IMPLIED = ["--yes", "-y", "--non-interactive", "--skip-preview", "-f"];
const FLAGS: Record<string, { key: keyof PulumiOptions; operations: readonly Operation[] }> = {
    "--diff": { key: "diff", operations: ["preview", "up"] },
    "--expect-no-changes": { key: "expectNoChanges", operations: ["preview", "up", "destroy", "refresh"] },
    "--refresh": { key: "refresh", operations: ["preview", "up", "destroy"] },
    "--preview-only": { key: "previewOnly", operations: ["refresh", "destroy"] },
};
const VALUED: Record<string, keyof PulumiOptions> = {
    "--color": "color",
    "--parallel": "parallel",
    "-p": "parallel",
    "--target": "target",
    "-t": "target",
    "--message": "message",
    "-m": "message",
};
const COLORS = ["always", "never", "raw", "auto"];

/** Reads the pulumi options after "--"; one the driver does not pass on is a UsageError that lists those it does. */
export function pulumiOptions(args: readonly string[], operation: Operation): PulumiOptions {
    const options: PulumiOptions = {};
    for (let index = 0; index < args.length; index++) {
        const [name, inline] = args[index].includes("=")
            ? [args[index].slice(0, args[index].indexOf("=")), args[index].slice(args[index].indexOf("=") + 1)]
            : [args[index], undefined];
        if (IMPLIED.includes(name)) continue;
        const flag = FLAGS[name];
        if (flag !== undefined) {
            if (!flag.operations.includes(operation)) throw new UsageError(`${name} is not an option of pulumi ${operation}`);
            Object.assign(options, { [flag.key]: true });
            continue;
        }
        const key = VALUED[name];
        if (key === undefined) {
            throw new UsageError(
                `pulumi option ${name} is not one the driver passes on (it runs pulumi through the Automation API, always non-interactive and with --yes): ` +
                    `it takes ${[...Object.keys(FLAGS), ...Object.keys(VALUED).filter((option) => option.startsWith("--"))].join(", ")}`,
            );
        }
        const value = inline ?? args[++index];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        if (key === "color" && !COLORS.includes(value)) throw new UsageError(`--color takes ${COLORS.join(", ")}, got ${value}`);
        if (key === "parallel" && !/^\d+$/.test(value)) throw new UsageError(`--parallel takes a whole number, got ${value}`);
        if (key === "target") options.target = [...(options.target ?? []), value];
        else if (key === "parallel") options.parallel = Number(value);
        else Object.assign(options, { [key]: value });
    }
    return options;
}

/** What one stack's operation needs: its stack, the stage file, the pack and the plan files. */
export interface StackOperation {
    operation: Operation;
    /** The stack's name as the backend knows it (`<org>/<stack>` when the stage names an organization). */
    stack: string;
    configFile: string;
    policyPacks: string[];
    policyPackConfigs: string[];
    /** preview: where to save the update plan. */
    savePlan?: string;
    /** up: the plan to apply exactly. */
    plan?: string;
    /** Create the stack when it is missing: up does, and so does the preview that plans an up (--plan-each). */
    create?: boolean;
    pulumi: PulumiOptions;
}

/** The equivalent CLI command of an operation, as the driver prints it. */
export function cliCommand(operation: StackOperation): string[] {
    const { pulumi } = operation;
    const flags = [
        ...(pulumi.diff === true ? ["--diff"] : []),
        ...(pulumi.expectNoChanges === true ? ["--expect-no-changes"] : []),
        ...(pulumi.refresh === true ? ["--refresh"] : []),
        ...(pulumi.previewOnly === true ? ["--preview-only"] : []),
        ...(pulumi.parallel !== undefined ? ["--parallel", String(pulumi.parallel)] : []),
        ...(pulumi.target ?? []).flatMap((urn) => ["--target", urn]),
        ...(pulumi.message !== undefined ? ["--message", pulumi.message] : []),
        ...(pulumi.color !== undefined ? ["--color", pulumi.color] : []),
    ];
    return [
        "pulumi",
        operation.operation,
        "--stack",
        operation.stack,
        "--config-file",
        operation.configFile,
        ...operation.policyPacks.flatMap((pack) => ["--policy-pack", pack]),
        ...operation.policyPackConfigs.flatMap((config) => ["--policy-pack-config", config]),
        ...(operation.savePlan !== undefined ? ["--save-plan", operation.savePlan] : []),
        ...(operation.plan !== undefined ? ["--plan", operation.plan] : []),
        ...flags,
    ];
}

export interface OperationResult {
    code: number;
    output: string;
    events: EngineEvent[];
}

/** The repository's project as an Automation API workspace, with the CLI on PATH. */
export async function projectWorkspace(): Promise<LocalWorkspace> {
    return LocalWorkspace.create({ workDir: REPO_ROOT, pulumiCommand: await PulumiCommand.get() });
}

/** Short names of the stacks among `names` (`stack`, `org/stack` or `org/project/stack`), only `organization`'s when given. */
export function shortStackNames(names: readonly string[], organization: string | undefined): Set<string> {
    return new Set(names.filter((name) => organization === undefined || name.startsWith(`${organization}/`)).map((name) => name.split("/").pop() ?? ""));
}

/** Short names of the project's stacks in the backend. */
export async function backendStacks(workspace: LocalWorkspace, organization: string | undefined): Promise<Set<string>> {
    const stacks = await workspace.listStacks(organization === undefined ? undefined : { all: true });
    return shortStackNames(
        stacks.map((summary) => summary.name),
        organization,
    );
}

/**
 * Runs one stack's operation; up creates the stack when it is missing, the others select it. The
 * engine's output goes to stdout as it comes and its events to the result; a failed run gives the
 * CLI's exit code.
 */
export async function runOperation(workspace: LocalWorkspace, operation: StackOperation): Promise<OperationResult> {
    const chunks: string[] = [];
    const events: EngineEvent[] = [];
    const common = {
        configFile: operation.configFile,
        color: operation.pulumi.color,
        onOutput: (text: string) => {
            chunks.push(text);
            process.stdout.write(text);
        },
        onError: (text: string) => process.stderr.write(text),
        onEvent: (event: EngineEvent) => events.push(event),
    };
    const { pulumi } = operation;
    try {
        const stack = operation.create === true ? await Stack.createOrSelect(operation.stack, workspace) : await Stack.select(operation.stack, workspace);
        switch (operation.operation) {
            case "up":
            case "preview": {
                const withPack = { ...common, ...pick(pulumi), policyPacks: operation.policyPacks, policyPackConfigs: operation.policyPackConfigs };
                // up applies a plan, preview saves one: the Automation API names both `plan`.
                if (operation.operation === "up") await stack.up({ ...withPack, plan: operation.plan });
                else await stack.preview({ ...withPack, plan: operation.savePlan });
                break;
            }
            case "refresh":
                await stack.refresh({
                    ...common,
                    expectNoChanges: pulumi.expectNoChanges,
                    previewOnly: pulumi.previewOnly,
                    parallel: pulumi.parallel,
                    target: pulumi.target,
                    message: pulumi.message,
                });
                break;
            case "destroy":
                await stack.destroy({
                    ...common,
                    refresh: pulumi.refresh,
                    previewOnly: pulumi.previewOnly,
                    parallel: pulumi.parallel,
                    target: pulumi.target,
                    message: pulumi.message,
                });
                break;
        }
        return { code: 0, output: chunks.join(""), events };
    } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        return { code: exitCodeOf(error), output: chunks.join(""), events };
    }
}

/**
 * The CLI's exit code from a CommandError, which carries it only in its text: "code: N" when the
 * CLI exited non-zero on its own, or, where the process runner gave up on it first (code -2),
 * in the runner's "Command failed with exit code N".
 */
export function exitCodeOf(error: CommandError): number {
    const failed = /Command failed with exit code (\d+)/.exec(error.message);
    const code = Number(failed?.[1] ?? /^code: (-?\d+)/m.exec(error.message)?.[1] ?? 1);
    return code > 0 ? code : 1;
}

function pick(pulumi: PulumiOptions) {
    return {
        diff: pulumi.diff,
        expectNoChanges: pulumi.expectNoChanges,
        refresh: pulumi.refresh,
        parallel: pulumi.parallel,
        target: pulumi.target,
        message: pulumi.message,
    };
}
