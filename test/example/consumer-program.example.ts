/**
 * `npm run test:example`: appstream-ops as another program gets it. Packs this repository as npm
 * would publish it, installs the tarball into a copy of examples/consumer-program (with npm, from
 * the registry or npm's cache), and runs that program's own test under mocks, which type-checks it
 * first. A planted bad argument must then fail the same test with the component's message.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyExample, installPackedExample, npm, npmInstall } from "../helpers/consumer-example";
import { PROJECT_ROOT } from "../helpers/program";

/** The example's `npm test` output with `planted` added to its arguments; the file is restored after. */
function testWithPlantedArgument(app: string, planted: string): { status: number | null; output: string } {
    const index = path.join(app, "index.ts");
    const original = fs.readFileSync(index, "utf8");
    fs.writeFileSync(index, original.replace("keepImageVersions: 2,", `keepImageVersions: 2,\n    ${planted},`));
    try {
        return npm(["test"], app);
    } finally {
        fs.writeFileSync(index, original);
    }
}

describe("examples/consumer-program, with the packed package installed", function () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-example-"));
    let app: string;
    let packed: string[] = [];

    before(function () {
        ({ app, packed } = installPackedExample(work));
    });

    it("the package holds compiled JavaScript, declarations and the session assets, and no sources or tests", () => {
        for (const file of ["dist/library.js", "dist/library.d.ts", "dist/runtime/image-update/run/handler.js"]) {
            assert.ok(packed.includes(file), `${file} is not in the package`);
        }
        const assets = fs.readdirSync(path.join(PROJECT_ROOT, "session-assets"));
        for (const asset of assets) assert.ok(packed.includes(`dist/session-assets/${asset}`), asset);
        const sources = packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
        assert.deepStrictEqual(sources, []);
        assert.deepStrictEqual(
            packed.filter((f) => /^(test|scripts|policy-pack)\//.test(f)),
            [],
        );
    });

    it("type-checks and passes its own tests under mocks", () => {
        const test = npm(["test"], app);
        assert.strictEqual(test.status, 0, test.output);
        assert.match(test.output, /# pass 5\b/);
        assert.match(test.output, /# fail 0\b/);
    });

    it("installs from a git URL too (npm clones the commit and builds it with prepare) and passes the same test", () => {
        // The committed HEAD of this checkout, as `npm install git+https://…#<tag>` would fetch a tag.
        const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
        const fromGit = path.join(work, "from-git");
        copyExample(fromGit);
        const manifest = JSON.parse(fs.readFileSync(path.join(fromGit, "package.json"), "utf8"));
        manifest.dependencies["appstream-ops"] = `git+file://${PROJECT_ROOT}#${head}`;
        fs.writeFileSync(path.join(fromGit, "package.json"), JSON.stringify(manifest, null, 2));
        npmInstall(fromGit);
        assert.ok(fs.existsSync(path.join(fromGit, "node_modules", "appstream-ops", "dist", "library.js")));
        const test = npm(["test"], fromGit);
        assert.strictEqual(test.status, 0, test.output);
        assert.match(test.output, /# pass 5\b/);
    });

    it("fails its test with the component's message when an argument is bad (negative control)", () => {
        const test = testWithPlantedArgument(app, "batchSize: 500");
        assert.notStrictEqual(test.status, 0);
        assert.match(
            test.output,
            /ImageUpdateScheduler "image-updates": invalid arguments:\s+- batchSize = 500 is invalid: expected an integer from 1 to 100 \(default 5\)/,
        );
    });

    it("fails type-checking when the program uses an argument the package does not declare (negative control)", () => {
        const test = testWithPlantedArgument(app, "batchsize: 3");
        assert.notStrictEqual(test.status, 0);
        assert.match(test.output, /error TS2561: .*'batchsize' does not exist in type 'ImageUpdateSchedulerArgs'/);
    });
});
