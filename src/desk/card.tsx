/**
 * The caller's card: who they are, their visits (planned first, then the
 * history), their open requests and the desk's notes about them, with the
 * actions on it: book, record a request, move or cancel a planned visit.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type CardVisit, type CustomerCard, type RequestSummary } from './api.js';
import {
  actorName,
  ageText,
  KIND_LABELS,
  phoneText,
  STATUS_LABELS,
  VISIT_STATUS,
  windowText,
} from './format.js';
import { ContactEditor } from './contact.js';
import { CloseForm } from './requests.js';
import { ErrorNotice } from './controls.js';
import { Shortcut } from './shortcut.js';

interface Props {
  card: CustomerCard;
  onBook: () => void;
  onRequest: () => void;
  onMove: (visit: CardVisit) => void;
  onChanged: (notice: string) => void;
  /** One of their open requests closed from the card. */
  onRequestClosed: (request: RequestSummary, outcome: 'done' | 'cancelled') => void;
  /** The request Claire opened this card from in the queue: marked among their open ones. */
  openRequest?: string | null;
}

export function Card({ card, onBook, onRequest, onMove, onChanged, onRequestClosed, openRequest }: Props) {
  const planned = card.visits.filter((v) => v.status === 'booked');
  const history = card.visits.filter((v) => v.status !== 'booked');
  const open = card.requests.filter((r) => r.status === 'new' || r.status === 'in_progress');
  const [editing, setEditing] = useState(false);
  // The open request being closed from the card: on a phone the queue is screens below it.
  const [closing, setClosing] = useState<string | null>(null);
  // Another caller opened: their card starts read-only.
  useEffect(() => (setEditing(false), setClosing(null)), [card.id]);
  return (
    <article class="card" aria-labelledby="card-title">
      <header>
        <h2 id="card-title">{card.name}</h2>
        <p class="contact">
          {card.phones.map((p) => (
            <a href={`tel:${p}`}>{phoneText(p)}</a>
          ))}
          {card.email && <a href={`mailto:${card.email}`}>{card.email}</a>}
        </p>
        {card.addresses.map((a) => (
          <p class="sub">
            {a.street}, {a.postcode} {a.city}
          </p>
        ))}
        {editing && (
          <ContactEditor
            card={card}
            onSaved={(notice) => (setEditing(false), onChanged(notice))}
            onClose={() => setEditing(false)}
          />
        )}
        <div class="buttons">
          <button type="button" class="primary" onClick={onBook}>
            Nouveau rendez-vous <Shortcut keys={['Alt', 'N']} />
          </button>
          <button type="button" onClick={onRequest}>
            Nouvelle demande <Shortcut keys={['Alt', 'R']} />
          </button>
          {!editing && (
            <button type="button" onClick={() => setEditing(true)}>
              Modifier les coordonnées
            </button>
          )}
        </div>
      </header>

      <h3>Visites prévues ({planned.length})</h3>
      {planned.length === 0 ? (
        <p class="empty">Aucune visite prévue.</p>
      ) : (
        <ul class="visits">
          {planned.map((v) => (
            <PlannedVisit key={v.id} visit={v} onMove={() => onMove(v)} onCancelled={onChanged} />
          ))}
        </ul>
      )}

      <h3>Demandes ouvertes ({open.length})</h3>
      {open.length === 0 ? (
        <p class="empty">Aucune demande ouverte.</p>
      ) : (
        <ul class="requests-mini">
          {open.map((r) => (
            <li
              key={r.id}
              class={r.id === openRequest ? 'open' : undefined}
              aria-current={r.id === openRequest ? 'true' : undefined}
            >
              <span class={`kind kind-${r.kind}`}>{KIND_LABELS[r.kind]}</span>{' '}
              {r.id === openRequest && <span class="open-tag">Ouverte depuis la file</span>} {r.reference} ·{' '}
              {STATUS_LABELS[r.status]}
              {r.takenBy ? ` (${actorName(r.takenBy)})` : ''} · {ageText(r.ageMinutes)}
              <span class="sub">{r.text}</span>
              {closing === r.id ? (
                <CloseForm
                  request={r}
                  onDone={(outcome) => (setClosing(null), onRequestClosed(r, outcome))}
                  onCancel={() => setClosing(null)}
                />
              ) : (
                <span class="buttons">
                  <button type="button" onClick={() => setClosing(r.id)}>
                    Clore…
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}

      <Notes card={card} onSaved={onChanged} />

      <h3>Historique ({history.length})</h3>
      {history.length === 0 ? (
        <p class="empty">Aucune visite passée.</p>
      ) : (
        <ul class="visits past">
          {history.map((v) => (
            <li key={v.id}>
              <span class="when">{windowText(v.windowStart, v.windowEnd)}</span> {v.serviceName} ·{' '}
              {VISIT_STATUS[v.status]}
              {v.technicianName ? ` · ${v.technicianName}` : ''} <span class="ref">{v.reference}</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function PlannedVisit({
  visit: v,
  onMove,
  onCancelled,
}: {
  visit: CardVisit;
  onMove: () => void;
  onCancelled: (notice: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Focus follows the question: on "Oui, annuler" when asked, back on "Annuler…" after "Non".
  useEffect(() => {
    if (confirming) yes.current?.focus();
    else if (asked.current) ask.current?.focus();
    asked.current ||= confirming;
  }, [confirming]);
  async function cancel(): Promise<void> {
    try {
      const done = await api.cancel(v.id);
      onCancelled(`Visite ${done.reference} annulée.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
    }
  }
  return (
    <li data-visit={v.id}>
      <span class="when">{windowText(v.windowStart, v.windowEnd)}</span> {v.serviceName}
      {v.technicianName ? ` · ${v.technicianName}` : ''} <span class="ref">{v.reference}</span>
      <span class="sub">
        {v.address.street}, {v.address.city}
      </span>
      {v.manageable &&
        (confirming ? (
          <span class="confirm-inline" role="group" aria-label={`Annuler ${v.reference}`}>
            Annuler cette visite ?{' '}
            <button ref={yes} type="button" class="danger" onClick={() => void cancel()}>
              Oui, annuler
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Non
            </button>
          </span>
        ) : (
          <span class="buttons">
            <button type="button" onClick={onMove}>
              Déplacer
            </button>
            <button ref={ask} type="button" onClick={() => setConfirming(true)}>
              Annuler…
            </button>
          </span>
        ))}
      {error && <ErrorNotice inline>{error}</ErrorNotice>}
    </li>
  );
}

function Notes({ card, onSaved }: { card: CustomerCard; onSaved: (notice: string) => void }) {
  const [text, setText] = useState(card.notes);
  const [state, setState] = useState<'idle' | 'saving' | 'error'>('idle');
  useEffect(() => setText(card.notes), [card.id, card.notes]);
  const dirty = text !== card.notes;
  async function save(): Promise<void> {
    setState('saving');
    try {
      await api.updateCustomer(card.id, { notes: text });
      setState('idle');
      onSaved('Note enregistrée.');
    } catch {
      setState('error');
    }
  }
  return (
    <form
      class="notes"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>
        <label for="notes">Notes sur le client</label>
      </h3>
      <textarea
        id="notes"
        rows={3}
        maxLength={4000}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && (e.preventDefault(), void save())}
      />
      <div class="buttons">
        <button type="submit" disabled={!dirty || state === 'saving'}>
          Enregistrer la note <Shortcut keys={['Ctrl', 'Entrée']} />
        </button>
        {state === 'error' && <ErrorNotice inline>La note n’a pas été enregistrée.</ErrorNotice>}
      </div>
    </form>
  );
}
