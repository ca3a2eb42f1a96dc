/**
 * The booking flow as a step machine: service → address → day and window → contact details →
 * confirmation. Everything the customer typed lives in one state above the steps, so going back, a
 * network error or a window taken meanwhile (409) never loses it. Pure: no fetch, no DOM.
 */
import type {
  BookingConfirmation,
  BookingRules,
  HeldWindow,
  RequestKind,
  Service,
  Slots,
  TimeWindow,
} from './api.js';

/** `callback`: "Être rappelé", the way out when nothing can be booked online. */
export type Step = 'service' | 'address' | 'slots' | 'details' | 'done' | 'callback';
export const STEP_NUMBER: Record<Step, number> = {
  service: 1,
  address: 2,
  slots: 3,
  details: 4,
  done: 4,
  callback: 4,
};
export const STEP_COUNT = 4;

export interface Form {
  postcode: string;
  line: string;
  city: string;
  name: string;
  phone: string;
  email: string;
  notes: string;
  /** What the customer tells the desk when they ask to be called back. */
  message: string;
  consent: boolean;
  /** Honeypot: hidden from people, filled by naive bots. */
  website: string;
}
export type FieldKey = Exclude<keyof Form, 'website'>;
export type Errors = Partial<Record<FieldKey | 'service' | 'window', string>>;

export const EMPTY_FORM: Form = {
  postcode: '',
  line: '',
  city: '',
  name: '',
  phone: '',
  email: '',
  notes: '',
  message: '',
  consent: false,
  website: '',
};

export interface FlowState {
  step: Step;
  services: Service[] | null;
  /** What the company asks and allows (null until the services are loaded). */
  rules: BookingRules | null;
  servicesFailed: boolean;
  serviceId: string;
  form: Form;
  errors: Errors;
  slots: Slots | null;
  /** Why the last search for windows failed, worded for the customer ('' when it did not). */
  slotsFailed: string;
  day: string;
  chosen: TimeWindow | null;
  /** The city the last slots answer filled in: replaced by the next answer unless the customer edited it. */
  autoCity: string;
  busy: boolean;
  done: BookingConfirmation | null;
  /** The services as bookable (or not, and why) at a postcode, once a search found none there. */
  here: { postcode: string; services: Service[] } | null;
  /** The window kept for the customer while they type; `deadline` on this device's clock. */
  hold: Hold | null;
  /** "Être rappelé": why, and the step to go back to. */
  callback: { kind: RequestKind; back: Step } | null;
}

export interface Hold {
  id: string;
  window: TimeWindow;
  /** On the service's clock. */
  expiresAt: string;
  deadline: number;
  renewable: boolean;
}

export const INITIAL_FLOW: FlowState = {
  step: 'service',
  services: null,
  rules: null,
  servicesFailed: false,
  serviceId: '',
  form: EMPTY_FORM,
  errors: {},
  slots: null,
  slotsFailed: '',
  day: '',
  chosen: null,
  autoCity: '',
  busy: false,
  done: null,
  here: null,
  hold: null,
  callback: null,
};

/** The start of the flow, with what we already know of the customer (booking again after a cancel). */
export function startFlow(prefill: Partial<Form> = {}): FlowState {
  return { ...INITIAL_FLOW, form: { ...EMPTY_FORM, ...prefill } };
}

export type FlowAction =
  | { type: 'servicesRequested' }
  | { type: 'servicesLoaded'; services: Service[]; rules: BookingRules; preselect?: string }
  | { type: 'servicesFailed' }
  | { type: 'serviceChosen'; id: string }
  | { type: 'wentTo'; step: Step }
  | { type: 'edited'; key: keyof Form; value: string | boolean }
  | { type: 'checked'; errors: Errors }
  | { type: 'fieldChecked'; key: FieldKey; error: string | undefined }
  | { type: 'searchStarted' }
  | { type: 'slotsFound'; slots: Slots }
  | { type: 'slotsFailed'; message: string }
  | { type: 'refusedOn'; step: Step; key: FieldKey; message: string }
  | { type: 'daySelected'; date: string }
  | { type: 'windowChosen'; window: TimeWindow }
  | { type: 'busy'; busy: boolean }
  | { type: 'booked'; confirmation: BookingConfirmation }
  | { type: 'windowTaken'; days: Slots['days'] }
  | { type: 'servicesHere'; postcode: string; services: Service[] }
  | { type: 'held'; hold: HeldWindow; window: TimeWindow; deadline: number }
  | { type: 'holdGone' }
  | { type: 'callbackOpened'; kind: RequestKind };

