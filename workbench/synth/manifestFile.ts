export { type Manifest, type ManifestResource, SECRET_MASK, SYNTH_ORGANIZATION, UNKNOWN_MASK } from "../../model/manifest";

/** JSON with object keys sorted at every level: the same manifest always has the same bytes. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
        );
    }
    return value;
}
