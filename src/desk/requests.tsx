/**
 * Requests ("demandes"): what a caller wanted that is not a booking yet.
 * "Nouvelle demande" records one for the caller on the card (or for someone
 * typed in); the queue lists the open ones oldest first with their age,
 * filtered by kind; "Je prends" takes one, closing needs a reason.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  REQUEST_KINDS,
  type Channel,
  type CustomerCard,
  type RequestKind,
  type RequestSummary,
} from './api.js';
import { actorName, ageText, KIND_LABELS, phoneText, STATUS_LABELS } from './format.js';
import { CloseButton, ErrorNotice } from './controls.js';
import { Shortcut } from './shortcut.js';

export interface RequestSeed {
  kind?: RequestKind;
  serviceId?: string;
  postcode?: string;
}

interface FormProps {
  card: CustomerCard | null;
  seed: RequestSeed;
  onCreated: (request: RequestSummary) => void;
  onClose: () => void;
}

export function RequestForm({ card, seed, onCreated, onClose }: FormProps) {
  const [kind, setKind] = useState<RequestKind>(seed.kind ?? 'callback');
  const [text, setText] = useState('');
  const [channel, setChannel] = useState<Channel>('phone');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [postcode, setPostcode] = useState(seed.postcode ?? card?.addresses[0]?.postcode ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLTextAreaElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => (card ? first.current : nameInput.current)?.focus(), []);

  async function save(): Promise<void> {
    if (busy) return;
    if (!text.trim()) {
      setError('Écrivez ce que le client demande.');
      first.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.createRequest({
        kind,
        ...(card ? { customerId: card.id } : { customer: { name: name.trim(), phone: phone.trim() } }),
        text: text.trim(),
        ...(seed.serviceId ? { serviceId: seed.serviceId } : {}),
        ...(/^\d{5}$/.test(postcode) ? { postcode } : {}),
        channel,
      });
      onCreated(created);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="request-title" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <h2 id="request-title">Nouvelle demande{card ? ` · ${card.name}` : ''}</h2>
      <form
        class="fields"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {!card && (
          <>
            <label>
              Nom
              <input ref={nameInput} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label>
              Téléphone
              <input type="tel" required value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
            </label>
          </>
        )}
        <label class="wide">
          Ce que le client demande
          <textarea
            ref={first}
            rows={3}
            maxLength={4000}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && !e.shiftKey && (e.preventDefault(), void save())}
          />
          <span class="hint">Entrée enregistre, Maj+Entrée va à la ligne.</span>
        </label>
        <label>
          Type
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as RequestKind)}>
            {REQUEST_KINDS.map((k) => (
              <option value={k}>{KIND_LABELS[k]}</option>
            ))}
          </select>
        </label>
        <label>
          Reçue par
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value as Channel)}>
            <option value="phone">Téléphone</option>
            <option value="email">E-mail</option>
            <option value="desk">Au comptoir</option>
          </select>
        </label>
        <label>
          Code postal
          <input
            value={postcode}
            inputMode="numeric"
            maxLength={5}
            onInput={(e) => setPostcode(e.currentTarget.value)}
          />
        </label>
        <div class="buttons wide">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Enregistrement…' : 'Enregistrer la demande'}
          </button>
          <CloseButton onClose={onClose} />
        </div>
      </form>
      {error && <ErrorNotice>{error}</ErrorNotice>}
    </section>
  );
}

interface QueueProps {
  listRef: RefObject<HTMLUListElement>;
  refresh: number;
  highlight: string | null;
  /** The request opened with « Fiche » whose caller's card is open: marked, so Claire sees which one she works on. */
  openRequest: string | null;
  /** Opens the caller's card: Claire works on this request. */
  onOpenCustomer: (request: RequestSummary) => void;
  /** A request was closed here: said, as a booking is, since it only leaves the list. */
  onClosed: (request: RequestSummary, outcome: 'done' | 'cancelled') => void;
}

