import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

// Pulumi's closure serializer (3.270) does not capture an imported name used only as a computed key
// in a destructuring pattern: the deployed function then fails with "ReferenceError: <module>_1 is
// not defined", on whichever path reaches it (issue 20, defect 8).
export const SERIALIZED_COMPUTED_KEY_MESSAGE =
    "A computed key in a destructuring pattern is not captured by Pulumi's closure serializer; copy the object and delete the key instead.";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "dist/", "examples/", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { pulumi },
        rules: {
            // An Output inside a template literal renders as a warning string, not its value.
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        // Code Pulumi serializes into a Lambda archive (the image-update handler and what it imports).
        files: ["runtime/**/*.ts"],
        rules: {
            "no-restricted-syntax": [
                "error",
                {
                    selector: "ObjectPattern > Property[computed=true]",
                    message: SERIALIZED_COMPUTED_KEY_MESSAGE,
                },
            ],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // Tests read loosely typed engine inputs and assert non-null with `!` after a check.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-non-null-assertion": "off",
        },
    },
);
