import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Node, Tree } from "web-tree-sitter";
import { SESSION_ASSETS_DIR } from "../../components/usage-pipeline";
import { COMPUTED_VALUES } from "../../runtime/usage/record-schema";
import {
    CONFIG_FILE_NAME,
    SCRIPT_INSTALL_DIRS,
    SCRIPT_PACKAGE_FILE_NAMES,
    SESSION_SCRIPT_FILES,
    renderSessionScriptsConfig,
} from "../../runtime/usage/session-scripts";
import { allNodes, parsePowerShell, syntaxErrors } from "../helpers/powershell";
import { SESSION_SCRIPT_RULES, ScriptTrees, parseSessionModule } from "../helpers/session-script-rules";

const read = (file: string) => fs.readFileSync(path.join(SESSION_ASSETS_DIR, file), "utf8");
const SCRIPTS = [SESSION_SCRIPT_FILES.start, SESSION_SCRIPT_FILES.end];
const config = renderSessionScriptsConfig("elasticFleet", {
    bucket: "b",
    region: "eu-west-1",
    waitingTimeSeconds: 30,
    s3LogEnabled: true,
});

/** Text of string literals without their quotes. */
const unquote = (text: string) => text.replace(/^['"]|['"]$/g, "");

function ofType(tree: Tree, type: string): Node[] {
    return allNodes(tree.rootNode).filter((n) => n.type === type);
}

/** The script's top-level param block: name, declared type and attributes of each parameter. */
function scriptParameters(tree: Tree): { name: string; declaration: string }[] {
    const block = tree.rootNode.children.find((n) => n?.type === "param_block");
    assert.ok(block, "no param block");
    return allNodes(block)
        .filter((n) => n.type === "script_parameter")
        .map((p) => ({
            name: allNodes(p)
                .find((n) => n.type === "variable")!
                .text.slice(1),
            declaration: p.text,
        }));
}

/** Files a script imports from its own folder: Import-Module (Join-Path $PSScriptRoot '<file>'). */
function importedFiles(tree: Tree): string[] {
    return ofType(tree, "command")
        .filter((c) => c.childForFieldName("command_name")?.text === "Import-Module")
        .flatMap((c) =>
            allNodes(c).filter(
                (n) =>
                    n.type === "verbatim_string_characters" ||
                    n.type === "expandable_string_literal" ||
                    n.type === "verbatim_string_literal",
            ),
        )
        .map((n) => unquote(n.text))
        .filter((text) => /\.(psm1|ps1)$/.test(text));
}

describe("session scripts (PowerShell grammar)", () => {
    const trees: Record<string, Tree> = {};
    before(async () => {
        for (const file of [...SCRIPTS, SESSION_SCRIPT_FILES.module]) trees[file] = await parsePowerShell(read(file));
    });

    it("the grammar rejects invalid PowerShell (the check can fail)", async () => {
        assert.notDeepStrictEqual(syntaxErrors(await parsePowerShell("if ($x { Write-Host 'unclosed'")), []);
    });

    for (const file of [SESSION_SCRIPT_FILES.start, SESSION_SCRIPT_FILES.end, SESSION_SCRIPT_FILES.module]) {
        it(`${file} is valid PowerShell`, () => {
            assert.deepStrictEqual(syntaxErrors(trees[file]), []);
        });
    }

    for (const file of SCRIPTS) {
        it(`${file} only ever exits 0 and traps errors, so it cannot fail the session`, () => {
            const exits = ofType(trees[file], "flow_control_statement").filter((n) => /^exit\b/i.test(n.text));
            assert.ok(exits.length >= 2, "expected an exit in the trap and at the end");
            for (const exit of exits) assert.match(exit.text, /^exit\s+0$/i);
            assert.ok(ofType(trees[file], "trap_statement").length === 1, "no trap statement");
            assert.match(trees[file].rootNode.text.trimEnd(), /\nexit 0$/);
        });

        it(`${file} binds every argument as an optional string, so bad or missing input cannot stop it before its try block`, () => {
            const source = trees[file].rootNode.text;
            assert.ok(!/CmdletBinding/i.test(source), "an advanced script rejects unknown arguments");
            for (const parameter of scriptParameters(trees[file])) {
                assert.match(parameter.declaration, /^\[string\]\$\w+ = '[^']*'$/, parameter.declaration);
                assert.ok(!/Mandatory/i.test(parameter.declaration), parameter.declaration);
            }
        });
    }

    it("every argument config.json passes is a parameter of that script", () => {
        for (const [event, script] of [
            ["SessionStart", SESSION_SCRIPT_FILES.start],
            ["SessionTermination", SESSION_SCRIPT_FILES.end],
        ] as const) {
            const args = config[event].executables[0].arguments;
            const afterFile = args.slice(args.indexOf(".ps1") + 5);
            const passed = [...afterFile.matchAll(/(?:^|\s)-(\w+)\s/g)].map((m) => m[1]);
            const declared = scriptParameters(trees[script]).map((p) => p.name);
            assert.ok(passed.length >= 5, afterFile);
            for (const name of passed) assert.ok(declared.includes(name), `${script} has no -${name} parameter`);
        }
    });

    it("config.json references exactly the files in the bundle", () => {
        const dir = SCRIPT_INSTALL_DIRS.elasticFleet.replace(/\\/g, "\\\\");
        const referenced = new Set<string>();
        for (const event of [config.SessionStart, config.SessionTermination]) {
            for (const executable of event.executables) {
                for (const match of executable.arguments.matchAll(new RegExp(`"${dir}\\\\([^"\\\\]+)"`, "g")))
                    referenced.add(match[1]);
            }
        }
        // The scripts load their shared module from their own folder.
        for (const script of SCRIPTS) for (const file of importedFiles(trees[script])) referenced.add(file);
        const bundled = SCRIPT_PACKAGE_FILE_NAMES.filter((f) => f !== CONFIG_FILE_NAME);
        assert.deepStrictEqual([...referenced].sort(), [...bundled].sort());
    });

    it("the module computes exactly the schema's computed values", () => {
        const assignment = ofType(trees[SESSION_SCRIPT_FILES.module], "assignment_expression").find((n) =>
            n.text.startsWith("$computed ="),
        );
        assert.ok(assignment, "no $computed = @{...} table");
        const keys = allNodes(assignment)
            .filter((n) => n.type === "key_expression")
            .map((n) => n.text);
        assert.deepStrictEqual(keys.sort(), [...COMPUTED_VALUES].sort());
    });

    it("the module uploads with the appstream_machine_role profile, writes times in UTC, and keeps the raw reservation time", () => {
        const module = trees[SESSION_SCRIPT_FILES.module].rootNode.text;
        assert.match(module, /\$script:CredentialProfile = 'appstream_machine_role'/);
        assert.match(module, /Write-S3Object [^\n]*-ProfileName __PROFILE__/);
        assert.match(module, /AppStream_Session_Reservation_DateTime/);
        assert.match(module, /TryParseExact\(/);
        assert.ok(!/\[DateTime\]::Now\b/.test(module), "local time used");
    });

    describe("rules of the rework (issue 14), on the syntax trees", () => {
        let source: string;
        let real: ScriptTrees;
        before(async () => {
            source = read(SESSION_SCRIPT_FILES.module);
            real = await parseSessionModule(source);
        });

        it("the upload script the module runs is valid PowerShell too", () => {
            assert.deepStrictEqual(syntaxErrors(real.uploader), []);
        });

        // Each rule, and a module with its violation planted (the negative control).
        const mutants: Record<keyof typeof SESSION_SCRIPT_RULES, [string, string, RegExp]> = {
            importsByAbsolutePathOnly: [
                "try { Import-Module -Name $modulePath -ErrorAction Stop; $useModule = $true }",
                "try { Import-Module AWS.Tools.S3 -ErrorAction Stop; $useModule = $true }",
                /imports a module by name/,
            ],
            oneUploadProcess: [
                "        $uploader = Start-Uploader -Bucket $Bucket -Region $Region -WorkDir $workDir -Deadline $deadline",
                "        $uploader = Start-Uploader -Bucket $Bucket -Region $Region -WorkDir $workDir -Deadline $deadline\n        $second = Start-Job -ScriptBlock { 1 }",
                /uses Start-Job/,
            ],
            killedAtDeadline: [
                "        Stop-Process -Id $Process.Id -Force -ErrorAction SilentlyContinue",
                "        Write-UsageLog 'left running'",
                /never kills the upload process/,
            ],
            fallsBackToAwsCli: [
                "(Join-Path $env:ProgramFiles 'Amazon\\AWSCLIV2\\aws.exe'),",
                "(Get-Command aws.exe).Source,",
                /does not look for the CLI v2 machine-wide|searches PATH/,
            ],
            deadlineFromProcessStart: [
                "        $deadline = Get-ScriptDeadline $budget",
                "        $deadline = [DateTime]::UtcNow.AddSeconds($budget)",
                /counts its budget from now/,
            ],
            fallbackKeyStable: [
                '$identity = "$env:COMPUTERNAME|$env:AppStream_UserName|$env:AppStream_Session_Reservation_DateTime"',
                '$identity = "$env:COMPUTERNAME|$env:AppStream_UserName|$env:AppStream_Session_Reservation_DateTime|$([DateTime]::UtcNow.Ticks)"',
                /uses Ticks/,
            ],
            eventLogWithinDeadline: [
                "            if ((Get-SecondsLeft $Deadline) -lt $script:EventLogReserveSeconds) { $late++; continue }\n",
                "",
                /does not check the deadline before each event/,
            ],
            perEventTry: [
                "    $lines = foreach ($entry in $events) {\n        try {",
                "    $lines = foreach ($entry in $events) {\n        $null = 1\n        try {",
                /inside its own try/,
            ],
        };
        for (const [name, [find, plant, expected]] of Object.entries(mutants) as [
            keyof typeof SESSION_SCRIPT_RULES,
            [string, string, RegExp],
        ][]) {
            it(`${name}: the module keeps it, and a module that breaks it is caught`, async () => {
                assert.deepStrictEqual(SESSION_SCRIPT_RULES[name](real), []);
                assert.ok(source.includes(find), `the planted text's anchor is gone: ${find}`);
                const mutant = await parseSessionModule(source.replace(find, plant));
                assert.match(SESSION_SCRIPT_RULES[name](mutant).join("\n"), expected);
            });
        }
    });
});
