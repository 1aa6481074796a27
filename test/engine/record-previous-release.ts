/**
 * Records the state a release deploys, for the upgrade test (test/engine/upgrade.engine.ts): the
 * release's commit deploys the dev stack with image updates on, on the real engine with the
 * stand-in AWS provider, and its exported state and stack file (with the passphrase salt) are
 * written to test/engine/previous-release/. Run it when CHANGELOG.md names a new release:
 *
 *   APPSTREAM_OPS_ENGINE_BIN=$(bash scripts/build-engine.sh | tail -1) \
 *     npm exec -- ts-node --transpile-only test/engine/record-previous-release.ts <commit>
 *
 * The state is vendored, not rebuilt from git history at test time, so the suite also runs in a
 * shallow clone.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { engineProject } from "./engine-cli";
import { PREVIOUS_RELEASE_DIR, UPGRADE_SETTINGS } from "./previous-release";

const commit = process.argv[2];
if (!commit) throw new Error("usage: record-previous-release.ts <commit of the release CHANGELOG.md names>");
const project = engineProject({ commit });
project.pulumi(["stack", "init", "dev"]);
for (const [key, value] of Object.entries(UPGRADE_SETTINGS)) {
    project.pulumi(["config", "set", "--stack", "dev", `appstream-ops:${key}`, value]);
}
project.pulumi(["up", "--stack", "dev", "--yes"]);
const state = project.pulumi(["stack", "export", "--stack", "dev"]).stdout;
fs.writeFileSync(path.join(PREVIOUS_RELEASE_DIR, "state.json.gz"), zlib.gzipSync(state, { level: 9 }));
fs.copyFileSync(path.join(project.dir, "Pulumi.dev.yaml"), path.join(PREVIOUS_RELEASE_DIR, "Pulumi.dev.yaml"));
fs.writeFileSync(path.join(PREVIOUS_RELEASE_DIR, "commit"), `${commit}\n`);
console.log(`recorded ${JSON.parse(state).deployment.resources.length} resources of ${commit}`);
