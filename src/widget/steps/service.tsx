/** Step 1: which service (with its price and duration, as French law asks before booking). */
import type { Service } from '../api.js';
import type { Messages } from '../i18n.js';
import { CallUs, Loading, StepHeader } from '../parts.js';
import { notBookableText } from '../reasons.js';

export interface ServiceStepProps {
  services: Service[] | null;
  failed: boolean;
  serviceId: string;
  /** Once a postcode is known: which services can be booked there. */
  here: { postcode: string; services: Service[] } | null;
  error: string | undefined;
  phone: string;
  t: Messages;
  onRetry: () => void;
  onCallback: () => void;
  onChoose: (id: string) => void;
  onSubmit: () => void;
}

export function ServiceStep({ services, failed, serviceId, here, error, phone, t, ...on }: ServiceStepProps) {
  const atPostcode = (id: string) => here?.services.find((s) => s.id === id);
  let content;
  if (failed)
    content = (
      <div class="actions">
        <button type="button" class="btn" onClick={on.onRetry}>
          {t.retry}
        </button>
      </div>
    );
  else if (!services) content = <Loading label={t.loading} bars={3} />;
  else if (!services.length)
    content = (
      <div class="info">
        <p>{t.noService}</p>
        <CallUs phone={phone} t={t} />
      </div>
    );
  else
    content = (
      <>
        <fieldset aria-describedby={error ? 'service-err' : undefined}>
          <legend class="sr">{t.serviceLegend}</legend>
          {services.map((s) => (
            <label class="choice" key={s.id}>
              <input
                type="radio"
                name="service"
                id={`service-${s.id}`}
                value={s.id}
                checked={serviceId === s.id}
                onChange={() => on.onChoose(s.id)}
              />
              <span>
                <strong>{s.name}</strong>
                <span class="muted">{s.description}</span>
                <br />
                {s.priceLabel && <span class="price">{s.priceLabel}</span>}
                {s.priceLabel && ' · '}
                <span class="muted">{t.duration(s.durationMinutes)}</span>
                {atPostcode(s.id)?.bookableHere === false && (
                  <span class="muted not-here">{notBookableText(atPostcode(s.id)!, here!.postcode, t)}</span>
                )}
              </span>
            </label>
          ))}
          {error && (
            <p id="service-err" class="err">
              {error}
            </p>
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" class="btn">
            {t.next}
          </button>
        </div>
        <p class="muted">
          {t.preferCall}{' '}
          <button type="button" class="link" onClick={on.onCallback}>
            {t.callbackButton}
          </button>
        </p>
      </>
    );
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        on.onSubmit();
      }}
    >
      <StepHeader step="service" text={t.serviceStep} t={t} />
      {content}
    </form>
  );
}
