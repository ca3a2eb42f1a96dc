/**
 * "Nouveau rendez-vous" for the caller on the card, and "Déplacer" for one
 * of their visits: the same slot engine as the website, booked with the
 * agent's token (no proof of work, notice lifted, channel recorded, e-mail
 * optional). The first window gets focus, so Enter, Enter books it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  type BookingView,
  type CardVisit,
  type Channel,
  type CustomerCard,
  type RequestKind,
  type ServiceView,
  type TimeWindow,
} from './api.js';
import { windowText } from './format.js';
import { SlotPicker } from './slots.js';
import { CloseButton, ErrorNotice } from './controls.js';

const CHANNELS: { value: Channel; label: string }[] = [
  { value: 'phone', label: 'Téléphone' },
  { value: 'email', label: 'E-mail' },
  { value: 'desk', label: 'Au comptoir' },
];

export interface NoWindow {
  kind: RequestKind;
  serviceId: string;
  postcode: string;
}

/** What the request Claire is answering says about the visit wanted (the queue's "Fiche"). */
export interface BookingSeed {
  serviceId: string | null;
  postcode: string | null;
}

interface BookingProps {
  card: CustomerCard;
  seed?: BookingSeed;
  onBooked: (booking: BookingView) => void;
  onClose: () => void;
  onNoWindow: (what: NoWindow) => void;
  /** Move one of their planned visits instead (the panel offers it for a visit of the same service). */
  onMove: (visit: CardVisit) => void;
}

