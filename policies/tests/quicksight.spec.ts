import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import { InputsOf, typed } from "./support/fixtures";
import { assertCompliant, assertViolations } from "./support/inProcess";

const ANALYST = "arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts";
const STRANGER = "arn:aws:quicksight:eu-west-1:123456789012:user/default/stranger";
const NAMESPACE = "arn:aws:quicksight:eu-west-1:123456789012:namespace/default";
const ACTIONS = ["quicksight:DescribeDashboard", "quicksight:QueryDashboard"];

const permissions = (principals: string[]) => principals.map((principal) => ({ principal, actions: ACTIONS }));
const awsDashboard = (principals: string[]) =>
    typed(aws.quicksight.Dashboard, "aws-dashboard", { dashboardId: "d", name: "Hits", permissions: permissions(principals) });
/** aws-native's dashboard; only it can share a link (aws's Dashboard has no linkSharingConfiguration). */
const nativeDashboard = (principals: string[], inputs: InputsOf<awsNative.quicksight.DashboardArgs> = {}) =>
    typed(awsNative.quicksight.Dashboard, "native-dashboard", { dashboardId: "d2", name: "Hits", permissions: permissions(principals), ...inputs });
/** The same dashboard in both type families: both give permissions as [{principal, actions}]. */
const dashboards = (principals: string[]) => [awsDashboard(principals), nativeDashboard(principals)];
const LINK_SHARING = { linkSharingConfiguration: { permissions: [{ principal: NAMESPACE, actions: ACTIONS }] } };

