import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../model/repository";

/** `from <module> import <names>` (names possibly in parentheses over several lines) or `import <modules>`, at any indentation. */
const IMPORT_STATEMENT = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+([^\n#]*))/gm;
/** Packages whose data files are read with importlib.resources.files("<package>"). */
const RESOURCE_PACKAGE = /resources\.files\(\s*["']([\w.]+)["']\s*\)/g;

/** A module or package `name` refers to a file below `packageDir`'s parent: `<pkg>/a/b.py` or `<pkg>/a/b/__init__.py`. */
function moduleFile(name: string, packageParent: string, root: string): string | undefined {
    const base = path.posix.join(packageParent, ...name.split("."));
    return [`${base}.py`, `${base}/__init__.py`].find((candidate) => fs.existsSync(path.join(root, candidate)));
}

/** The modules of `packageName` a Python source imports: `from p.a import b` names p.a and, when it is a module, p.a.b. */
function importedModules(text: string, packageName: string): { modules: string[]; resourcePackages: string[] } {
    const ours = (name: string) => name === packageName || name.startsWith(`${packageName}.`);
    const modules: string[] = [];
    for (const match of text.matchAll(IMPORT_STATEMENT)) {
        const [, fromModule, names, imported] = match;
        if (fromModule !== undefined) {
            if (!ours(fromModule)) continue;
            modules.push(fromModule);
            const listed = names.replace(/[()]/g, " ").split(",").map((name) => name.trim().split(/\s+/)[0]).filter((name) => /^\w+$/.test(name));
            modules.push(...listed.map((name) => `${fromModule}.${name}`));
        } else {
            modules.push(...imported.split(",").map((name) => name.trim().split(/\s+/)[0]).filter(ours));
        }
    }
    const resourcePackages = [...text.matchAll(RESOURCE_PACKAGE)].map((match) => match[1]).filter(ours);
    return { modules, resourcePackages };
}

/**
 * The files of the Python package `packageDir` (repository-relative) that the script `entry` runs
 * with, sorted: every module it imports from the package, directly or through other modules (lazy
 * imports inside functions included), the `__init__.py` of each package on the way, and the data
 * files of the packages it reads with importlib.resources.files(...). What only tools import (a
 * benchmark, a local runner, a sample generator) is left out. A name that could be a module but
 * is not one (`from p import CONSTANT`) is an attribute and adds nothing.
 */
export function pythonRuntimeFiles(entry: string, packageDir: string, root: string = REPO_ROOT): string[] {
    const packageName = path.posix.basename(packageDir);
    const packageParent = path.posix.dirname(packageDir);
    const files = new Set<string>();
    const visited = new Set<string>();
    const addWithParents = (file: string) => {
        files.add(file);
        for (let directory = path.posix.dirname(file); directory === packageDir || directory.startsWith(`${packageDir}/`); directory = path.posix.dirname(directory)) {
            files.add(`${directory}/__init__.py`);
        }
    };
    const visit = (source: string) => {
        if (visited.has(source)) return;
        visited.add(source);
        const { modules, resourcePackages } = importedModules(fs.readFileSync(path.join(root, source), "utf8"), packageName);
        for (const module of modules) {
            const file = moduleFile(module, packageParent, root);
            if (file === undefined) continue;
            addWithParents(file);
            visit(file);
        }
        for (const resourcePackage of resourcePackages) {
            const directory = path.posix.join(packageParent, ...resourcePackage.split("."));
            if (!fs.existsSync(path.join(root, directory, "__init__.py"))) {
                throw new Error(`${source} reads the resources of ${resourcePackage}, which is not a package (no ${directory}/__init__.py).`);
            }
            for (const entry of fs.readdirSync(path.join(root, directory), { withFileTypes: true })) {
                if (entry.isFile() && !entry.name.endsWith(".py") && !entry.name.startsWith(".")) files.add(`${directory}/${entry.name}`);
            }
            addWithParents(`${directory}/__init__.py`);
        }
    };
    visit(entry);
    return [...files].sort();
}
