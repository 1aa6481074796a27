import * as assert from "assert";
import {
    MAX_WAITING_TIME_SECONDS,
    SCRIPT_INSTALL_DIRS,
    SessionScriptSettings,
    renderSessionScriptsConfig,
    scriptTimeoutSeconds,
    sessionScriptPackage,
} from "../../../runtime/usage/session-scripts";

const settings: SessionScriptSettings = {
    bucket: "usage-bucket",
    region: "eu-west-1",
    waitingTimeSeconds: 30,
    s3LogEnabled: true,
};

describe("session-scripts config.json", () => {
    for (const waitingTimeSeconds of [0, -1, 61, 90, 2.5, Number.NaN]) {
        it(`refuses waitingTime ${waitingTimeSeconds}`, () => {
            assert.throws(
                () => renderSessionScriptsConfig("elasticFleet", { ...settings, waitingTimeSeconds }),
                /waitingTime must be an integer from 1 to 60/,
            );
        });
    }

    for (const waitingTimeSeconds of [1, 30, MAX_WAITING_TIME_SECONDS]) {
        it(`waitingTime ${waitingTimeSeconds}: the scripts' own timeout ends before AppStream's`, () => {
            const config = renderSessionScriptsConfig("imageBuilder", { ...settings, waitingTimeSeconds });
            const timeout = scriptTimeoutSeconds(waitingTimeSeconds);
            assert.ok(timeout >= 1 && (timeout < waitingTimeSeconds || waitingTimeSeconds === 1));
            for (const event of [config.SessionStart, config.SessionTermination]) {
                assert.strictEqual(event.waitingTime, waitingTimeSeconds);
                assert.ok(event.executables[0].arguments.includes(`-TimeoutSeconds ${timeout}`));
            }
        });
    }

    it("runs Windows PowerShell non-interactively in the user context", () => {
        const config = renderSessionScriptsConfig("elasticFleet", settings);
        const [start] = config.SessionStart.executables;
        assert.strictEqual(start.context, "user");
        assert.strictEqual(start.filename, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
        assert.strictEqual(
            start.arguments,
            '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\AppStream\\SessionScripts\\SessionScript\\session-start.ps1" ' +
                '-Bucket "usage-bucket" -Region "eu-west-1" -KeyPrefix "sessions" ' +
                '-FieldsFile "C:\\AppStream\\SessionScripts\\SessionScript\\usage-record-fields.json" -TimeoutSeconds 25',
        );
        assert.strictEqual(start.s3LogEnabled, true);
        assert.ok(
            config.SessionTermination.executables[0].arguments.includes('-EventLogKeyPrefix "session-eventlogs"'),
        );
    });

    it("serializes Windows paths with the double backslashes AppStream requires", () => {
        const text = JSON.stringify(renderSessionScriptsConfig("imageBuilder", settings));
        assert.ok(text.includes("C:\\\\AppStream\\\\SessionScripts\\\\session-end.ps1"));
    });

    it("the two delivery paths differ only in the install folder", () => {
        const elastic = JSON.stringify(renderSessionScriptsConfig("elasticFleet", settings));
        const builder = JSON.stringify(renderSessionScriptsConfig("imageBuilder", settings));
        const escaped = (dir: string) => JSON.stringify(dir).slice(1, -1);
        assert.strictEqual(
            elastic.split(escaped(SCRIPT_INSTALL_DIRS.elasticFleet)).join("DIR"),
            builder.split(escaped(SCRIPT_INSTALL_DIRS.imageBuilder)).join("DIR"),
        );
    });

    for (const bucket of ['evil" -Region "x', "a;b", "$(whoami)", "a`b"]) {
        it(`refuses to render an argument that would break the command line: ${bucket}`, () => {
            assert.throws(
                () => renderSessionScriptsConfig("elasticFleet", { ...settings, bucket }),
                /cannot be passed safely/,
            );
        });
    }

    it("the package renders config.json and the fields file and ships the scripts as they are", () => {
        const files = sessionScriptPackage("elasticFleet", settings);
        assert.deepStrictEqual(Object.keys(files).sort(), [
            "UsageRecorder.psm1",
            "config.json",
            "session-end.ps1",
            "session-start.ps1",
            "usage-record-fields.json",
        ]);
        assert.deepStrictEqual(files["session-start.ps1"], { assetFile: "session-start.ps1" });
        assert.ok("text" in files["config.json"]);
    });
});
