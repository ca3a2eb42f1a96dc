/**
 * What every view of the widget shares: the titled frame, one alert region
 * (errors, announced at once), one polite status region (progress, selected
 * day), and focus moves after a render.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from './i18n.js';

export function useAnnouncements(host: HTMLElement) {
  const [alert, setAlertState] = useState({ text: '', seq: 0 });
  const [status, setStatus] = useState('');
  const [focus, setFocus] = useState<{ id: string } | null>(null);

  useEffect(() => {
    if (focus) (host.shadowRoot?.getElementById(focus.id) as HTMLElement | null)?.focus();
  }, [focus]);

  return {
    alert,
    // A new node per message so a screen reader announces the same text twice in a row too.
    setAlert: (text: string) => setAlertState((a) => ({ text, seq: a.seq + 1 })),
    status,
    setStatus,
    /** Moves focus to the element with this id once the next render is on screen. */
    focusOn: (id: string) => setFocus({ id }),
  };
}

export function Shell(props: {
  lang: Lang;
  title: string;
  alert: { text: string; seq: number };
  status: string;
  children: ComponentChildren;
}) {
  return (
    <section class="tb" lang={props.lang} aria-labelledby="tb-title">
      <h2 id="tb-title">{props.title}</h2>
      <div role="alert">
        {props.alert.text && (
          <p class="alert" key={props.alert.seq}>
            {props.alert.text}
          </p>
        )}
      </div>
      <div class="sr" role="status">
        {props.status}
      </div>
      {props.children}
    </section>
  );
}

export function StepHeading({ text }: { text: string }) {
  return (
    <h3 id="step-title" tabIndex={-1}>
      {text}
    </h3>
  );
}
