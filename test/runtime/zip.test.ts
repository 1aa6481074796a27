import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createZip } from "../../runtime/zip";
import { readZip } from "../helpers/zip";

describe("zip writer", () => {
    const entries = [
        { name: "config.json", data: Buffer.from('{"a": 1}\n') },
        { name: "script.ps1", data: Buffer.from("Write-Host 'ü'\n".repeat(100)) },
        { name: "empty.txt", data: Buffer.alloc(0) },
    ];

    it("round-trips every entry with its CRC", () => {
        const files = readZip(createZip(entries));
        assert.deepStrictEqual(
            Object.keys(files),
            entries.map((e) => e.name),
        );
        for (const entry of entries) assert.ok(files[entry.name].equals(entry.data), entry.name);
    });

    it("is deterministic, so an unchanged bundle is never a diff", () => {
        assert.ok(createZip(entries).equals(createZip(entries)));
    });

    it("refuses folders: Elastic fleets expect files at the zip's root", () => {
        assert.throws(
            () => createZip([{ name: "SessionScript/config.json", data: Buffer.from("{}") }]),
            /plain file name/,
        );
        assert.throws(() => createZip([{ name: "a\\b", data: Buffer.from("") }]), /plain file name/);
    });

    it("is read by an independent implementation (Info-ZIP unzip) when one is installed", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zip-"));
        const file = path.join(dir, "bundle.zip");
        fs.writeFileSync(file, createZip(entries));
        try {
            execFileSync("unzip", ["-v"], { stdio: "ignore" });
        } catch {
            this.skip();
        }
        const out = execFileSync("unzip", ["-t", file], { encoding: "utf8" });
        assert.match(out, /No errors detected/);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
