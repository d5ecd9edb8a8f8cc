import type { Policies } from "@pulumi/policy";
import { LAYERS, resolveStack } from "../model/stacks";
import { missingRequiredTags, REQUIRED_TAG_KEYS } from "../model/tags";
import { resourceGuardrail, ResourceView } from "../support/guardrail";
import { ScopeConfig, scopedSchema } from "../support/scope";
import { asList, at, isRecord, isUnknown, jsonDocument, Unknown, UNKNOWN } from "../support/values";

/**
 * Required tags. The program sets them through the aws provider's defaultTags, not per resource, so a
 * resource complies when its own tags together with its provider's defaultTags.tags carry every
 * required key.
 *
 * Which resources are taggable: the providers expose no schema at runtime, so the pack combines a
 * curated list of the taggable types this project uses or is expected to use (a test checks each
 * aws entry really has a `tags` input) with "any resource that sets a tags input". A taggable type
 * missing from the list and declared without tags goes unchecked: add it here.
 */
export const TAGGABLE_TYPES: readonly string[] = [
    "aws:athena/dataCatalog:DataCatalog",
    "aws:athena/workgroup:Workgroup",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:glue/connection:Connection",
    "aws:glue/crawler:Crawler",
    "aws:glue/dataQualityRuleset:DataQualityRuleset",
    "aws:glue/job:Job",
    "aws:glue/trigger:Trigger",
    "aws:glue/workflow:Workflow",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:kms/key:Key",
    "aws:lambda/function:Function",
    "aws:quicksight/analysis:Analysis",
    "aws:quicksight/dashboard:Dashboard",
    "aws:quicksight/dataSet:DataSet",
    "aws:quicksight/dataSource:DataSource",
    "aws:quicksight/folder:Folder",
    "aws:quicksight/template:Template",
    "aws:quicksight/theme:Theme",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/bucketV2:BucketV2",
    "aws:secretsmanager/secret:Secret",
    "aws:sns/topic:Topic",
    "aws:sqs/queue:Queue",
    "aws-native:quicksight:Analysis",
    "aws-native:quicksight:Dashboard",
    "aws-native:quicksight:DataSet",
    "aws-native:quicksight:DataSource",
    "aws-native:quicksight:Template",
    "aws-native:quicksight:Theme",
];

/**
 * Tags as a map, from the aws shape ({key: value}) or the aws-native one ([{key, value}]). Unknown
 * values count as set ("(known after preview)"), or stay UNKNOWN with `keepUnknown`.
 */
function tagMap(tags: unknown, keepUnknown = false): Record<string, unknown> | Unknown {
    if (isUnknown(tags)) return UNKNOWN;
    const entries: [unknown, unknown][] = Array.isArray(tags)
        ? asList(tags).map((tag) => [at(tag, "key"), at(tag, "value")])
        : Object.entries(isRecord(tags) ? tags : {});
    return Object.fromEntries(
        entries
            .filter((entry): entry is [string, unknown] => typeof entry[0] === "string")
            .map(([key, value]) => [key, isUnknown(value) && !keepUnknown ? "(known after preview)" : value]),
    );
}

/** The provider's defaultTags.tags; providers receive nested settings as JSON text. */
function providerDefaultTags(resource: ResourceView, keepUnknown = false): Record<string, unknown> | Unknown {
    const defaults = jsonDocument(resource.provider?.props.defaultTags);
    return defaults === undefined ? {} : isUnknown(defaults) ? UNKNOWN : tagMap(defaults.tags, keepUnknown);
}

const isTaggable = (resource: ResourceView) => TAGGABLE_TYPES.includes(resource.type) || resource.props.tags !== undefined;

function providerLabel(resource: ResourceView): string {
    return resource.provider === undefined ? "no provider defaultTags" : `provider ${resource.provider.urn.split("::").pop()}'s defaultTags`;
}

