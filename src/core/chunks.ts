/** Splits `items` into consecutive chunks of at most `size`, order kept (UID sets per command, folder parts). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
