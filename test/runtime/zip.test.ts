import * as assert from "assert";
import * as yauzl from "yauzl";
import * as zlib from "zlib";
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

    it("is read by an independent implementation (yauzl, strict), every size and CRC as recorded", async () => {
        const read = await readWithYauzl(createZip(entries));
        assert.deepStrictEqual(
            read.map((r) => r.name),
            entries.map((e) => e.name),
        );
        for (const [i, entry] of entries.entries()) {
            assert.ok(read[i].data.equals(entry.data), entry.name);
            assert.strictEqual(
                read[i].recordedCrc,
                zlib.crc32(entry.data),
                `${entry.name}: the CRC the archive records`,
            );
        }
    });

    it("negative control: yauzl refuses an archive whose central directory records a wrong size", async () => {
        const zip = createZip(entries);
        const directory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
        zip.writeUInt32LE(zip.readUInt32LE(directory + 24) + 1, directory + 24); // the last entry's uncompressed size
        await assert.rejects(readWithYauzl(zip), /bytes/);
    });
});

/**
 * Every entry of `zip` as yauzl reads it: it checks the end-of-directory record, each central and
 * local header, and that each entry inflates to exactly the size the directory records. yauzl does
 * not check CRCs, so the CRC it parsed is returned for the test to compare.
 */
function readWithYauzl(zip: Buffer): Promise<{ name: string; data: Buffer; recordedCrc: number }[]> {
    return new Promise((resolve, reject) => {
        yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true }, (err, archive) => {
            if (err) return reject(err);
            const read: { name: string; data: Buffer; recordedCrc: number }[] = [];
            archive.on("error", reject);
            archive.on("end", () => resolve(read));
            archive.on("entry", (entry: yauzl.Entry) => {
                archive.openReadStream(entry, (streamError, stream) => {
                    if (streamError) return reject(streamError);
                    const chunks: Buffer[] = [];
                    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
                    stream.on("error", reject);
                    stream.on("end", () => {
                        read.push({ name: entry.fileName, data: Buffer.concat(chunks), recordedCrc: entry.crc32 });
                        archive.readEntry();
                    });
                });
            });
            archive.readEntry();
        });
    });
}
