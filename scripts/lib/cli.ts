/**
 * What the npm scripts share: arguments parsed by node:util's parseArgs (unknown flags and missing
 * values are errors, `--x=y` works), stack files read with the names of what is wrong, and every
 * problem the user can fix printed as one line with exit code 2.
 */
import * as fs from "fs";
import * as path from "path";
import { ParseArgsConfig, parseArgs } from "util";
import { YAMLParseError, parse } from "yaml";
import { ConfigValidationError, configText, qualifiedConfigKey } from "../../config";
import { PROJECT_ROOT } from "../../test/helpers/program";

/** A problem the user can fix (an argument, a file): printed as one line, without a stack trace. */
export class UsageError extends Error {}

/** The folder of Pulumi.yaml and the stack files. */
export { PROJECT_ROOT };

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The script's flags; a usage error names the flag and shows `usage`. */
export function parseCommandLine<T extends Options>(usage: string, options: T, args = process.argv.slice(2)) {
    try {
        return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
        throw new UsageError(`${(err as Error).message.split("\n")[0]}; usage: ${usage}`);
    }
}

/** `--config key=value` settings, as `pulumi config set` would set them; a key without a namespace is appstream-ops'. */
export function configOverrides(settings: readonly string[] = []): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const setting of settings) {
        const at = setting.indexOf("=");
        if (at <= 0) throw new UsageError(`--config needs key=value, got ${JSON.stringify(setting)}`);
        overrides[qualifiedConfigKey(setting.slice(0, at))] = setting.slice(at + 1);
    }
    return overrides;
}

export interface StackFile {
    /** The `config:` map, values as the raw strings Pulumi hands the program. */
    readonly config: Record<string, string>;
    /** Keys whose value is `secure:`: encrypted for the stack's secrets provider, unreadable here. */
    readonly secrets: string[];
}

/** Pulumi.<stack>.yaml in `dir`, or a UsageError naming the file and what is wrong with it. */
export function readStackFile(stack: string, dir = PROJECT_ROOT): StackFile {
    const file = `Pulumi.${stack}.yaml`;
    let text: string;
    try {
        text = fs.readFileSync(path.join(dir, file), "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const stacks = fs.readdirSync(dir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        throw new UsageError(
            code === "ENOENT"
                ? `${file} does not exist; the stack files here are: ${stacks.join(", ") || "none"}`
                : `${file} cannot be read (${code})`,
        );
    }
    let document: unknown;
    try {
        document = parse(text);
    } catch (err) {
        const message = err instanceof YAMLParseError ? err.message.split("\n")[0] : String(err);
        throw new UsageError(`${file} is not valid YAML: ${message}`);
    }
    const config = (document as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new UsageError(`${file}: "config" is not a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secrets: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const secret = typeof value === "object" && value !== null && "secure" in value;
        if (secret) secrets.push(key);
        else values[key] = configText(value);
    }
    return { config: values, secrets };
}

/**
 * Runs a script's main: what the user can fix (a UsageError, invalid config) is one line on stderr
 * and exit code 2; anything else is a bug, shown with its stack, exit code 1.
 */
export function runScript(name: string, main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        (err) => {
            // By name: a program run under mocks loads config.ts afresh, with its own error class.
            const invalidConfig = err instanceof ConfigValidationError || err?.name === ConfigValidationError.name;
            if (err instanceof UsageError) console.error(`${name}: ${err.message}`);
            else if (invalidConfig) console.error(`${name}: invalid configuration: ${err.problems.join("; ")}`);
            else console.error(err);
            process.exit(err instanceof UsageError || invalidConfig ? 2 : 1);
        },
    );
}
