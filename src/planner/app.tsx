/**
 * Gaëtan's planning page: pick a day, read each technician's route, ask the
 * optimiser for a better plan, compare, apply. French only: it is an
 * in-house tool.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  storedToken,
  storeToken,
  type DayView,
  type PlanView,
  type Stop,
  type Technician,
  type Totals,
} from './api.js';
import { clock, duration, kilometres, longDate, tomorrow } from './format.js';
import { RouteMap } from './map.js';
import { Timeline } from './timeline.js';

type Shown = 'current' | 'proposed';
type Notice = { kind: 'ok' | 'error' | 'info'; text: string } | null;

function initialDate(): string {
  const fromUrl = new URLSearchParams(location.search).get('date');
  return fromUrl && /^\d{4}-\d{2}-\d{2}$/.test(fromUrl) ? fromUrl : tomorrow();
}

/** ?limitMs= sets the optimiser's budget (the service bounds it); default: the service's. */
function timeLimitFromUrl(): number | undefined {
  const value = Number(new URLSearchParams(location.search).get('limitMs'));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Jeton refusé : saisissez un jeton de planificateur valide.';
    if (error.status === 403) return 'Ce jeton n’a pas le rôle planificateur.';
    if (error.status === 409)
      return /relancez/i.test(error.message) ? error.message : `${error.message} Relancez une optimisation.`;
    return error.message;
  }
  return 'Le service ne répond pas. Réessayez dans un instant.';
}

