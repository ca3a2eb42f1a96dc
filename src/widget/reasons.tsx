/**
 * Why there is nothing to book, worded for the customer from the service's reason code, and
 * always a next step: the first free day when there is one, the phone, and "Être rappelé".
 */
import type { ComponentChildren } from 'preact';
import type { RequestKind, Service, Slots } from './api.js';
import { formatDay, type Lang, type Messages } from './i18n.js';
import { CallUs } from './parts.js';

type ReasonCode = NonNullable<Slots['reason']>['code'];

/** What the desk is asked to do: see what is possible at an address we do not serve, or find a time. */
export function requestKindFor(code: ReasonCode | undefined): RequestKind {
  return code === 'zone-not-served' || code === 'service-not-offered-here' ? 'out_of_area' : 'no_window';
}

/** The reason's first sentence, for the status region. */
export function reasonSentence(slots: Slots, lang: Lang, t: Messages): string {
  switch (slots.reason?.code) {
    case 'zone-not-served':
      return t.postcodeNotServed(slots.postcode);
    case 'service-not-offered-here':
      return t.serviceNotHere(slots.postcode);
    case 'too-soon':
      return t.tooSoon;
    case 'beyond-horizon':
      return t.beyondHorizon;
    case 'fully-booked':
      return t.fullyBooked(formatDay(slots.to, lang));
    default:
      return t.noWindow(formatDay(slots.to, lang));
  }
}

export interface ReasonPanelProps {
  slots: Slots;
  /** The services as bookable (or not) at this postcode, when the search came back empty. */
  here: Service[] | null;
  phone: string;
  lang: Lang;
  t: Messages;
  onService: (id: string) => void;
  onCallback: (kind: RequestKind) => void;
}

export function ReasonPanel({ slots, here, phone, lang, t, ...on }: ReasonPanelProps) {
  const reason = slots.reason;
  const areas = (reason?.servedAreas ?? []).join(', ');
  let words: ComponentChildren;
  if (reason?.code === 'zone-not-served')
    // "Nous n'intervenons pas dans le …" is already said at the postcode field.
    words = areas && <p>{t.servedAreas(areas)}</p>;
  else if (reason?.code === 'service-not-offered-here')
    words = (
      <>
        <p>{t.serviceNotHere(slots.postcode)}</p>
        {areas && <p>{t.serviceAreas(areas)}</p>}
        {here && <ServicesHere services={here} postcode={slots.postcode} t={t} onService={on.onService} />}
      </>
    );
  else words = <p>{reasonSentence(slots, lang, t)}</p>;
  return (
    <div class="info" id="reason">
      {words}
      {reason?.nextAvailable && (
        <p>
          <strong>{t.firstWindow(formatDay(reason.nextAvailable, lang))}</strong>
        </p>
      )}
      <CallUs phone={phone} t={t} />
      <p>{t.callbackOffer}</p>
      <button type="button" class="btn ghost" onClick={() => on.onCallback(requestKindFor(reason?.code))}>
        {t.callbackButton}
      </button>
    </div>
  );
}

/** Each service at this postcode: the bookable ones to choose instead, the others marked with why. */
function ServicesHere(props: {
  services: Service[];
  postcode: string;
  t: Messages;
  onService: (id: string) => void;
}) {
  const { services, postcode, t } = props;
  if (!services.some((s) => s.bookableHere)) return null;
  return (
    <>
      <p>{t.servicesHere(postcode)}</p>
      <ul class="here">
        {services.map((s) => (
          <li key={s.id}>
            {s.bookableHere ? (
              <button type="button" class="link" onClick={() => props.onService(s.id)}>
                {s.name}
              </button>
            ) : (
              <span class="muted">
                {s.name} — {notBookableText(s, postcode, t)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Why a service cannot be booked at a postcode, in a few words (the service step marks it too). */
export function notBookableText(service: Service, postcode: string, t: Messages): string {
  return service.reason === 'zone-not-served' ? t.postcodeNotServed(postcode) : t.notBookableHere(postcode);
}
