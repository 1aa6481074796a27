/**
 * The session-scripts definition: which files make up the scripts, where AppStream puts them, and
 * the config.json that runs them. Both delivery paths (Elastic-fleet bundle and image builder) are
 * rendered from this one place.
 */
import { EVENT_LOG_PREFIX, SESSION_RECORDS_PREFIX, scriptFieldSpecs } from "./record-schema";

/** AppStream stops session scripts after 60 seconds; config.json may not ask for more. */
export const MAX_WAITING_TIME_SECONDS = 60;

/** Files of the session scripts. The first three are shipped as-is from `session-assets/`. */
export const SESSION_SCRIPT_FILES = {
    start: "session-start.ps1",
    end: "session-end.ps1",
    module: "UsageRecorder.psm1",
    /** Rendered from the usage-record schema. */
    fields: "usage-record-fields.json",
} as const;

/** Files copied verbatim from `session-assets/`. */
export const STATIC_SCRIPT_FILES: readonly string[] = [
    SESSION_SCRIPT_FILES.start,
    SESSION_SCRIPT_FILES.end,
    SESSION_SCRIPT_FILES.module,
];

export const CONFIG_FILE_NAME = "config.json";

/** How the scripts reach the streaming instance. */
export type ScriptDelivery = "elasticFleet" | "imageBuilder";

/**
 * Where the files end up on the instance. Elastic fleets unpack the SessionScriptS3Location zip
 * into `...\SessionScript\`; on an image builder config.json must be `C:\AppStream\SessionScripts\config.json`.
 */
export const SCRIPT_INSTALL_DIRS: Record<ScriptDelivery, string> = {
    elasticFleet: "C:\\AppStream\\SessionScripts\\SessionScript",
    imageBuilder: "C:\\AppStream\\SessionScripts",
};

export const POWERSHELL_EXE = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

/** Seconds kept back from waitingTime for starting PowerShell and exiting cleanly. */
export const SCRIPT_STARTUP_MARGIN_SECONDS = 5;

export type SessionEvent = "SessionStart" | "SessionTermination";
export const SESSION_EVENTS: readonly SessionEvent[] = ["SessionStart", "SessionTermination"];

export interface SessionScriptExecutable {
    context: "user" | "system";
    filename: string;
    arguments: string;
    s3LogEnabled: boolean;
}

export interface SessionScriptEventConfig {
    executables: SessionScriptExecutable[];
    waitingTime: number;
}

/** The shape of AppStream's session-scripts config.json. */
export type SessionScriptsConfig = Record<SessionEvent, SessionScriptEventConfig>;

export interface SessionScriptSettings {
    /** Usage bucket the records go to. */
    bucket: string;
    /** Region of the usage bucket. */
    region: string;
    /** config.json `waitingTime` for both events, 1..60. */
    waitingTimeSeconds: number;
    /** Whether AppStream copies the scripts' output to its session-script log bucket. */
    s3LogEnabled: boolean;
}

/** The time the scripts give their S3 uploads, so that they exit before AppStream's waitingTime. */
export function scriptTimeoutSeconds(waitingTimeSeconds: number): number {
    return Math.max(1, waitingTimeSeconds - SCRIPT_STARTUP_MARGIN_SECONDS);
}

/** Script arguments are embedded in a quoted command line; refuse anything that could break out of it. */
function quoteArgument(name: string, value: string): string {
    if (!/^[A-Za-z0-9._:\\/ -]+$/.test(value)) {
        throw new Error(
            `session script argument ${name} has characters that cannot be passed safely: ${JSON.stringify(value)}`,
        );
    }
    return `"${value}"`;
}

function scriptArguments(dir: string, script: string, args: Record<string, string | number>): string {
    const named = Object.entries(args).map(([name, value]) =>
        typeof value === "number" ? `-${name} ${value}` : `-${name} ${quoteArgument(name, value)}`,
    );
    return [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy Bypass",
        `-File ${quoteArgument("File", `${dir}\\${script}`)}`,
        ...named,
    ].join(" ");
}