export function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [date, setDate] = useState(initialDate());
  const [day, setDay] = useState<DayView | null>(null);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [shown, setShown] = useState<Shown>('current');
  const [busy, setBusy] = useState<'load' | 'propose' | 'apply' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [selected, setSelected] = useState<{ stop: Stop; technician: Technician } | null>(null);

  async function load(which = date): Promise<void> {
    setBusy('load');
    setNotice(null);
    setSelected(null);
    try {
      setDay(await api.routes(which));
      setPlan(null);
      setShown('current');
      setConfirming(false);
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
      if (error instanceof ApiError && error.status === 401) setToken(null);
    } finally {
      setBusy(null);
    }
  }

  useEffect(() => {
    if (token) void load();
  }, [token]);

  async function propose(): Promise<void> {
    setBusy('propose');
    setNotice(null);
    setConfirming(false);
    try {
      const proposal = await api.propose(date, timeLimitFromUrl());
      setPlan(proposal);
      setShown('proposed');
      if (proposal.optimiser.keptCurrent) setNotice({ kind: 'info', text: proposal.optimiser.keptCurrent });
      else if (proposal.changes.length === 0)
        setNotice({
          kind: 'info',
          text: 'Les tournées actuelles sont déjà bonnes : aucun changement proposé.',
        });
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
    } finally {
      setBusy(null);
    }
  }

  async function apply(): Promise<void> {
    if (!plan) return;
    setBusy('apply');
    setConfirming(false);
    try {
      const applied = await api.apply(plan.id);
      const fresh = await api.routes(date);
      setDay(fresh);
      setPlan(null);
      setShown('current');
      setNotice({
        kind: 'ok',
        text: `Plan appliqué : ${applied.moved} visite${applied.moved > 1 ? 's' : ''} modifiée${applied.moved > 1 ? 's' : ''}. Les agendas des techniciens sont à jour.`,
      });
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
      if (error instanceof ApiError && error.status === 409) setPlan({ ...plan, status: 'stale' });
    } finally {
      setBusy(null);
    }
  }

  async function togglePin(stop: Stop): Promise<void> {
    try {
      await api.pin(stop.visitId, !stop.pinned);
      await load();
      setNotice({
        kind: 'ok',
        text: stop.pinned
          ? `${stop.reference} n’est plus épinglée.`
          : `${stop.reference} est épinglée : l’optimiseur ne la déplacera pas.`,
      });
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
    }
  }

  if (!token) return <TokenForm onToken={(t) => (storeToken(t), setToken(t))} notice={notice} />;

  const routes = shown === 'proposed' && plan ? plan.proposed : day?.current;
  const changed = new Set(plan && shown === 'proposed' ? plan.changes.map((c) => c.visitId) : []);

  return (
    <main>
      <header class="bar">
        <h1>Planification des tournées</h1>
        <button
          type="button"
          class="link"
          onClick={() => (storeToken(null), setToken(null), setDay(null), setPlan(null))}
        >
          Changer de jeton
        </button>
      </header>

      <form
        class="day-picker"
        onSubmit={(e) => {
          e.preventDefault();
          void load(date);
        }}
      >
        <label for="day">Tournées du</label>
        <input
          id="day"
          name="day"
          type="date"
          required
          value={date}
          onInput={(e) => setDate((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy !== null}>
          Afficher
        </button>
        {day && <span class="day-label">{longDate(day.date)}</span>}
      </form>

      {notice && (
        <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {busy === 'load' && <p class="notice info">Chargement…</p>}

      {day && (
        <>
          {day.warnings.map((w) => (
            <p class="notice info">{w}</p>
          ))}
          {day.visitsOutsideRoutes > 0 && (
            <p class="notice info">
              {day.visitsOutsideRoutes} visite(s) de ce jour sont hors des horaires de leur technicien
              (absence) et ne sont pas replanifiées.
            </p>
          )}

          <section class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => void propose()}
              disabled={busy !== null || day.current.totals.visits === 0}
            >
              {busy === 'propose' ? 'Optimisation en cours…' : 'Proposer une optimisation'}
            </button>
            {plan && (
              <div class="view-switch" role="group" aria-label="Tournées affichées">
                <button type="button" aria-pressed={shown === 'current'} onClick={() => setShown('current')}>
                  Actuel
                </button>
                <button
                  type="button"
                  aria-pressed={shown === 'proposed'}
                  onClick={() => setShown('proposed')}
                >
                  Proposé
                </button>
              </div>
            )}
          </section>

          <Comparison current={day.current.totals} proposed={plan?.proposed.totals} />

          {plan && <Changes plan={plan} />}

          {plan && plan.changes.length > 0 && (
            <section class="apply">
              {plan.status === 'stale' ? (
                <p class="notice error">Cette proposition est périmée : relancez une optimisation.</p>
              ) : confirming ? (
                <div class="confirm" role="alertdialog" aria-label="Confirmer l’application">
                  <p>
                    Appliquer ces {plan.changes.length} changement{plan.changes.length > 1 ? 's' : ''} ? Les
                    agendas des techniciens seront mis à jour.
                  </p>
                  <button type="button" class="primary" onClick={() => void apply()} disabled={busy !== null}>
                    Confirmer
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Annuler
                  </button>
                </div>
              ) : (
                <button
                  type="button"
                  class="primary"
                  onClick={() => setConfirming(true)}
                  disabled={busy !== null}
                >
                  {busy === 'apply' ? 'Application…' : 'Appliquer le plan'}
                </button>
              )}
            </section>
          )}

          {routes && (
            <section class="views">
              <h2>{shown === 'proposed' ? 'Tournées proposées' : 'Tournées actuelles'}</h2>
              <Timeline
                technicians={day.technicians}
                routes={routes.routes}
                timezone={day.timezone}
                changed={changed}
                onSelect={(stop, technician) => setSelected({ stop, technician })}
              />
              {selected && (
                <aside class="details" aria-label="Visite sélectionnée">
                  <strong>{selected.stop.reference}</strong> · {selected.stop.service} ·{' '}
                  {selected.stop.customer}, {selected.stop.address.line}, {selected.stop.address.city} ·{' '}
                  {selected.technician.name}, arrivée prévue{' '}
                  {clock(selected.stop.planned.start, day.timezone)} (créneau{' '}
                  {clock(selected.stop.window.start, day.timezone)}–
                  {clock(selected.stop.window.end, day.timezone)})
                  {shown === 'current' && (
                    <button type="button" onClick={() => void togglePin(selected.stop)}>
                      {selected.stop.pinned ? 'Désépingler' : 'Épingler'}
                    </button>
                  )}
                </aside>
              )}
              <RouteMap technicians={day.technicians} routes={routes.routes} changed={changed} />
            </section>
          )}
        </>
      )}
    </main>
  );
}

function TokenForm({ onToken, notice }: { onToken: (token: string) => void; notice: Notice }) {
  const [value, setValue] = useState('');
  return (
    <main>
      <h1>Planification des tournées</h1>
      <form
        class="token"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <label for="token">Jeton d’accès (planificateur)</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Se connecter</button>
        <p class="hint">
          Le jeton reste dans cet onglet (sessionStorage). Le jeton d’administration de démonstration est
          affiché par « npm start ».
        </p>
      </form>
      {notice && (
        <p class={`notice ${notice.kind}`} role="alert">
          {notice.text}
        </p>
      )}
    </main>
  );
}

const FIGURES: { key: keyof Omit<Totals, 'visits'>; label: string; format: (n: number) => string }[] = [
  { key: 'travelMinutes', label: 'Trajet', format: duration },
  { key: 'idleMinutes', label: 'Attente', format: duration },
  { key: 'overtimeMinutes', label: 'Heures sup.', format: duration },
  { key: 'distanceKm', label: 'Distance', format: kilometres },
];

function Comparison({ current, proposed }: { current: Totals; proposed: Totals | undefined }) {
  return (
    <table class="totals">
      <caption>Totaux de la journée ({current.visits} visites)</caption>
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">Actuel</th>
          {proposed && <th scope="col">Proposé</th>}
          {proposed && <th scope="col">Gain</th>}
        </tr>
      </thead>
      <tbody>
        {FIGURES.map(({ key, label, format }) => {
          const gain = proposed ? Math.round((current[key] - proposed[key]) * 10) / 10 : 0;
          return (
            <tr data-figure={key}>
              <th scope="row">{label}</th>
              <td>{format(current[key])}</td>
              {proposed && <td>{format(proposed[key])}</td>}
              {proposed && (
                <td class={gain > 0 ? 'gain' : gain < 0 ? 'loss' : ''}>{gain === 0 ? '—' : format(gain)}</td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Changes({ plan }: { plan: PlanView }) {
  const tz = plan.timezone;
  return (
    <section class="changes">
      <h2>Changements ({plan.changes.length})</h2>
      {plan.changes.length === 0 ? (
        <p>Aucun changement.</p>
      ) : (
        <ul>
          {plan.changes.map((c) => (
            <li data-visit={c.visitId}>
              <strong>{c.reference}</strong> · {c.service} · {c.city} :{' '}
              {c.reassigned ? (
                <>
                  {c.from.technicianName} {clock(c.from.start, tz)} → <strong>{c.to.technicianName}</strong>{' '}
                  {clock(c.to.start, tz)}
                </>
              ) : (
                <>
                  {c.to.technicianName}, {clock(c.from.start, tz)} → {clock(c.to.start, tz)}
                </>
              )}
              {c.shiftMinutes !== 0 && (
                <span class="shift">
                  {' '}
                  ({c.shiftMinutes > 0 ? '+' : ''}
                  {duration(c.shiftMinutes)})
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">
        Optimisation en{' '}
        {(plan.optimiser.elapsedMs / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} s (
        {plan.optimiser.iterations.toLocaleString('fr-FR')} itérations).
      </p>
    </section>
  );
}
