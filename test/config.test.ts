import * as assert from "assert";
import { CONFIG_KEYS, ConfigValidationError, parseConfig } from "../config";
import { runProgram } from "./helpers/program";

function problemsOf(raw: Record<string, string>, present = Object.keys(raw)): string[] {
    try {
        parseConfig((key) => raw[key], present);
    } catch (err) {
        assert.ok(err instanceof ConfigValidationError, `expected ConfigValidationError, got ${err}`);
        return [...err.problems];
    }
    assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

describe("config", () => {
    it("uses the documented defaults when nothing is set", () => {
        assert.deepStrictEqual(
            parseConfig(() => undefined),
            {
                sessionScriptWaitSeconds: 30,
                usageRetentionDays: 730,
                athenaBytesScannedCutoffMb: 1024,
            },
        );
    });

    it("parses the raw strings a stack file gives", () => {
        const raw: Record<string, string> = {
            sessionScriptWaitSeconds: "60",
            usageRetentionDays: "1",
            athenaBytesScannedCutoffMb: "10",
        };
        assert.deepStrictEqual(
            parseConfig((k) => raw[k]),
            {
                sessionScriptWaitSeconds: 60,
                usageRetentionDays: 1,
                athenaBytesScannedCutoffMb: 10,
            },
        );
    });

    const invalid: [string, string, string][] = [
        ["sessionScriptWaitSeconds", "0", "an integer from 1 to 60"],
        ["sessionScriptWaitSeconds", "61", "an integer from 1 to 60"],
        ["sessionScriptWaitSeconds", "90", "an integer from 1 to 60"],
        ["sessionScriptWaitSeconds", "30.5", "an integer from 1 to 60"],
        ["sessionScriptWaitSeconds", "thirty", "an integer from 1 to 60"],
        ["sessionScriptWaitSeconds", "", "an integer from 1 to 60"],
        ["usageRetentionDays", "0", "an integer >= 1"],
        ["usageRetentionDays", "-7", "an integer >= 1"],
        ["usageRetentionDays", "1e3", "an integer >= 1"],
        ["athenaBytesScannedCutoffMb", "9", "an integer >= 10"],
        ["athenaBytesScannedCutoffMb", "[1024]", "an integer >= 10"],
    ];
    for (const [key, value, accepted] of invalid) {
        it(`rejects ${key} = ${JSON.stringify(value)}, naming the key and the accepted values`, () => {
            const problems = problemsOf({ [key]: value });
            assert.strictEqual(problems.length, 1, problems.join("\n"));
            const expected = `appstream-ops:${key} = ${JSON.stringify(value)} is invalid: expected ${accepted} (default ${CONFIG_KEYS[key as keyof typeof CONFIG_KEYS].defaultValue})`;
            assert.strictEqual(problems[0], expected);
        });
    }

    it("reports every invalid key at once", () => {
        const problems = problemsOf({
            sessionScriptWaitSeconds: "90",
            usageRetentionDays: "0",
            athenaBytesScannedCutoffMb: "1",
        });
        assert.deepStrictEqual(
            problems.map((p) => p.split(" ")[0]),
            [
                "appstream-ops:sessionScriptWaitSeconds",
                "appstream-ops:usageRetentionDays",
                "appstream-ops:athenaBytesScannedCutoffMb",
            ],
        );
    });

    it("rejects an unknown key (a typo) and lists the accepted keys", () => {
        const problems = problemsOf({ sessionScriptWaitSecond: "30" });
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /appstream-ops:sessionScriptWaitSecond is not a known key/);
        for (const key of Object.keys(CONFIG_KEYS)) assert.ok(problems[0].includes(key), `${key} not listed`);
    });

    it("fails the program under preview with the config error", async () => {
        await assert.rejects(
            runProgram({ preview: true, config: { sessionScriptWaitSeconds: "90" } }),
            (err: Error) => {
                // The program loads its own copy of config.ts, so compare by name, not by class.
                assert.strictEqual(err.name, "ConfigValidationError");
                assert.match(
                    err.message,
                    /appstream-ops:sessionScriptWaitSeconds = "90" is invalid: expected an integer from 1 to 60/,
                );
                return true;
            },
        );
    });
});
