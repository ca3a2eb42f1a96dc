/**
 * Urgent work for the day: the planner describes the job and its deadline,
 * the service answers the best insertion per technician with what it costs
 * the others (travel added, visits moved, nobody late), the planner picks.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, explain, type Service, type UrgentOption, type UrgentRequest } from './api.js';
import { clock, duration, instantAt } from './format.js';
import { useAction } from './use-action.js';

interface Props {
  date: string;
  timezone: string;
  /** The service's now when the day is today. */
  now: string | null | undefined;
  onDone: (message: string) => Promise<void>;
  onClose: () => void;
}

function inFourHours(now: string | null | undefined, timezone: string): string {
  const at = (now ? Date.parse(now) : Date.now()) + 4 * 3_600_000;
  const rounded = Math.ceil(at / 300_000) * 300_000;
  return clock(new Date(rounded).toISOString(), timezone);
}

/** Each input's field in the request, as a refusal names it: that input is marked. */
const REQUEST_FIELDS = {
  serviceId: 'body.serviceId',
  street: 'body.address.street',
  postcode: 'body.address.postcode',
  city: 'body.address.city',
  deadline: 'body.deadline',
  durationMinutes: 'body.durationMinutes',
  name: 'body.customer.name',
  phone: 'body.customer.phone',
} as const;

export function UrgentPanel({ date, timezone, now, onDone, onClose }: Props) {
  const [services, setServices] = useState<Service[]>([]);
  const [form, setForm] = useState({
    serviceId: '',
    street: '',
    postcode: '',
    city: '',
    deadline: inFourHours(now, timezone),
    durationMinutes: '',
    name: '',
    phone: '',
  });
  const [options, setOptions] = useState<UrgentOption[] | null>(null);
  const { busy, error, setError, run, invalid } = useAction();

  useEffect(() => {
    api.services().then(
      (r) => {
        setServices(r.services);
        setForm((f) => (f.serviceId ? f : { ...f, serviceId: r.services[0]?.id ?? '' }));
      },
      (e: unknown) => setError(explain(e)),
    );
  }, []);

  const field = (key: keyof typeof form) => ({
    id: `urgent-${key}`,
    value: form[key],
    ...invalid(REQUEST_FIELDS[key], 'urgent-error'),
    onInput: (e: Event) => {
      setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
      setOptions(null);
    },
  });

  function request(): UrgentRequest | null {
    const deadline = instantAt(date, form.deadline, timezone);
    if (!deadline) return null;
    const minutes = Number(form.durationMinutes);
    return {
      serviceId: form.serviceId,
      address: { street: form.street.trim(), postcode: form.postcode.trim(), city: form.city.trim() },
      deadline,
      ...(Number.isInteger(minutes) && minutes > 0 ? { durationMinutes: minutes } : {}),
    };
  }

  async function search(): Promise<void> {
    const body = request();
    if (!body) return setError('Indiquez l’heure « À faire avant ».', 'body.deadline');
    await run(async () => setOptions((await api.urgentOptions(body)).options));
  }

  async function pick(option: UrgentOption): Promise<void> {
    const body = request();
    if (!body) return;
    if (!form.name.trim()) return setError('Indiquez le nom du client.', 'body.customer.name');
    if (!form.phone.trim())
      return setError('Indiquez le numéro de téléphone du client.', 'body.customer.phone');
    await run(async () => {
      const visit = await api.urgent({
        ...body,
        technicianId: option.technicianId,
        customer: { name: form.name.trim(), phone: form.phone.trim() },
      });
      await onDone(
        `Urgence ${visit.reference} confiée à ${visit.technician.name}, arrivée ${clock(visit.planned.start, timezone)}` +
          (visit.movedVisits.length > 0
            ? ` ; décalées dans leur créneau : ${visit.movedVisits.map((m) => `${m.reference} ${clock(m.to, timezone)}`).join(', ')}.`
            : '.'),
      );
      onClose();
    });
  }

  return (
    <section class="urgent" aria-labelledby="urgent-title">
      <h2 id="urgent-title">Urgence</h2>
      <form
        class="urgent-form"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label for="urgent-serviceId">Prestation</label>
        <select {...field('serviceId')} onChange={field('serviceId').onInput} required>
          {services.map((s) => (
            <option value={s.id}>{s.name}</option>
          ))}
        </select>
        <label for="urgent-street">Adresse</label>
        <input {...field('street')} required autocomplete="off" />
        <label for="urgent-postcode">Code postal</label>
        <input {...field('postcode')} required inputMode="numeric" pattern="\d{5}" />
        <label for="urgent-city">Ville</label>
        <input {...field('city')} required />
        <label for="urgent-deadline">À faire avant</label>
        <input {...field('deadline')} type="time" step={300} required />
        <label for="urgent-durationMinutes">Durée (min, facultatif)</label>
        <input {...field('durationMinutes')} type="number" min={15} max={480} step={5} />
        <label for="urgent-name">Client</label>
        <input {...field('name')} required autocomplete="off" />
        <label for="urgent-phone">Téléphone</label>
        <input {...field('phone')} type="tel" required autocomplete="off" />
        <div class="dialog-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy && !options ? 'Recherche…' : 'Chercher les options'}
          </button>
          <button type="button" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
      {error && (
        <p class="notice error" role="alert" id="urgent-error">
          {error}
        </p>
      )}
      {options && options.length === 0 && (
        <p class="notice info">
          Aucun technicien ne peut arriver avant l’heure limite sans mettre un client en retard.
        </p>
      )}
      {options && options.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Options, tableau défilable">
          <table class="urgent-options">
            <caption>Options, de la moins coûteuse à la plus coûteuse</caption>
            <thead>
              <tr>
                <th scope="col">Technicien</th>
                <th scope="col">Arrivée</th>
                <th scope="col">Trajet ajouté</th>
                <th scope="col">Visites décalées</th>
                <th scope="col">Retard</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {options.map((o) => (
                <tr data-technician={o.technicianId}>
                  <th scope="row">{o.technicianName}</th>
                  <td>{clock(o.start, timezone)}</td>
                  <td>{duration(o.travelAddedMinutes)}</td>
                  <td>
                    {o.movedVisits.length === 0
                      ? 'aucune'
                      : o.movedVisits
                          .map((m) => `${m.reference} ${clock(m.from, timezone)} → ${clock(m.to, timezone)}`)
                          .join(', ')}
                  </td>
                  <td>{o.lateMinutes === 0 ? 'personne' : duration(o.lateMinutes)}</td>
                  <td>
                    <button type="button" class="primary" disabled={busy} onClick={() => void pick(o)}>
                      Choisir
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