/** Renders config.json for one delivery path. */
export function renderSessionScriptsConfig(
    delivery: ScriptDelivery,
    settings: SessionScriptSettings,
): SessionScriptsConfig {
    const { waitingTimeSeconds } = settings;
    if (
        !Number.isInteger(waitingTimeSeconds) ||
        waitingTimeSeconds < 1 ||
        waitingTimeSeconds > MAX_WAITING_TIME_SECONDS
    ) {
        throw new Error(
            `waitingTime must be an integer from 1 to ${MAX_WAITING_TIME_SECONDS}, got ${waitingTimeSeconds}`,
        );
    }
    const dir = SCRIPT_INSTALL_DIRS[delivery];
    const common = {
        Bucket: settings.bucket,
        Region: settings.region,
        KeyPrefix: SESSION_RECORDS_PREFIX,
        FieldsFile: `${dir}\\${SESSION_SCRIPT_FILES.fields}`,
        TimeoutSeconds: scriptTimeoutSeconds(waitingTimeSeconds),
    };
    const executable = (script: string, args: Record<string, string | number>): SessionScriptExecutable => ({
        // User context: the session's AppStream_* variables are set there, and nothing here needs admin rights.
        context: "user",
        filename: POWERSHELL_EXE,
        arguments: scriptArguments(dir, script, args),
        s3LogEnabled: settings.s3LogEnabled,
    });
    return {
        SessionStart: {
            executables: [executable(SESSION_SCRIPT_FILES.start, common)],
            waitingTime: waitingTimeSeconds,
        },
        SessionTermination: {
            executables: [executable(SESSION_SCRIPT_FILES.end, { ...common, EventLogKeyPrefix: EVENT_LOG_PREFIX })],
            waitingTime: waitingTimeSeconds,
        },
    };
}

/** S3 key prefixes in the assets bucket. */
export const ASSET_KEYS = {
    elasticFleetBundle: "elastic-fleet/session-scripts.zip",
    imageBuilderPrefix: "image-builder/",
} as const;

/** The named profile under which AppStream provides an image builder's or fleet's IAM role credentials. */
export const MACHINE_ROLE_PROFILE = "appstream_machine_role";

/**
 * PowerShell one-liner, run as administrator on an image builder, that installs config.json and the
 * scripts from the assets bucket with the image builder's IAM role: AppStream exposes a role's
 * credentials only under the appstream_machine_role profile. `-KeyPrefix` lists the prefix before
 * reading each object, so the role needs s3:ListBucket as well as s3:GetObject
 * (imageBuilderReadPolicy).
 */
export function imageBuilderInstallCommand(assetsBucket: string, region: string): string {
    const dir = SCRIPT_INSTALL_DIRS.imageBuilder;
    return (
        `Read-S3Object -BucketName ${quoteArgument("BucketName", assetsBucket)} -KeyPrefix ${quoteArgument("KeyPrefix", ASSET_KEYS.imageBuilderPrefix)} ` +
        `-Folder ${quoteArgument("Folder", dir)} -Region ${quoteArgument("Region", region)} -ProfileName ${MACHINE_ROLE_PROFILE} | Out-Null; ` +
        `Get-ChildItem ${quoteArgument("Path", dir)}`
    );
}

/** A file of the session-scripts package: rendered text, or a file shipped in `session-assets/`. */
export type ScriptPackageFile = { readonly text: string } | { readonly assetFile: string };

/** Every file name of the package, known before any cloud value is. */
export const SCRIPT_PACKAGE_FILE_NAMES: readonly string[] = [
    CONFIG_FILE_NAME,
    SESSION_SCRIPT_FILES.fields,
    ...STATIC_SCRIPT_FILES,
];

/**
 * The complete session-scripts package for one delivery path: config.json, the rendered fields
 * file and the scripts. Elastic fleets get it as one zip; image builders as separate objects.
 */
export function sessionScriptPackage(
    delivery: ScriptDelivery,
    settings: SessionScriptSettings,
): Record<string, ScriptPackageFile> {
    const files: Record<string, ScriptPackageFile> = {
        [CONFIG_FILE_NAME]: { text: JSON.stringify(renderSessionScriptsConfig(delivery, settings), null, 2) },
        [SESSION_SCRIPT_FILES.fields]: { text: JSON.stringify(scriptFieldSpecs(), null, 2) },
    };
    for (const file of STATIC_SCRIPT_FILES) files[file] = { assetFile: file };
    return files;
}
