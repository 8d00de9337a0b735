// Sessions per media node over the last minutes, drawn by uPlot (zoom by dragging, values on hover).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WINDOW_POINTS = 600; // about ten minutes at one sample a second

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export class LoadChart {
  private readonly times: number[] = [];
  private readonly series = new Map<string, (number | null)[]>();
  private plot: uPlot | null = null;
  private plotted = '';

  constructor(private readonly host: HTMLElement) {}

  /** One sample: sessions of each media node present now; nodes absent now get a gap. */
  add(atMillis: number, sessionsByNode: Map<string, number>): void {
    this.times.push(atMillis / 1000);
    for (const id of sessionsByNode.keys()) {
      if (!this.series.has(id)) {
        this.series.set(id, new Array(this.times.length - 1).fill(null));
      }
    }
    for (const [id, values] of this.series) {
      values.push(sessionsByNode.has(id) ? sessionsByNode.get(id)! : null);
    }
    if (this.times.length > WINDOW_POINTS) {
      this.times.shift();
      this.series.forEach((v) => v.shift());
    }
    this.draw();
  }

  private draw(): void {
    const ids = [...this.series.keys()].sort();
    const data = [this.times, ...ids.map((id) => this.series.get(id)!)] as uPlot.AlignedData;
    const shape = ids.join(',');
    const width = Math.max(300, this.host.clientWidth || 600);
    if (this.plot === null || shape !== this.plotted) {
      this.plot?.destroy();
      this.plotted = shape;
      this.plot = new uPlot(
        {
          width,
          height: 180,
          series: [
            {},
            ...ids.map((id, i) => ({ label: id, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false })),
          ],
          axes: [{}, { label: 'sessions' }],
          scales: { x: { time: true } },
        },
        data,
        this.host,
      );
    } else {
      this.plot.setData(data);
    }
  }
}
