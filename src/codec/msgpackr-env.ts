/**
 * Imported before msgpackr by every module of bactor that uses it: keeps msgpackr on its pure
 * JavaScript path. bactor runs no native addon; msgpackr would otherwise load the optional
 * prebuilt `msgpackr-extract` binary when npm installed it. (Its native string extractor also
 * throws on SharedArrayBuffer memory, DESIGN.md, though bactor never unpacks from shared memory.)
 * An explicit setting by the application wins.
 */
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
export {};
