import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { rejectArgProblems } from "../componentArgs";
import { assetPermissions, principalsProblem, QuickSightPrincipals } from "./permissions";

/** The Glue Data Catalog as QuickSight and Athena name it. */
export const ATHENA_CATALOG = "AwsDataCatalog";

export interface AthenaDataSourceArgs {
    /** The account QuickSight runs in. */
    readonly accountId: pulumi.Input<string>;
    /** The data source's QuickSight id, unique in the account and region. */
    readonly dataSourceId: string;
    /** The stage, as the data source's display name shows it. */
    readonly stage: string;
    /** The Athena workgroup every query of every dataset runs in. */
    readonly workgroupName: pulumi.Input<string>;
    /** Who owns the data source (viewers get nothing on it). */
    readonly principals: QuickSightPrincipals;
    /** The QuickSight service role's access to the stage's data, which QuickSight checks when it creates the data source. */
    readonly serviceRoleAccess: pulumi.Resource;
    /** protect and retainOnDelete: a deploy cannot delete the data source by accident. Default false. */
    readonly protect?: boolean;
}

/** Fails naming the field when `args` cannot make a data source QuickSight accepts and someone owns. */
export function validateAthenaDataSourceArgs(args: AthenaDataSourceArgs): void {
    rejectArgProblems("AthenaDataSourceArgs", {
        dataSourceId: args.dataSourceId.trim() === "" ? "must not be empty" : undefined,
        principals: principalsProblem(args.principals),
    });
}

/** The QuickSight data source every dataset of the stage reads through: Athena, on the stage's workgroup, over SSL. */
export class AthenaDataSource {
    readonly dataSource: awsNative.quicksight.DataSource;

    /** Registers the data source as a child of `parent`, named `<name>-athena`. */
    constructor(name: string, args: AthenaDataSourceArgs, parent: pulumi.Resource) {
        validateAthenaDataSourceArgs(args);
        const protect = args.protect ?? false;
        this.dataSource = new awsNative.quicksight.DataSource(
            `${name}-athena`,
            {
                awsAccountId: args.accountId,
                dataSourceId: args.dataSourceId,
                name: `spotify-pipeline ${args.stage} (Athena)`,
                type: "ATHENA",
                dataSourceParameters: { athenaParameters: { workGroup: args.workgroupName } },
                sslProperties: { disableSsl: false },
                permissions: assetPermissions("dataSource", args.principals),
            },
            { parent, dependsOn: [args.serviceRoleAccess], protect, retainOnDelete: protect },
        );
    }
}
