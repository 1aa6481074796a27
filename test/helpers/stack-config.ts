import { readStackFile } from "../../scripts/lib/cli";

/** The `config:` map of Pulumi.<stack>.yaml, values as the raw strings Pulumi hands the program. */
export function readStackConfig(stack: string): Record<string, string> {
    return readStackFile(stack).config;
}
