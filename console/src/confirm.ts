// Every action asks first, in a modal <dialog>: what will happen, and for a drain the deadline.
import { h } from './dom';

export interface ConfirmOptions {
  title: string;
  text: string;
  confirmLabel: string;
  /** A number field (e.g. the drain deadline in seconds) whose value is passed to the result. */
  number?: { label: string; value: number; min: number; max: number };
}

/** Resolves with the number field's value (or 0 without one) when confirmed, null when cancelled. */
export function confirmAction(options: ConfirmOptions): Promise<number | null> {
  return new Promise((resolve) => {
    const input = options.number
      ? h('input', {
          type: 'number',
          id: 'confirm-number',
          value: String(options.number.value),
          min: String(options.number.min),
          max: String(options.number.max),
        })
      : null;
    const error = h('p', { class: 'error', id: 'confirm-error' });
    const dialog = h('dialog', { id: 'confirm-dialog' });
    const close = (result: number | null) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    dialog.append(
      h('h3', {}, options.title),
      h('p', {}, options.text),
      ...(input && options.number ? [h('label', {}, options.number.label + ' ', input)] : []),
      error,
      h(
        'div',
        { class: 'buttons' },
        h('button', { id: 'confirm-cancel', type: 'button', onclick: () => close(null) }, 'Cancel'),
        h(
          'button',
          {
            id: 'confirm-ok',
            type: 'button',
            class: 'danger',
            onclick: () => {
              if (input && options.number) {
                const value = Number(input.value);
                if (!Number.isInteger(value) || value < options.number.min || value > options.number.max) {
                  error.textContent = `${options.number.label}: a whole number from ${options.number.min} to ${options.number.max}`;
                  return;
                }
                close(value);
              } else {
                close(0);
              }
            },
          },
          options.confirmLabel,
        ),
      ),
    );
    dialog.addEventListener('cancel', () => close(null));
    document.body.append(dialog);
    dialog.showModal();
  });
}
