/**
 * Upgrading a deployed stack, the way Pulumi's own component libraries test it: the state the
 * previous release deployed (the dev stack with image updates on; vendored in previous-release/,
 * recorded by record-previous-release.ts from the commit CHANGELOG.md's latest release names) is
 * imported, and the current program is previewed on it. A replacement or deletion is a break for
 * every user unless the CHANGELOG's Unreleased section names the resource. STAND-IN: the AWS
 * provider plugin, which reports a replacement when a name, bucket, key or database changes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineProject, REPO, engineProject } from "./engine-cli";
import { previousRelease } from "./previous-release";

const CHANGELOG = fs.readFileSync(path.join(REPO, "CHANGELOG.md"), "utf8");

/** The working tree (with `change`) on the previous release's imported state. */
function upgraded(change?: (dir: string) => void): EngineProject {
    const release = previousRelease();
    const project = engineProject({ change });
    // The release's stack file: its settings and the salt its state's secrets provider was made with.
    fs.copyFileSync(release.stackFile, path.join(project.dir, "Pulumi.dev.yaml"));
    project.pulumi(["stack", "init", "dev"]);
    const state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-state-")), "state.json");
    fs.writeFileSync(state, release.state);
    project.pulumi(["stack", "import", "--stack", "dev", "--file", state]);
    return project;
}

/** The replacements and deletions a preview plans, as `<op> <type> <name>`. */
function breakingSteps(project: EngineProject): string[] {
    const preview = JSON.parse(project.pulumi(["preview", "--stack", "dev", "--json"]).stdout);
    return (
        (preview.steps ?? [])
            // A replacement also shows as create-replacement and delete-replaced steps: one line is enough.
            .filter((step: { op: string }) => step.op === "replace" || step.op === "delete")
            .map(
                (step: { op: string; urn: string }) =>
                    `${step.op} ${step.urn.split("::")[2].split("$").pop()} ${step.urn.split("::").pop()}`,
            )
    );
}

describe("upgrading a stack deployed by the previous release, on the real Pulumi engine (STAND-IN AWS provider)", function () {
    this.timeout(900_000);

    it("the vendored state is of the release CHANGELOG.md names last, and holds the dev stack with image updates", () => {
        const release = previousRelease();
        const heading = /^## (\S+) \([^)]*commit ([0-9a-f]{7,40})\)$/m.exec(CHANGELOG);
        assert.ok(heading, "CHANGELOG.md names no release with its commit (## <version> (<date>, commit <sha>))");
        assert.ok(release.commit.startsWith(heading[2]), `recorded ${release.commit}, CHANGELOG names ${heading[2]}`);
        const types = JSON.parse(release.state).deployment.resources.map((r: { type: string }) => r.type);
        assert.ok(types.includes("aws:sfn/stateMachine:StateMachine") && types.includes("aws:s3/bucket:Bucket"));
    });

    it("previews the current program on the previous release's state with no replacement or deletion the CHANGELOG does not name", () => {
        const unreleased = CHANGELOG.split(/^## /m)[1];
        const unnamed = breakingSteps(upgraded()).filter((step) => !unreleased.includes(step.split(" ").pop()!));
        assert.deepStrictEqual(unnamed, []);
    });

    it("negative control: a renamed resource shows as a deletion", () => {
        const steps = breakingSteps(
            upgraded((dir) => {
                const file = path.join(dir, "components/usage-pipeline.ts");
                const text = fs.readFileSync(file, "utf8");
                fs.writeFileSync(file, text.replace("`${name}-database`", "`${name}-glue-database`"));
            }),
        );
        assert.ok(steps.includes("delete aws:glue/catalogDatabase:CatalogDatabase usage-database"), steps.join("\n"));
    });

    it("negative control: a changed component type shows as deletions of everything under it", () => {
        const steps = breakingSteps(
            upgraded((dir) => {
                const file = path.join(dir, "components/usage-pipeline.ts");
                const text = fs.readFileSync(file, "utf8");
                fs.writeFileSync(
                    file,
                    text.replace('"appstream-ops:usage:UsagePipeline"', '"appstream-ops:usage:SessionUsagePipeline"'),
                );
            }),
        );
        assert.ok(steps.includes("delete aws:glue/catalogDatabase:CatalogDatabase usage-database"), steps.join("\n"));
        assert.ok(steps.includes("delete aws:s3/bucket:Bucket usage-usage"), steps.join("\n"));
    });
});
