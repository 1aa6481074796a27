import * as zlib from "zlib";

export interface ZipEntry {
    readonly data: Buffer;
    /** The CRC-32 the archive records, for readers that verify it. */
    readonly crc: number;
}

/** The files of a zip archive, by name. Reads the central directory; stored and deflated entries. */
export function zipEntries(zip: Buffer): Map<string, ZipEntry> {
    const entries = new Map<string, ZipEntry>();
    const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (endOfDirectory < 0) throw new Error("no zip end-of-central-directory record");
    const count = zip.readUInt16LE(endOfDirectory + 10);
    let at = zip.readUInt32LE(endOfDirectory + 16);
    for (let i = 0; i < count; i++) {
        if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error("corrupt zip central directory");
        const method = zip.readUInt16LE(at + 10);
        const crc = zip.readUInt32LE(at + 16);
        const compressedSize = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const localHeader = zip.readUInt32LE(at + 42);
        const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
        const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
        const data = zip.subarray(dataStart, dataStart + compressedSize);
        if (method === 0) entries.set(name, { data, crc });
        else if (method === 8) entries.set(name, { data: zlib.inflateRawSync(data), crc });
        else throw new Error(`zip entry ${name} uses compression method ${method}`);
        at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}

const ZIP_MAGIC_BASE64 = "UEsDB"; // "PK\x03\x04"

export const looksLikeBase64Zip = (text: string) => text.startsWith(ZIP_MAGIC_BASE64);
