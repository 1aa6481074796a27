/** README.md read as the tests check it: its sections and its tables' cells. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "./program";

export const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

/** The text of one `## ` or `### ` section. */
export function readmeSection(title: string): string {
    const start = README.search(new RegExp(`^#{2,3} ${title}$`, "m"));
    assert.ok(start >= 0, `README has no section "${title}"`);
    const rest = README.slice(start);
    const bodyStart = rest.indexOf("\n") + 1;
    const next = rest.slice(bodyStart).search(/^#{2,3} /m);
    return next < 0 ? rest : rest.slice(0, bodyStart + next);
}

/** The cells of the body rows of the tables in a text, without backticks. */
export function tableRows(text: string): string[][] {
    return text
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"))
        .slice(1)
        .map((line) =>
            line
                .split("|")
                .slice(1, -1)
                .map((cell) => cell.trim().replace(/`/g, "")),
        );
}

/** First cells of the rows of the first table in a text, without backticks. */
export function firstColumn(text: string): string[] {
    return tableRows(text).map((row) => row[0]);
}
