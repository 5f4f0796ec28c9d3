/** CRC-32 (IEEE 802.3, as zlib's), table-driven: the checksum a journal stores beside each record. */
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** The CRC-32 of `bytes`, continuing from `previous` (the CRC of what came before them; 0 for none). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = previous ^ -1;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
