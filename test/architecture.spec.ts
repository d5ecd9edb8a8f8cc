import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../model/repository";

/**
 * The floors of the repository, read from the code's own imports: the stage model at the bottom,
 * the program and the pack on it, the deploy path and the workbench on top. A change that makes a
 * lower floor reach up, or the deploy path load the workbench, fails here with the import named.
 */

const SOURCE_FOLDERS = ["model", "infra", "policies", "ops", "workbench", "engine"];

/** Every TypeScript source of the floors (specs, tests and fixtures left out), relative to the root. */
function sources(): string[] {
    const found: string[] = [];
    const walk = (folder: string) => {
        for (const entry of fs.readdirSync(path.join(REPO_ROOT, folder), { withFileTypes: true })) {
            const relative = path.join(folder, entry.name);
            // policies/model is the link to model/ that the pack ships: the same files, counted once.
            if (entry.isSymbolicLink() || entry.name === "node_modules" || entry.name === "tests" || entry.name === "fixtures") continue;
            if (entry.isDirectory()) walk(relative);
            else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".spec.ts")) found.push(relative);
        }
    };
    for (const folder of SOURCE_FOLDERS) walk(folder);
    return found.sort();
}

/** The repository files `file` imports (relative specifiers only), each resolved to its real path relative to the root. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
    return ts
        .preProcessFile(text, true, true)
        .importedFiles.map((imported) => imported.fileName)
        .filter((specifier) => specifier.startsWith("."))
        .flatMap((specifier) => {
            const base = path.resolve(REPO_ROOT, path.dirname(file), specifier);
            const target = [`${base}.ts`, path.join(base, "index.ts"), base].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
            return target === undefined ? [] : [path.relative(REPO_ROOT, fs.realpathSync(target))];
        });
}

const GRAPH = new Map(sources().map((file) => [file, importsOf(file)]));
const floorOf = (file: string) => file.split(path.sep)[0];

/** Every import from a file under `from` to a file under one of `to`, as "importer -> imported". */
function arrows(from: (file: string) => boolean, to: (file: string) => boolean): string[] {
    return [...GRAPH].flatMap(([file, imports]) => (from(file) ? imports.filter(to).map((imported) => `${file} -> ${imported}`) : []));
}

describe("architecture: the floors", () => {
    it("reads a real import graph (the check below cannot pass on an empty one)", () => {
        assert.ok(GRAPH.size > 100, `only ${GRAPH.size} sources found`);
        assert.ok(
            arrows(
                (file) => file.startsWith("infra/"),
                (file) => file.startsWith("model/"),
            ).length > 10,
        );
    });

    it("keeps model/ the ground floor: it imports no code of the floors above (the contracts' JSON files are data)", () => {
        assert.deepStrictEqual(
            arrows(
                (file) => floorOf(file) === "model",
                (file) => floorOf(file) !== "model" && !file.endsWith(".json"),
            ),
            [],
        );
    });

    it("keeps the program and the pack off the tools: infra/ and policies/ import only model/ and each other's own folder", () => {
        assert.deepStrictEqual(
            arrows(
                (file) => ["infra", "policies"].includes(floorOf(file)),
                (file) => ["ops", "workbench", "engine"].includes(floorOf(file)),
            ),
            [],
        );
        assert.deepStrictEqual(
            arrows(
                (file) => floorOf(file) === "policies",
                (file) => floorOf(file) === "infra",
            ),
            [],
        );
    });

    it("keeps the deploy path (ops/) and the offline engine apart from the workbench", () => {
        assert.deepStrictEqual(
            arrows(
                (file) => ["ops", "engine"].includes(floorOf(file)),
                (file) => floorOf(file) === "workbench",
            ),
            [],
        );
    });

    it("has components that never import a layer: infra/<area>/ does not reach into infra/layers/", () => {
        assert.deepStrictEqual(
            arrows(
                (file) => file.startsWith("infra/") && !file.startsWith("infra/layers/") && path.dirname(file) !== "infra",
                (file) => file.startsWith("infra/layers/"),
            ),
            [],
        );
    });

    it("has no import circle", () => {
        const circles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (file: string, trail: string[]) => {
            if (state.get(file) === "done") return;
            if (state.get(file) === "open") {
                circles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
                return;
            }
            state.set(file, "open");
            for (const imported of GRAPH.get(file) ?? []) visit(imported, [...trail, file]);
            state.set(file, "done");
        };
        for (const file of GRAPH.keys()) visit(file, []);
        assert.deepStrictEqual(circles, []);
    });
});
