/** A minimal zip writer for tests (PKZIP APPNOTE: local headers, central directory, end record). */
import { crc32, deflateRawSync } from 'zlib';

/** Zips `files` (path -> content); `folders` adds folder entries as Superset's exports have; `method` 0 = stored, 8 = deflate, others written as given (for error tests). */
export function writeZip(files: Record<string, string | Buffer>, options: { method?: number; folders?: string[] } = {}): Buffer {
  const method = options.method ?? 8;
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const entries: Array<[string, Buffer]> = [
    ...(options.folders ?? []).map(f => [f.endsWith('/') ? f : `${f}/`, Buffer.alloc(0)] as [string, Buffer]),
    ...Object.entries(files).map(([p, c]) => [p, Buffer.from(c)] as [string, Buffer]),
  ];
  for (const [name, data] of entries) {
    const isFolder = name.endsWith('/');
    const m = isFolder ? 0 : method;
    const body = m === 8 ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(m, 10);
    header.writeUInt32LE(crc32(data), 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
