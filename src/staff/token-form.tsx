/** The first screen of a staff page: paste a token, kept for this tab only. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export type Notice = { kind: 'ok' | 'error' | 'info'; text: string } | null;

interface Props {
  title: string;
  /** The role the token must have, as the label says it. */
  role: string;
  /** Where a token comes from, for this page's users. */
  hint: ComponentChildren;
  onToken: (token: string) => void;
  notice: Notice;
  mainClass?: string;
}

export function TokenForm({ title, role, hint, onToken, notice, mainClass }: Props) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <main class={mainClass}>
      <h1>{title}</h1>
      <form
        class="token"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <label for="token">Jeton d’accès ({role})</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          ref={input}
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Se connecter</button>
        <p class="hint">Le jeton reste dans cet onglet (sessionStorage). {hint}</p>
      </form>
      {notice && (
        <p class={`notice ${notice.kind}`} role="alert">
          {notice.text}
        </p>
      )}
    </main>
  );
}
