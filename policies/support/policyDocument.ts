import { asList, isRecord, isUnknown, jsonDocument, Unknown, UNKNOWN } from "./values";

/** One statement of an IAM or resource policy document, with its single-or-list fields as lists. */
export interface Statement {
    sid: string | undefined;
    effect: string;
    /** Action, or NotAction when `notAction` is set. */
    actions: string[];
    notAction: boolean;
    /** Resource, or NotResource when `notResource` is set. */
    resources: string[];
    notResource: boolean;
    principal: unknown;
    condition: Record<string, unknown>;
}

const strings = (value: unknown): string[] => asList(value).filter((item): item is string => typeof item === "string");

/**
 * The statements of a policy document given as JSON text or as an object; UNKNOWN when the document
 * is computed from other resources' outputs (preview), undefined when absent or not a policy.
 */
export function policyStatements(document: unknown): Statement[] | Unknown | undefined {
    const parsed = jsonDocument(document);
    if (parsed === undefined || isUnknown(parsed)) return parsed;
    if (isUnknown(parsed.Statement)) return UNKNOWN;
    return asList(parsed.Statement)
        .filter(isRecord)
        .map((statement) => ({
            sid: typeof statement.Sid === "string" ? statement.Sid : undefined,
            effect: String(statement.Effect),
            actions: strings(statement.Action ?? statement.NotAction),
            notAction: statement.NotAction !== undefined,
            resources: strings(statement.Resource ?? statement.NotResource),
            notResource: statement.NotResource !== undefined,
            principal: statement.Principal,
            condition: isRecord(statement.Condition) ? statement.Condition : {},
        }));
}

/** How a statement is named in a violation message. */
export function describeStatement(statement: Statement, index: number): string {
    return statement.sid === undefined ? `statement #${index + 1}` : `statement "${statement.sid}"`;
}
