/**
 * Sets `MSGPACKR_NATIVE_ACCELERATION_DISABLED=true` for the moment msgpackr evaluates, so that
 * bactor never loads the optional prebuilt `msgpackr-extract` addon; `restoreMsgpackrEnv` puts
 * the host's environment back exactly as it was. Only `msgpackr-js.ts` imports this module,
 * right before msgpackr: ES modules evaluate in import order, and msgpackr's Node.js entry reads
 * the variable once, when it evaluates. (Its native string extractor also throws on
 * SharedArrayBuffer memory, DESIGN.md; bactor unpacks only private copies, so it works the same
 * when the host evaluated msgpackr first with native acceleration on.)
 */
const NAME = 'MSGPACKR_NATIVE_ACCELERATION_DISABLED';
const had = Object.prototype.hasOwnProperty.call(process.env, NAME);
const previous = process.env[NAME];
process.env[NAME] = 'true';

/** Puts the variable back as the host had it (absent or its own value). */
export function restoreMsgpackrEnv(): void {
  if (had) process.env[NAME] = previous;
  else delete process.env[NAME];
}
