import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "./program";

/** The `config:` map of Pulumi.<stack>.yaml, values as the raw strings Pulumi hands the program. */
export function readStackConfig(stack: string): Record<string, string> {
    const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
    const config = (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}
