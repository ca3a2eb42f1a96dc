import { describe, expect, it } from 'vitest';
import type { Service, Slots } from '../../src/widget/api.js';
import { flow, INITIAL_FLOW, type FlowAction, type FlowState } from '../../src/widget/flow.js';

const service = (slug: string): Service => ({
  id: `id-${slug}`,
  slug,
  name: slug,
  description: '',
  durationMinutes: 60,
  windowMinutes: 120,
  priceLabel: null,
});
const slots = (city: string, dates: string[]): Slots => ({
  serviceId: 'id-a',
  postcode: '69003',
  city,
  timezone: 'Europe/Paris',
  from: '2026-03-25',
  to: '2026-04-07',
  days: dates.map((date) => ({
    date,
    windows: [{ start: `${date}T08:00:00+01:00`, end: `${date}T10:00:00+01:00` }],
  })),
});
const run = (...actions: FlowAction[]): FlowState => actions.reduce(flow, INITIAL_FLOW);

describe('booking step machine', () => {
  it('skips the service step for a preselected service (by slug or id), but not once the customer moved on', () => {
    const rules = { phoneCountryCodes: ['33'], emailRequired: false, changeCutoffHours: 24 };
    const loaded = { type: 'servicesLoaded' as const, services: [service('a'), service('b')], rules };
    expect(run({ ...loaded, preselect: 'b' })).toMatchObject({ step: 'address', serviceId: 'id-b' });
    expect(run({ ...loaded, preselect: 'id-a' })).toMatchObject({ step: 'address', serviceId: 'id-a' });
    expect(run({ ...loaded, preselect: 'nope' })).toMatchObject({ step: 'service', serviceId: '' });
    expect(run({ type: 'wentTo', step: 'slots' }, { ...loaded, preselect: 'a' }).step).toBe('slots');
  });

  it('fills the city from each slots answer unless the customer typed their own', () => {
    const first = run(
      { type: 'searchStarted' },
      { type: 'slotsFound', slots: slots('Lyon 3e', ['2026-03-26']) },
    );
    expect(first.form.city).toBe('Lyon 3e');
    expect(first.day).toBe('2026-03-26');
    const again = flow(first, { type: 'slotsFound', slots: slots('Lyon 7e', []) });
    expect(again.form.city).toBe('Lyon 7e');
    expect(again.day).toBe('');
    const typed = flow(first, { type: 'edited', key: 'city', value: 'Villeurbanne' });
    expect(flow(typed, { type: 'slotsFound', slots: slots('Lyon 7e', []) }).form.city).toBe('Villeurbanne');
  });

  it('clears a field’s error when it is edited, and the chosen window when the day changes', () => {
    const withError = run({ type: 'checked', errors: { phone: 'bad', name: 'missing' } });
    const edited = flow(withError, { type: 'edited', key: 'phone', value: '06' });
    expect(edited.errors).toEqual({ phone: undefined, name: 'missing' });
    const chosen = run(
      { type: 'slotsFound', slots: slots('Lyon', ['2026-03-26', '2026-03-27']) },
      { type: 'windowChosen', window: { start: 's', end: 'e' } },
    );
    expect(chosen.chosen).toEqual({ start: 's', end: 'e' });
    expect(flow(chosen, { type: 'daySelected', date: '2026-03-27' })).toMatchObject({
      day: '2026-03-27',
      chosen: null,
    });
  });

  it('after a 409 goes back to the windows with the alternatives, keeping everything typed', () => {
    const typed = run(
      { type: 'slotsFound', slots: slots('Lyon', ['2026-03-26']) },
      { type: 'windowChosen', window: { start: 's', end: 'e' } },
      { type: 'wentTo', step: 'details' },
      { type: 'edited', key: 'name', value: 'Jean Mercier' },
      { type: 'edited', key: 'consent', value: true },
    );
    const after = flow(typed, { type: 'windowTaken', days: slots('Lyon', ['2026-03-30']).days });
    expect(after).toMatchObject({ step: 'slots', day: '2026-03-30', chosen: null });
    expect(after.form).toMatchObject({ name: 'Jean Mercier', consent: true, city: 'Lyon' });
    // The chosen day's windows are replaced by the alternatives; days outside them stay.
    expect(after.slots?.days.map((d) => d.date)).toEqual(['2026-03-30']);
    const known = run(
      { type: 'slotsFound', slots: slots('Lyon', ['2026-03-25', '2026-03-26', '2026-03-27', '2026-04-10']) },
      { type: 'daySelected', date: '2026-03-26' },
      { type: 'windowChosen', window: { start: 's', end: 'e' } },
    );
    const merged = flow(known, {
      type: 'windowTaken',
      days: slots('Lyon', ['2026-03-27', '2026-03-30']).days,
    });
    expect(merged.slots?.days.map((d) => d.date)).toEqual([
      '2026-03-25',
      '2026-03-27',
      '2026-03-30',
      '2026-04-10',
    ]);
    expect(merged.day).toBe('2026-03-27');
  });

  it('opens "Être rappelé" from any step and goes back to it; a hold is dropped when its window is taken', () => {
    const onSlots = run({ type: 'slotsFound', slots: slots('Lyon', []) }, { type: 'wentTo', step: 'slots' });
    const asked = flow(onSlots, { type: 'callbackOpened', kind: 'no_window' });
    expect(asked).toMatchObject({ step: 'callback', callback: { kind: 'no_window', back: 'slots' } });
    expect(flow(asked, { type: 'callbackOpened', kind: 'callback' }).callback).toEqual({
      kind: 'callback',
      back: 'slots',
    });
    const window = { start: 's', end: 'e' };
    const held = flow(onSlots, {
      type: 'held',
      hold: { id: 'h1', expiresAt: '2026-03-25T07:05:00Z', renewable: true },
      window,
      deadline: 1000,
    });
    expect(held.hold).toEqual({
      id: 'h1',
      window,
      expiresAt: '2026-03-25T07:05:00Z',
      deadline: 1000,
      renewable: true,
    });
    expect(flow(held, { type: 'windowTaken', days: [] }).hold).toBeNull();
  });
});
