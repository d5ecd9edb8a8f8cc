/**
 * Wildcards in IAM policy language, in every form, recognised in one place: every rule that asks
 * "does this statement allow action X?" or "is this resource everything of a kind?" asks here.
 *
 * - Actions: "*" and "*:*" (every action), "iam:*" (every action of a service), "s3:Put*" (some
 *   actions of a service). IAM matches actions case-insensitively with "*" and "?" as globs.
 * - Resources: "*" (everything), an ARN whose service, account or region is "*" (every account or
 *   region), and an ARN whose resource part is only wildcards after its type: "arn:aws:s3:::*",
 *   "arn:aws:s3:::*\/*", "arn:aws:iam::<account>:role/*", "arn:aws:glue:<region>:<account>:table/*\/*".
 *   A pattern that keeps a fixed name ("table/<database>/*", "<bucket>/tracks/*") is scoped.
 */

const globCache = new Map<string, RegExp>();

/** IAM's glob: "*" any run of characters, "?" one character, case-insensitive. */
export function globMatches(pattern: string, value: string): boolean {
    let regex = globCache.get(pattern);
    if (regex === undefined) {
        const body = pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".");
        regex = new RegExp(`^${body}$`, "i");
        globCache.set(pattern, regex);
    }
    return regex.test(value);
}

export type ActionWildcard =
    /** "*" or "*:*": every action of every service. */
    | { kind: "all" }
    /** "<service>:*": every action of one service. */
    | { kind: "service"; service: string }
    /** "<service>:Get*" and the like: the actions of a service that match the pattern. */
    | { kind: "partial"; service: string };

/** How much of IAM an action pattern covers; undefined for a single action. */
export function actionWildcard(action: string): ActionWildcard | undefined {
    if (!/[*?]/.test(action)) return undefined;
    const separator = action.indexOf(":");
    const service = separator < 0 ? "*" : action.slice(0, separator);
    const name = separator < 0 ? action : action.slice(separator + 1);
    if (/[*?]/.test(service)) return { kind: "all" };
    if (/^\*+$/.test(name)) return { kind: "service", service: service.toLowerCase() };
    return { kind: "partial", service: service.toLowerCase() };
}

/** The action patterns (or single actions) that grant every action, or every action of a service: "*", "*:*", "iam:*". */
export function isBroadAction(action: string): boolean {
    const wildcard = actionWildcard(action);
    return wildcard !== undefined && wildcard.kind !== "partial";
}

/** An ARN's parts; the resource part keeps its own separators. Undefined for anything that is not an ARN. */
export interface Arn {
    partition: string;
    service: string;
    region: string;
    account: string;
    resource: string;
}

export function parseArn(value: string): Arn | undefined {
    const parts = value.split(":");
    if (parts.length < 6 || parts[0] !== "arn") return undefined;
    return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

/** Services whose ARNs name the resource without a type first: "arn:aws:s3:::<bucket>/<key>". */
const UNTYPED_RESOURCE_SERVICES = new Set(["s3"]);

/**
 * Why a Resource value matches everything of a kind, or undefined when it names something specific:
 * "everything" for "*", otherwise a short description such as "every s3 resource" or "every iam role".
 */
export function resourceWildcard(resource: string): string | undefined {
    if (/^\*+$/.test(resource)) return "everything";
    const arn = parseArn(resource);
    if (arn === undefined) return /^[*?]/.test(resource) ? "everything" : undefined;
    if (/[*?]/.test(arn.partition) || /[*?]/.test(arn.service)) return "every service";
    if (arn.account.includes("*")) return "every account";
    const segments = arn.resource.split(/[/:]/);
    const onlyWildcards = (parts: string[]) => parts.length > 0 && parts.every((part) => /^\*+$/.test(part));
    if (UNTYPED_RESOURCE_SERVICES.has(arn.service.toLowerCase())) {
        // The first segment is the bucket: "*" there is every bucket, whatever follows.
        return /^\*+$/.test(segments[0]) ? `every ${arn.service} bucket` : undefined;
    }
    if (onlyWildcards(segments)) return `every ${arn.service} resource`;
    const [type, ...rest] = segments;
    return onlyWildcards(rest) ? `every ${arn.service} ${type}` : undefined;
}
