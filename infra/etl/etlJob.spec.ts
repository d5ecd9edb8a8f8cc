import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT_ID } from "../../engine/fakeCloud";
import { synthesizeAlone } from "../../test/support/alone";
import { Template } from "../../test/support/template";
import { DATA_KEY_ARN, QA_LOCATION, QA_PLAN, STORAGE_FOR_ETL } from "../../test/support/standIns";
import type { SynthesisError } from "../../workbench/synth/synthesize";
import { EtlJob, EtlJobArgs, validateEtlJobArgs } from "./etlJob";
import { GlueSecurity, glueSecurity } from "./glueSecurity";

const TYPES = {
    job: "aws:glue/job:Job",
    trigger: "aws:glue/trigger:Trigger",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

const SECURITY = "acme_qa_security_under_test";

/** Everything an EtlJob needs from upstream, as plain values; `security` is created by the caller. */
function jobArgs(security: GlueSecurity, extra: Partial<EtlJobArgs> = {}): EtlJobArgs {
    return {
        plan: QA_PLAN,
        location: QA_LOCATION,
        storage: STORAGE_FOR_ETL,
        security,
        databaseName: "db",
        tableName: "tracks",
        code: { entryScript: "s3://assets/scripts/0123/job.py", pythonModules: "s3://assets/scripts/4567/pkg.zip" },
        ...extra,
    };
}

/** An EtlJob named "job" alone, with a security configuration standing in for the layer's. */
function synthesizeJob(extra: Partial<EtlJobArgs> = {}): Promise<Template> {
    return synthesizeAlone(() => new EtlJob("job", jobArgs(glueSecurity("security", SECURITY, DATA_KEY_ARN, {}), extra)));
}

interface Statement {
    Sid: string;
    Action: string | string[];
    Resource: string | string[];
}

function statements(template: Template): Statement[] {
    const [policy] = template.findResources(TYPES.rolePolicy);
    return (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;
}

describe("EtlJob (alone)", () => {
    describe("left to its defaults", () => {
        let template: Template;
        before(async () => {
            template = await synthesizeJob();
        });

        it("registers the job, its role and policy and its three log groups under itself, named from its name", () => {
            const component = template.resource("spotify:etl:EtlJob", "job");
            const children = template.childrenOf(component).map((child) => `${child.type} ${child.name}`);
            assert.deepStrictEqual(children.sort(), [
                `${TYPES.logGroup} job-job-continuous-logs`,
                `${TYPES.logGroup} job-job-error-logs`,
                `${TYPES.logGroup} job-job-output-logs`,
                `${TYPES.job} job-job`,
                "spotify:etl:GlueServiceRole job-job-role",
            ]);
            template.resourceCountIs(TYPES.trigger, 0);
        });

        it("runs as the plan's job with the sizing of a stage that sets none: G.1X × 2, FLEX, 60 minutes, no retries, one run at a time", () => {
            template.hasResourceProperties(TYPES.job, {
                name: QA_PLAN.etl.job,
                roleArn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${QA_PLAN.etl.jobRole}`,
                workerType: "G.1X",
                numberOfWorkers: 2,
                executionClass: "FLEX",
                timeout: 60,
                maxRetries: 0,
                executionProperty: { maxConcurrentRuns: 1 },
                securityConfiguration: SECURITY,
                command: { name: "glueetl", scriptLocation: "s3://assets/scripts/0123/job.py" },
            });
            assert.strictEqual(template.resource(TYPES.job, "job-job").inputs.connections, undefined, "no network: no connections");
        });

        it("passes the storage locations and the table to the entry script", () => {
            template.hasResourceProperties(TYPES.job, {
                defaultArguments: {
                    "--extra-py-files": "s3://assets/scripts/4567/pkg.zip",
                    "--TempDir": "s3://assets/temp/",
                    "--staging_path": "s3://staging/",
                    "--warehouse_path": "s3://warehouse/tracks/",
                    "--warehouse_database": "db",
                    "--warehouse_table": "tracks",
                    "--rejected_path": "s3://warehouse/rejected/",
                    "--unmatched_path": "s3://warehouse/unmatched/",
                    "--runs_path": "s3://warehouse/_runs/",
                },
            });
        });

        it("creates Glue's log groups under the names Glue gives them, kept 30 days and encrypted with the data key, before the job", () => {
            const groups = template.findResources(TYPES.logGroup);
            assert.deepStrictEqual(groups.map((group) => group.inputs.name).sort(), [
                `/aws-glue/jobs/${SECURITY}-role/${QA_PLAN.etl.jobRole}/error`,
                `/aws-glue/jobs/${SECURITY}-role/${QA_PLAN.etl.jobRole}/output`,
                `/aws-glue/jobs/logs-v2-${SECURITY}`,
            ]);
            const job = template.resource(TYPES.job, "job-job");
            for (const group of groups) {
                assert.strictEqual(group.inputs.retentionInDays, 30);
                assert.strictEqual(group.inputs.kmsKeyId, DATA_KEY_ARN);
                assert.ok(job.dependencies.includes(group.urn), `the job does not wait for ${String(group.inputs.name)}`);
            }
            const [permissions] = template.findResources(TYPES.rolePolicy, { role: QA_PLAN.etl.jobRole });
            assert.ok(job.dependencies.includes(permissions.urn), "the job does not wait for its role's permissions");
        });

        it("gives its role the table commit on exactly the given table, and its own log groups", () => {
            const byId = new Map(statements(template).map((statement) => [statement.Sid, statement]));
            assert.deepStrictEqual(byId.get("CommitWarehouseTable")?.Resource, [
                `arn:aws:glue:eu-west-1:${FAKE_ACCOUNT_ID}:catalog`,
                `arn:aws:glue:eu-west-1:${FAKE_ACCOUNT_ID}:database/db`,
                `arn:aws:glue:eu-west-1:${FAKE_ACCOUNT_ID}:table/db/tracks`,
            ]);
            assert.ok(
                [byId.get("WriteOwnLogGroups")?.Resource].flat().includes(`arn:aws:logs:eu-west-1:${FAKE_ACCOUNT_ID}:log-group:/aws-glue/jobs/logs-v2-${SECURITY}:*`),
            );
            assert.ok(!byId.has("DescribeJobNetwork"), "no network statements without a network");
        });
    });

    it("runs on its schedule, sized as told, when given them", async () => {
        const template = await synthesizeJob({
            schedule: "cron(0 2 * * ? *)",
            workerType: "G.4X",
            executionClass: "STANDARD",
            numberOfWorkers: 10,
            timeoutMinutes: 120,
            maxRetries: 2,
            logRetentionDays: 90,
        });
        const job = template.hasResourceProperties(TYPES.job, { workerType: "G.4X", executionClass: "STANDARD", numberOfWorkers: 10, timeout: 120, maxRetries: 2 });
        const trigger = template.hasResourceProperties(TYPES.trigger, {
            name: QA_PLAN.etl.schedule,
            type: "SCHEDULED",
            schedule: "cron(0 2 * * ? *)",
            startOnCreation: true,
            actions: [{ jobName: QA_PLAN.etl.job }],
        });
        assert.deepStrictEqual(template.follow(trigger, "actions"), [job]);
        for (const group of template.findResources(TYPES.logGroup)) assert.strictEqual(group.inputs.retentionInDays, 90);
    });

    it("runs in the given connections, with the network's statements on its role", async () => {
        const template = await synthesizeJob({
            network: {
                jobConnectionNames: pulumi.output(["conn_1", "conn_2"]),
                roleStatements: [{ Sid: "DescribeJobNetwork", Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" }],
            },
        });
        template.hasResourceProperties(TYPES.job, { connections: ["conn_1", "conn_2"] });
        const last = statements(template).at(-1);
        assert.strictEqual(last?.Sid, "DescribeJobNetwork");
    });

    describe("bad args", () => {
        // Validation reads no resource: a security configuration is only named here.
        const security = { name: SECURITY } as GlueSecurity;
        const refused: [string, Partial<EtlJobArgs>, RegExp][] = [
            ["FLEX on a large worker", { workerType: "G.8X" }, /EtlJobArgs\.executionClass: FLEX runs only on workerType G\.1X or G\.2X, got workerType "G\.8X"/],
            ["a timeout Glue refuses", { timeoutMinutes: 0 }, /EtlJobArgs\.timeoutMinutes: must be a whole number from 1 to 2880/],
            ["too many retries", { maxRetries: 11 }, /EtlJobArgs\.maxRetries: must be a whole number from 0 to 10/],
            ["a fraction of a worker", { numberOfWorkers: 2.5 }, /EtlJobArgs\.numberOfWorkers: must be a whole number from 2 to 299/],
            ["a schedule that is neither off nor cron", { schedule: "daily" }, /EtlJobArgs\.schedule: must be "off" or an EventBridge cron/],
            ["a cron with both days set", { schedule: "cron(0 2 * * MON *)" }, /EtlJobArgs\.schedule: /],
            ["a retention CloudWatch does not offer", { logRetentionDays: 10 }, /EtlJobArgs\.logRetentionDays: must be one of CloudWatch Logs' retention periods/],
        ];
        for (const [what, extra, message] of refused) {
            it(`refuses ${what}`, () => assert.throws(() => validateEtlJobArgs(jobArgs(security, extra)), message));
        }

        it("refuses storage prefixes and code locations that are not s3:// folders and objects, naming each", () => {
            const args = jobArgs(security);
            assert.throws(
                () =>
                    validateEtlJobArgs({
                        ...args,
                        storage: { ...args.storage, warehousePrefix: "s3://warehouse/tracks" },
                        code: { ...args.code, entryScript: "etl/jobs/job.py" },
                    }),
                (error: Error) =>
                    /EtlJobArgs\.storage\.warehousePrefix: must be an s3:\/\/<bucket>\/ folder ending in "\/", got "s3:\/\/warehouse\/tracks"/.test(error.message) &&
                    /EtlJobArgs\.code\.entryScript: must be an s3:\/\/<bucket>\/<key> object/.test(error.message),
            );
        });

        it("accepts the args of a stage, FLEX on G.2X included", () => {
            validateEtlJobArgs(jobArgs(security, { workerType: "G.2X", schedule: "cron(15 3 ? * MON-FRI *)", logRetentionDays: 14 }));
        });

        it("refuses them in the constructor, before registering anything", async () => {
            await assert.rejects(
                synthesizeJob({ executionClass: "FLEX", workerType: "G.4X" }),
                (error: SynthesisError) =>
                    /EtlJobArgs\.executionClass: FLEX runs only on workerType G\.1X or G\.2X/.test(error.message) &&
                    !error.registered.some((resource) => resource.type === "spotify:etl:EtlJob"),
            );
        });
    });
});
