// Charts of the load harness's report.html, with the console's charting library (uPlot): built as one IIFE script
// and one style sheet that the report inlines, so the report stays a single self-contained file. Each chart is a
// <div class="tessera-chart"> holding a <script type="application/json"> spec written by the Java report.
// Zoom: drag across a chart (double-click to reset); hover: the legend shows the values under the cursor.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface Marker {
  x: number;
  label: string;
}

interface LinesSpec {
  type: 'lines';
  title: string;
  xLabel: string;
  yLabel: string;
  xMax: number;
  series: Array<{ name: string; color: string; points: Array<[number, number]> }>;
  markers: Marker[];
}

interface HistogramSpec {
  type: 'histogram';
  title: string;
  xLabel: string;
  values: number[];
  bins: number;
  color: string;
}

const WIDTH = 900;
const HEIGHT = 280;

/** Dashed red lines at the fault instants, labelled, drawn over the plot after each redraw (so they follow zoom). */
function markerPlugin(markers: Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#d62728';
        ctx.fillStyle = '#d62728';
        ctx.setLineDash([4, 3]);
        ctx.font = `${Math.round(10 * devicePixelRatio)}px sans-serif`;
        for (const m of markers) {
          const x = Math.round(u.valToPos(m.x, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.save();
          ctx.translate(x + 4 * devicePixelRatio, u.bbox.top + 4 * devicePixelRatio);
          ctx.rotate(Math.PI / 2);
          ctx.fillText(m.label, 0, 0);
          ctx.restore();
        }
        ctx.restore();
      },
    },
  };
}

function lines(host: HTMLElement, spec: LinesSpec): void {
  // uPlot wants one x array shared by all series: the union of the x values, gaps where a series has none.
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = spec.series.map((s) => {
    const column: (number | null)[] = new Array(xs.length).fill(null);
    s.points.forEach(([x, y]) => (column[index.get(x)!] = y));
    return column;
  });
  new uPlot(
    {
      title: spec.title,
      width: WIDTH,
      height: HEIGHT,
      scales: { x: { time: false, range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(spec.xMax, max ?? 0)] } },
      axes: [{ label: spec.xLabel }, { label: spec.yLabel }],
      series: [{ label: spec.xLabel }, ...spec.series.map((s) => ({ label: s.name, stroke: s.color, width: 1.5 }))],
      plugins: [markerPlugin(spec.markers)],
    },
    [xs, ...ys] as uPlot.AlignedData,
    host,
  );
}

function histogram(host: HTMLElement, spec: HistogramSpec): void {
  const max = spec.values.reduce((m, v) => Math.max(m, v), 0) || 1;
  const width = max / spec.bins;
  const counts = new Array(spec.bins).fill(0);
  spec.values.forEach((v) => counts[Math.min(spec.bins - 1, Math.floor(v / width))]++);
  const centers = counts.map((_, i) => (i + 0.5) * width);
  new uPlot(
    {
      title: `${spec.title} (n=${spec.values.length})`,
      width: WIDTH,
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [{ label: spec.xLabel }, { label: 'count' }],
      series: [
        { label: spec.xLabel, value: (_u, v) => (v == null ? '-' : `${(v - width / 2).toFixed(1)}-${(v + width / 2).toFixed(1)}`) },
        { label: 'count', stroke: spec.color, fill: spec.color, paths: uPlot.paths.bars!({ size: [0.9, Infinity] }) },
      ],
    },
    [centers, counts],
    host,
  );
}

/** Draws every chart of the page. */
export function renderAll(): void {
  document.querySelectorAll<HTMLElement>('.tessera-chart').forEach((host) => {
    const json = host.querySelector('script[type="application/json"]');
    if (!json?.textContent) return;
    const spec = JSON.parse(json.textContent) as LinesSpec | HistogramSpec;
    if (spec.type === 'lines') lines(host, spec);
    else histogram(host, spec);
  });
}