describe("policies: QuickSight", function () {
    describe("quicksight-no-public-sharing", () => {
        it("accepts sharing with named users and groups", async () => {
            await assertCompliant("quicksight-no-public-sharing", dashboards([ANALYST, STRANGER]));
        });
        it('rejects namespace-wide and "*" principals in both type families', async () => {
            await assertViolations("quicksight-no-public-sharing", dashboards([NAMESPACE, "*"]), [
                { resource: "aws-dashboard", message: /Dashboard grants access to every user of namespace/ },
                { resource: "aws-dashboard", message: /Dashboard grants access to principal "\*"/ },
                { resource: "native-dashboard", message: /Dashboard grants access to every user of namespace/ },
                { resource: "native-dashboard", message: /Dashboard grants access to principal "\*"/ },
            ]);
        });
        it("rejects aws-native link sharing with the whole account", async () => {
            await assertViolations(
                "quicksight-no-public-sharing",
                [nativeDashboard([ANALYST], LINK_SHARING)],
                [{ message: /shares a link with every user of the account/ }],
            );
        });
    });

    describe("quicksight-approved-principals", () => {
        it("accepts the principals of the stage's config", async () => {
            await assertCompliant("quicksight-approved-principals", dashboards([ANALYST]), {
                settings: { quicksightOwners: [ANALYST], quicksightViewers: [] },
            });
        });
        it("rejects any other principal, including through link sharing", async () => {
            const resources = [awsDashboard([ANALYST, STRANGER]), nativeDashboard([ANALYST, STRANGER], LINK_SHARING)];
            await assertViolations(
                "quicksight-approved-principals",
                resources,
                [
                    { resource: "aws-dashboard", message: /permissions grants access to "arn:aws:quicksight:eu-west-1:123456789012:user\/default\/stranger"/ },
                    { resource: "native-dashboard", message: /permissions grants access to .*stranger/ },
                    { resource: "native-dashboard", message: /linkSharingConfiguration grants access to .*namespace\/default/ },
                ],
                { settings: { quicksightOwners: [ANALYST], quicksightViewers: [] } },
            );
        });
        it("rejects every principal while the stage lists none (the committed dev config)", async () => {
            await assertViolations(
                "quicksight-approved-principals",
                [awsDashboard([ANALYST])],
                [{ message: /group\/default\/analysts", which is not one of the stage's QuickSight principals/ }],
            );
        });
    });

    describe("quicksight-viewers-read-only", () => {
        const VIEWER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/readers";
        const settings = { settings: { quicksightOwners: [ANALYST], quicksightViewers: [VIEWER] } };
        /** Grants to the owner and to the viewer: every family and type gives permissions as [{principal, actions}]. */
        const grants = (actions: string[]) => ({
            permissions: [
                { principal: ANALYST, actions: ["quicksight:DescribeDataSet", "quicksight:UpdateDataSet"] },
                { principal: VIEWER, actions },
            ],
        });
        it("accepts viewers with the dashboard's viewer actions, in both type families, and owners with anything", async () => {
            await assertCompliant(
                "quicksight-viewers-read-only",
                [
                    typed(aws.quicksight.Dashboard, "aws-dashboard", grants(["quicksight:DescribeDashboard", "quicksight:QueryDashboard"])),
                    typed(
                        awsNative.quicksight.Dashboard,
                        "native-dashboard",
                        grants(["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"]),
                    ),
                ],
                settings,
            );
        });
        it("rejects owner actions granted to a viewer on a dashboard", async () => {
            await assertViolations(
                "quicksight-viewers-read-only",
                [
                    typed(
                        awsNative.quicksight.Dashboard,
                        "native-dashboard",
                        grants(["quicksight:QueryDashboard", "quicksight:UpdateDashboardPermissions", "quicksight:DeleteDashboard"]),
                    ),
                ],
                [
                    {
                        message:
                            /viewer .*group\/default\/readers is granted quicksight:UpdateDashboardPermissions, quicksight:DeleteDashboard on the dashboard: owner actions/,
                    },
                ],
                settings,
            );
        });
        it("rejects any grant to a viewer on a dataset, data source or analysis, even read-only", async () => {
            await assertViolations(
                "quicksight-viewers-read-only",
                [
                    typed(awsNative.quicksight.DataSet, "native-dataset", grants(["quicksight:DescribeDataSet"])),
                    typed(aws.quicksight.DataSource, "aws-source", grants(["quicksight:DescribeDataSource"])),
                    typed(awsNative.quicksight.Analysis, "native-analysis", grants(["quicksight:DescribeAnalysis"])),
                ],
                [
                    {
                        resource: "native-dataset",
                        message: /viewer .*readers is granted DataSet actions \(quicksight:DescribeDataSet\): viewers get dashboards only/,
                    },
                    { resource: "aws-source", message: /is granted DataSource actions/ },
                    { resource: "native-analysis", message: /is granted Analysis actions/ },
                ],
                settings,
            );
        });
    });

    describe("quicksight-no-csv-export", () => {
        /** The dashboard's publish options: CSV export stated, or left to QuickSight's default. */
        const publishOptions = (exportStatus?: "ENABLED" | "DISABLED") =>
            exportStatus === undefined ? {} : { dashboardPublishOptions: { exportToCsvOption: { availabilityStatus: exportStatus } } };
        const native = (exportStatus?: "ENABLED" | "DISABLED") =>
            typed(awsNative.quicksight.Dashboard, "native", { dashboardId: "native", ...publishOptions(exportStatus) });
        const classic = (exportStatus?: "ENABLED" | "DISABLED") =>
            typed(aws.quicksight.Dashboard, "classic", { dashboardId: "classic", ...publishOptions(exportStatus) });
        it("accepts CSV export where the data is internal, and a disabled export where it is confidential, in both type families", async () => {
            await assertCompliant("quicksight-no-csv-export", [native("ENABLED"), classic()], {
                settings: { dataClassification: "internal" },
            });
            await assertCompliant("quicksight-no-csv-export", [native("DISABLED"), classic("DISABLED")], { settings: { dataClassification: "confidential" } });
        });
        it("rejects an enabled or unset CSV export of confidential or restricted data", async () => {
            for (const dataClassification of ["confidential", "restricted"]) {
                await assertViolations(
                    "quicksight-no-csv-export",
                    [native("ENABLED"), classic()],
                    [
                        { resource: "native", message: new RegExp(`offers CSV export \\(exportToCsvOption ENABLED\\) of ${dataClassification} data`) },
                        { resource: "classic", message: /exportToCsvOption not set, so ENABLED/ },
                    ],
                    { settings: { dataClassification } },
                );
            }
        });
    });

    describe("quicksight-data-source-ssl", () => {
        const ssl = (disableSsl?: boolean) => (disableSsl === undefined ? {} : { sslProperties: { disableSsl } });
        const awsSource = (disableSsl?: boolean) =>
            typed(aws.quicksight.DataSource, "aws-source", { dataSourceId: "s", name: "Warehouse", type: "ATHENA", ...ssl(disableSsl) });
        const nativeSource = (disableSsl?: boolean) =>
            typed(awsNative.quicksight.DataSource, "native-source", { dataSourceId: "s", name: "Warehouse", type: "ATHENA", ...ssl(disableSsl) });
        it("accepts data sources with SSL on, stated or by default, in both type families", async () => {
            await assertCompliant("quicksight-data-source-ssl", [awsSource(), nativeSource(false)]);
        });
        it("rejects SSL turned off in both type families", async () => {
            await assertViolations(
                "quicksight-data-source-ssl",
                [awsSource(true), nativeSource(true)],
                [
                    { resource: "aws-source", message: /turns SSL off \(sslProperties\.disableSsl: true\)/ },
                    { resource: "native-source", message: /turns SSL off/ },
                ],
            );
        });
    });

    describe("quicksight-athena-workgroup", () => {
        const awsSource = (athena: { workGroup?: string } | undefined) =>
            typed(aws.quicksight.DataSource, "aws-source", {
                dataSourceId: "s",
                name: "Warehouse",
                type: "ATHENA",
                parameters: athena === undefined ? {} : { athena },
            });
        const nativeSource = (athenaParameters: { workGroup?: string }) =>
            typed(awsNative.quicksight.DataSource, "native-source", {
                dataSourceId: "s2",
                name: "Warehouse",
                type: "ATHENA",
                dataSourceParameters: { athenaParameters },
            });
        it("accepts the stage's workgroup in both type families", async () => {
            await assertCompliant("quicksight-athena-workgroup", [
                awsSource({ workGroup: "spotify_dev_analytics" }),
                nativeSource({ workGroup: "spotify_dev_analytics" }),
            ]);
        });
        it("rejects the primary workgroup, a missing one and another workgroup", async () => {
            await assertViolations(
                "quicksight-athena-workgroup",
                [awsSource(undefined), nativeSource({ workGroup: "primary" })],
                [
                    { resource: "aws-source", message: /names no workGroup, so its queries run in "primary"/ },
                    { resource: "native-source", message: /uses workgroup "primary", not the stage's "spotify_dev_analytics"/ },
                ],
            );
        });
        it("does not apply to other data sources", async () => {
            await assertCompliant("quicksight-athena-workgroup", [
                typed(aws.quicksight.DataSource, "s3-source", {
                    dataSourceId: "s",
                    name: "Manifest",
                    type: "S3",
                    parameters: { s3: { manifestFileLocation: { bucket: "b", key: "k" } } },
                }),
            ]);
        });
    });
});
