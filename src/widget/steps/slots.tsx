/** Step 3: the day, then the technician's arrival window on that day. */
import type { RequestKind, Service, Slots, TimeWindow } from '../api.js';
import { formatDay, type Lang, type Messages } from '../i18n.js';
import { BackButton, Loading, ServiceSummary, StepHeader } from '../parts.js';
import { ReasonPanel } from '../reasons.js';
import { DayPicker, WindowPicker } from '../pickers.js';

export interface SlotsStepProps {
  service: Service | undefined;
  postcode: string;
  slots: Slots | null;
  failed: string;
  /** The services at this postcode, when this one is not offered there. */
  here: Service[] | null;
  /** A hold is being placed on the chosen window. */
  busy: boolean;
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
  onService: (id: string) => void;
  onCallback: (kind: RequestKind) => void;
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
        <ReasonPanel
          slots={slots}
          here={props.here}
          phone={props.phone}
          lang={lang}
          t={t}
          onService={props.onService}
          onCallback={props.onCallback}
        />
        <div class="actions">{back}</div>
      </>
    );
  else
    content = (
      <>
        <p class="first">{t.firstWindow(formatDay(slots.days[0]!.date, lang))}</p>
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
          <button type="submit" class="btn" aria-disabled={props.busy ? 'true' : undefined}>
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
