/**
 * The shipped dev stack on the real Pulumi engine: preview, up with the policy pack, a second
 * preview that must find no change, the stack outputs the README documents, and destroy. Real: the
 * Pulumi CLI, the Node.js language host, the policy runtime, the engine's plan and state. STAND-IN:
 * the AWS provider plugin (test/engine/stand-in-aws), which creates nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { documentedOutputs } from "./documented-outputs";
import {
    EngineProject,
    POLICY_PACK_ANALYZER,
    REPO,
    assertPreviewCreates,
    engineProject,
    trackedFiles,
} from "./engine-cli";

describe("the dev stack on the real Pulumi engine (STAND-IN AWS provider)", function () {
    this.timeout(900_000);
    let project: EngineProject;

    before(() => {
        project = engineProject();
        project.pulumi(["stack", "init", "dev"]);
    });

    it("previews: every resource is to be created, and the policy pack runs", () => {
        const preview = project.pulumi(["preview", "--stack", "dev", "--policy-pack", POLICY_PACK_ANALYZER]);
        assertPreviewCreates(preview, ["pulumi:pulumi:Stack appstream-ops-dev", "aws:s3:Bucket usage-usage"]);
        assert.doesNotMatch(
            preview.stdout,
            /aws:sfn:StateMachine|aws:lambda:Function/,
            "image updates are off in the dev stack",
        );
    });

    it("ups with the policy pack; a second preview finds no change", () => {
        const up = project.pulumi(["up", "--stack", "dev", "--yes", "--policy-pack", POLICY_PACK_ANALYZER]);
        assert.match(up.stdout, /Resources:\s*\n\s*\+ \d+ created/, up.output);
        project.pulumi(["preview", "--stack", "dev", "--expect-no-changes", "--policy-pack", POLICY_PACK_ANALYZER]);
    });

    it("outputs what the README documents for the capabilities turned on", () => {
        const outputs = project.outputs("dev");
        assert.deepStrictEqual(Object.keys(outputs).sort(), documentedOutputs({}));
        for (const [name, value] of Object.entries(outputs)) assert.ok(value, `${name} has no value`);
    });

    it("npm run deploy -- --stack dev deploys it, and changes no tracked file but the encryption salt the README mentions", () => {
        const deployProject = engineProject();
        const before = fs.readFileSync(path.join(deployProject.dir, "Pulumi.dev.yaml"), "utf8");
        const deploy = deployProject.run("bash", ["scripts/deploy.sh", "--stack", "dev", "--yes"], {
            env: { APPSTREAM_OPS_POLICY_PACK: POLICY_PACK_ANALYZER },
        });
        assert.match(deploy.stdout, /Resources:\s*\n\s*\+ \d+ created/, deploy.output);
        assert.doesNotMatch(deploy.output, /npm ci|added \d+ packages/, "deploy.sh reinstalled packages");
        const changed = trackedFiles().filter((file) => {
            const copy = path.join(deployProject.dir, file);
            return fs.existsSync(copy) && !fs.readFileSync(copy).equals(fs.readFileSync(path.join(REPO, file)));
        });
        assert.deepStrictEqual(changed, ["Pulumi.dev.yaml"]);
        const after = fs.readFileSync(path.join(deployProject.dir, "Pulumi.dev.yaml"), "utf8");
        assert.strictEqual(after.replace(/^encryptionsalt: .*\n/m, ""), before);
    });

    it("destroys every resource", () => {
        project.pulumi(["destroy", "--stack", "dev", "--yes"]);
        assert.deepStrictEqual(project.deployed("dev"), []);
    });
});
