/** The vendored state of the previous release's dev stack (see record-previous-release.ts). */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

export const PREVIOUS_RELEASE_DIR = path.join(__dirname, "previous-release");

/** The settings the recorded dev stack ran with, beyond Pulumi.dev.yaml's: image updates on. */
export const UPGRADE_SETTINGS: Record<string, string> = {
    imageUpdates: "true",
    notifyEmails: '["ops@example.com"]',
    senderEmail: "appstream@example.com",
    keepImageVersions: "2",
};

export function previousRelease(): { commit: string; stackFile: string; state: string } {
    return {
        commit: fs.readFileSync(path.join(PREVIOUS_RELEASE_DIR, "commit"), "utf8").trim(),
        stackFile: path.join(PREVIOUS_RELEASE_DIR, "Pulumi.dev.yaml"),
        state: zlib.gunzipSync(fs.readFileSync(path.join(PREVIOUS_RELEASE_DIR, "state.json.gz"))).toString("utf8"),
    };
}
