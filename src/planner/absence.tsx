/**
 * "Pierre est malade aujourd'hui": the planner records an absence for the
 * day shown — all day or some hours — and its visits go to the « À placer »
 * lane at once, out of Pierre's calendar; a proposal then places them. An
 * absence entered by mistake is deleted here, and the visits that still fit
 * go back to Pierre where they were.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, explain, type AbsenceView, type StaffTechnician } from './api.js';
import { clock, instantAt } from './format.js';
import { useAction } from './use-action.js';

interface Props {
  date: string;
  timezone: string;
  onDone: (message: string) => Promise<void>;
  onClose: () => void;
}

const visits = (n: number) => `${n} visite${n > 1 ? 's' : ''}`;

export function AbsencePanel({ date, timezone, onDone, onClose }: Props) {
  const [technicians, setTechnicians] = useState<StaffTechnician[]>([]);
  const [absences, setAbsences] = useState<AbsenceView[] | null>(null);
  const [form, setForm] = useState({
    technicianId: '',
    allDay: true,
    from: '08:00',
    to: '12:00',
    reason: '',
  });
  const { busy, error, setError, run, invalid } = useAction();

  const loadAbsences = () => api.absences(date).then(setAbsences, (e: unknown) => setError(explain(e)));
  useEffect(() => {
    api.technicians().then(
      (list) => {
        const active = list.filter((t) => t.active);
        setTechnicians(active);
        setForm((f) => (f.technicianId ? f : { ...f, technicianId: active[0]?.id ?? '' }));
      },
      (e: unknown) => setError(explain(e)),
    );
    void loadAbsences();
  }, [date]);

  const nameOf = (id: string | null) => technicians.find((t) => t.id === id)?.name ?? 'Technicien';
  const span = (a: AbsenceView) => {
    const dayStart = instantAt(date, '00:00', timezone);
    const wholeDay =
      dayStart !== null && Date.parse(a.start) <= Date.parse(dayStart) && a.end.slice(0, 10) > date;
    return wholeDay ? 'toute la journée' : `de ${clock(a.start, timezone)} à ${clock(a.end, timezone)}`;
  };

  async function record(): Promise<void> {
    setError(null);
    const hours = form.allDay
      ? null
      : { start: instantAt(date, form.from, timezone), end: instantAt(date, form.to, timezone) };
    if (hours && (!hours.start || !hours.end || hours.start >= hours.end))
      return setError('L’heure de fin (« À ») doit suivre l’heure de début (« De »).', 'body.end');
    await run(async () => {
      const recorded = await api.recordAbsence({
        technicianId: form.technicianId,
        ...(hours ? { start: hours.start!, end: hours.end! } : { from: date }),
        ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
      });
      const n = recorded.unassignedVisits.length;
      await onDone(
        `Absence de ${nameOf(form.technicianId)} enregistrée` +
          (n > 0
            ? ` : ${visits(n)} passe${n > 1 ? 'nt' : ''} dans « À placer » (proposez une optimisation pour les replacer).`
            : ' : aucune visite à replacer.'),
      );
      setForm({ ...form, reason: '' });
      await loadAbsences();
    });
  }

  async function remove(absence: AbsenceView): Promise<void> {
    await run(async () => {
      const { restoredVisits } = await api.deleteAbsence(absence.id);
      const n = restoredVisits.length;
      await onDone(
        `Absence de ${nameOf(absence.technicianId)} supprimée` +
          (n > 0 ? ` : ${visits(n)} reprise${n > 1 ? 's' : ''} à leur place.` : '.'),
      );
      await loadAbsences();
    });
  }

  return (
    <section class="urgent absence" aria-labelledby="absence-title">
      <h2 id="absence-title">Absences</h2>
      {absences && absences.length === 0 && <p class="hint">Aucune absence ce jour-là.</p>}
      {absences && absences.length > 0 && (
        <ul class="absences">
          {absences.map((a) => (
            <li key={a.id}>
              {nameOf(a.technicianId)}, {span(a)}
              {a.reason ? ` (${a.reason})` : ''}{' '}
              <button type="button" disabled={busy} onClick={() => void remove(a)}>
                Supprimer
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="urgent-form"
        onSubmit={(e) => {
          e.preventDefault();
          void record();
        }}
      >
        <label for="absence-technician">Technicien</label>
        <select
          id="absence-technician"
          value={form.technicianId}
          onChange={(e) => setForm({ ...form, technicianId: e.currentTarget.value })}
          required
          {...invalid('body.technicianId', 'absence-error')}
        >
          {technicians.map((t) => (
            <option value={t.id}>{t.name}</option>
          ))}
        </select>
        <label class="check">
          <input
            type="checkbox"
            checked={form.allDay}
            onChange={(e) => setForm({ ...form, allDay: e.currentTarget.checked })}
          />{' '}
          Toute la journée
        </label>
        {!form.allDay && (
          <>
            <label for="absence-from">De</label>
            <input
              id="absence-from"
              type="time"
              step={300}
              value={form.from}
              onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
              required
              {...invalid('body.start', 'absence-error')}
            />
            <label for="absence-to">À</label>
            <input
              id="absence-to"
              type="time"
              step={300}
              value={form.to}
              onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
              required
              {...invalid('body.end', 'absence-error')}
            />
          </>
        )}
        <label for="absence-reason">Motif (facultatif)</label>
        <input
          id="absence-reason"
          maxLength={500}
          value={form.reason}
          onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })}
          {...invalid('body.reason', 'absence-error')}
        />
        <div class="dialog-actions">
          <button type="submit" class="primary" disabled={busy || !form.technicianId}>
            Enregistrer l’absence
          </button>
          <button type="button" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
      {error && (
        <p class="notice error" role="alert" id="absence-error">
          {error}
        </p>
      )}
    </section>
  );
}
