import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { ValidationError } from "../../domain/errors";

export interface ZipFile {
  /** Path inside the archive, with forward slashes; directories end with "/" and have no data. */
  name: string;
  data: Buffer;
  /** Unix permission bits when the archive was made on Unix, else null. */
  mode: number | null;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const END_RECORD_BYTES = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATE = 8;
const ENCRYPTED = 0x0001;
const MADE_ON_UNIX = 3;

/**
 * The files of a zip archive, read through its central directory (so archives written with data
 * descriptors read too): stored or deflated entries, each checked against its CRC-32. Zip64 and
 * encrypted archives are refused; a Lambda package needs neither.
 */
export function readZip(archive: Buffer): ZipFile[] {
  const end = findEndRecord(archive);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) refuse("archive", "zip64", "zip64 archives are not supported");
  const files: ZipFile[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== CENTRAL_HEADER) {
      refuse("archive", `central directory entry ${i}`, "is not where the end record says");
    }
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const checksum = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const skip = nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const madeOn = archive.readUInt8(at + 5);
    const attributes = archive.readUInt32LE(at + 38);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + skip;

    if (flags & ENCRYPTED) refuse("entry", name, "is encrypted");
    if (localAt + 30 > archive.length || archive.readUInt32LE(localAt) !== LOCAL_HEADER) {
      refuse("entry", name, "has no local header where the central directory says");
    }
    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const raw = archive.subarray(dataAt, dataAt + compressedSize);
    if (raw.length !== compressedSize) refuse("entry", name, "is cut short");
    const data = inflate(name, method, raw, size);
    if (crc32(data) !== checksum) refuse("entry", name, "fails its CRC-32 check");
    files.push({ name, data, mode: madeOn === MADE_ON_UNIX ? (attributes >>> 16) & 0o7777 : null });
  }
  return files;
}

/**
 * Unpacks `archive` under `dir`; resolves with the files' names. Entries that would land outside
 * `dir` (absolute paths, `..`) are refused before anything is written.
 */
export async function extractZip(archive: Buffer, dir: string): Promise<string[]> {
  const files = readZip(archive);
  for (const { name } of files) {
    const parts = name.split("/");
    if (name.startsWith("/") || name.includes("\\") || parts.includes("..") || /^[a-zA-Z]:/.test(name)) {
      refuse("entry", name, "must stay inside the archive's folder");
    }
  }
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, file.name);
    if (file.name.endsWith("/")) {
      await mkdir(path, { recursive: true });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.data, { mode: file.mode ?? 0o644 });
    written.push(file.name);
  }
  return written;
}

function findEndRecord(archive: Buffer): number {
  const last = archive.length - END_RECORD_BYTES;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (archive.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return refuse("archive", `${archive.length} bytes`, "has no end of central directory record");
}

function inflate(name: string, method: number, raw: Buffer, size: number): Buffer {
  if (method === STORED) return raw;
  if (method !== DEFLATE)
    refuse("entry", name, `uses compression method ${method}; expected stored or deflate`);
  try {
    // The declared size bounds the output: a bomb stops there instead of filling memory.
    const data = inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
    if (data.length !== size) refuse("entry", name, `inflates to ${data.length} bytes, not ${size}`);
    return data;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    return refuse("entry", name, `does not inflate (${(error as Error).message})`);
  }
}

function refuse(field: string, value: unknown, reason: string): never {
  throw new ValidationError(`zip ${field}`, value, reason);
}
