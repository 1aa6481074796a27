/**
 * examples/consumer-program, with this repository packed and installed as another team installs
 * it, on the real Pulumi engine: preview and up with the policy pack, a second preview that must
 * find no change, and destroy. The program runs its own @pulumi/pulumi and the package's compiled
 * components. STAND-IN: the AWS provider plugin (test/engine/stand-in-aws), which creates nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installPackedExample } from "../helpers/consumer-example";
import { EngineProject, POLICY_PACK_ANALYZER, assertPreviewCreates, engineCli } from "./engine-cli";

const STACK = "dev";

describe("examples/consumer-program with the packed package, on the real Pulumi engine (STAND-IN AWS provider)", function () {
    this.timeout(900_000);
    let app: string;
    let project: EngineProject;

    before(() => {
        ({ app } = installPackedExample(fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-consumer-"))));
        project = engineCli(app);
        project.pulumi(["stack", "init", STACK]);
    });

    it("previews with the policy pack: the program's own fleet beside the package's components", () => {
        const preview = project.pulumi(["preview", "--stack", STACK, "--policy-pack", POLICY_PACK_ANALYZER]);
        assertPreviewCreates(preview, [
            "aws:appstream:Fleet kiosk",
            "appstream-ops:usage:UsagePipeline usage",
            "appstream-ops:image-update:ImageUpdateScheduler image-updates",
            "aws:sfn:StateMachine image-updates-state-machine",
        ]);
    });

    it("ups with the policy pack, and a second preview finds no change", () => {
        const up = project.pulumi(["up", "--stack", STACK, "--yes", "--policy-pack", POLICY_PACK_ANALYZER]);
        assert.match(up.stdout, /Resources:\s*\n\s*\+ \d+ created/, up.output);
        project.pulumi(["preview", "--stack", STACK, "--expect-no-changes", "--policy-pack", POLICY_PACK_ANALYZER]);
        const outputs = project.outputs(STACK);
        assert.strictEqual(outputs.glueDatabaseName, "kiosk_usage");
        assert.strictEqual(JSON.parse(outputs.imageUpdateRunInput).settings.timeZone, "Europe/Berlin");
    });

    it("negative control: a bad argument in the program fails the preview with the package's message, without a stack trace", () => {
        const index = path.join(app, "index.ts");
        const original = fs.readFileSync(index, "utf8");
        fs.writeFileSync(
            index,
            original.replace("keepImageVersions: 2,", "keepImageVersions: 2,\n    batchSize: 500,"),
        );
        try {
            const preview = project.pulumi(["preview", "--stack", STACK], { allowFailure: true });
            assert.notStrictEqual(preview.code, 0, preview.output);
            assert.match(preview.output, /ImageUpdateScheduler "image-updates": invalid arguments/);
            assert.match(preview.output, /batchSize = 500 is invalid: expected an integer from 1 to 100/);
            assert.doesNotMatch(preview.output, /^\s+at .+:\d+:\d+\)?$/m, "a JavaScript stack trace");
        } finally {
            fs.writeFileSync(index, original);
        }
    });

    it("destroys every resource", () => {
        project.pulumi(["destroy", "--stack", STACK, "--yes"]);
        assert.deepStrictEqual(project.deployed(STACK), []);
    });
});
