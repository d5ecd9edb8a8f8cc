/** Tags every taggable resource carries; the policy pack checks the same list. */
export const REQUIRED_TAG_KEYS = ["project", "stage", "layer", "owner", "cost-center", "data-classification"] as const;
export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];

export interface TagScope {
    /** The Pulumi project (Pulumi.yaml's name; pulumi.getProject() in the program): the `project` tag. */
    project: string;
    stage: string;
    owner: string;
    costCenter: string;
    dataClassification: string;
}

/** The required tags for one layer of a stage. */
export function layerTags(scope: TagScope, layer: string): Record<RequiredTagKey, string> {
    return {
        project: scope.project,
        stage: scope.stage,
        layer,
        owner: scope.owner,
        "cost-center": scope.costCenter,
        "data-classification": scope.dataClassification,
    };
}

/** The required tag keys missing from `tags` (an absent map misses all of them). */
export function missingRequiredTags(tags: Record<string, unknown> | undefined): RequiredTagKey[] {
    return REQUIRED_TAG_KEYS.filter((key) => typeof tags?.[key] !== "string" || tags[key] === "");
}
