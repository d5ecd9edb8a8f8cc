import { assertCompliant, assertViolations, FixtureResource } from "./support/harness";

const ANALYST = "arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts";
const STRANGER = "arn:aws:quicksight:eu-west-1:123456789012:user/default/stranger";
const NAMESPACE = "arn:aws:quicksight:eu-west-1:123456789012:namespace/default";
const ACTIONS = ["quicksight:DescribeDashboard", "quicksight:QueryDashboard"];

/** The same dashboard in both type families: both give permissions as [{principal, actions}]. */
const dashboards = (principals: string[], extra: Record<string, unknown> = {}): FixtureResource[] => [
    {
        type: "aws:quicksight/dashboard:Dashboard",
        name: "aws-dashboard",
        inputs: { dashboardId: "d", name: "Hits", permissions: principals.map((principal) => ({ principal, actions: ACTIONS })), ...extra },
    },
    {
        type: "aws-native:quicksight:Dashboard",
        name: "native-dashboard",
        inputs: { dashboardId: "d2", name: "Hits", permissions: principals.map((principal) => ({ principal, actions: ACTIONS })), ...extra },
    },
];

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
            const [, native] = dashboards([ANALYST], { linkSharingConfiguration: { permissions: [{ principal: NAMESPACE, actions: ACTIONS }] } });
            await assertViolations("quicksight-no-public-sharing", [native], [{ message: /shares a link with every user of the account/ }]);
        });
    });

    describe("quicksight-approved-principals", () => {
        it("accepts the principals of the stage's config", async () => {
            await assertCompliant("quicksight-approved-principals", dashboards([ANALYST]), {
                settings: { quicksightOwners: [ANALYST], quicksightViewers: [] },
            });
        });
        it("rejects any other principal, including through link sharing", async () => {
            const resources = dashboards([ANALYST, STRANGER], { linkSharingConfiguration: { permissions: [{ principal: NAMESPACE, actions: ACTIONS }] } });
            await assertViolations(
                "quicksight-approved-principals",
                resources,
                [
                    { resource: "aws-dashboard", message: /permissions grants access to "arn:aws:quicksight:eu-west-1:123456789012:user\/default\/stranger"/ },
                    { resource: "aws-dashboard", message: /linkSharingConfiguration grants access to .*namespace\/default/ },
                    { resource: "native-dashboard", message: /permissions grants access to .*stranger/ },
                    { resource: "native-dashboard", message: /linkSharingConfiguration grants access to .*namespace\/default/ },
                ],
                { settings: { quicksightOwners: [ANALYST], quicksightViewers: [] } },
            );
        });
        it("rejects every principal while the stage lists none (the committed dev config)", async () => {
            await assertViolations("quicksight-approved-principals", dashboards([ANALYST]).slice(0, 1), [
                { message: /group\/default\/analysts", which is not one of the stage's QuickSight principals/ },
            ]);
        });
    });

    describe("quicksight-viewers-read-only", () => {
        const VIEWER = "arn:aws:quicksight:eu-west-1:123456789012:group/default/readers";
        const settings = { settings: { quicksightOwners: [ANALYST], quicksightViewers: [VIEWER] } };
        const granted = (type: string, name: string, actions: string[]): FixtureResource => ({
            type,
            name,
            inputs: {
                permissions: [
                    { principal: ANALYST, actions: ["quicksight:DescribeDataSet", "quicksight:UpdateDataSet"] },
                    { principal: VIEWER, actions },
                ],
            },
        });
        it("accepts viewers with the dashboard's viewer actions, in both type families, and owners with anything", async () => {
            await assertCompliant(
                "quicksight-viewers-read-only",
                [
                    granted("aws:quicksight/dashboard:Dashboard", "aws-dashboard", ["quicksight:DescribeDashboard", "quicksight:QueryDashboard"]),
                    granted("aws-native:quicksight:Dashboard", "native-dashboard", [
                        "quicksight:DescribeDashboard",
                        "quicksight:ListDashboardVersions",
                        "quicksight:QueryDashboard",
                    ]),
                ],
                settings,
            );
        });
        it("rejects owner actions granted to a viewer on a dashboard", async () => {
            await assertViolations(
                "quicksight-viewers-read-only",
                [
                    granted("aws-native:quicksight:Dashboard", "native-dashboard", [
                        "quicksight:QueryDashboard",
                        "quicksight:UpdateDashboardPermissions",
                        "quicksight:DeleteDashboard",
                    ]),
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
                    granted("aws-native:quicksight:DataSet", "native-dataset", ["quicksight:DescribeDataSet"]),
                    granted("aws:quicksight/dataSource:DataSource", "aws-source", ["quicksight:DescribeDataSource"]),
                    granted("aws-native:quicksight:Analysis", "native-analysis", ["quicksight:DescribeAnalysis"]),
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
        const dashboard = (type: string, name: string, exportStatus?: string): FixtureResource => ({
            type,
            name,
            inputs: {
                dashboardId: name,
                ...(exportStatus === undefined ? {} : { dashboardPublishOptions: { exportToCsvOption: { availabilityStatus: exportStatus } } }),
            },
        });
        it("accepts CSV export where the data is internal, and a disabled export where it is confidential, in both type families", async () => {
            await assertCompliant(
                "quicksight-no-csv-export",
                [dashboard("aws-native:quicksight:Dashboard", "native", "ENABLED"), dashboard("aws:quicksight/dashboard:Dashboard", "classic")],
                {
                    settings: { dataClassification: "internal" },
                },
            );
            await assertCompliant(
                "quicksight-no-csv-export",
                [dashboard("aws-native:quicksight:Dashboard", "native", "DISABLED"), dashboard("aws:quicksight/dashboard:Dashboard", "classic", "DISABLED")],
                { settings: { dataClassification: "confidential" } },
            );
        });
        it("rejects an enabled or unset CSV export of confidential or restricted data", async () => {
            for (const dataClassification of ["confidential", "restricted"]) {
                await assertViolations(
                    "quicksight-no-csv-export",
                    [dashboard("aws-native:quicksight:Dashboard", "native", "ENABLED"), dashboard("aws:quicksight/dashboard:Dashboard", "classic")],
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
        const source = (type: string, sslProperties?: Record<string, unknown>): FixtureResource => ({
            type,
            name: type.startsWith("aws-native") ? "native-source" : "aws-source",
            inputs: { dataSourceId: "s", name: "Warehouse", type: "ATHENA", ...(sslProperties === undefined ? {} : { sslProperties }) },
        });
        it("accepts data sources with SSL on, stated or by default, in both type families", async () => {
            await assertCompliant("quicksight-data-source-ssl", [
                source("aws:quicksight/dataSource:DataSource"),
                source("aws-native:quicksight:DataSource", { disableSsl: false }),
            ]);
        });
        it("rejects SSL turned off in both type families", async () => {
            await assertViolations(
                "quicksight-data-source-ssl",
                [source("aws:quicksight/dataSource:DataSource", { disableSsl: true }), source("aws-native:quicksight:DataSource", { disableSsl: true })],
                [
                    { resource: "aws-source", message: /turns SSL off \(sslProperties\.disableSsl: true\)/ },
                    { resource: "native-source", message: /turns SSL off/ },
                ],
            );
        });
    });

    describe("quicksight-athena-workgroup", () => {
        const awsSource = (athena: Record<string, unknown> | undefined): FixtureResource => ({
            type: "aws:quicksight/dataSource:DataSource",
            name: "aws-source",
            inputs: { dataSourceId: "s", name: "Warehouse", type: "ATHENA", parameters: athena === undefined ? {} : { athena } },
        });
        const nativeSource = (athenaParameters: Record<string, unknown>): FixtureResource => ({
            type: "aws-native:quicksight:DataSource",
            name: "native-source",
            inputs: { dataSourceId: "s2", name: "Warehouse", type: "ATHENA", dataSourceParameters: { athenaParameters } },
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
                {
                    type: "aws:quicksight/dataSource:DataSource",
                    name: "s3-source",
                    inputs: { dataSourceId: "s", name: "Manifest", type: "S3", parameters: { s3: { manifestFileLocation: { bucket: "b", key: "k" } } } },
                },
            ]);
        });
    });
});
