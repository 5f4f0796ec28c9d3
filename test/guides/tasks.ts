// Task functions for ctx.runTask: plain exports, run on the task pool's threads (input and result are structured-cloned).
export function countPrimes(below: number): number {
  const composite = new Uint8Array(below);
  let count = 0;
  for (let i = 2; i < below; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < below; j += i) composite[j] = 1;
  }
  return count;
}
