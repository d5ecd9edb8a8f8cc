import * as path from "path";

/** Where `npm run build` (tsconfig.build.json) puts the compiled tools, under the repository root. */
export const BUILD_DIR_NAME = "build";

/**
 * The repository root: stage files, the ETL code and the SQL are named relative to it. This module
 * runs from infra/ (tsx, ts-node, the Pulumi CLI) or from build/infra/ (the compiled tools).
 */
export const REPO_ROOT = repositoryRoot(__filename);

function repositoryRoot(thisFile: string): string {
    const parentOfInfra = path.resolve(path.dirname(thisFile), "..");
    // Only the compiled module is a .js file: a checkout that itself lives in a folder named
    // "build" stays its own root under tsx.
    const compiled = path.extname(thisFile) === ".js" && path.basename(parentOfInfra) === BUILD_DIR_NAME;
    return compiled ? path.dirname(parentOfInfra) : parentOfInfra;
}
