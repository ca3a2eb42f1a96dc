/** The confirmation: what was booked, the .ics to keep it, the link to change it (or the phone, too late for it). */
import type { BookingConfirmation } from '../api.js';
import { formatInstant, formatWindow, type Lang, type Messages } from '../i18n.js';
import { PhoneLink, StepHeader } from '../parts.js';

export function DoneStep({
  done,
  timeZone,
  phone,
  lang,
  t,
}: {
  done: BookingConfirmation;
  timeZone: string;
  phone: string;
  lang: Lang;
  t: Messages;
}) {
  const b = done.booking;
  const cutoffHours = Math.round((Date.parse(b.window.start) - Date.parse(b.changeableUntil)) / 3_600_000);
  return (
    <div>
      <StepHeader step="done" text={t.doneStep} t={t} />
      <dl>
        <dt>{t.reference}</dt>
        <dd>{b.reference}</dd>
        <dt>{t.serviceLegend}</dt>
        <dd>{b.service.name}</dd>
        <dt>{t.arrivalBetween}</dt>
        <dd>{formatWindow(b.window.start, b.window.end, lang, timeZone)}</dd>
        <dt>{t.address}</dt>
        <dd>
          {b.address.line}, {b.address.postcode} {b.address.city}
        </dd>
      </dl>
      <div class="actions">
        <a class="btn" href={done.icsUrl} download>
          {t.addToCalendar}
        </a>
        {/* Inside the cut-off the manage page could only refuse: the phone below is the way. */}
        {b.changeable && (
          <a class="btn ghost" href={done.manageUrl} target="_blank" rel="noopener">
            {t.manage}
          </a>
        )}
      </div>
      {b.changeable ? (
        <p>{t.changeableUntil(formatInstant(b.changeableUntil, lang, timeZone))}</p>
      ) : (
        // Booked inside the cut-off: "modifiable until" would name a moment already past.
        <p id="too-late">
          {t.tooLate(cutoffHours)} <PhoneLink phone={phone} />.
        </p>
      )}
      <p class="muted">{t.doneNote}</p>
    </div>
  );
}
