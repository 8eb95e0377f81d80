// A line chart in inline SVG, one line per pod: enough for "deliveries/s and sessions over the last minutes"
// without a chart library.
import type { Point } from './series.js';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const WIDTH = 560;
const HEIGHT = 150;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

export function colorOf(index: number): string {
  return COLORS[index % COLORS.length]!;
}

/** A round upper bound for the y axis (1, 2, 5 x 10^n). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value) ?? 10 * power;
}

export interface Line {
  label: string;
  points: Point[];
}

export function LineChart({ title, lines, now, windowMs, unit, testId }: { title: string; lines: Line[]; now: number; windowMs: number; unit: string; testId: string }): JSX.Element {
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.points.map((p) => p.value))));
  const x = (at: number) => PAD.left + ((at - (now - windowMs)) / windowMs) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) => PAD.top + (1 - value / max) * (HEIGHT - PAD.top - PAD.bottom);
  const format = (value: number) => (value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1));
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} className="grid" />
            <text x={PAD.left - 4} y={y(max * f) + 4} textAnchor="end" className="axis">
              {format(max * f)}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={HEIGHT - 4} className="axis">
          −{Math.round(windowMs / 60_000)} min
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end" className="axis">
          now
        </text>
        {lines.map((line, i) =>
          line.points.length > 0 ? (
            <polyline
              key={line.label}
              data-series={line.label}
              data-last={line.points[line.points.length - 1]!.value}
              fill="none"
              stroke={colorOf(i)}
              strokeWidth={2}
              points={line.points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')}
            />
          ) : null,
        )}
      </svg>
      <ul className="legend">
        {lines.map((line, i) => (
          <li key={line.label}>
            <span className="swatch" style={{ background: colorOf(i) }} />
            {line.label}: {line.points.length ? `${format(line.points[line.points.length - 1]!.value)} ${unit}` : '—'}
          </li>
        ))}
      </ul>
    </figure>
  );
}
