type Column = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/**
 * `column` if it holds `length` items, else a copy at least 1.5 times longer with the new items set
 * to `fill`: per-campaign state kept in typed columns indexed by logId instead of an object each.
 */
export function withLength<T extends Column>(column: T, length: number, fill = 0): T {
  if (length <= column.length) return column;
  const wider = new (column.constructor as new (n: number) => T)(
    Math.max(length, Math.ceil(column.length * 1.5)),
  );
  wider.set(column);
  if (fill !== 0) wider.fill(fill, column.length);
  return wider;
}
