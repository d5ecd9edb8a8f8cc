import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";
import { rejectArgProblems } from "../componentArgs";
import { keyPrefixProblem } from "../s3Uris";

/** One file of an upload: its name in the object (the archive path for a package) and its repository-relative path. */
export interface UploadEntry {
    name: string;
    source: string;
}

/**
 * What an upload holds: one repository file (uploaded as is), or chosen files of a Python package
 * directory (uploaded as a zip that imports as the package). Paths are repository-relative.
 */
export type UploadSource = string | { package: string; files: readonly string[] };

function isPackage(source: UploadSource): source is { package: string; files: readonly string[] } {
    return typeof source !== "string";
}

/**
 * The entries of `source`, sorted by name: a file is one entry named by its base name; a package's
 * files are named `<package>/<path>` so the zip imports as the package.
 */
export function uploadEntries(source: UploadSource, root: string = REPO_ROOT): UploadEntry[] {
    if (!isPackage(source)) {
        return [{ name: path.basename(source), source }];
    }
    const entries = source.files.map((file) => {
        if (!file.startsWith(`${source.package}/`)) throw new Error(`${file} is not below the package ${source.package} it is uploaded with.`);
        if (!fs.statSync(path.join(root, file), { throwIfNoEntry: false })?.isFile())
            throw new Error(`${file} (uploaded with ${source.package}) is not a file.`);
        return { name: path.posix.relative(path.posix.dirname(source.package), file), source: file };
    });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * sha256 over every entry's name, size and bytes in name order: any changed byte, renamed, added or
 * removed file gives another hash, and the same files give the same hash on every machine.
 */
export function contentHash(entries: readonly UploadEntry[], root: string = REPO_ROOT): string {
    const hash = createHash("sha256");
    for (const entry of entries) {
        const bytes = fs.readFileSync(path.join(root, entry.source));
        hash.update(`${entry.name}\u0000${bytes.length}\u0000`).update(bytes);
    }
    return hash.digest("hex");
}

/** Hex digits of the content hash in the key: 64 bits, plenty to tell one release of a file from another. */
const HASH_DIGITS = 16;

/** The object key of an upload: `<prefix><hash>/<file>`, so new content is a new key. */
export function contentAddressedKey(prefix: string, source: UploadSource, root: string = REPO_ROOT): string {
    const fileName = isPackage(source) ? `${path.posix.basename(source.package)}.zip` : path.basename(source);
    return `${prefix}${contentHash(uploadEntries(source, root), root).slice(0, HASH_DIGITS)}/${fileName}`;
}

export interface ContentAddressedObjectArgs {
    /** The bucket the object goes to. */
    readonly bucket: pulumi.Input<string>;
    /** Key prefix, ending in "/": the object's key is `<prefix><content hash>/<file name>`. */
    readonly prefix: string;
    readonly source: UploadSource;
}

/** Why `source` cannot be uploaded: a path that is not repository-relative, a missing file, or a package file that is not one. */
function sourceProblem(source: UploadSource): string | undefined {
    const paths = isPackage(source) ? [source.package, ...source.files] : [source];
    const absolute = paths.find((file) => path.isAbsolute(file) || file.split(/[\\/]/).includes(".."));
    if (absolute !== undefined) return `${absolute} must be a path inside the repository, relative to its root`;
    if (!isPackage(source)) {
        return fs.statSync(path.join(REPO_ROOT, source), { throwIfNoEntry: false })?.isFile() ? undefined : `${source} is not a file of the repository`;
    }
    if (source.files.length === 0) return `package ${source.package} lists no files to upload`;
    try {
        uploadEntries(source);
        return undefined;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
}

/**
 * Throws an error naming every arg of a ContentAddressedObject that would not upload: a prefix
 * that is not a key prefix ending in "/", a source path outside the repository, a source file that
 * does not exist, or a package without files or with files outside it.
 */
export function validateContentAddressedObjectArgs(args: ContentAddressedObjectArgs): void {
    rejectArgProblems("ContentAddressedObjectArgs", { prefix: keyPrefixProblem(args.prefix), source: sourceProblem(args.source) });
}

/**
 * A repository file or package uploaded under a key derived from its content. Whatever reads it by
 * key (a Glue job's script location) changes when the content changes, so a code change always
 * redeploys, and an unchanged tree gives an identical key and manifest.
 */
export class ContentAddressedObject extends pulumi.ComponentResource {
    public readonly key: string;
    /** `s3://<bucket>/<key>`, known once the object is uploaded. */
    public readonly s3Uri: pulumi.Output<string>;

    constructor(name: string, args: ContentAddressedObjectArgs, opts?: pulumi.ComponentResourceOptions) {
        validateContentAddressedObjectArgs(args);
        super("spotify:storage:ContentAddressedObject", name, {}, opts);
        this.key = contentAddressedKey(args.prefix, args.source);
        const entries = uploadEntries(args.source);
        // Relative to the working directory, which is where the engine resolves asset paths: the
        // repository root for synthesis (repo-relative paths in manifests), infra/ under the CLI.
        const asset = (entry: UploadEntry) => new pulumi.asset.FileAsset(path.relative(process.cwd(), path.join(REPO_ROOT, entry.source)));
        const object = new aws.s3.BucketObjectv2(
            name,
            {
                bucket: args.bucket,
                key: this.key,
                // The engine zips an archive with sorted names and fixed timestamps: the same files, the same bytes.
                source: isPackage(args.source)
                    ? new pulumi.asset.AssetArchive(Object.fromEntries(entries.map((entry) => [entry.name, asset(entry)])))
                    : asset(entries[0]),
            },
            { parent: this },
        );
        this.s3Uri = pulumi.interpolate`s3://${object.bucket}/${object.key}`;
        this.registerOutputs({ key: this.key, s3Uri: this.s3Uri });
    }
}