/** AWS's tag limits (Tagging AWS resources, "Tag naming limits and requirements"). */
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** What is wrong with one tag's key or value by AWS's rules (and this project's: no empty values). */
function tagFormatProblem(key: string, value: unknown): string | undefined {
    if (key.length === 0 || key.length > TAG_KEY_MAX) return `tag key "${key.slice(0, 40)}" must be 1-${TAG_KEY_MAX} characters, is ${key.length}`;
    if (!TAG_CHARACTERS.test(key)) return `tag key "${key}" uses characters AWS does not allow (letters, digits, spaces and _ . : / = + - @ only)`;
    if (key.toLowerCase().startsWith("aws:")) return `tag key "${key}" uses the prefix aws:, which AWS reserves`;
    if (isUnknown(value)) return undefined;
    if (typeof value !== "string") return `tag ${key} is ${JSON.stringify(value)}, not a string`;
    if (value.trim() === "") return `tag ${key} is empty`;
    if (value.length > TAG_VALUE_MAX) return `tag ${key} is ${value.length} characters long; AWS allows ${TAG_VALUE_MAX}`;
    if (!TAG_CHARACTERS.test(value)) return `tag ${key} is "${value}", with characters AWS does not allow (letters, digits, spaces and _ . : / = + - @ only)`;
    return undefined;
}

/** The Pulumi project a resource belongs to, as its URN names it (urn:pulumi:<stack>::<project>::...). */
function projectOf(urn: string): string | undefined {
    return urn.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[1] : undefined;
}

/** The layer of the stack `urn` belongs to, in a layer stack; undefined for the all-in-one stack or a foreign stack name. */
function stackLayer(urn: string): string | undefined {
    try {
        const target = resolveStack(urn.slice("urn:pulumi:".length).split("::")[0]);
        return target.topology === "layer" ? target.layers[0] : undefined;
    } catch {
        return undefined;
    }
}

export const tagPolicies: Policies = [
    resourceGuardrail({
        name: "required-tags",
        description: `Every taggable resource carries the tags ${REQUIRED_TAG_KEYS.join(", ")}, set on the resource or by its provider's defaultTags.`,
        severity: "medium",
        remediation:
            "Create the resource with the layer's provider (infra/program.ts sets defaultTags from layerTags), or set the missing tags on it; for providers without defaultTags, set tags explicitly.",
        appliesTo: isTaggable,
        check: (resource, report) => {
            const own = tagMap(resource.props.tags);
            const defaults = providerDefaultTags(resource);
            if (isUnknown(own) || isUnknown(defaults)) return;
            const missing = missingRequiredTags({ ...defaults, ...own });
            if (missing.length > 0) {
                report(`Missing required tags ${missing.join(", ")} (checked the resource's tags and ${providerLabel(resource)}).`);
            }
        },
    }),
    resourceGuardrail<ScopeConfig>({
        name: "tag-values",
        description: `Tag values are right, not only present: stage is the stage being checked, layer one of ${LAYERS.join(", ")} (in a layer stack, that stack's layer), project the stack's Pulumi project (its resources' URNs name it), and every tag key and value is non-empty, within AWS's limits (keys ${TAG_KEY_MAX}, values ${TAG_VALUE_MAX} characters; letters, digits, spaces and _ . : / = + - @) and outside the reserved aws: prefix.`,
        severity: "medium",
        remediation:
            "Set the tags through the layer's provider (infra/program.ts sets defaultTags from layerTags and the stage config) rather than by hand, and fix or shorten the tag the message names.",
        configSchema: scopedSchema(),
        appliesTo: isTaggable,
        check: (resource, report, { stage }) => {
            const own = tagMap(resource.props.tags, true);
            const defaults = providerDefaultTags(resource, true);
            if (isUnknown(own) || isUnknown(defaults)) return;
            const tags = { ...defaults, ...own };
            const problems = Object.entries(tags).flatMap(([key, value]) => tagFormatProblem(key, value) ?? []);
            const known = (key: string) => (typeof tags[key] === "string" && tags[key] !== "" ? tags[key] : undefined);
            const stageTag = known("stage");
            if (stageTag !== undefined && stageTag !== stage) problems.push(`tag stage is "${stageTag}", but this is stage ${stage}`);
            const layerTag = known("layer");
            const expectedLayer = stackLayer(resource.urn);
            if (layerTag !== undefined && !(LAYERS as readonly string[]).includes(layerTag)) {
                problems.push(`tag layer is "${layerTag}", which is not a layer (${LAYERS.join(", ")})`);
            } else if (layerTag !== undefined && expectedLayer !== undefined && layerTag !== expectedLayer) {
                problems.push(`tag layer is "${layerTag}", but the resource belongs to the ${expectedLayer} layer's stack`);
            }
            const projectTag = known("project");
            const project = projectOf(resource.urn);
            if (projectTag !== undefined && project !== undefined && projectTag !== project) problems.push(`tag project is "${projectTag}", not "${project}"`);
            for (const problem of problems)
                report(`${problem[0].toUpperCase()}${problem.slice(1)} (checked the resource's tags and ${providerLabel(resource)}).`);
        },
    }),
];
