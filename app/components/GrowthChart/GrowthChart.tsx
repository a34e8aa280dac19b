import type { GrowthPoint } from "~/forms/view-models";

/** Polyline points for a series scaled into a width × height box (y grows downward). Exported for tests. */
export function chartPath(points: GrowthPoint[], width: number, height: number, pad = 4): string {
  if (points.length === 0) return "";
  const max = Math.max(1, ...points.map((p) => p.count));
  const min = Math.min(...points.map((p) => p.count));
  const span = Math.max(1, max - min);
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  return points
    .map((p, i) => {
      const x = pad + i * step;
      const y = height - pad - ((p.count - min) / span) * (height - 2 * pad);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

/** A small inline SVG line chart of member count over time; no chart library needed for one line. */
export function GrowthChart({
  points,
  width = 480,
  height = 120,
  label = "Members over time",
}: {
  points: GrowthPoint[];
  width?: number;
  height?: number;
  label?: string;
}) {
  const first = points[0];
  const last = points[points.length - 1];
  const summary = first && last ? `${label}: ${first.count} on ${first.date}, ${last.count} on ${last.date}` : `${label}: no data yet`;
  const line = chartPath(points, width, height);
  return (
    <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} width="100%" height={height} preserveAspectRatio="none">
      <title>{summary}</title>
      {line && (
        <>
          <polygon points={`${line} ${width - 4},${height} 4,${height}`} fill="rgba(0, 128, 96, 0.12)" />
          <polyline points={line} fill="none" stroke="#008060" strokeWidth={2} vectorEffect="non-scaling-stroke" />
        </>
      )}
    </svg>
  );
}
