/**
 * The node options a bactor thread starts with: by default the process's (undefined: Node's own
 * inheritance, which leaves out what a worker may not take, such as --expose-gc). Only when the
 * process runs a script given on the command line (`node --input-type=module -e '…'`) are those
 * options dropped: a worker given them fails to start with ERR_INPUT_TYPE_NOT_ALLOWED.
 */
const PER_PROCESS =
  /^--(expose[-_]gc|max[-_](old|semi)[-_]space[-_]size|stack[-_]size|jitless|single[-_]threaded|abort[-_]on[-_]uncaught[-_]exception|title|v8[-_]options)\b/;

export function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => a.startsWith('--input-type') || a === '-e' || a === '--eval' || a === '-p' || a === '--print')) return undefined;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--input-type' || a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--input-type=') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    // Given explicitly, an option a worker may not take (V8's process-wide ones) would make it fail.
    if (!PER_PROCESS.test(a)) out.push(a);
  }
  return out;
}
