// The live timeline: Server-Sent Events from the master's /console/api/feed, read with fetch (EventSource cannot
// send the Authorization header). Reconnects by itself: to the same master with the last event id, or, when the
// master is gone, through Api.failover() to the next one (whose numbering is its own: the timeline starts over).
import { Api } from './api';

export interface ClusterEvent {
  seq: number;
  at: number;
  kind: string;
  subject: string;
  from: string | null;
  to: string | null;
  text: string;
}

const SILENCE_MS = 12000;

export type FeedState = 'connecting' | 'live' | 'refused' | 'reconnecting';

export class Feed {
  private lastSeq = 0;
  private lastBase = '';
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly onEvent: (e: ClusterEvent, fresh: boolean) => void,
    private readonly onState: (state: FeedState, detail: string) => void,
    private readonly onNewMaster: () => void,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const base = this.api.base;
      if (base !== this.lastBase) {
        // Another master numbers its events itself: take its whole buffer.
        this.lastSeq = 0;
        this.lastBase = base;
        this.onNewMaster();
      }
      this.onState(failures === 0 ? 'connecting' : 'reconnecting', this.api.baseLabel);
      const abort = new AbortController();
      try {
        const response = await fetch(base + '/console/api/feed', {
          headers: this.api.headers(this.lastSeq > 0 ? { 'Last-Event-ID': String(this.lastSeq) } : {}),
          signal: abort.signal,
        });
        if (response.status === 503 || response.status === 401) {
          const body = await response.json().catch(() => ({ message: response.statusText }));
          this.onState('refused', body.message);
          await sleep(5000);
          continue;
        }
        if (!response.ok || !response.body) {
          throw new Error('feed answered ' + response.status);
        }
        failures = 0;
        this.onState('live', this.api.baseLabel);
        await this.read(response.body, abort);
      } catch {
        // The master went away (or the stream broke): try the next one after the first retry on the same.
      }
      failures++;
      if (failures > 1) {
        this.api.failover();
      }
      await sleep(Math.min(2000, 250 * failures));
    }
  }

  /**
   * Reads events until the stream ends. The master sends a comment every few seconds when nothing happens, so a
   * stream silent for SILENCE_MS belongs to a frozen master (its socket stays open): it is cut.
   */
  private async read(body: ReadableStream<BufferSource>, abort: AbortController): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let watchdog = setTimeout(() => abort.abort(), SILENCE_MS);
    for (;;) {
      const { value, done } = await reader.read();
      clearTimeout(watchdog);
      if (done || this.stopped) {
        return;
      }
      watchdog = setTimeout(() => abort.abort(), SILENCE_MS);
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data) {
          const event = JSON.parse(data) as ClusterEvent;
          const fresh = event.seq > this.lastSeq;
          this.lastSeq = Math.max(this.lastSeq, event.seq);
          this.onEvent(event, fresh);
        }
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
