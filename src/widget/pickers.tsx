/**
 * Day and window pickers. Days follow the WAI-ARIA tabs pattern with automatic
 * activation (one tab stop, arrows / Home / End / PageUp / PageDown move and
 * select); the windows of the selected day are a native radio group in the
 * tab panel, so browsers and screen readers already know how to drive them.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { SlotDay, TimeWindow } from './api.js';
import { formatDay, formatDayShort, formatTimes, type Lang, type Messages } from './i18n.js';

export interface DayPickerProps {
  days: SlotDay[];
  selected: string;
  /** `pointer`: chosen by a tap or click (not by the keyboard, whose focus stays on the days). */
  onSelect: (date: string, pointer: boolean) => void;
  lang: Lang;
  t: Messages;
}

const DAY_MS = 86_400_000;
/** Days shown at once (one row on a computer, two on a phone); "Plus tard" shows the next ones. */
export const DAYS_PER_PAGE = 6;

/** Index of the day a week away from `from`, for PageUp/PageDown (days without windows are absent). */
function weekAway(days: SlotDay[], from: number, direction: 1 | -1): number {
  const target = Date.parse(days[from]!.date) + direction * 7 * DAY_MS;
  if (direction > 0) {
    const i = days.findIndex((d) => Date.parse(d.date) >= target);
    return i < 0 ? days.length - 1 : i;
  }
  for (let i = days.length - 1; i >= 0; i--) if (Date.parse(days[i]!.date) <= target) return i;
  return 0;
}

export function DayPicker({ days, selected, onSelect, lang, t }: DayPickerProps) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  /** A day the keyboard moved to on another page: focused once that page is rendered. */
  const focusWanted = useRef<number | null>(null);
  const current = Math.max(
    0,
    days.findIndex((d) => d.date === selected),
  );
  // The page is the selected day's: selecting a day (keys, "Plus tard") turns the page.
  const first = current - (current % DAYS_PER_PAGE);
  const shown = days.slice(first, first + DAYS_PER_PAGE);
  // Before the next key press reaches the page (the old page's focused button is gone).
  useLayoutEffect(() => {
    if (focusWanted.current === null) return;
    buttons.current[focusWanted.current]?.focus();
    focusWanted.current = null;
  });
  const turn = (to: number) => {
    if (to >= 0 && to < days.length) onSelect(days[to]!.date, false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const last = days.length - 1;
    const moves: Record<string, () => number> = {
      ArrowRight: () => Math.min(last, current + 1),
      ArrowDown: () => Math.min(last, current + 1),
      ArrowLeft: () => Math.max(0, current - 1),
      ArrowUp: () => Math.max(0, current - 1),
      Home: () => 0,
      End: () => last,
      PageDown: () => weekAway(days, current, 1),
      PageUp: () => weekAway(days, current, -1),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const next = move();
    onSelect(days[next]!.date, false);
    const button = buttons.current[next];
    // On another page the button exists only after the next render.
    if (button?.isConnected) button.focus();
    else focusWanted.current = next;
  };

  const pager = days.length > DAYS_PER_PAGE && (
    <div class="pager">
      <button
        type="button"
        class="link"
        aria-disabled={first === 0 ? 'true' : undefined}
        onClick={() => turn(first - DAYS_PER_PAGE)}
      >
        ‹ {t.earlier}
      </button>
      <button
        type="button"
        class="link"
        id="later"
        aria-disabled={first + DAYS_PER_PAGE >= days.length ? 'true' : undefined}
        onClick={() => turn(first + DAYS_PER_PAGE)}
      >
        {t.later} ›
      </button>
    </div>
  );

  return (
    <>
      <div class="days" role="tablist" aria-label={t.daysLabel} onKeyDown={onKeyDown}>
        {shown.map((day, shownAt) => {
          const i = first + shownAt;
          const short = formatDayShort(day.date, lang);
          const isSelected = i === current;
          return (
            <button
              key={day.date}
              ref={(el) => {
                buttons.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`day-${day.date}`}
              class="day"
              aria-selected={isSelected ? 'true' : 'false'}
              aria-controls="windows"
              tabIndex={isSelected ? 0 : -1}
              // detail 0: a click synthesised from Enter or Space.
              onClick={(e) => onSelect(day.date, e.detail > 0)}
            >
              {/* The full date is the name read out; the abbreviated one is what fits on a phone. */}
              <span class="sr">{formatDay(day.date, lang)}</span>
              <small aria-hidden="true">{short.weekday}</small>
              <b aria-hidden="true">{short.day}</b>
              <small aria-hidden="true">{short.month}</small>
            </button>
          );
        })}
      </div>
      {pager}
    </>
  );
}

export interface WindowPickerProps {
  day: SlotDay;
  selected: TimeWindow | null;
  onSelect: (window: TimeWindow) => void;
  lang: Lang;
  timeZone: string;
  t: Messages;
  error?: string;
}

export function WindowPicker({ day, selected, onSelect, lang, timeZone, t, error }: WindowPickerProps) {
  return (
    <div role="tabpanel" id="windows" aria-labelledby={`day-${day.date}`}>
      <fieldset aria-describedby={error ? 'window-err' : undefined}>
        <legend>{t.windowsLegend(formatDay(day.date, lang))}</legend>
        <div class="windows">
          {day.windows.map((w, i) => (
            <label class="choice" key={w.start}>
              <input
                type="radio"
                id={`window-${i}`}
                name="window"
                value={w.start}
                checked={selected?.start === w.start && selected.end === w.end}
                onChange={() => onSelect(w)}
              />
              <span>{formatTimes(w.start, w.end, lang, timeZone)}</span>
            </label>
          ))}
        </div>
        {error && (
          <p id="window-err" class="err">
            {error}
          </p>
        )}
      </fieldset>
    </div>
  );
}
