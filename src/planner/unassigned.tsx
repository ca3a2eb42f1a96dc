/**
 * Visits of the day that no technician holds: their technician became
 * absent, a move failed, or nobody could take them. Each card gives the
 * reference and the promised window; drag it onto a technician's row, or
 * "Placer…" for the dialog (keyboard, phone).
 */
import type { Unassigned } from './api.js';
import { clock } from './format.js';

interface Props {
  items: Unassigned[];
  timezone: string;
  onDragStart?: (event: PointerEvent, item: Unassigned) => void;
  onPlace: (item: Unassigned) => void;
}

export function UnassignedLane({ items, timezone, onDragStart, onPlace }: Props) {
  if (items.length === 0) return null;
  return (
    <section class="unassigned" aria-labelledby="unassigned-title">
      <h2 id="unassigned-title">
        À placer ({items.length}) <span class="hint">glissez une visite sur la ligne d’un technicien</span>
      </h2>
      <ul>
        {items.map((item) => (
          <li
            class="ua-card"
            data-visit={item.visitId}
            onPointerDown={onDragStart ? (e) => onDragStart(e, item) : undefined}
          >
            <strong>{item.reference}</strong> · {item.serviceName} · {item.postcode} {item.city}
            <br />
            créneau promis {clock(item.windowStart, timezone)}–{clock(item.windowEnd, timezone)}
            <br />
            <span class="ua-reason">{item.reasonText}</span>
            <button type="button" onClick={() => onPlace(item)} onPointerDown={(e) => e.stopPropagation()}>
              Placer…
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