export function flow(state: FlowState, action: FlowAction): FlowState {
  switch (action.type) {
    case 'servicesRequested':
      return { ...state, servicesFailed: false };
    case 'servicesLoaded': {
      const loaded = { ...state, services: action.services, rules: action.rules };
      const wanted = action.services.find((s) => s.id === action.preselect || s.slug === action.preselect);
      if (!wanted) return loaded;
      // A preselected service skips the first step, unless the customer already moved on.
      return {
        ...loaded,
        serviceId: wanted.id,
        step: state.step === 'service' ? 'address' : state.step,
      };
    }
    case 'servicesFailed':
      return { ...state, servicesFailed: true };
    case 'serviceChosen':
      return { ...state, serviceId: action.id, errors: {} };
    case 'wentTo':
      return { ...state, step: action.step, errors: {} };
    case 'edited': {
      const key = action.key as FieldKey;
      const errors = state.errors[key] ? { ...state.errors, [key]: undefined } : state.errors;
      return { ...state, form: { ...state.form, [action.key]: action.value }, errors };
    }
    case 'checked':
      return { ...state, errors: action.errors };
    case 'fieldChecked':
      return { ...state, errors: { ...state.errors, [action.key]: action.error } };
    case 'searchStarted':
      return { ...state, step: 'slots', errors: {}, slots: null, slotsFailed: '', chosen: null };
    case 'slotsFound': {
      const { city } = state.form;
      return {
        ...state,
        slots: action.slots,
        day: action.slots.days[0]?.date ?? '',
        form: { ...state.form, city: !city || city === state.autoCity ? action.slots.city : city },
        autoCity: action.slots.city,
      };
    }
    case 'slotsFailed':
      return { ...state, slotsFailed: action.message };
    case 'refusedOn':
      return { ...state, step: action.step, errors: { [action.key]: action.message } };
    case 'daySelected':
      return { ...state, day: action.date, chosen: null };
    case 'windowChosen':
      return { ...state, chosen: action.window, errors: {} };
    case 'busy':
      return { ...state, busy: action.busy };
    case 'booked':
      return { ...state, done: action.confirmation, step: 'done', errors: {}, hold: null };
    case 'windowTaken':
      return {
        ...state,
        slots: state.slots ? { ...state.slots, days: withAlternatives(state, action.days) } : state.slots,
        day: action.days[0]?.date ?? '',
        chosen: null,
        hold: null,
        step: 'slots',
        errors: {},
      };
    case 'servicesHere':
      return { ...state, here: { postcode: action.postcode, services: action.services } };
    case 'held':
      return {
        ...state,
        hold: {
          id: action.hold.id,
          window: action.window,
          expiresAt: action.hold.expiresAt,
          deadline: action.deadline,
          renewable: action.hold.renewable,
        },
      };
    case 'holdGone':
      return { ...state, hold: null };
    case 'callbackOpened':
      return {
        ...state,
        callback: {
          kind: action.kind,
          back: state.step === 'callback' ? (state.callback?.back ?? 'service') : state.step,
        },
        step: 'callback',
        errors: {},
      };
  }
}

/**
 * The days after a 409: the alternatives replace what we knew from the chosen day to their last
 * one; the days before and after stay (the whole horizon was asked, the alternatives are a few days).
 */
function withAlternatives(state: FlowState, alternatives: Slots['days']): Slots['days'] {
  const known = state.slots?.days ?? [];
  if (!alternatives.length) return known.filter((d) => d.date !== state.day);
  const from = state.day && state.day < alternatives[0]!.date ? state.day : alternatives[0]!.date;
  const to = alternatives.at(-1)!.date;
  return [...known.filter((d) => d.date < from), ...alternatives, ...known.filter((d) => d.date > to)];
}
