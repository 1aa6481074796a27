import * as assert from "assert";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKey, stackFileDefault } from "../config";
import { runProgram } from "./helpers/program";
import { readStackConfig } from "./helpers/stack-config";

describe("Pulumi.dev.yaml", () => {
    const config = readStackConfig("dev");

    it("shows every appstream-ops key, with its default", () => {
        const shown = Object.keys(config).filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`));
        assert.deepStrictEqual(
            shown.sort(),
            Object.keys(CONFIG_KEYS)
                .map((k) => `${CONFIG_NAMESPACE}:${k}`)
                .sort(),
        );
        for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
            assert.strictEqual(config[`${CONFIG_NAMESPACE}:${key}`], stackFileDefault(key), key);
        }
    });

    it("is accepted by the program", async () => {
        const run = await runProgram({ stack: "dev", config });
        assert.ok(run.resources.length > 30);
    });
});
