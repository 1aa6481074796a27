/**
 * Code that Pulumi serializes into the Lambda archive must avoid what the closure serializer does
 * not capture (issue 20, defect 8): an imported name used only as a computed key in a destructuring
 * pattern. The engine's behaviour is pinned here, and the lint rule that keeps it out of runtime/
 * is shown to catch it.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ESLint } from "eslint";
import { NEXT_VERSION_TAG_KEY } from "../../runtime/image-update/run/run-settings";
import { PROJECT_ROOT } from "../helpers/program";

const PLANTED = `import { NEXT_VERSION_TAG_KEY } from "./image-update/run/run-settings";
export function strip(tags: Record<string, string>) {
    const { [NEXT_VERSION_TAG_KEY]: _next, ...rest } = tags;
    return rest;
}
`;

describe("serialized closures", () => {
    it("Pulumi's serializer loses an imported name used only as a computed destructuring key", async () => {
        const strip = (tags: Record<string, string>) => {
            // eslint-disable-next-line @typescript-eslint/no-unused-vars
            const { [NEXT_VERSION_TAG_KEY]: _next, ...rest } = tags;
            return rest;
        };
        const serialized = await pulumi.runtime.serializeFunction(() => strip({ NextVersion: "x", Team: "y" }));
        const module = { exports: {} as Record<string, () => unknown> };
        new Function("exports", "module", "require", serialized.text)(module.exports, module, require);
        assert.throws(
            () => module.exports[serialized.exportName](),
            /ReferenceError: run_settings_1 is not defined|run_settings_1 is not defined/,
        );
    });

    it("the lint rule on runtime/ refuses the pattern, and accepts the copy-and-delete the runtime uses", async () => {
        const eslint = new ESLint({ cwd: PROJECT_ROOT });
        const lint = async (text: string) =>
            (
                await eslint.lintText(
                    text, // An existing runtime file, so the project service types it; its text is the planted one.
                    { filePath: path.join(PROJECT_ROOT, "runtime", "zip.ts") },
                )
            )[0].messages
                .filter((m) => m.ruleId === "no-restricted-syntax")
                .map((m) => m.message);
        assert.match((await lint(PLANTED)).join("\n"), /not captured by Pulumi's closure serializer/);
        const fixed = PLANTED.replace(
            "const { [NEXT_VERSION_TAG_KEY]: _next, ...rest } = tags;",
            "const rest = { ...tags };\n    delete rest[NEXT_VERSION_TAG_KEY];",
        );
        assert.deepStrictEqual(await lint(fixed), []);
    });
});
