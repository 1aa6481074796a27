/**
 * The rules the session scripts must keep, checked on their syntax trees (the real PowerShell
 * grammar), since PowerShell cannot run here. Each rule returns what breaks it, so a test can show
 * the real module passes and a module with the violation planted fails.
 */
import type { Node, Tree } from "web-tree-sitter";
import { allNodes, parsePowerShell } from "./powershell";

/** The module and the upload process's script (the here-string it runs with -EncodedCommand). */
export interface ScriptTrees {
    readonly module: Tree;
    readonly uploader: Tree;
}

const UPLOADER_TEMPLATE = /\$script:UploaderTemplate = @'\r?\n([^]*?)\r?\n'@/;

/** Parses the module and, with its placeholders filled the way Start-Uploader fills them, the upload script. */
export async function parseSessionModule(source: string): Promise<ScriptTrees> {
    const template = UPLOADER_TEMPLATE.exec(source)?.[1];
    if (template === undefined) throw new Error("the module has no $script:UploaderTemplate here-string");
    const filled = template.replace(/__DEADLINE_TICKS__/g, "0").replace(/__[A-Z_]+__/g, "'x'");
    return { module: await parsePowerShell(source), uploader: await parsePowerShell(filled) };
}

export function functionNamed(tree: Tree, name: string): Node | undefined {
    return (
        allNodes(tree.rootNode).find(
            (n) => n.type === "function_statement" && n.childForFieldName("function_name")?.text === name,
        ) ??
        allNodes(tree.rootNode).find(
            (n) =>
                n.type === "function_statement" &&
                n.children.some((c) => c?.type === "function_name" && c.text === name),
        )
    );
}

export function commandsNamed(root: Node, name: string): Node[] {
    return allNodes(root).filter(
        (n) => n.type === "command" && n.childForFieldName("command_name")?.text.toLowerCase() === name.toLowerCase(),
    );
}

const hasAncestor = (node: Node, types: string[]) => {
    for (let at = node.parent; at; at = at.parent) if (types.includes(at.type)) return true;
    return false;
};

/** AWS modules are imported only by an absolute path held in a variable, with the module path set to machine-wide folders first. */
export function importsByAbsolutePathOnly(trees: ScriptTrees): string[] {
    const problems: string[] = [];
    for (const [where, tree] of Object.entries(trees) as [string, Tree][]) {
        for (const command of commandsNamed(tree.rootNode, "Import-Module")) {
            const args = command.text.replace(/^Import-Module\s+/i, "");
            const byOwnFolder = /^\(Join-Path \$PSScriptRoot '[^']+\.psm1'\)/.test(args);
            const byVariable = /^(-Name\s+)?\$\w+\b/.test(args);
            if (!byOwnFolder && !byVariable) problems.push(`${where}: ${command.text} imports a module by name`);
        }
    }
    const uploader = trees.uploader.rootNode.text;
    const setsPath = uploader.indexOf("$env:PSModulePath =");
    const imports = uploader.search(/Import-Module/);
    if (setsPath < 0 || setsPath > imports) {
        problems.push("uploader: $env:PSModulePath is not set to machine-wide folders before Import-Module");
    }
    // The code, not its comments (which may name the folders it avoids).
    const roots = (functionNamed(trees.module, "Get-MachineModuleRoots")?.text ?? "").replace(/#[^\n]*/g, "");
    if (!roots) problems.push("module: no Get-MachineModuleRoots");
    for (const userFolder of ["PSModulePath", "USERPROFILE", "HOME", "Documents", "APPDATA"]) {
        if (new RegExp(userFolder, "i").test(roots))
            problems.push(`module: Get-MachineModuleRoots reads ${userFolder}`);
    }
    return problems;
}

/** One upload process per script: one Start-Process, no background jobs, started once and not in a loop. */
export function oneUploadProcess(trees: ScriptTrees): string[] {
    const problems: string[] = [];
    const root = trees.module.rootNode;
    const starts = commandsNamed(root, "Start-Process");
    if (starts.length !== 1) problems.push(`module: ${starts.length} Start-Process commands, expected 1`);
    for (const job of ["Start-Job", "Start-ThreadJob", "Invoke-Command"]) {
        if (commandsNamed(root, job).length) problems.push(`module: uses ${job}`);
    }
    const invoke = functionNamed(trees.module, "Invoke-UsageRecording");
    const calls = invoke ? commandsNamed(invoke, "Start-Uploader") : [];
    if (calls.length !== 1)
        problems.push(`Invoke-UsageRecording starts the uploader ${calls.length} times, expected once`);
    for (const call of calls) {
        if (hasAncestor(call, ["foreach_statement", "for_statement", "while_statement", "do_statement"])) {
            problems.push("Invoke-UsageRecording starts the uploader inside a loop");
        }
    }
    return problems;
}

/** The script waits for the upload process only until its deadline, then kills it. */
export function killedAtDeadline(trees: ScriptTrees): string[] {
    const wait = functionNamed(trees.module, "Wait-Uploader");
    if (!wait) return ["module: no Wait-Uploader"];
    const problems: string[] = [];
    if (!/\.WaitForExit\(\$milliseconds\)/.test(wait.text)) problems.push("Wait-Uploader does not wait with a timeout");
    if (!/Get-SecondsLeft \$Deadline/.test(wait.text)) problems.push("Wait-Uploader's timeout is not the deadline");
    if (!commandsNamed(wait, "Stop-Process").length) problems.push("Wait-Uploader never kills the upload process");
    if (/Wait-Process|\.WaitForExit\(\)/.test(wait.text)) problems.push("Wait-Uploader also waits without a timeout");
    return problems;
}

/** Without the AWS module, the upload falls back to aws.exe from machine-wide folders, with the same profile. */
export function fallsBackToAwsCli(trees: ScriptTrees): string[] {
    const problems: string[] = [];
    const uploader = trees.uploader.rootNode.text;
    if (!/& \$cliPath s3api put-object [^\n]*--profile /.test(uploader))
        problems.push("uploader: no aws.exe put-object with --profile");
    if (!/if \(\$useModule\)[^]*else[^]*\$cliPath/.test(uploader))
        problems.push("uploader: the CLI is not the fallback of the module");
    const find = functionNamed(trees.module, "Find-AwsCli")?.text ?? "";
    const paths = [...find.matchAll(/Join-Path \$env:ProgramFiles '([^']+)'/g)].map((m) => m[1]);
    if (!paths.some((p) => /AWSCLIV2\\aws\.exe$/.test(p)))
        problems.push("Find-AwsCli does not look for the CLI v2 machine-wide");
    if (/Get-Command|where\.exe|\$env:PATH/i.test(find))
        problems.push("Find-AwsCli searches PATH, which the user controls");
    return problems;
}

/** The deadline counts from the script's own process start. */
export function deadlineFromProcessStart(trees: ScriptTrees): string[] {
    const problems: string[] = [];
    const deadline = functionNamed(trees.module, "Get-ScriptDeadline")?.text ?? "";
    if (!/\(Get-Process -Id \$PID[^)]*\)\.StartTime/.test(deadline))
        problems.push("Get-ScriptDeadline does not read the process start");
    const invoke = functionNamed(trees.module, "Invoke-UsageRecording")?.text ?? "";
    if (!/\$deadline = Get-ScriptDeadline \$budget/.test(invoke))
        problems.push("Invoke-UsageRecording does not take its deadline from Get-ScriptDeadline");
    if (/UtcNow\.AddSeconds/.test(invoke)) problems.push("Invoke-UsageRecording counts its budget from now");
    return problems;
}

