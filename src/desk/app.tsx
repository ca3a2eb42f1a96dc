/**
 * Claire's desk (/desk): find the caller, read their card, book or move a
 * visit, record what cannot be booked now, and work the queue of requests —
 * on one screen, keyboard first. French only: it is an in-house tool.
 */
import { TokenForm } from '../staff/token-form.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  storedToken,
  storeToken,
  UNAUTHORISED_EVENT,
  type CardVisit,
  type CustomerCard,
  type RequestSummary,
} from './api.js';
import { BookingPanel, MovePanel, type NoWindow } from './booking.js';
import { Card } from './card.js';
import { KIND_LABELS, windowText } from './format.js';
import { NewCustomerForm } from './new-customer.js';
import { Queue, RequestForm, type RequestSeed } from './requests.js';
import { Search } from './search.js';

type Panel =
  | { type: 'booking' }
  | { type: 'move'; visit: CardVisit }
  | { type: 'request'; seed: RequestSeed }
  | { type: 'new-customer'; text: string }
  | null;
type Said = {
  kind: 'ok' | 'error' | 'info';
  text: string;
  /** One follow-up the notice offers (e.g. close the request the booking answered). */
  action?: { label: string; run: () => Promise<void> };
};
/** A notice and the caller whose card was open (or just opened) when it was said; null: none. */
type Notice = (Said & { about: string | null }) | null;

const CHANNEL_WORDS: Record<string, string> = { phone: 'téléphone', email: 'e-mail', desk: 'comptoir' };

/** A telephony system opens /desk?phone=+33612345678 on an incoming call. */
const ctiPhone = new URLSearchParams(location.search).get('phone')?.slice(0, 40) ?? '';

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

