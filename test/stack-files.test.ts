import * as assert from "assert";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKey, stackFileDefault } from "../config";
import { runProgram } from "./helpers/program";
import { readStackConfig } from "./helpers/stack-config";

/** Where the shipped dev stack departs from the defaults, so a first deploy changes nothing it did not announce. */
const FIRST_DEPLOY: Partial<Record<ConfigKey, string>> = { imageUpdates: "false" };

describe("Pulumi.dev.yaml", () => {
    const config = readStackConfig("dev");

    it("shows every appstream-ops key, with its default except the first-deploy switches", () => {
        const shown = Object.keys(config).filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`));
        assert.deepStrictEqual(
            shown.sort(),
            Object.keys(CONFIG_KEYS)
                .map((k) => `${CONFIG_NAMESPACE}:${k}`)
                .sort(),
        );
        for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
            assert.strictEqual(config[`${CONFIG_NAMESPACE}:${key}`], FIRST_DEPLOY[key] ?? stackFileDefault(key), key);
        }
    });

    it("is accepted by the program, and deploys the usage pipeline without touching images", async () => {
        const run = await runProgram({ stack: "dev", config });
        const types = run.resources.map((r) => r.type);
        assert.ok(types.includes("appstream-ops:usage:UsagePipeline"));
        assert.deepStrictEqual(
            types.filter((t) => /ImageUpdate|scheduler|sfn|lambda/i.test(t)),
            [],
        );
    });

    it("sets no Region: a first deploy goes to the Region the user's AWS profile names", () => {
        assert.strictEqual(config["aws:region"], undefined);
    });
});
