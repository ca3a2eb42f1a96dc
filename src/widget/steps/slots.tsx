/** Step 3: the day, then the technician's arrival window on that day. */
import type { Service, Slots, TimeWindow } from '../api.js';
import type { Lang, Messages } from '../i18n.js';
import { BackButton, CallUs, Loading, ServiceSummary, StepHeader } from '../parts.js';
import { DayPicker, WindowPicker } from '../pickers.js';

export interface SlotsStepProps {
  service: Service | undefined;
  postcode: string;
  slots: Slots | null;
  failed: string;
  day: string;
  chosen: TimeWindow | null;
  error: string | undefined;
  phone: string;
  lang: Lang;
  t: Messages;
  onRetry: () => void;
  onDay: (date: string, pointer: boolean) => void;
  onWindow: (window: TimeWindow) => void;
  onBack: () => void;
  onSubmit: () => void;
}

export function SlotsStep(props: SlotsStepProps) {
  const { slots, day, t, lang } = props;
  const current = slots?.days.find((d) => d.date === day);
  const back = <BackButton onBack={props.onBack} t={t} />;
  let content;
  if (props.failed)
    content = (
      <div class="actions">
        <button type="button" class="btn" onClick={props.onRetry}>
          {t.retry}
        </button>
        {back}
      </div>
    );
  else if (!slots) content = <Loading label={t.searching} bars={6} busy />;
  else if (!current)
    content = (
      <>
        <div class="info">
          <p>{t.noWindow(horizonDays(slots))}</p>
          <CallUs phone={props.phone} t={t} />
        </div>
        <div class="actions">{back}</div>
      </>
    );
  else
    content = (
      <>
        <DayPicker days={slots.days} selected={day} onSelect={props.onDay} lang={lang} t={t} />
        <WindowPicker
          day={current}
          selected={props.chosen}
          onSelect={props.onWindow}
          lang={lang}
          timeZone={slots.timezone}
          t={t}
          error={props.error}
        />
        <div class="actions">
          <button type="submit" class="btn">
            {t.next}
          </button>
          {back}
        </div>
      </>
    );
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <StepHeader step="slots" text={t.slotsStep} t={t} />
      <div class="summary">
        <ServiceSummary service={props.service} />
        <p>
          {props.postcode} {slots?.city ?? ''}
        </p>
      </div>
      {content}
    </form>
  );
}

const DAY_MS = 86_400_000;

/** How many days the answer covered, for "no window in the next N days". */
export function horizonDays(slots: Slots): number {
  return Math.round((Date.parse(slots.to) - Date.parse(slots.from)) / DAY_MS) + 1;
}
