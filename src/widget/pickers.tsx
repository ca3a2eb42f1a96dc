/**
 * Day and window pickers. Days follow the WAI-ARIA tabs pattern with automatic
 * activation (one tab stop, arrows / Home / End / PageUp / PageDown move and
 * select); the windows of the selected day are a native radio group in the
 * tab panel, so browsers and screen readers already know how to drive them.
 */
import { useRef } from 'preact/hooks';
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
  const current = Math.max(
    0,
    days.findIndex((d) => d.date === selected),
  );

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
    buttons.current[next]?.focus();
  };

  return (
    <div class="days" role="tablist" aria-label={t.daysLabel} onKeyDown={onKeyDown}>
      {days.map((day, i) => {
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
