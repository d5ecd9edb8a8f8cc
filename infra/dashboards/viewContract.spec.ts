import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { settledOutput } from "../../workbench/sdkInternals";
import { loadQueryCatalog } from "../../model/queryCatalog";
import { DashboardDefinitionError, DatasetColumns, loadDashboard } from "./definition";
import { checkedViews } from "./viewContract";

const dashboard = loadDashboard();
const declared: DatasetColumns[] = loadQueryCatalog()
    .queries.filter((query) => query.kind === "view")
    .map((view) => ({ name: view.name, columns: view.columns }));

/** The declared views with one column taken out of one view. */
function without(view: string, column: string): DatasetColumns[] {
    return declared.map((candidate) =>
        candidate.name === view ? { ...candidate, columns: candidate.columns.filter(({ name }) => name !== column) } : candidate,
    );
}

const SCATTER_X =
    /The dashboard does not match its datasets:\n.*visual "track-vs-artist-scatter" \(sheet "track-vs-artist"\) x uses column "artist_popularity"/;

describe("checkedViews", () => {
    it("passes the received views on when both they and the declared ones honour the dashboard's contract", async () => {
        const received = structuredClone(declared);
        assert.deepStrictEqual(await settledOutput(checkedViews(dashboard, declared, pulumi.output(received))).promise(), received);
    });

    it("throws at once, with the contract's message, when the declared views break the contract", () => {
        assert.throws(
            () => checkedViews(dashboard, without("track_vs_artist_popularity", "artist_popularity"), pulumi.output(declared)),
            (error: Error) => error instanceof DashboardDefinitionError && SCATTER_X.test(error.message),
        );
    });

    it("fails the views, with the contract's message, when the received views break it", async () => {
        const checked = checkedViews(dashboard, declared, pulumi.output(without("track_vs_artist_popularity", "artist_popularity")));
        await assert.rejects(settledOutput(checked).promise(), (error: Error) => error instanceof DashboardDefinitionError && SCATTER_X.test(error.message));
    });
});
