/** A figure of one run against its target, as `npm run bench` prints it. */
export interface Verdict {
  readonly name: string;
  readonly measured: number | null;
  readonly target: string;
  readonly reached: boolean | null;
}

export function atLeast(name: string, value: number | null, min: number, shown = String(min)): Verdict {
  return { name, measured: value, target: `≥ ${shown}`, reached: value === null ? null : value >= min };
}

export function atMost(name: string, value: number | null, max: number): Verdict {
  return { name, measured: value, target: `≤ ${max}`, reached: value === null ? null : value <= max };
}
