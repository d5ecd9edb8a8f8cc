import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import type { AwsLocation } from "../../infra/awsLocation";
import type { EtlStorageInputs } from "../../infra/layers/etl";
import { parseStageConfig, StageConfig } from "../../model/stageConfig";
import { stagePlan, StagePlan } from "../../model/stagePlan";
import { readStageConfigFile } from "../../ops/stageFile";

/**
 * What the component specs hand a component in place of its upstream, shared so that each spec
 * states only what it tests. The values are deliberately not a real stage's: a component must
 * build from what it is given, never from names of its own.
 */

/** The stage the stand-alone components are declared for. */
export const QA_PLAN: StagePlan = stagePlan({ namePrefix: "acme", stage: "qa", bucketSuffix: "42" });

/** Where the stand-alone components are declared: the fake cloud's account. */
export const QA_LOCATION: AwsLocation = { partition: "aws", region: "eu-west-1", accountId: FAKE_ACCOUNT_ID };

/** The storage layer's data key, as a component receives its ARN. */
export const DATA_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/data";

/** The storage layer's outputs the etl layer reads, as plain values. */
export const STORAGE_FOR_ETL = {
    dataKeyArn: DATA_KEY_ARN,
    stagingBucketArn: "arn:aws:s3:::staging",
    stagingPrefix: "s3://staging/",
    warehouseBucketName: "warehouse",
    warehouseBucketArn: "arn:aws:s3:::warehouse",
    warehousePrefix: "s3://warehouse/tracks/",
    rejectedPrefix: "s3://warehouse/rejected/",
    glueAssetsBucketName: "assets",
    glueAssetsBucketArn: "arn:aws:s3:::assets",
} as const;

/** The same, as the outputs of a storage stack. */
export function storageOutputsForEtl(): EtlStorageInputs {
    return Object.fromEntries(Object.entries(STORAGE_FOR_ETL).map(([key, value]) => [key, pulumi.output(value)])) as EtlStorageInputs;
}

/** The dev stage file, parsed: the layers' specs declare a layer for a real stage's settings. */
export const DEV_CONFIG: StageConfig = parseStageConfig(readStageConfigFile("dev"), "dev");

/** An account other than the fake cloud's, so a spec can tell what a component builds from its args. */
export const OTHER_ACCOUNT_ID = "210987654321";

/** The qa stage with the conventional bucket suffix, that account's id. */
export const OTHER_ACCOUNT_PLAN: StagePlan = stagePlan({ namePrefix: "acme", stage: "qa", bucketSuffix: OTHER_ACCOUNT_ID });