export function BookingPanel({ card, seed, onBooked, onClose, onNoWindow, onMove }: BookingProps) {
  const latest = card.visits[0];
  // The request being answered names the place (a known address there, else its postal code);
  // otherwise where they had their last visit is the likeliest place, else their first known address.
  const usual = latest?.address ?? card.addresses[0];
  const asked = seed?.postcode;
  const home = !asked
    ? (usual ?? { street: '', postcode: '', city: '' })
    : usual?.postcode === asked
      ? usual
      : (card.addresses.find((a) => a.postcode === asked) ?? { street: '', postcode: asked, city: '' });
  const [address, setAddress] = useState(home);
  const [services, setServices] = useState<ServiceView[]>([]);
  const [serviceId, setServiceId] = useState('');
  const [chosen, setChosen] = useState<TimeWindow | null>(null);
  const [channel, setChannel] = useState<Channel>('phone');
  const [notes, setNotes] = useState('');
  const [consent, setConsent] = useState(card.consentAt !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Said under the address, where focus goes: at the panel's foot it was off-screen on a phone
  // (the windows stand between), and Claire saw an empty field come up with no reason given.
  const [addressError, setAddressError] = useState<{ text: string; field: 'street' | 'city' } | null>(null);
  const [round, setRound] = useState(0);
  // The first windows take focus; once Claire changes the service or address herself, focus stays with her.
  const [touched, setTouched] = useState(false);
  const idempotencyKey = useRef('');
  const submit = useRef<HTMLButtonElement>(null);
  const consentBox = useRef<HTMLInputElement>(null);
  const streetInput = useRef<HTMLInputElement>(null);
  const cityInput = useRef<HTMLInputElement>(null);
  // A caller with no address yet: the street is the first thing to ask.
  useEffect(() => {
    if (!/^\d{5}$/.test(home.postcode)) streetInput.current?.focus();
  }, []);

  useEffect(() => {
    if (!/^\d{5}$/.test(address.postcode)) return;
    let live = true;
    api.services(address.postcode).then(
      ({ services: list }) => {
        if (!live) return;
        setServices(list);
        setServiceId((current) => {
          if (list.some((s) => s.id === current)) return current;
          // The service the request is about, else the one they had last; else the first one bookable here.
          const wanted = (id: string | null | undefined) =>
            list.find((s) => s.id === id && s.bookableHere !== false);
          const usual = wanted(seed?.serviceId) ?? wanted(latest?.serviceId);
          return (usual ?? list.find((s) => s.bookableHere !== false) ?? list[0])?.id ?? '';
        });
      },
      (e: unknown) => live && setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.'),
    );
    return () => {
      live = false;
    };
  }, [address.postcode]);

  function pick(w: TimeWindow): void {
    setChosen(w);
    setError(null);
    idempotencyKey.current = crypto.randomUUID();
    // The next key is the decision itself.
    setTimeout(() => (consent ? submit.current : consentBox.current)?.focus(), 0);
  }

  async function book(): Promise<void> {
    if (!chosen || busy) return;
    // Said here, by the field, in French: the service's answer names "body.address.city" in English.
    const missing = !address.street.trim() ? streetInput : !address.city.trim() ? cityInput : null;
    setAddressError(null);
    if (missing) {
      setError(null);
      setAddressError(
        missing === streetInput
          ? { text: 'Saisissez la rue (numéro et rue) où le technicien doit venir.', field: 'street' }
          : { text: 'Saisissez la ville du rendez-vous.', field: 'city' },
      );
      missing.current?.focus();
      return;
    }
    if (!consent) {
      setError('Demandez au client s’il accepte que ses coordonnées servent à ce rendez-vous.');
      consentBox.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.book(
        {
          serviceId,
          window: { start: chosen.start, end: chosen.end },
          // Offered by moving other visits (make-room): the booking moves them, as offered.
          ...(chosen.needsMoves ? { needsMoves: true } : {}),
          customer: { name: card.name, phone: card.phones[0] ?? '', email: card.email },
          address: { line: address.street, postcode: address.postcode, city: address.city },
          ...(notes.trim() ? { notes: notes.trim() } : {}),
          consent: true,
          channel,
        },
        idempotencyKey.current,
      );
      onBooked(created.booking);
    } catch (e) {
      const field =
        e instanceof ApiError ? /^body\.address\.(line|city)$/.exec(e.field ?? '')?.[1] : undefined;
      if (e instanceof ApiError && field) {
        setAddressError({ text: e.message, field: field === 'line' ? 'street' : 'city' });
        (field === 'line' ? streetInput : cityInput).current?.focus();
      } else setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
      if (e instanceof ApiError && e.status === 409) {
        setChosen(null);
        setRound((r) => r + 1); // the window was just taken: fresh windows
      }
    } finally {
      setBusy(false);
    }
  }

  const service = services.find((s) => s.id === serviceId);
  // A caller who rings about "my appointment" usually wants it moved, not a second one: said before
  // Claire books the same service twice (on a phone the card's planned visits are screens away).
  const alreadyPlanned = card.visits.filter(
    (v) => v.status === 'booked' && v.manageable && v.serviceId === serviceId,
  );
  return (
    <section class="panel" aria-labelledby="booking-title" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <h2 id="booking-title">Nouveau rendez-vous · {card.name}</h2>
      {alreadyPlanned.map((v) => (
        <p class="notice planned" key={v.id}>
          Déjà prévu pour ce client : {v.serviceName}, {windowText(v.windowStart, v.windowEnd, true)} (
          {v.reference}).{' '}
          <button type="button" onClick={() => onMove(v)}>
            Déplacer cette visite
          </button>
        </p>
      ))}
      <div class="fields">
        <label class="wide">
          Prestation
          <select
            value={serviceId}
            onChange={(e) => (setServiceId(e.currentTarget.value), setChosen(null), setTouched(true))}
          >
            {services.map((s) => (
              <option value={s.id} disabled={s.bookableHere === false}>
                {s.name} ({s.durationMinutes} min){s.bookableHere === false ? ' — pas ici' : ''}
              </option>
            ))}
          </select>
        </label>
        {card.addresses.length > 1 && (
          <label class="wide">
            Adresse connue
            <select
              value={String(
                card.addresses.findIndex(
                  (a) => a.street === address.street && a.postcode === address.postcode,
                ),
              )}
              onChange={(e) => {
                const known = card.addresses[Number(e.currentTarget.value)];
                if (known) setAddress(known);
                setChosen(null);
                setTouched(true);
              }}
            >
              {card.addresses.map((a, i) => (
                <option value={String(i)}>
                  {a.street}, {a.postcode} {a.city}
                </option>
              ))}
              <option value="-1">Autre adresse (saisie ci-dessous)</option>
            </select>
          </label>
        )}
        <label class="street">
          Rue
          <input
            ref={streetInput}
            value={address.street}
            aria-invalid={addressError?.field === 'street' ? true : undefined}
            aria-describedby={addressError?.field === 'street' ? 'address-error' : undefined}
            onInput={(e) => (
              setAddress({ ...address, street: e.currentTarget.value }),
              addressError?.field === 'street' && setAddressError(null)
            )}
          />
        </label>
        <label>
          Code postal
          <input
            value={address.postcode}
            inputMode="numeric"
            maxLength={5}
            onInput={(e) => (
              setAddress({ ...address, postcode: e.currentTarget.value.trim() }),
              setChosen(null),
              setTouched(true)
            )}
          />
        </label>
        <label>
          Ville
          <input
            ref={cityInput}
            value={address.city}
            aria-invalid={addressError?.field === 'city' ? true : undefined}
            aria-describedby={addressError?.field === 'city' ? 'address-error' : undefined}
            onInput={(e) => (
              setAddress({ ...address, city: e.currentTarget.value }),
              addressError?.field === 'city' && setAddressError(null)
            )}
          />
        </label>
      </div>
      {addressError && <ErrorNotice id="address-error">{addressError.text}</ErrorNotice>}
      {serviceId && (
        <SlotPicker
          key={`${serviceId}-${round}`}
          serviceId={serviceId}
          postcode={address.postcode}
          chosen={chosen}
          onPick={pick}
          onNoWindow={(kind) => onNoWindow({ kind, serviceId, postcode: address.postcode })}
          autoFocus={!touched}
          // The service knows the town of the postal code: Claire need not type it (she may correct it).
          onTown={(city) => setAddress((a) => (a.city.trim() ? a : { ...a, city }))}
        />
      )}
      {chosen && (
        <form
          class="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            void book();
          }}
        >
          <p>
            <strong>{windowText(chosen.start, chosen.end, true)}</strong> · {service?.name} · {address.street}
            , {address.postcode} {address.city}
          </p>
          {chosen.withinChangeCutoff && (
            // What the confirmation e-mail and the manage page will tell the caller; said so Claire says it first.
            <p class="cutoff">
              Dans moins de 24 h : le client ne pourra ni le modifier ni l’annuler en ligne, seulement en nous
              appelant.
            </p>
          )}
          <fieldset class="channel">
            <legend>Demande reçue par</legend>
            {CHANNELS.map((c) => (
              <label>
                <input
                  type="radio"
                  name="channel"
                  value={c.value}
                  checked={channel === c.value}
                  onChange={() => setChannel(c.value)}
                />{' '}
                {c.label}
              </label>
            ))}
          </fieldset>
          <label>
            Note pour le technicien (facultatif)
            <input value={notes} maxLength={2000} onInput={(e) => setNotes(e.currentTarget.value)} />
          </label>
          {card.consentAt === null && (
            <label class="consent">
              <input
                ref={consentBox}
                type="checkbox"
                checked={consent}
                onChange={(e) => setConsent(e.currentTarget.checked)}
                onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), void book())}
              />{' '}
              Le client accepte que ses coordonnées servent à ce rendez-vous
            </label>
          )}
          <div class="buttons">
            <button ref={submit} type="submit" class="primary" disabled={busy}>
              {busy ? 'Réservation…' : 'Réserver ce créneau'}
            </button>
            <CloseButton onClose={onClose} />
          </div>
        </form>
      )}
      {error && <ErrorNotice>{error}</ErrorNotice>}
    </section>
  );
}

