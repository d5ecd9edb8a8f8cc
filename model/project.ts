import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "./repository";

/**
 * The Pulumi project's name, as Pulumi.yaml states it: the one place it is written. The program
 * asks the engine (pulumi.getProject()); tools that run the program without the CLI, such as the
 * offline synthesis, read it here.
 */
export const PROJECT_NAME = projectName(path.join(REPO_ROOT, "Pulumi.yaml"));

function projectName(file: string): string {
    const name: unknown = (parse(fs.readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") throw new Error(`${file} names no project (a top-level name:)`);
    return name;
}
