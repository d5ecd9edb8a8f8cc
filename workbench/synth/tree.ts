import { Manifest, ManifestResource } from "./manifestFile";

/** A `pulumi preview`-style tree of the stack, then counts per resource type. */
export function renderPreview(manifest: Manifest): string {
    const children = new Map<string | null, ManifestResource[]>();
    for (const resource of manifest.resources) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const rows: [string, string][] = [["pulumi:pulumi:Stack", `${manifest.project}-${manifest.stack}`]];
    const walk = (parent: string | null, indent: string) => {
        const siblings = children.get(parent) ?? [];
        siblings.forEach((resource, index) => {
            const last = index === siblings.length - 1;
            rows.push([`${indent}${last ? "└─ " : "├─ "}${displayType(resource.type)}`, resource.name + (resource.read ? " (read)" : "")]);
            walk(resource.urn, `${indent}${last ? "   " : "│  "}`);
        });
    };
    walk(null, "");
    const typeWidth = Math.max(...rows.map(([type]) => type.length)) + 2;
    const lines = [`Previewing ${manifest.stack} (verified under mocks: fake account ${manifest.fakeCloud.account}, ${manifest.fakeCloud.region})`, ""];
    lines.push(`     ${"Type".padEnd(typeWidth)}Name`);
    for (const [type, name] of rows) {
        lines.push(` +   ${type.padEnd(typeWidth)}${name}`);
    }
    const counts = new Map<string, number>();
    for (const resource of manifest.resources) {
        counts.set(displayType(resource.type), (counts.get(displayType(resource.type)) ?? 0) + 1);
    }
    lines.push("", `Resources: ${manifest.resources.length} to create`);
    for (const [type, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`    ${String(count).padStart(3)} ${type}`);
    }
    return lines.join("\n");
}

/** `aws:s3/bucket:Bucket` is shown as `aws:s3:Bucket`, as the Pulumi CLI shows it. */
function displayType(type: string): string {
    const [pkg, module, name] = type.split(":");
    return name === undefined ? type : `${pkg}:${module.split("/")[0]}:${name}`;
}