/** The fallback key uses only what both events see the same: nothing of the moment or the event. */
export function fallbackKeyStable(trees: ScriptTrees): string[] {
    const key = functionNamed(trees.module, "Get-SessionKey")?.text;
    if (!key) return ["module: no Get-SessionKey"];
    const problems: string[] = [];
    for (const unstable of ["\\$Now", "Ticks", "Get-Date", "UtcNow", "\\$EventType", "\\$PID", "Random", "NewGuid"]) {
        if (new RegExp(unstable).test(key)) problems.push(`Get-SessionKey uses ${unstable.replace(/\\/g, "")}`);
    }
    for (const needed of ["COMPUTERNAME", "AppStream_UserName", "AppStream_Session_Reservation_DateTime"]) {
        if (!key.includes(needed)) problems.push(`Get-SessionKey does not use ${needed}`);
    }
    return problems;
}

/** Each event of the System log is rendered inside its own try, so one bad event is skipped. */
export function perEventTry(trees: ScriptTrees): string[] {
    const lines = functionNamed(trees.module, "Get-SessionSystemEventLines");
    if (!lines) return ["module: no Get-SessionSystemEventLines"];
    const loops = allNodes(lines).filter((n) => n.type === "foreach_statement");
    if (loops.length !== 1) return [`Get-SessionSystemEventLines has ${loops.length} foreach loops, expected 1`];
    const body = loops[0].children.find((c) => c?.type === "statement_block");
    const list = body?.children.find((c) => c?.type === "statement_list");
    const statements = (list?.children ?? []).filter((c): c is Node => c !== null && c.type !== "comment");
    return statements.length === 1 && statements[0].type === "try_statement"
        ? []
        : ["Get-SessionSystemEventLines does not render each event inside its own try"];
}

/** Rendering the event log stops before the deadline, so the record's upload never waits on it. */
export function eventLogWithinDeadline(trees: ScriptTrees): string[] {
    const lines = functionNamed(trees.module, "Get-SessionSystemEventLines")?.text ?? "";
    const problems: string[] = [];
    if (!/\[DateTime\]\$Deadline/.test(lines)) problems.push("Get-SessionSystemEventLines takes no deadline");
    if (!/foreach \(\$entry in \$events\) \{\s*try \{\s*if \(\(Get-SecondsLeft \$Deadline\)/.test(lines)) {
        problems.push("Get-SessionSystemEventLines does not check the deadline before each event");
    }
    const invoke = functionNamed(trees.module, "Invoke-UsageRecording")?.text ?? "";
    if (!/Get-SessionSystemEventLines [^\n]*-Deadline \$deadline/.test(invoke)) {
        problems.push("Invoke-UsageRecording does not pass its deadline to the event-log reader");
    }
    return problems;
}

export const SESSION_SCRIPT_RULES = {
    eventLogWithinDeadline,
    importsByAbsolutePathOnly,
    oneUploadProcess,
    killedAtDeadline,
    fallsBackToAwsCli,
    deadlineFromProcessStart,
    fallbackKeyStable,
    perEventTry,
};
