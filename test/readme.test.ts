import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, ConfigKey, stackFileDefault } from "../config";
import { usageNamedQueries } from "../runtime/usage/named-queries";
import { usageReportNamedQueries } from "../runtime/usage/usage-report-queries";
import { USAGE_RECORD_FIELDS } from "../runtime/usage/record-schema";
import { dynamicResourceDeployerPolicy, imageBuilderReadPolicy } from "../runtime/iam/policy-documents";
import { ASSET_KEYS } from "../runtime/usage/session-scripts";
import { STATE } from "../runtime/image-update/run/state-machine";
import { SAMPLE_SETTINGS, simulateSample } from "../scripts/render-email";
import { PROJECT_ROOT, USAGE_REPORTS_AND_ONE_FLEET, runProgram } from "./helpers/program";
import { README, firstColumn, readmeSection } from "./helpers/readme";

const readme = README;
const section = readmeSection;

describe("README stays true", () => {
    it("Quick start has exactly two commands: deploy a stack, and run the tests", () => {
        const commands = [...section("Quick start").matchAll(/```bash\n([^`]*)```/g)].map((m) => m[1].trim());
        assert.deepStrictEqual(commands, ["npm run deploy -- --stack dev", "npm ci && npm test"]);
    });

    it(".ci/run runs the README's test command, then every heavier suite", () => {
        const commands = fs
            .readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")
            .split("\n")
            .filter(
                (line) => line !== "" && !line.startsWith("#") && !line.startsWith("set ") && !line.startsWith("cd "),
            );
        assert.deepStrictEqual(commands, [
            "npm ci && npm test",
            "npm run test:trino",
            "npm run test:example",
            "npm run test:simulate",
            "npm run test:scale",
            "npm run test:engine",
            "command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }",
            "npm run test:render",
        ]);
    });

    it(".ci/run runs every heavier suite package.json defines (test:*)", () => {
        const ci = fs.readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8");
        const suites = Object.keys(
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts,
        ).filter((name) => name.startsWith("test:"));
        assert.ok(suites.length >= 3);
        for (const suite of suites) assert.ok(ci.includes(`npm run ${suite}\n`), `.ci/run does not run ${suite}`);
    });

    it("every npm script the README tells users to run exists", () => {
        const scripts = Object.keys(
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts,
        );
        const mentioned = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]);
        assert.ok(mentioned.length > 0);
        for (const script of mentioned) assert.ok(scripts.includes(script), `npm run ${script} does not exist`);
    });

    it("the contents line links every section", () => {
        const contents = readme.split("\n").find((line) => line.startsWith("**Contents:**")) ?? "";
        const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
        for (const title of sections) {
            const anchor = title
                .toLowerCase()
                .replace(/[^a-z0-9 -]/g, "")
                .replace(/ /g, "-");
            assert.ok(contents.includes(`[${title}](#${anchor})`), `contents lacks ${title}`);
        }
    });

    it("the image-update diagram names every state of the definition", () => {
        const diagram = section("Scheduled image updates").split("```mermaid")[1]?.split("```")[0] ?? "";
        for (const state of Object.values(STATE)) assert.ok(diagram.includes(state), `the diagram lacks ${state}`);
    });

    it("the sample email is what npm run simulate prints for the sample account, with the settings the README names", async function () {
        this.timeout(60_000);
        const shown = section("The summary email").split("```\n")[1];
        const settings = Object.entries(SAMPLE_SETTINGS).map(([key]) => `${key.replace("appstream-ops:", "")}=`);
        for (const flag of settings) assert.ok(section("The summary email").includes(flag), flag);
        const { lines } = await simulateSample();
        const printed = lines.slice(lines.findIndex((line) => line.startsWith("Subject: "))).join("\n");
        assert.strictEqual(shown.trimEnd(), printed.trimEnd());
    });

    it("the config table lists every key with its default", () => {
        const rows = section("Configuration")
            .split("\n")
            .filter((line) => /^\| `\w+` \|/.test(line));
        const table = Object.fromEntries(
            rows
                .map((row) => row.split("|").map((cell) => cell.trim().replace(/`/g, "")))
                .map((cells) => [cells[1], cells[3]]),
        );
        assert.deepStrictEqual(Object.keys(table).sort(), Object.keys(CONFIG_KEYS).sort());
        // An empty string shows as "" so the cell is not blank.
        for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[])
            assert.strictEqual(table[key], stackFileDefault(key) || '""', key);
    });

    it("the record table lists the schema's fields in order", () => {
        assert.deepStrictEqual(
            firstColumn(section("The usage record")),
            USAGE_RECORD_FIELDS.map((f) => f.name),
        );
    });

    it("the saved-query table lists the named queries", () => {
        assert.deepStrictEqual(
            firstColumn(section("Querying")),
            usageNamedQueries("db", "t").map((q) => q.name),
        );
    });

    it("the usage-report query table lists the report queries", () => {
        assert.deepStrictEqual(
            firstColumn(section("AppStream usage reports")),
            usageReportNamedQueries("db").map((q) => q.name),
        );
    });

    it("the policies the README shows are the ones the helpers build", () => {
        const jsonBlocks = (text: string) =>
            [...text.matchAll(/```json\n([^`]*)```/g)].map((m) => JSON.parse(m[1].replace(/^ {2,5}/gm, "")));
        assert.deepStrictEqual(jsonBlocks(section("Dynamic resources: credentials, retries and failures")), [
            dynamicResourceDeployerPolicy({
                scope: { partition: "aws", region: "<region>", accountId: "<account>" },
                usageReports: true,
                elasticFleetNames: ["elastic-fleet-1"],
                scriptRoleArn: "<sessionScriptRoleArn>",
            }),
        ]);
        assert.deepStrictEqual(jsonBlocks(section("Attaching the scripts and the role")), [
            imageBuilderReadPolicy("arn:aws:s3:::<assets bucket>", ASSET_KEYS.imageBuilderPrefix),
        ]);
    });

    it("every stack output is documented", async () => {
        // Every optional output present.
        const run = await runProgram({
            config: {
                ...USAGE_REPORTS_AND_ONE_FLEET,
                "appstream-ops:fleetInsights": "true",
                "appstream-ops:usageDigestEmails": '["owners@example.com"]',
                "appstream-ops:senderEmail": "appstream@example.com",
            },
        });
        const documented = [
            ...firstColumn(section("Attaching the scripts and the role")),
            ...firstColumn(section("Image update outputs")),
            ...firstColumn(section("Fleet insights outputs")),
        ].flatMap((cell) => cell.split(/,\s*/));
        assert.deepStrictEqual([...documented].sort(), Object.keys(run.outputs).sort());
    });
});