export function Queue({ listRef, refresh, highlight, openRequest, onOpenCustomer, onClosed }: QueueProps) {
  const [kind, setKind] = useState<RequestKind | ''>('');
  const [items, setItems] = useState<RequestSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [closing, setClosing] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // What each request is about, by name: a callback about a heat pump reads differently.
  const [serviceNames, setServiceNames] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    api.services().then(
      (answer) => setServiceNames(new Map(answer.services.map((s) => [s.id, s.name]))),
      () => undefined, // the cards then show the postal code alone
    );
  }, []);

  useEffect(() => {
    let live = true;
    const filter = kind ? { kind } : {};
    // Oldest first, new and taken together: the service sorts them.
    api.requests({ status: 'new,in_progress', ...filter }).then(
      (answer) => {
        if (!live) return;
        setError(null);
        setItems(answer.items);
      },
      (e: unknown) =>
        live &&
        setError(
          e instanceof ApiError && e.status === 404
            ? 'Les demandes ne sont pas encore disponibles sur ce service.'
            : e instanceof ApiError
              ? e.message
              : 'Le service ne répond pas.',
        ),
    );
    return () => {
      live = false;
    };
  }, [kind, refresh, tick]);

  // Ages move on: the queue reloads every minute.
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (highlight && items) {
      const at = items.findIndex((r) => r.id === highlight);
      if (at >= 0) setActive(at);
    }
  }, [highlight, items]);

  function focusItem(index: number): void {
    setActive(index);
    listRef.current?.querySelectorAll<HTMLElement>(':scope > li')[index]?.focus();
  }

  async function take(r: RequestSummary, status: 'in_progress' | 'new' = 'in_progress'): Promise<void> {
    try {
      await api.updateRequest(r.id, { status });
      setTick((t) => t + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
    }
  }

  function onKeyDown(e: KeyboardEvent, index: number, r: RequestSummary): void {
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return;
    const last = (items?.length ?? 1) - 1;
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: last }[e.key];
    if (to !== undefined) focusItem(Math.max(0, Math.min(last, to)));
    else if (e.key === 'p' && r.status === 'new') void take(r);
    else if (e.key === 'c') setClosing(r.id);
    else if (e.key === 'Enter') onOpenCustomer(r);
    else return;
    e.preventDefault();
  }

  const count = items?.length ?? 0;
  return (
    <section class="queue" aria-labelledby="queue-title">
      <div class="queue-head">
        <h2 id="queue-title">
          Demandes en attente{items ? ` (${count})` : ''} <Shortcut keys={['Alt', 'L']} />
        </h2>
        <label>
          Type{' '}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as RequestKind | '')}>
            <option value="">Tous</option>
            {REQUEST_KINDS.map((k) => (
              <option value={k}>{KIND_LABELS[k]}</option>
            ))}
          </select>
        </label>
      </div>
      <p class="hint keys-hint">↑ ↓ parcourir · P je prends · C clore · Entrée ouvre la fiche du client</p>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {items && count === 0 && <p class="empty">Aucune demande en attente.</p>}
      <ul class="requests" ref={listRef} aria-label="Demandes, les plus anciennes d’abord">
        {items?.map((r, i) => (
          <li
            key={r.id}
            tabIndex={i === Math.min(active, count - 1) ? 0 : -1}
            data-request={r.id}
            class={`${r.status}${r.id === highlight ? ' highlight' : ''}${r.id === openRequest ? ' open' : ''}${r.ageMinutes >= 24 * 60 ? ' old' : ''}`}
            aria-current={r.id === openRequest ? 'true' : undefined}
            aria-label={`${KIND_LABELS[r.kind]} ${r.reference}, ${r.customer.name}, ${ageText(r.ageMinutes)}, ${STATUS_LABELS[r.status]}${r.id === openRequest ? ', fiche ouverte' : ''}`}
            onKeyDown={(e) => onKeyDown(e, i, r)}
            onFocus={() => setActive(i)}
          >
            <div class="req-line">
              <span class={`kind kind-${r.kind}`}>{KIND_LABELS[r.kind]}</span>
              <strong>{r.customer.name}</strong>
              {r.id === openRequest && <span class="open-tag">Fiche ouverte</span>}
              <a href={`tel:${r.customer.phone}`} tabIndex={-1}>
                {phoneText(r.customer.phone)}
              </a>
              <span class="age">{ageText(r.ageMinutes)}</span>
            </div>
            <p class="req-text">{r.text}</p>
            {r.preferredTime && <p class="sub">Préférence du client : {r.preferredTime}</p>}
            <div class="req-line">
              <span class="sub">
                {r.reference} · {STATUS_LABELS[r.status]}
                {r.takenBy ? ` par ${actorName(r.takenBy)}` : ''}
                {r.serviceId && serviceNames.has(r.serviceId) ? ` · ${serviceNames.get(r.serviceId)}` : ''}
                {r.postcode ? ` · ${r.postcode}` : ''}
              </span>
              {closing === r.id ? (
                <CloseForm
                  request={r}
                  onDone={(outcome) => (
                    setClosing(null),
                    setTick((t) => t + 1),
                    onClosed(r, outcome),
                    setTimeout(() => focusItem(i), 0)
                  )}
                  onCancel={() => (setClosing(null), focusItem(i))}
                />
              ) : (
                <span class="buttons">
                  {r.status === 'new' && (
                    <button type="button" tabIndex={-1} onClick={() => void take(r)}>
                      Je prends <Shortcut keys={['P']} />
                    </button>
                  )}
                  {r.status === 'in_progress' && (
                    <button type="button" tabIndex={-1} onClick={() => void take(r, 'new')}>
                      Remettre dans la file
                    </button>
                  )}
                  <button type="button" tabIndex={-1} onClick={() => setClosing(r.id)}>
                    Clore… <Shortcut keys={['C']} />
                  </button>
                  <button type="button" tabIndex={-1} onClick={() => onOpenCustomer(r)}>
                    Fiche
                  </button>
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function CloseForm({
  request,
  onDone,
  onCancel,
}: {
  request: RequestSummary;
  onDone: (outcome: 'done' | 'cancelled') => void;
  onCancel: () => void;
}) {
  const [outcome, setOutcome] = useState<'done' | 'cancelled'>('done');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  async function close(): Promise<void> {
    if (!reason.trim()) {
      setError('Une raison est nécessaire pour clore.');
      return;
    }
    try {
      await api.updateRequest(request.id, { status: outcome, reason: reason.trim() });
      onDone(outcome);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
    }
  }
  return (
    <form
      class="close-form"
      aria-label={`Clore ${request.reference}`}
      onSubmit={(e) => {
        e.preventDefault();
        void close();
      }}
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onCancel())}
    >
      <label>
        Raison
        <input
          ref={input}
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </label>
      <label>
        Issue
        <select value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as 'done' | 'cancelled')}>
          <option value="done">Traitée</option>
          <option value="cancelled">Annulée</option>
        </select>
      </label>
      <button type="submit" class="primary">
        Clore
      </button>
      {error && <ErrorNotice inline>{error}</ErrorNotice>}
    </form>
  );
}
