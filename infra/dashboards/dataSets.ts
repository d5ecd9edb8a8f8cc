import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { ATHENA_CATALOG } from "./dataSource";
import type { DatasetColumns } from "./definition";
import type { StageConfig } from "../../model/stageConfig";
import { ArgProblems, rejectArgProblems, settingProblem } from "../componentArgs";
import { assetPermissions, principalsProblem, QuickSightPrincipals } from "./permissions";
import { quicksightColumnType } from "./quicksight";

/** One dataset: the view it reads and its QuickSight id. */
export interface ViewDataSet {
    /** The view's name in the Glue database. */
    readonly view: string;
    /** The dataset's QuickSight id, unique in the account and region. */
    readonly dataSetId: string;
}

export interface ViewDataSetsArgs {
    /** The account QuickSight runs in. */
    readonly accountId: pulumi.Input<string>;
    /** The stage, as the datasets' display names show it. */
    readonly stage: string;
    /** The data source every dataset queries through. */
    readonly dataSourceArn: pulumi.Input<string>;
    /** The Glue database the views live in. */
    readonly databaseName: pulumi.Input<string>;
    /** Each dataset by the identifier the dashboard's definition gives it. */
    readonly dataSets: Readonly<Record<string, ViewDataSet>>;
    /** The views with their declared columns; each view `dataSets` names must be among them (the dashboard's contract). */
    readonly views: pulumi.Output<readonly DatasetColumns[]>;
    /** Who owns the datasets (viewers get nothing on them). */
    readonly principals: QuickSightPrincipals;
    /** SPICE (imported, refreshed daily) or DIRECT_QUERY (every visual queries Athena). */
    readonly importMode: StageConfig["quicksightImportMode"];
    /** UTC time of day, "HH:MM", of the daily refresh; required with SPICE, unused with DIRECT_QUERY. */
    readonly refreshTime?: string;
    /** protect and retainOnDelete: a deploy cannot delete a dataset by accident. Default false. */
    readonly protect?: boolean;
}

/** Fails naming each field that cannot make datasets QuickSight accepts, each owned and, with SPICE, refreshed. */
export function validateViewDataSetsArgs(args: ViewDataSetsArgs): void {
    const entries = Object.entries(args.dataSets);
    const dataSetProblems: ArgProblems = {};
    for (const [identifier, dataSet] of entries) {
        const sharing = entries.find(([other, { dataSetId }]) => other !== identifier && dataSetId === dataSet.dataSetId)?.[0];
        dataSetProblems[`dataSets.${identifier}.view`] = dataSet.view.trim() === "" ? "must name a view" : undefined;
        dataSetProblems[`dataSets.${identifier}.dataSetId`] =
            dataSet.dataSetId.trim() === "" ? "must not be empty" : sharing !== undefined ? `"${dataSet.dataSetId}" is also the id of ${sharing}` : undefined;
    }
    rejectArgProblems("ViewDataSetsArgs", {
        dataSets: entries.length === 0 ? "must hold at least one dataset" : undefined,
        ...dataSetProblems,
        importMode: settingProblem("quicksightImportMode", args.importMode),
        refreshTime:
            args.importMode !== "SPICE"
                ? undefined
                : args.refreshTime === undefined
                  ? "is required with importMode SPICE (SPICE datasets are refreshed daily)"
                  : settingProblem("quicksightRefreshTime", args.refreshTime),
        principals: principalsProblem(args.principals),
    });
}

/**
 * One QuickSight dataset per view the dashboard reads, its input columns the view's declared
 * columns; with SPICE, each with a daily full refresh.
 */
export class ViewDataSets {
    /** Each dataset's ARN, by its identifier: what the dashboard's definition declares. */
    readonly arns: Readonly<Record<string, pulumi.Output<string>>>;

    /** Registers the datasets (and their refresh schedules) as children of `parent`, named `<name>-<identifier>`. */
    constructor(name: string, args: ViewDataSetsArgs, parent: pulumi.Resource) {
        validateViewDataSetsArgs(args);
        const protect = args.protect ?? false;
        const arns: Record<string, pulumi.Output<string>> = {};
        for (const [identifier, { view: viewName, dataSetId }] of Object.entries(args.dataSets)) {
            const view = args.views.apply((views) => declaredView(views, identifier, viewName));
            const dataSet = new awsNative.quicksight.DataSet(
                `${name}-${identifier}`,
                {
                    awsAccountId: args.accountId,
                    dataSetId,
                    name: pulumi.interpolate`spotify-pipeline ${args.stage}: ${view.name}`,
                    importMode: args.importMode,
                    physicalTableMap: {
                        [identifier]: {
                            relationalTable: {
                                dataSourceArn: args.dataSourceArn,
                                catalog: ATHENA_CATALOG,
                                schema: args.databaseName,
                                name: view.name,
                                inputColumns: view.columns.apply((columns) =>
                                    columns.map((column) => ({ name: column.name, ...quicksightColumnType(column.type) })),
                                ),
                            },
                        },
                    },
                    permissions: assetPermissions("dataSet", args.principals),
                },
                { parent, protect, retainOnDelete: protect },
            );
            if (args.importMode === "SPICE") {
                new awsNative.quicksight.RefreshSchedule(
                    `${name}-${identifier}-refresh`,
                    {
                        awsAccountId: args.accountId,
                        // The dataset's own output, so the schedule waits for the dataset to exist.
                        dataSetId: dataSet.dataSetId.apply((created) => created ?? dataSetId),
                        schedule: {
                            scheduleId: `${dataSetId}-daily`,
                            refreshType: "FULL_REFRESH",
                            scheduleFrequency: { interval: "DAILY", timeOfTheDay: args.refreshTime, timeZone: "UTC" },
                        },
                    },
                    { parent },
                );
            }
            arns[identifier] = dataSet.arn;
        }
        this.arns = arns;
    }
}

/** The view a dataset reads, which must be among `views` and declare at least one column (a dataset without columns is refused). */
function declaredView(views: readonly DatasetColumns[], identifier: string, viewName: string): DatasetColumns {
    const view = views.find((candidate) => candidate.name === viewName);
    if (view === undefined) {
        throw new Error(
            `ViewDataSetsArgs.dataSets.${identifier}: reads view "${viewName}", which is not among the views (${views.map(({ name }) => name).join(", ")})`,
        );
    }
    if (view.columns.length === 0) throw new Error(`ViewDataSetsArgs.views: view "${viewName}" (dataset ${identifier}) declares no columns`);
    return view;
}
