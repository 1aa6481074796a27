/**
 * The policy pack as users meet it, on the real Pulumi engine: each mandatory policy, violated in a
 * copy of the program (the fixtures the offline suite uses), stops `pulumi up` and `npm run deploy`
 * before any resource is created; with `pulumi up --skip-preview`, where there is no preview, the
 * violating resource itself is never created. STAND-IN: the AWS provider plugin.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineProject, POLICY_PACK_ANALYZER, engineProject } from "./engine-cli";

/** The project with index.ts replaced by a fixture program that imports the shipped one. */
function violating(fixture: string): EngineProject {
    const project = engineProject({
        change: (dir) => {
            fs.renameSync(path.join(dir, "index.ts"), path.join(dir, "shipped-index.ts"));
            const program = fs.readFileSync(path.join(dir, "test/fixtures", fixture), "utf8");
            fs.writeFileSync(path.join(dir, "index.ts"), program.replace('"../../index"', '"./shipped-index"'));
        },
    });
    project.pulumi(["stack", "init", "dev"]);
    return project;
}

const created = (project: EngineProject) => project.deployed("dev");

const VIOLATIONS = [
    {
        fixture: "program-with-extra-script-permission.ts",
        policy: "appstream-script-role-put-object-only",
        message: /RolePolicy "usage-script-read-records" statement 1 grants "s3:GetObject"/,
        resource: "usage-script-read-records",
    },
    {
        fixture: "program-with-long-session-wait.ts",
        policy: "appstream-session-scripts-wait-time",
        message: /waitingTime/,
        resource: "custom-session-scripts-config",
    },
];

describe("the policy pack on the real Pulumi engine (STAND-IN AWS provider)", function () {
    this.timeout(900_000);

    it("negative control: with the as-created check disabled, pulumi up --skip-preview creates the violating RolePolicy", () => {
        const project = violating("program-with-extra-script-permission.ts");
        const config = path.join(project.dir, "policy-config.json");
        fs.writeFileSync(config, JSON.stringify({ "appstream-script-role-put-object-only-as-created": "disabled" }));
        const up = project.pulumi(
            [
                "up",
                "--stack",
                "dev",
                "--yes",
                "--skip-preview",
                "--policy-pack",
                POLICY_PACK_ANALYZER,
                "--policy-pack-config",
                config,
            ],
            { allowFailure: true },
        );
        // The stack check still fails the update, after the fact.
        assert.notStrictEqual(up.code, 0, up.output);
        assert.ok(
            created(project).some((r) => r.endsWith(" usage-script-read-records")),
            up.output,
        );
    });

    for (const violation of VIOLATIONS) {
        it(`pulumi up: ${violation.policy} stops the update in its preview, and no resource is created`, () => {
            const project = violating(violation.fixture);
            const up = project.pulumi(["up", "--stack", "dev", "--yes", "--policy-pack", POLICY_PACK_ANALYZER], {
                allowFailure: true,
            });
            assert.notStrictEqual(up.code, 0, up.output);
            assert.match(up.stdout, new RegExp(`\\[mandatory\\] +${violation.policy} `), up.output);
            assert.match(up.stdout, violation.message, up.output);
            assert.match(up.stdout, /error: preview failed/, up.output);
            assert.deepStrictEqual(created(project), []);
        });

        it(`npm run deploy: ${violation.policy} stops the deploy, and no resource is created`, () => {
            const project = violating(violation.fixture);
            const deploy = project.run("bash", ["scripts/deploy.sh", "--stack", "dev", "--yes"], {
                allowFailure: true,
                env: { APPSTREAM_OPS_POLICY_PACK: POLICY_PACK_ANALYZER },
            });
            assert.notStrictEqual(deploy.code, 0, deploy.output);
            assert.doesNotMatch(deploy.output, /npm ci|added \d+ packages/, "deploy.sh reinstalled packages");
            assert.match(deploy.stdout, new RegExp(`\\[mandatory\\] +${violation.policy} `), deploy.output);
            assert.deepStrictEqual(created(project), []);
        });

        it(`pulumi up --skip-preview: ${violation.policy} keeps the violating resource from being created`, () => {
            const project = violating(violation.fixture);
            const up = project.pulumi(
                ["up", "--stack", "dev", "--yes", "--skip-preview", "--policy-pack", POLICY_PACK_ANALYZER],
                { allowFailure: true },
            );
            assert.notStrictEqual(up.code, 0, up.output);
            assert.match(up.stdout, new RegExp(`\\[mandatory\\] +${violation.policy}(-as-created)? `), up.output);
            const made = created(project);
            // Without a preview the engine creates what was registered before the violation (README).
            assert.ok(!made.some((r) => r.endsWith(` ${violation.resource}`)), made.join("\n"));
        });
    }
});
