/**
 * Upgrading a deployed stack, the way Pulumi's own component libraries test it: the previous
 * release (the commit CHANGELOG.md's latest release names) deploys the dev stack with image updates
 * on, then the current program is previewed on that state. A replacement or deletion is a break for
 * every user unless the CHANGELOG's Unreleased section names the resource. STAND-IN: the AWS
 * provider plugin, which reports a replacement when a name, bucket, key or database changes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineProject, REPO, copyWorkingTree, engineProject } from "./engine-cli";

const CHANGELOG = fs.readFileSync(path.join(REPO, "CHANGELOG.md"), "utf8");

function previousRelease(): string {
    const heading = /^## (\S+) \([^)]*commit ([0-9a-f]{7,40})\)$/m.exec(CHANGELOG);
    if (!heading)
        throw new Error("CHANGELOG.md names no release with its commit (## <version> (<date>, commit <sha>))");
    return heading[2];
}

const IMAGE_UPDATES = [
    "imageUpdates=true",
    'notifyEmails=["ops@example.com"]',
    "senderEmail=appstream@example.com",
    "keepImageVersions=2",
];

/** The previous release's dev stack, deployed; then the working tree copied over it. */
function upgraded(change?: (dir: string) => void): EngineProject {
    const project = engineProject({ commit: previousRelease() });
    project.pulumi(["stack", "init", "dev"]);
    for (const setting of IMAGE_UPDATES) {
        const [key, value] = setting.split(/=(.*)/s);
        project.pulumi(["config", "set", "--stack", "dev", `appstream-ops:${key}`, value]);
    }
    project.pulumi(["up", "--stack", "dev", "--yes"]);
    // The stack file now holds the release's settings, the ones above and the encryption salt.
    const stackFile = fs.readFileSync(path.join(project.dir, "Pulumi.dev.yaml"), "utf8");
    copyWorkingTree(project.dir);
    fs.writeFileSync(path.join(project.dir, "Pulumi.dev.yaml"), stackFile);
    change?.(project.dir);
    return project;
}

/** The replacements and deletions a preview of the working tree plans, as `<op> <type> <name>`. */
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

    it(`previews the current program on the previous release's state (${previousRelease()}) with no replacement or deletion the CHANGELOG does not name`, () => {
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
});
