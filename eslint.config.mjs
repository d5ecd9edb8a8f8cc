// ESLint for the TypeScript of model/, infra/, ops/, workbench/, engine/, test/ and policies/ (`npm run lint`, part of `npm test`),
// with typescript-eslint's type-aware rules. The project service types each file with the nearest
// tsconfig.json that includes it: policies/tsconfig.json for the pack as it is published, the root
// one for everything else (the pack's tests and driver too). Imports resolve from the file's folder,
// so the pack's against policies/node_modules, as in `cd policies && npm test`.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    { ignores: ["build/", "out/", "**/node_modules/", "policies/out/", "policies/model/", "**/.venv/"] },
    {
        files: ["{model,infra,ops,workbench,engine,test,policies}/**/*.ts"],
        extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // As tsc's noUnusedLocals and noUnusedParameters: a leading _ marks a parameter a signature
            // requires, and `const { dropped, ...rest } = x` is how a property is left out of a copy.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // The one plain-JavaScript file, tools/compiled.js, and this file: no types to check against.
        files: ["tools/compiled.js", "eslint.config.mjs"],
        extends: [js.configs.recommended],
        languageOptions: {
            globals: { require: "readonly", module: "writable", __dirname: "readonly", __filename: "readonly", process: "readonly", console: "readonly" },
        },
    },
);
