/**
 * A minimal, deterministic zip writer (deflate, no folders, fixed timestamps). The session-scripts
 * bundle is built here rather than by the Pulumi engine so that the exact bytes AppStream unpacks
 * are produced, tested and hashed in the program, and an unchanged bundle never shows as a diff.
 */
import * as zlib from "zlib";

export interface ZipEntry {
    readonly name: string;
    readonly data: Buffer;
}

// 1980-01-01 00:00, the earliest DOS timestamp: fixed so identical input gives identical bytes.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;

export function createZip(entries: readonly ZipEntry[]): Buffer {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const { name, data } of entries) {
        if (name.includes("/") || name.includes("\\") || name === "") {
            throw new Error(`zip entry ${JSON.stringify(name)} must be a plain file name`);
        }
        const fileName = Buffer.from(name, "utf8");
        const compressed = zlib.deflateRawSync(data, { level: 9 });
        const entry = {
            crc: zlib.crc32(data),
            compressedSize: compressed.length,
            size: data.length,
            nameLength: fileName.length,
        };
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        writeEntryFields(local, 4, entry);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE(VERSION, 4); // version made by
        writeEntryFields(central, 6, entry);
        central.writeUInt32LE(offset, 42);
        locals.push(local, fileName, compressed);
        centrals.push(central, fileName);
        offset += local.length + fileName.length + compressed.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, end]);
}

/** The fields a local header and its central-directory record share, in the same order. */
function writeEntryFields(
    header: Buffer,
    at: number,
    entry: { crc: number; compressedSize: number; size: number; nameLength: number },
): void {
    header.writeUInt16LE(VERSION, at);
    header.writeUInt16LE(UTF8_NAMES, at + 2);
    header.writeUInt16LE(DEFLATE, at + 4);
    header.writeUInt16LE(DOS_TIME, at + 6);
    header.writeUInt16LE(DOS_DATE, at + 8);
    header.writeUInt32LE(entry.crc, at + 10);
    header.writeUInt32LE(entry.compressedSize, at + 14);
    header.writeUInt32LE(entry.size, at + 18);
    header.writeUInt16LE(entry.nameLength, at + 22);
}