interface MoveProps {
  visit: CardVisit;
  onMoved: (booking: BookingView) => void;
  onClose: () => void;
  onNoWindow: (what: NoWindow) => void;
}

export function MovePanel({ visit, onMoved, onClose, onNoWindow }: MoveProps) {
  const [chosen, setChosen] = useState<TimeWindow | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const submit = useRef<HTMLButtonElement>(null);

  async function move(): Promise<void> {
    if (!chosen || busy) return;
    setBusy(true);
    setError(null);
    try {
      onMoved(await api.reschedule(visit.id, chosen));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.');
      if (e instanceof ApiError && e.status === 409) {
        setChosen(null);
        setRound((r) => r + 1);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="move-title" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <h2 id="move-title">Déplacer {visit.reference}</h2>
      <p>
        {visit.serviceName}, prévue {windowText(visit.windowStart, visit.windowEnd, true)} ·{' '}
        {visit.address.street}, {visit.address.city}
      </p>
      <SlotPicker
        key={round}
        current={{ start: visit.windowStart, end: visit.windowEnd }}
        serviceId={visit.serviceId}
        postcode={visit.address.postcode}
        chosen={chosen}
        onPick={(w) => (setChosen(w), setTimeout(() => submit.current?.focus(), 0))}
        onNoWindow={(kind) =>
          onNoWindow({ kind, serviceId: visit.serviceId, postcode: visit.address.postcode })
        }
        autoFocus
      />
      {chosen && (
        <div class="buttons">
          <button ref={submit} type="button" class="primary" disabled={busy} onClick={() => void move()}>
            {busy ? 'Déplacement…' : `Déplacer au ${windowText(chosen.start, chosen.end, true)}`}
          </button>
          <CloseButton onClose={onClose} />
        </div>
      )}
      {error && <ErrorNotice>{error}</ErrorNotice>}
    </section>
  );
}
