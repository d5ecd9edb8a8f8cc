import * as path from "path";

/** The repository root: stage files, the ETL code and the SQL are named relative to it. */
export const REPO_ROOT = path.resolve(__dirname, "..");
