/** A time range a page offers: its length in the page's unit, and how it reads. */
export interface RangeChoice {
  readonly length: number;
  readonly label: string;
}

/** The "Time range" drop-down of a page's head. */
export function RangeSelect({
  ranges,
  value,
  onChange,
}: {
  ranges: readonly RangeChoice[];
  value: number;
  onChange: (length: number) => void;
}) {
  return (
    <label>
      Time range{' '}
      <select
        value={value}
        onChange={(event) => {
          onChange(Number(event.target.value));
        }}
      >
        {ranges.map((range) => (
          <option key={range.length} value={range.length}>
            {range.label}
          </option>
        ))}
      </select>
    </label>
  );
}
