import { crc32, deflateRawSync } from "node:zlib";
import { ValidationError } from "../../domain/errors";

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  name: string;
  data: Uint8Array | string;
  /** Unix permission bits; Lambda only needs the files to be readable. */
  mode?: number;
}

export interface ZipOptions {
  /** Stamped on every entry; fixed by default so that the same input gives the same archive. */
  modified?: Date;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION = 20; // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | VERSION;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
// Without zip64 records sizes and offsets are 32-bit; a Lambda package is far smaller anyway.
const MAX_ZIP32 = 0xffffffff;

/** A deflated zip archive of `entries`, written in memory (local headers, central directory, end record). */
export function writeZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  const { time, date } = dosDateTime(options.modified ?? new Date(1980, 0, 1));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    if (entry.name.startsWith("/") || entry.name.includes("\\")) {
      throw new ValidationError("entry.name", entry.name, "must be relative, with forward slashes");
    }
    const data = typeof entry.data === "string" ? Buffer.from(entry.data, "utf8") : entry.data;
    const compressed = deflateRawSync(data, { level: 9 });
    const checksum = crc32(data);
    if (data.length > MAX_ZIP32 || offset + compressed.length > MAX_ZIP32) {
      throw new ValidationError("entry.data", entry.name, "too large for a zip without zip64");
    }
    const common = (header: Buffer, at: number) => {
      header.writeUInt16LE(UTF8_NAMES, at);
      header.writeUInt16LE(DEFLATE, at + 2);
      header.writeUInt16LE(time, at + 4);
      header.writeUInt16LE(date, at + 6);
      header.writeUInt32LE(checksum, at + 8);
      header.writeUInt32LE(compressed.length, at + 12);
      header.writeUInt32LE(data.length, at + 16);
      header.writeUInt16LE(name.length, at + 20);
    };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    common(local, 6);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(VERSION, 6);
    common(central, 8);
    central.writeUInt32LE(((0o100000 | (entry.mode ?? 0o644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** MS-DOS time and date fields, in local time as zip tools read them. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getFullYear());
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | Math.floor(at.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}
