/**
 * Bad input on the real Pulumi engine: the CLI prints the program's own one-line message, with no
 * JavaScript stack trace, and nothing is created. STAND-IN: the AWS provider plugin.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { engineProject } from "./engine-cli";

const STACK_TRACE = /\n\s+at .+\(.+:\d+:\d+\)/;

describe("bad input on the real Pulumi engine (STAND-IN AWS provider)", function () {
    this.timeout(900_000);

    it("a bad config value: preview fails with the program's message naming the key and the accepted values", () => {
        const project = engineProject();
        project.pulumi(["stack", "init", "dev"]);
        project.pulumi(["config", "set", "--stack", "dev", "appstream-ops:batchSize", "500"]);
        const preview = project.pulumi(["preview", "--stack", "dev"], { allowFailure: true });
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(
            preview.stdout,
            /error: Invalid stack configuration \(fix it with `pulumi config set` or in Pulumi\.<stack>\.yaml\):\n\s+- appstream-ops:batchSize = "500" is invalid: expected an integer from 1 to 100 \(default 5\)/,
            preview.output,
        );
        assert.doesNotMatch(preview.output, STACK_TRACE);
    });

    it("a stack without its stack file (or one without settings): preview fails with the program's message instead of deploying every default", () => {
        const project = engineProject();
        project.pulumi(["stack", "init", "prdo"]);
        fs.rmSync(path.join(project.dir, "Pulumi.prdo.yaml"), { force: true });
        const preview = project.pulumi(["preview", "--stack", "prdo"], { allowFailure: true });
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(
            preview.stdout,
            /error: Missing stack configuration:\n\s+- stack "prdo" has no appstream-ops: setting/,
            preview.output,
        );
        assert.doesNotMatch(preview.output, STACK_TRACE);
    });

    it("negative control: the same stack with one setting of its own previews on the defaults", () => {
        const project = engineProject();
        project.pulumi(["stack", "init", "prdo"]);
        project.pulumi(["config", "set", "--stack", "prdo", "appstream-ops:imageUpdates", "false"]);
        const preview = project.pulumi(["preview", "--stack", "prdo"]);
        assert.match(preview.stdout, /\+ \d+ to create/, preview.output);
    });
});
