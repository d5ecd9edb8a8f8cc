import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a child of one of the etl layer's components. Until the layer was split into
 * components, these resources were direct children of the layer; the alias to the component's own
 * parent keeps their URNs in stacks deployed before the split, so `pulumi up` moves them under the
 * component instead of replacing them. Their names did not change, so the parent is the only part
 * of the alias.
 */
export function splitChildOptions(component: pulumi.ComponentResource, opts: pulumi.ComponentResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { parent: component, aliases: [{ parent: opts?.parent }] };
}
