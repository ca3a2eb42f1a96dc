/**
 * One box for every way a caller is known (phone in any format, name,
 * e-mail, street, reference), answered as Claire types. A combobox: arrows
 * move through the callers, Enter opens one; the last option creates the
 * caller from what was typed.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type CustomerHit } from './api.js';
import { MATCHED_ON, phoneText } from './format.js';
import { ErrorNotice } from './controls.js';
import { Shortcut } from './shortcut.js';

const DEBOUNCE_MS = 180;

interface Props {
  inputRef: RefObject<HTMLInputElement>;
  initial: string;
  onOpen: (hit: CustomerHit) => void;
  onCreate: (text: string) => void;
  /** Called with the answer of a search started from the address (?phone=…), for CTI. */
  onFirstAnswer?: (hits: CustomerHit[], text: string) => void;
}

/**
 * The option the arrows chose: a caller (by id), or the create option; none yet = the first. Kept
 * by what it is, not by its place, so an answer arriving after the choice (the list shown meanwhile
 * was the previous text's) never moves it: only typing does.
 */
type Choice = { id: string } | 'create' | undefined;

type State =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done'; hits: CustomerHit[]; total: number; truncated: boolean }
  | { kind: 'error'; text: string };

export function Search({ inputRef, initial, onOpen, onCreate, onFirstAnswer }: Props) {
  const [text, setText] = useState(initial);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [choice, setChoice] = useState<Choice>(undefined);
  const [open, setOpen] = useState(initial.trim().length >= 2);
  const firstAnswer = useRef(onFirstAnswer);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) {
      setState({ kind: 'idle' });
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setState((s) => (s.kind === 'done' ? s : { kind: 'loading' }));
      api.searchCustomers(q, controller.signal).then(
        (answer) => {
          // The text changed meanwhile: this answer is not for what is typed now.
          if (controller.signal.aborted) return;
          setState({ kind: 'done', hits: answer.items, total: answer.total, truncated: answer.truncated });
          const cti = firstAnswer.current;
          firstAnswer.current = undefined;
          cti?.(answer.items, q);
          // The telephony link opened the one caller (or the new-caller form): the list is answered.
          if (cti && answer.items.length <= 1) setOpen(false);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState({
            kind: 'error',
            text:
              error instanceof ApiError && error.status === 404
                ? 'La recherche de clients n’est pas encore disponible sur ce service.'
                : error instanceof ApiError
                  ? error.message
                  : 'Le service ne répond pas.',
          });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text]);

  const hits = state.kind === 'done' ? state.hits : [];
  const q = text.trim();
  // The last option always offers to create the caller from the text.
  const optionCount = q.length >= 2 && state.kind === 'done' ? hits.length + 1 : 0;
  const shown = open && optionCount > 0;
  const indexOf = (c: Choice) =>
    c === 'create'
      ? hits.length
      : c
        ? Math.max(
            0,
            hits.findIndex((h) => h.id === c.id),
          )
        : 0;
  const choiceAt = (index: number): Choice => (index >= hits.length ? 'create' : { id: hits[index]!.id });
  const active = optionCount > 0 ? Math.min(indexOf(choice), optionCount - 1) : 0;

  function choose(index: number): void {
    const hit = hits[index];
    setOpen(false);
    if (hit) onOpen(hit);
    else onCreate(q);
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' && optionCount > 0) {
      e.preventDefault();
      setOpen(true);
      setChoice(choiceAt(shown ? (active + 1) % optionCount : 0));
    } else if (e.key === 'ArrowUp' && optionCount > 0) {
      e.preventDefault();
      setOpen(true);
      setChoice(choiceAt((active - 1 + optionCount) % optionCount));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (optionCount > 0) choose(active);
    } else if (e.key === 'Escape') {
      if (shown) setOpen(false);
      else setText('');
    }
  }

  return (
    <div class="search">
      <label for="search" class="search-label">
        Rechercher un client <Shortcut keys={['/']} />
      </label>
      <input
        id="search"
        ref={inputRef}
        type="search"
        role="combobox"
        aria-expanded={shown}
        aria-controls="search-results"
        aria-autocomplete="list"
        aria-activedescendant={shown ? `hit-${active}` : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder="Téléphone, nom, e-mail, rue ou référence"
        value={text}
        onInput={(e) => {
          setText((e.target as HTMLInputElement).value);
          setChoice(undefined);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
      />
      {state.kind === 'error' && <ErrorNotice>{state.text}</ErrorNotice>}
      {q.length >= 2 && state.kind === 'loading' && <p class="hint">Recherche…</p>}
      {shown && (
        <>
          <p class="hint" role="status">
            {hits.length === 0
              ? 'Aucun client trouvé.'
              : state.kind === 'done' && state.truncated
                ? `${hits.length} premiers sur ${state.total} : précisez la recherche.`
                : `${hits.length} client${hits.length > 1 ? 's' : ''} trouvé${hits.length > 1 ? 's' : ''}.`}{' '}
            <span class="keys-hint">↑ ↓ pour choisir, Entrée pour ouvrir.</span>
          </p>
          <ul id="search-results" role="listbox" aria-label="Clients trouvés" class="results">
            {hits.map((hit, i) => (
              <li
                key={hit.id}
                id={`hit-${i}`}
                role="option"
                aria-selected={i === active}
                class={i === active ? 'active' : ''}
                onMouseDown={(e) => (e.preventDefault(), choose(i))}
              >
                <strong>{hit.name}</strong>
                <span class="match">{MATCHED_ON[hit.matchedOn] ?? hit.matchedOn}</span>
                <span class="sub">
                  {[
                    hit.phones.map(phoneText).join(', '),
                    hit.email,
                    hit.addresses[0] && `${hit.addresses[0].street}, ${hit.addresses[0].city}`,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                {hit.upcomingVisits > 0 && (
                  <span class="sub">
                    {hit.upcomingVisits} visite{hit.upcomingVisits > 1 ? 's' : ''} à venir
                  </span>
                )}
              </li>
            ))}
            <li
              id={`hit-${hits.length}`}
              role="option"
              aria-selected={active === hits.length}
              class={`create${active === hits.length ? ' active' : ''}`}
              onMouseDown={(e) => (e.preventDefault(), choose(hits.length))}
            >
              + Nouveau client : « {q} »
            </li>
          </ul>
        </>
      )}
    </div>
  );
}
