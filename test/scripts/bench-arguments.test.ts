import * as assert from "assert";
import { spawnSync } from "child_process";
import { PROJECT_ROOT } from "../helpers/program";

describe("npm run bench, used wrongly (issue 15)", function () {
    this.timeout(60_000);
    it("refuses an argument it does not take, in one line with exit code 2, before measuring anything", () => {
        // Before: `npm run bench -- --fast` ignored the flag and ran every measurement.
        const result = spawnSync("npm", ["run", "--silent", "bench", "--", "--fast"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(result.status, 2, result.stderr);
        assert.strictEqual(result.stderr.trim(), "bench: Unknown option '--fast'; usage: npm run bench");
        assert.strictEqual(result.stdout, "");
    });
});
