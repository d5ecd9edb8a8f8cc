/**
 * What the offline provider knows of the real providers' behaviour beyond the replacement table:
 * the defaults they fill in at Check (so stating a default explicitly is no change), and how two
 * sets of inputs differ, as property paths the replacement table is written in.
 */

/**
 * Provider defaults that a program may also state explicitly, by type. Each is the schema default
 * of the provider's resource, cited; the real provider stores it in state when the program omits it.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<string, { defaults: Readonly<Record<string, unknown>>; source: string }>> = {
    "aws:kms/key:Key": {
        defaults: { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", isEnabled: true, bypassPolicyLockoutSafetyCheck: false },
        source: "terraform-provider-aws internal/service/kms/key.go: customer_master_key_spec, key_usage, is_enabled, bypass_policy_lockout_safety_check Default",
    },
    "aws:s3/bucket:Bucket": {
        defaults: { forceDestroy: false, objectLockEnabled: false },
        source: "terraform-provider-aws internal/service/s3/bucket.go: force_destroy Default false, object_lock_enabled Default false",
    },
    "aws:athena/workgroup:Workgroup": {
        defaults: { state: "ENABLED", forceDestroy: false },
        source: "terraform-provider-aws internal/service/athena/workgroup.go: state Default ENABLED, force_destroy Default false",
    },
    "aws:iam/role:Role": {
        defaults: { path: "/", maxSessionDuration: 3600, forceDetachPolicies: false },
        source: "terraform-provider-aws internal/service/iam/role.go: path Default /, max_session_duration Default 3600, force_detach_policies Default false",
    },
    "aws:iam/policy:Policy": {
        defaults: { path: "/" },
        source: "terraform-provider-aws internal/service/iam/policy.go: path Default /",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        defaults: { vpcEndpointType: "Gateway", autoAccept: false },
        source: "terraform-provider-aws internal/service/ec2/vpc_endpoint.go: vpc_endpoint_type Default Gateway, auto_accept Default false",
    },
    "aws:ec2/flowLog:FlowLog": {
        defaults: { logDestinationType: "cloud-watch-logs", maxAggregationInterval: 600 },
        source: "terraform-provider-aws internal/service/ec2/vpc_flow_log.go: log_destination_type Default cloud-watch-logs, max_aggregation_interval Default 600",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        defaults: { revokeRulesOnDelete: false },
        source: "terraform-provider-aws internal/service/ec2/vpc_security_group.go: revoke_rules_on_delete Default false",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        defaults: { retentionInDays: 0, skipDestroy: false },
        source: "terraform-provider-aws internal/service/logs/group.go: retention_in_days Default 0, skip_destroy Default false",
    },
};

/** The inputs with the provider's defaults filled in where the program left them out. */
export function withProviderDefaults(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const table = PROVIDER_DEFAULTS[type];
    return table === undefined ? inputs : { ...table.defaults, ...inputs };
}

/** Property paths (`a.b`, `rules[2].days`) at which `news` differs from `olds`, shallowest first. */
export function changedPaths(olds: unknown, news: unknown, at = ""): string[] {
    if (JSON.stringify(olds) === JSON.stringify(news)) return [];
    const join = (key: string | number) => (typeof key === "number" ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`);
    if (Array.isArray(olds) && Array.isArray(news) && olds.length === news.length) {
        return olds.flatMap((old, index) => changedPaths(old, news[index], join(index)));
    }
    if (isRecord(olds) && isRecord(news)) {
        const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
        return keys.flatMap((key) => changedPaths(olds[key], news[key], join(key)));
    }
    return [at];
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
