import { isDeepStrictEqual } from "util";
import type { Manifest, ManifestResource } from "../../workbench/synth/manifestFile";

/**
 * Assertions over a synthesized stack manifest, in the spirit of CDK's Template/Match:
 * count by type, find by type and partial properties, and follow references between resources.
 */

const MATCHER = Symbol("matcher");
interface Matcher {
    [MATCHER]: true;
    describe: string;
    test(actual: unknown): boolean;
}

function matcher(describe: string, test: (actual: unknown) => boolean): Matcher {
    return { [MATCHER]: true, describe, test };
}

function isMatcher(value: unknown): value is Matcher {
    return typeof value === "object" && value !== null && MATCHER in value;
}

/** Whether `actual` satisfies `pattern`: objects match partially, arrays and scalars exactly. */
export function matches(actual: unknown, pattern: unknown): boolean {
    if (isMatcher(pattern)) return pattern.test(actual);
    if (Array.isArray(pattern)) {
        return Array.isArray(actual) && actual.length === pattern.length && pattern.every((item, index) => matches(actual[index], item));
    }
    if (pattern !== null && typeof pattern === "object") {
        if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
        return Object.entries(pattern).every(([key, inner]) => matches((actual as Record<string, unknown>)[key], inner));
    }
    return isDeepStrictEqual(actual, pattern);
}

export const Match = {
    /** Any value but undefined. */
    anyValue: (): Matcher => matcher("any value", (actual) => actual !== undefined),
    /** The key is absent. */
    absent: (): Matcher => matcher("absent", (actual) => actual === undefined),
    /** An array containing items that match each pattern, in any order. */
    arrayWith: (...patterns: unknown[]): Matcher =>
        matcher(
            `array with ${JSON.stringify(patterns)}`,
            (actual) => Array.isArray(actual) && patterns.every((pattern) => actual.some((item) => matches(item, pattern))),
        ),
    /** Exactly equal, with no partial matching of objects. */
    exact: (expected: unknown): Matcher => matcher(`exactly ${JSON.stringify(expected)}`, (actual) => isDeepStrictEqual(actual, expected)),
    stringLikeRegexp: (pattern: RegExp): Matcher => matcher(`string like ${pattern}`, (actual) => typeof actual === "string" && pattern.test(actual)),
    /** A JSON string whose parsed value matches `pattern` (IAM and bucket policies). */
    serializedJson: (pattern: unknown): Matcher =>
        matcher(`JSON matching ${JSON.stringify(pattern)}`, (actual) => {
            if (typeof actual !== "string") return false;
            try {
                return matches(JSON.parse(actual), pattern);
            } catch {
                return false;
            }
        }),
};

export class Template {
    constructor(public readonly manifest: Manifest) {}

    get resources(): ManifestResource[] {
        return this.manifest.resources;
    }

    /** Resources of `type` whose inputs match `inputs` (partially). */
    findResources(type: string, inputs: unknown = {}): ManifestResource[] {
        return this.resources.filter((resource) => resource.type === type && matches(resource.inputs, inputs));
    }

    resourceCountIs(type: string, count: number): void {
        const found = this.findResources(type).length;
        if (found !== count) {
            throw new Error(`${this.manifest.stack}: expected ${count} ${type}, found ${found}`);
        }
    }

    /** Fails unless some resource of `type` has inputs matching `inputs`. */
    hasResourceProperties(type: string, inputs: unknown): ManifestResource {
        const found = this.findResources(type, inputs);
        if (found.length === 0) {
            const candidates = this.findResources(type).map((resource) => `  ${resource.name}: ${JSON.stringify(resource.inputs)}`);
            throw new Error(`${this.manifest.stack}: no ${type} matches ${JSON.stringify(inputs)}; candidates:\n${candidates.join("\n")}`);
        }
        return found[0];
    }

    /** The one resource of `type` named `name`. */
    resource(type: string, name: string): ManifestResource {
        const found = this.resources.filter((resource) => resource.type === type && resource.name === name);
        if (found.length !== 1) throw new Error(`${this.manifest.stack}: expected one ${type} named ${name}, found ${found.length}`);
        return found[0];
    }

    byUrn(urn: string): ManifestResource {
        const found = this.resources.find((resource) => resource.urn === urn);
        if (found === undefined) throw new Error(`${this.manifest.stack}: no resource ${urn}`);
        return found;
    }

    /** The resources that `resource`'s input `property` was computed from (its property dependencies). */
    follow(resource: ManifestResource, property: string): ManifestResource[] {
        return (resource.propertyDependencies[property] ?? []).map((urn) => this.byUrn(urn));
    }

    /** Resources of `type` whose input `property` was computed from `target`. */
    referencing(target: ManifestResource, type: string, property: string): ManifestResource[] {
        return this.findResources(type).filter((resource) => (resource.propertyDependencies[property] ?? []).includes(target.urn));
    }

    /** Resources whose parent is `parent`. */
    childrenOf(parent: ManifestResource): ManifestResource[] {
        return this.resources.filter((resource) => resource.parent === parent.urn);
    }

    /** The children of `parent` as "<type> <name>", sorted: what a component declares directly, at a glance. */
    childNames(parent: ManifestResource): string[] {
        return this.childrenOf(parent)
            .map((resource) => `${resource.type} ${resource.name}`)
            .sort();
    }
}
