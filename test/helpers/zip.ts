/** Reads a zip with the policy pack's reader, CRC-checking every entry. */
import * as zlib from "zlib";
import { zipEntries } from "../../policy-pack/lib/zip-entries";

export function readZip(zip: Buffer): Record<string, Buffer> {
    const files: Record<string, Buffer> = {};
    for (const [name, { data, crc }] of zipEntries(zip)) {
        if (zlib.crc32(data) !== crc) throw new Error(`CRC mismatch in ${name}`);
        files[name] = data;
    }
    return files;
}
