/**
 * Naming conventions, shared by the program (infra/) and the policy pack (policies/), so a name the
 * program generates is by construction a name the pack accepts. They live in the pack's folder so
 * that `pulumi policy publish` (npm pack of policies/) ships them with the rules.
 */

/** Buckets every stage owns, by purpose. "Data" buckets hold the pipeline's records. */
export const BUCKET_PURPOSES = ["staging", "warehouse", "athena-results", "glue-assets", "access-logs"] as const;
export type BucketPurpose = (typeof BUCKET_PURPOSES)[number];
export const DATA_BUCKET_PURPOSES: readonly BucketPurpose[] = ["staging", "warehouse"];

/**
 * The tag that declares a bucket's role (its purpose, one of BUCKET_PURPOSES) on the bucket itself.
 * SecureBucket sets it; the policy pack decides which requirements a bucket has from it, not from
 * the bucket's name, so a data bucket keeps its requirements whatever it is called.
 */
export const BUCKET_ROLE_TAG = "bucket-role";

export function isBucketPurpose(value: unknown): value is BucketPurpose {
    return typeof value === "string" && (BUCKET_PURPOSES as readonly string[]).includes(value);
}

export interface NamingScope {
    namePrefix: string;
    stage: string;
}

export interface BucketNamingScope extends NamingScope {
    bucketSuffix: string;
}

const DNS_LABEL_PART = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` breaks S3's rules for general purpose bucket names, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) {
        return `must be 3-63 characters long, is ${name.length}`;
    }
    if (!DNS_LABEL_PART.test(name)) {
        return "must use only lowercase letters, digits and hyphens, and start and end with a letter or digit";
    }
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
        return "must not look like an IP address";
    }
    if (name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
        return "must not use a prefix or suffix that S3 reserves";
    }
    return undefined;
}

/** `<prefix>-<stage>-<purpose>-<suffix>`, the convention itself, not yet checked against S3's rules. */
export function conventionalBucketName(scope: BucketNamingScope, purpose: BucketPurpose): string {
    return `${scope.namePrefix}-${scope.stage}-${purpose}-${scope.bucketSuffix}`;
}

/** The conventional bucket name, validated against S3's rules. */
export function bucketName(scope: BucketNamingScope, purpose: BucketPurpose): string {
    const name = conventionalBucketName(scope, purpose);
    const problem = bucketNameProblem(name);
    if (problem !== undefined) {
        throw new Error(`Bucket name "${name}" ${problem}: shorten spotify:namePrefix or spotify:bucketSuffix.`);
    }
    return name;
}

/** The purpose of one of the stage's conventional bucket names, whatever its suffix; undefined for any other name. */
export function bucketPurposeOf(name: string, scope: NamingScope): BucketPurpose | undefined {
    if (bucketNameProblem(name) !== undefined) return undefined;
    const head = `${scope.namePrefix}-${scope.stage}-`;
    // Longest purpose first, should one purpose ever be a prefix of another.
    const purposes = [...BUCKET_PURPOSES].sort((a, b) => b.length - a.length);
    return purposes.find((purpose) => name.startsWith(`${head}${purpose}-`) && name.length > `${head}${purpose}-`.length);
}

/**
 * The purpose a bucket name states by the convention <prefix>-<stage>-<purpose>-<suffix>, for any
 * prefix, stage (STAGE_PATTERN of stacks.ts) and suffix; undefined when the name states none,
 * or could be read as more than one.
 */
export function purposeInBucketName(name: string): BucketPurpose | undefined {
    if (bucketNameProblem(name) !== undefined) return undefined;
    const stated = BUCKET_PURPOSES.filter((purpose) => new RegExp(`^[a-z0-9][a-z0-9-]*-[a-z][a-z0-9]{1,11}-${purpose}-[a-z0-9][a-z0-9-]*$`).test(name));
    return stated.length === 1 ? stated[0] : undefined;
}

/** Whether `name` is one of the stage's conventional bucket names, whatever its suffix. */
export function followsBucketConvention(name: string, scope: NamingScope): boolean {
    return bucketPurposeOf(name, scope) !== undefined;
}

const UNDERSCORED_IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/**
 * `<prefix>_<stage>_<purpose>`, lowercase letters, digits and underscores: the one shape every Glue and
 * Athena identifier allows, so the stage uses it for Glue databases, jobs and connections, the Athena
 * workgroup and the IAM roles alike.
 */
export function underscoredName(scope: NamingScope, purpose: string): string {
    const name = `${scope.namePrefix}_${scope.stage}_${purpose}`.replace(/-/g, "_").toLowerCase();
    if (!UNDERSCORED_IDENTIFIER.test(name) || name.length > 255) {
        throw new Error(`Glue/Athena name "${name}" must be lowercase letters, digits and underscores, at most 255 characters.`);
    }
    return name;
}

/** Whether `name` is a conventional Glue/Athena identifier of the stage. */
export function followsUnderscoredConvention(name: string, scope: NamingScope): boolean {
    const head = `${scope.namePrefix}_${scope.stage}_`.replace(/-/g, "_");
    return UNDERSCORED_IDENTIFIER.test(name) && name.startsWith(head) && name.length > head.length;
}

/** The KMS alias of the stage's data key. */
export function dataKeyAlias(scope: NamingScope): string {
    return `alias/${scope.namePrefix}-${scope.stage}-data`;
}

const QUICKSIGHT_ID = /^[a-z][a-z0-9-]*$/;

/** `<prefix>-<stage>-<purpose>`: QuickSight asset ids (data source, dataset, analysis, dashboard), unique per account and region. */
export function quicksightId(scope: NamingScope, purpose: string): string {
    const id = `${scope.namePrefix}-${scope.stage}-${purpose}`.replace(/_/g, "-").toLowerCase();
    if (!QUICKSIGHT_ID.test(id) || id.length > 512) {
        throw new Error(`QuickSight id "${id}" must be lowercase letters, digits and hyphens, at most 512 characters.`);
    }
    return id;
}
