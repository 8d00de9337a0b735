// Talks to the masters: the REST API and the console endpoints, with the credential kept in this object only
// (never in storage, never in a URL). When the master in use stops answering, the next known master is tried.

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface MasterLink {
  id: string;
  url: string;
}

export class Api {
  private authorization = '';
  /** Base URLs of the masters, the page's own origin first; '' means "same origin". */
  private bases: string[] = [''];
  private current = 0;
  private readonly listeners: Array<() => void> = [];

  /** The master in use: its base URL ('' for the page's origin). */
  get base(): string {
    return this.bases[this.current];
  }

  get baseLabel(): string {
    return this.base === '' ? window.location.origin : this.base;
  }

  onMasterChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  setSecret(secret: string): void {
    this.authorization = 'Basic ' + btoa('OPENVIDUAPP:' + secret);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: this.authorization, ...extra };
  }

  /** Learned from /console/api/masters: the others' URLs, kept in a stable order after the one in use. */
  setMasters(masters: MasterLink[]): void {
    const inUse = this.baseLabel;
    const urls = masters.map((m) => m.url).filter((u) => u !== inUse);
    const known = new Set(this.bases.map((b) => (b === '' ? window.location.origin : b)));
    for (const url of urls) {
      if (!known.has(url)) {
        this.bases.push(url);
        known.add(url);
      }
    }
  }

  /** Moves to the next known master (after the one in use failed). */
  failover(): void {
    if (this.bases.length > 1) {
      this.current = (this.current + 1) % this.bases.length;
      this.listeners.forEach((l) => l());
    }
  }

  /**
   * One request; a network failure (the master is gone) moves to the next master and tries again, once per known
   * master. HTTP errors are not retried: they are answers.
   */
  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.bases.length; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.base + path, {
          ...init,
          headers: this.headers(init.body ? { 'Content-Type': 'application/json' } : {}),
          signal: AbortSignal.timeout(4000),
        });
      } catch (error) {
        lastError = error;
        this.failover();
        continue;
      }
      if (!response.ok) {
        let message = response.statusText;
        try {
          const body = await response.json();
          message = body.message ?? message;
        } catch {
          // not JSON: keep the status text
        }
        throw new ApiError(response.status, message);
      }
      if (response.status === 204) {
        return undefined as T;
      }
      return (await response.json()) as T;
    }
    throw new ApiError(0, 'no master answers (' + String(lastError) + ')');
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>(path);
  }

  send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  }
}
