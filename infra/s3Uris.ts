/** An S3 bucket name as S3 allows it (3-63 lowercase letters, digits, dots and hyphens), then the key. */
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(.*)$/;

/**
 * Why `value`, given as a plain string, is not an `s3://<bucket>/<key prefix>/` folder (a prefix
 * ending in "/", or the bucket's root), or undefined. An Output is known only once its resource
 * exists, so only a plain string is checked.
 */
export function s3FolderProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const key = S3_URI.exec(value)?.[1];
    return key !== undefined && (key === "" || key.endsWith("/")) ? undefined : `must be an s3://<bucket>/ folder ending in "/", got ${JSON.stringify(value)}`;
}

/** Why `value`, given as a plain string, is not an `s3://<bucket>/<key>` object, or undefined (an Output is not checked). */
export function s3ObjectProblem(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const key = S3_URI.exec(value)?.[1];
    return key !== undefined && key !== "" && !key.endsWith("/") ? undefined : `must be an s3://<bucket>/<key> object, got ${JSON.stringify(value)}`;
}

/** A key prefix of a bucket: not empty, no leading "/", ending in "/". */
const KEY_PREFIX = /^[^/].*\/$/;

/** Why `prefix` is not a key prefix ending in "/" (as "scripts/"), or undefined. */
export function keyPrefixProblem(prefix: string): string | undefined {
    return KEY_PREFIX.test(prefix) ? undefined : `must be a key prefix ending in "/", without a leading "/" (as "scripts/"), got ${JSON.stringify(prefix)}`;
}
