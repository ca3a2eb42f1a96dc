/** Small pieces every step of the booking flow shares. */
import type { Service } from './api.js';
import { STEP_COUNT, STEP_NUMBER, type Step } from './flow.js';
import type { Messages } from './i18n.js';
import { StepHeading } from './shell.js';

/** "Étape 2 sur 4" above the step's title (which takes focus when the step opens). */
export function StepHeader({ step, text, t }: { step: Step; text: string; t: Messages }) {
  return (
    <>
      {step !== 'done' && step !== 'callback' && (
        <p class="muted">{t.stepOf(STEP_NUMBER[step], STEP_COUNT)}</p>
      )}
      <StepHeading text={text} />
    </>
  );
}

export function BackButton({ onBack, t }: { onBack: () => void; t: Messages }) {
  return (
    <button type="button" class="btn ghost" onClick={onBack}>
      {t.back}
    </button>
  );
}

const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** The company's phone, tappable, never broken across two lines. */
export function PhoneLink({ phone }: { phone: string }) {
  return (
    <a class="tel" href={telHref(phone)}>
      {phone}
    </a>
  );
}

export function CallUs({ phone, t }: { phone: string; t: Messages }) {
  return (
    <p>
      {t.callUs} <PhoneLink phone={phone} />.
    </p>
  );
}

export function ServiceSummary({ service }: { service: Service | undefined }) {
  if (!service) return null;
  return (
    <p>
      <strong>{service.name}</strong>
      {service.priceLabel ? ` · ${service.priceLabel}` : ''}
    </p>
  );
}

export function Loading({ label, bars, busy }: { label: string; bars: number; busy?: boolean }) {
  return (
    <div
      class="loading"
      role={busy ? undefined : 'status'}
      aria-busy={busy ? 'true' : undefined}
      aria-label={label}
    >
      {Array.from({ length: bars }, (_, i) => (
        <span key={i} />
      ))}
    </div>
  );
}

/** Scrolls the windows of the chosen day into view (on a phone they are below the days). */
export function revealWindows(host: HTMLElement): void {
  const panel = host.shadowRoot?.getElementById('windows');
  const still = matchMedia('(prefers-reduced-motion: reduce)').matches;
  panel?.scrollIntoView({ block: 'nearest', behavior: still ? 'auto' : 'smooth' });
}
