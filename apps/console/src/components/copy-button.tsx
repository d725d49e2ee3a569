import { useEffect, useRef, useState } from 'react';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context; fall back to a hidden textarea (works on plain-http intranets).
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok: boolean;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

/** A real button that copies `text` and says so (visibly and to screen readers). */
export function CopyButton({ text, what = 'value' }: { text: string; what?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return (
    <>
      <button
        type="button"
        className="btn btn-small btn-ghost"
        aria-label={`Copy ${what}`}
        onClick={() => {
          void copyText(text).then((ok) => {
            setState(ok ? 'copied' : 'failed');
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => setState('idle'), 1800);
          });
        }}
      >
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied' ? `${what} copied to the clipboard` : state === 'failed' ? 'Could not copy' : ''}
      </span>
    </>
  );
}

/** An id in monospace with a copy button beside it. */
export function CopyableId({ value, what = 'id' }: { value: string; what?: string }) {
  return (
    <span className="copyable">
      <code>{value}</code>
      <CopyButton text={value} what={what} />
    </span>
  );
}
