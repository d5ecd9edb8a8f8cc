import type { Policies } from "@pulumi/policy";
import { missingRequiredTags, REQUIRED_TAG_KEYS } from "../../infra/tags";
import { resourceGuardrail, ResourceView } from "../support/guardrail";
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

/** Tags as a map, from the aws shape ({key: value}) or the aws-native one ([{key, value}]); unknown values count as set. */
function tagMap(tags: unknown): Record<string, unknown> | Unknown {
    if (isUnknown(tags)) return UNKNOWN;
    const entries = Array.isArray(tags) ? asList(tags).map((tag) => [at(tag, "key"), at(tag, "value")]) : Object.entries(isRecord(tags) ? tags : {});
    return Object.fromEntries(entries.filter(([key]) => typeof key === "string").map(([key, value]) => [key, isUnknown(value) ? "(known after preview)" : value]));
}

/** The provider's defaultTags.tags; providers receive nested settings as JSON text. */
function providerDefaultTags(resource: ResourceView): Record<string, unknown> | Unknown {
    const defaults = jsonDocument(resource.provider?.props.defaultTags);
    return defaults === undefined ? {} : isUnknown(defaults) ? UNKNOWN : tagMap(defaults.tags);
}

export const tagPolicies: Policies = [
    resourceGuardrail({
        name: "required-tags",
        description: `Every taggable resource carries the tags ${REQUIRED_TAG_KEYS.join(", ")}, set on the resource or by its provider's defaultTags.`,
        severity: "medium",
        remediation: "Create the resource with the layer's provider (infra/program.ts sets defaultTags from layerTags), or set the missing tags on it; for providers without defaultTags, set tags explicitly.",
        appliesTo: (resource) => TAGGABLE_TYPES.includes(resource.type) || resource.props.tags !== undefined,
        check: (resource, report) => {
            const own = tagMap(resource.props.tags);
            const defaults = providerDefaultTags(resource);
            if (isUnknown(own) || isUnknown(defaults)) return;
            const missing = missingRequiredTags({ ...defaults, ...own });
            if (missing.length > 0) {
                const provider = resource.provider === undefined ? "no provider defaultTags" : `provider ${resource.provider.urn.split("::").pop()}'s defaultTags`;
                report(`Missing required tags ${missing.join(", ")} (checked the resource's tags and ${provider}).`);
            }
        },
    }),
];