export function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [card, setCard] = useState<CustomerCard | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<Notice>(null);
  // Read when a notice is said: callbacks made at an earlier render (the 401 listener) see the card open now.
  const openCard = useRef<string | null>(null);
  openCard.current = card?.id ?? null;
  const say = (said: Said, about: string | null = openCard.current) => setNotice({ ...said, about });
  // Claire moved on to another caller (search, queue, telephony link, "Changer de jeton"): what was
  // said about the previous one — "Fiche de … créée", a booking and its "Clore la demande" — goes.
  useEffect(() => {
    setNotice((n) => (n && n.about !== (card?.id ?? null) ? null : n));
  }, [card?.id]);
  const [queueRefresh, setQueueRefresh] = useState(0);
  const [highlight, setHighlight] = useState<string | null>(null);
  // The request whose caller Claire opened from the queue: a booking for them can close it.
  const [workingOn, setWorkingOn] = useState<RequestSummary | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const queue = useRef<HTMLUListElement>(null);
  const callerColumn = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const refused = () => {
      storeToken(null);
      setToken(null);
      say({ kind: 'error', text: 'Jeton refusé : saisissez un jeton d’agent valide.' });
    };
    window.addEventListener(UNAUTHORISED_EVENT, refused);
    return () => window.removeEventListener(UNAUTHORISED_EVENT, refused);
  }, []);

  async function openCustomer(id: string, keepPanel = false, reveal = false): Promise<void> {
    try {
      setCard(await api.customer(id));
      if (!keepPanel) setPanel(null);
      // Opened from the queue: on a phone the card is far above it, and the tap seemed to do nothing.
      if (reveal)
        setTimeout(
          () => callerColumn.current?.querySelector('article')?.scrollIntoView({ block: 'nearest' }),
          0,
        );
    } catch (e) {
      say({ kind: 'error', text: e instanceof ApiError ? e.message : 'Le service ne répond pas.' });
    }
  }

  function focusSearch(): void {
    search.current?.focus();
    search.current?.select();
  }

  function noWindow(what: NoWindow): void {
    setPanel({ type: 'request', seed: what });
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent): void {
      // "/" in the search box only after its text was all selected (as "/" leaves it): then it is the habit, not a character.
      const input = search.current;
      const freshSearch =
        e.target === input &&
        input !== null &&
        input.selectionStart === 0 &&
        input.selectionEnd === input.value.length;
      if (e.key === '/' && (freshSearch || !typing(e.target)) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        focusSearch();
        return;
      }
      // e.code, not e.key: on a Mac, Alt+N types "˜".
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.code === 'KeyN') {
        e.preventDefault();
        if (card) setPanel({ type: 'booking' });
        else {
          say({ kind: 'info', text: 'Ouvrez d’abord la fiche du client (recherche ci-dessous).' });
          focusSearch();
        }
      } else if (e.code === 'KeyR') {
        e.preventDefault();
        setPanel({ type: 'request', seed: {} });
      } else if (e.code === 'KeyL') {
        e.preventDefault();
        (queue.current?.querySelector<HTMLElement>('li[tabindex="0"]') ?? queue.current)?.focus();
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [card]);

  if (!token)
    return (
      <TokenForm
        title="Accueil clients"
        role="agent"
        hint="Votre administrateur vous remet ce jeton (rôle agent). Démonstration : le jeton d’administration affiché par « npm start » ouvre aussi l’accueil."
        mainClass="desk"
        onToken={(t) => (storeToken(t), setNotice(null), setToken(t))}
        notice={notice}
      />
    );

  const closePanel = () => (setPanel(null), focusSearch());
  /** Closed from the queue or from the caller's card: said, and the card shows it. */
  function requestClosed(request: RequestSummary, outcome: 'done' | 'cancelled'): void {
    say({
      kind: 'ok',
      text: `Demande ${request.reference} (${request.customer.name}) close : ${outcome === 'done' ? 'traitée' : 'annulée'}.`,
    });
    if (workingOn?.id === request.id) setWorkingOn(null);
    if (card?.id === request.customer.id) void openCustomer(card.id, true);
  }
  return (
    <main class="desk">
      <header class="bar">
        <h1>Accueil clients</h1>
        <ul class="shortcuts" aria-label="Raccourcis clavier">
          <li>
            <kbd>/</kbd> rechercher
          </li>
          <li>
            <kbd>Alt</kbd>+<kbd>N</kbd> nouveau rendez-vous
          </li>
          <li>
            <kbd>Alt</kbd>+<kbd>R</kbd> nouvelle demande
          </li>
          <li>
            <kbd>Alt</kbd>+<kbd>L</kbd> demandes en attente
          </li>
          <li>
            <kbd>Échap</kbd> fermer
          </li>
        </ul>
        <button type="button" class="link" onClick={() => (storeToken(null), setToken(null), setCard(null))}>
          Changer de jeton
        </button>
      </header>

      {notice && (
        <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          {notice.action && <NoticeAction {...notice.action} />}
        </p>
      )}

      <div class="columns">
        <div class="col-caller" ref={callerColumn}>
          <Search
            inputRef={search}
            initial={ctiPhone}
            onOpen={(hit) => (setNotice(null), void openCustomer(hit.id))}
            onCreate={(text) => (setNotice(null), setPanel({ type: 'new-customer', text }))}
            onFirstAnswer={
              ctiPhone
                ? (hits, text) => {
                    if (hits.length === 1) void openCustomer(hits[0]!.id);
                    else if (hits.length === 0) setPanel({ type: 'new-customer', text });
                  }
                : undefined
            }
          />
          {panel?.type === 'new-customer' && (
            <NewCustomerForm
              key={panel.text}
              text={panel.text}
              onCreated={(created) => {
                setCard(created);
                setPanel(null);
                say(
                  { kind: 'ok', text: `Fiche de ${created.name} créée. Alt+N pour lui réserver une visite.` },
                  created.id,
                );
              }}
              onClose={closePanel}
            />
          )}
          {card ? (
            <Card
              key={card.id}
              card={card}
              onBook={() => setPanel({ type: 'booking' })}
              onRequest={() => setPanel({ type: 'request', seed: {} })}
              onMove={(visit) => setPanel({ type: 'move', visit })}
              onChanged={(text) => (say({ kind: 'ok', text }), void openCustomer(card.id, true))}
              openRequest={workingOn?.customer.id === card.id ? workingOn.id : null}
              onRequestClosed={(request, outcome) => (
                requestClosed(request, outcome),
                setQueueRefresh((n) => n + 1)
              )}
            />
          ) : (
            panel?.type !== 'new-customer' && (
              <p class="empty intro">
                Tapez un numéro (dans n’importe quel format), un nom, un e-mail, une rue ou une référence : la
                fiche du client s’ouvre avec ses visites, ses demandes et ses notes.
              </p>
            )
          )}
        </div>

        <div class="col-side">
          {panel?.type === 'booking' && card && (
            <BookingPanel
              key={card.id}
              card={card}
              seed={
                workingOn?.customer.id === card.id
                  ? { serviceId: workingOn.serviceId, postcode: workingOn.postcode }
                  : undefined
              }
              onClose={closePanel}
              onNoWindow={noWindow}
              onMove={(visit) => setPanel({ type: 'move', visit })}
              onBooked={(booking) => {
                setPanel(null);
                const answered = workingOn?.customer.id === card.id ? workingOn : null;
                say({
                  kind: 'ok',
                  text: `Rendez-vous ${booking.reference} réservé pour ${booking.customer.name} : ${windowText(booking.window.start, booking.window.end, true)} (${booking.service.name}, reçu par ${CHANNEL_WORDS[booking.channel] ?? booking.channel}).`,
                  ...(answered
                    ? {
                        action: {
                          label: `Clore la demande ${answered.reference} avec ce rendez-vous`,
                          run: async () => {
                            await api.updateRequest(answered.id, {
                              status: 'done',
                              reason: `Rendez-vous ${booking.reference} réservé`,
                              bookingId: booking.id,
                            });
                            setWorkingOn(null);
                            setQueueRefresh((n) => n + 1);
                            say({
                              kind: 'ok',
                              text: `Demande ${answered.reference} close : rendez-vous ${booking.reference}.`,
                            });
                          },
                        },
                      }
                    : {}),
                });
                void openCustomer(card.id, true);
                focusSearch();
              }}
            />
          )}
          {panel?.type === 'move' && (
            <MovePanel
              key={panel.visit.id}
              visit={panel.visit}
              onClose={closePanel}
              onNoWindow={noWindow}
              onMoved={(booking) => {
                setPanel(null);
                say({
                  kind: 'ok',
                  text: `Visite ${booking.reference} déplacée : ${windowText(booking.window.start, booking.window.end, true)}.`,
                });
                if (card) void openCustomer(card.id, true);
              }}
            />
          )}
          {panel?.type === 'request' && (
            <RequestForm
              key={`${card?.id ?? 'none'}-${panel.seed.kind ?? ''}`}
              card={card}
              seed={panel.seed}
              onClose={closePanel}
              onCreated={(request) => {
                setPanel(null);
                say({
                  kind: 'ok',
                  text: `Demande ${request.reference} (${KIND_LABELS[request.kind]}) enregistrée pour ${request.customer.name}.`,
                });
                setHighlight(request.id);
                setQueueRefresh((n) => n + 1);
                if (card) void openCustomer(card.id, true);
              }}
            />
          )}
          <Queue
            listRef={queue}
            refresh={queueRefresh}
            highlight={highlight}
            openRequest={workingOn && card?.id === workingOn.customer.id ? workingOn.id : null}
            onOpenCustomer={(request) => (
              setWorkingOn(request),
              void openCustomer(request.customer.id, false, true)
            )}
            onClosed={requestClosed}
          />
        </div>
      </div>
    </main>
  );
}

function NoticeAction({ label, run }: { label: string; run: () => Promise<void> }) {
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <>
      {' '}
      <button
        type="button"
        onClick={() =>
          run().catch((e: unknown) =>
            setFailed(e instanceof ApiError ? e.message : 'Le service ne répond pas.'),
          )
        }
      >
        {label}
      </button>
      {failed && <span class="error"> {failed}</span>}
    </>
  );
}
