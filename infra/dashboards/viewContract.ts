import type * as pulumi from "@pulumi/pulumi";
import { assertDashboardContract, Dashboard, DatasetColumns } from "./definition";

/**
 * The views a dashboard reads, once they honour its contract (every column it uses declared, with
 * the type it needs): the one place a deployment checks it, as the dashboards layer receives them.
 *
 * `declared`, the views this commit's query catalog declares, are checked at once: a definition
 * that breaks its contract stops the stack before anything is registered, with the contract's
 * message alone. `received`, the views the queries layer or stack really exports (one deployed from
 * another commit may lack a column), are checked when they arrive, before any dataset or
 * definition is built from them.
 */
export function checkedViews(
    dashboard: Dashboard,
    declared: readonly DatasetColumns[],
    received: pulumi.Output<readonly DatasetColumns[]>,
): pulumi.Output<readonly DatasetColumns[]> {
    assertDashboardContract(dashboard, declared);
    return received.apply((views) => {
        assertDashboardContract(dashboard, views);
        return views;
    });
}
