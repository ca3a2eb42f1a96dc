/** The small controls every desk panel uses the same way. */
import type { ComponentChildren } from 'preact';
import { Shortcut } from './shortcut.js';

/** Closes the panel; Escape does the same, which the key hint says. */
export function CloseButton({ onClose }: { onClose: () => void }) {
  return (
    <button type="button" onClick={onClose}>
      Fermer <Shortcut keys={['Échap']} />
    </button>
  );
}

/** What went wrong, announced at once; inline (a span) inside a line of text or buttons. */
export function ErrorNotice({
  children,
  inline = false,
  wide = false,
  id,
}: {
  children: ComponentChildren;
  inline?: boolean;
  wide?: boolean;
  /** For the field it is about (aria-describedby). */
  id?: string;
}) {
  const Tag = inline ? 'span' : 'p';
  return (
    <Tag id={id} class={`notice error${wide ? ' wide' : ''}`} role="alert">
      {children}
    </Tag>
  );
}
