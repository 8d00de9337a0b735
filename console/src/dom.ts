// A small element builder: every text goes through textContent, so names and client data from the cluster can
// never become markup.
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value !== false) {
      el.setAttribute(key, value);
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
  return el;
}

export function age(fromMillis: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - fromMillis) / 1000));
  // Coarse past a minute, so that rows do not change (and get re-rendered under the pointer) every second.
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

/** Replaces what a container shows only when the new content differs, so buttons are not swapped under a click. */
export function swap(container: HTMLElement, next: HTMLElement): void {
  const current = container.firstElementChild;
  if (!current || current.outerHTML !== next.outerHTML) {
    container.replaceChildren(next);
  }
}

export function clock(millis: number): string {
  return new Date(millis).toLocaleTimeString([], { hour12: false }) + '.' + String(millis % 1000).padStart(3, '0');
}
