/** The widget's words, French first; English is a faithful copy of the same keys. */

export type Lang = 'fr' | 'en';

/** French typography: a no-break space before ':' and a narrow one before '?', '!' and ';'. */
const NB = '\u00a0';
const TH = '\u202f';

const fr = {
  title: 'Prendre rendez-vous',
  stepOf: (n: number, total: number) => `Étape ${n} sur ${total}`,
  back: 'Retour',
  next: 'Continuer',
  change: 'Modifier',
  loading: 'Chargement…',
  retry: 'Réessayer',
  networkError: 'Le service de réservation ne répond pas. Vérifiez votre connexion et réessayez.',
  required: 'Ce champ est obligatoire.',
  fixErrors: (n: number) => (n > 1 ? `${n} champs sont à corriger.` : 'Un champ est à corriger.'),

  serviceStep: `Quelle intervention${TH}?`,
  serviceLegend: 'Intervention',
  duration: (minutes: number) => `Durée estimée${NB}: ${durationText(minutes)}`,
  chooseService: 'Choisissez une intervention.',
  noService: 'Aucune intervention ne peut être réservée en ligne pour le moment.',

  addressStep: `Où intervenir${TH}?`,
  postcode: 'Code postal',
  postcodeHint: '5 chiffres, par exemple 69003',
  postcodeInvalid: 'Saisissez un code postal à 5 chiffres.',
  postcodeNotServed: (postcode: string) => `Nous n’intervenons pas dans le ${postcode}.`,
  addressLine: 'Adresse (numéro et rue)',
  address: 'Adresse',
  city: 'Ville',
  seeWindows: 'Voir les créneaux',

  slotsStep: `Quand${TH}?`,
  searching: 'Recherche des créneaux disponibles…',
  noWindow: (day: string) => `Aucun créneau disponible d’ici au ${day}.`,
  firstWindow: (day: string) => `Premier créneau${NB}: ${day}`,
  later: 'Plus tard',
  earlier: 'Plus tôt',
  servedAreas: (areas: string) => `Nous intervenons dans ces secteurs${NB}: ${areas}.`,
  serviceNotHere: (postcode: string) =>
    `Cette intervention n’est pas proposée dans le ${postcode}${NB}: aucun de nos techniciens qualifiés pour elle n’y intervient.`,
  serviceAreas: (areas: string) => `Elle est proposée dans ces secteurs${NB}: ${areas}.`,
  servicesHere: (postcode: string) => `Dans le ${postcode}, vous pouvez réserver${NB}:`,
  notBookableHere: (postcode: string) => `Pas proposée dans le ${postcode}`,
  fullyBooked: (day: string) => `Tous nos créneaux sont pris jusqu’au ${day}.`,
  tooSoon: 'Les prochains créneaux sont trop proches pour réserver cette intervention en ligne.',
  beyondHorizon: 'Cette intervention ne se réserve pas en ligne aussi loin à l’avance.',
  callbackOffer: `Ou laissez-nous votre numéro${NB}: nous vous rappelons.`,
  callbackButton: 'Être rappelé',
  callbackIntro: (kind: string): string =>
    `Laissez vos coordonnées${NB}: nous vous rappelons${
      kind === 'no_window'
        ? ' pour trouver un créneau avec vous'
        : kind === 'out_of_area'
          ? ' pour voir ce qui est possible chez vous'
          : ''
    }.`,
  preferCall: `Vous préférez en parler${TH}?`,
  message: 'Votre demande (facultatif)',
  messageHint: 'Le problème, vos disponibilités pour l’appel…',
  callbackPrivacy: (company: string) => `${company} utilise ces informations uniquement pour vous rappeler.`,
  callbackSubmit: 'Envoyer ma demande',
  callbackSending: 'Envoi en cours…',
  callbackDone: 'Demande envoyée',
  callbackDoneText: (phone: string) =>
    `Nous vous rappelons au ${phone} dès que possible, aux heures d’ouverture.`,
  callbackFailed: 'Votre demande n’a pas pu être envoyée. Appelez-nous au',
  heldFor: (minutes: number) =>
    `Ce créneau vous est réservé pendant encore ${minutes}${NB}min, le temps de compléter.`,
  holdExpired: `Ce créneau n’est plus gardé pour vous${NB}: il sera confirmé s’il est encore libre.`,
  callUs: 'Appelez-nous au',
  daysLabel: 'Jours disponibles',
  windowsLegend: (day: string) => `Heure d’arrivée du technicien, ${day}`,
  windowCount: (day: string, n: number) =>
    `${day}${NB}: ${n} créneau${n > 1 ? 'x' : ''} disponible${n > 1 ? 's' : ''}`,
  chooseWindow: 'Choisissez un créneau.',
  windowTaken: `Ce créneau vient d’être réservé par un autre client. Voici les créneaux encore libres${TH}; vos informations sont conservées.`,
  arrivalBetween: 'Arrivée du technicien entre',

  detailsStep: 'Vos coordonnées',
  name: 'Nom et prénom',
  phone: 'Téléphone',
  phoneInvalid: 'Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.',
  email: 'E-mail',
  emailInvalid: 'Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.',
  notes: 'Précisions pour le technicien (facultatif)',
  notesHint: 'Code d’accès, étage, description de la panne…',
  consent: (company: string) =>
    `J’accepte que ${company} utilise ces informations pour organiser et suivre l’intervention.`,
  consentMissing: 'Votre accord est nécessaire pour réserver.',
  honeypot: 'Ne pas remplir ce champ',
  submit: 'Confirmer le rendez-vous',
  submitting: 'Réservation en cours…',
  summary: 'Votre demande',

  doneStep: 'Rendez-vous confirmé',
  reference: 'Référence',
  addToCalendar: 'Ajouter à mon agenda',
  manage: 'Modifier ou annuler mon rendez-vous',
  doneNote:
    'Un technicien vous appellera si besoin avant de venir. Conservez le lien ci-dessus pour gérer votre rendez-vous.',

  manageTitle: 'Votre rendez-vous',
  state: 'État',
  states: { booked: 'Confirmé', cancelled: 'Annulé', done: 'Effectué' } as Record<string, string>,
  reschedule: 'Changer de créneau',
  cancel: 'Annuler le rendez-vous',
  cancelConfirm: (w: string) => `Annuler le rendez-vous du ${w}${TH}?`,
  cancelYes: 'Oui, annuler',
  cancelNo: 'Non, le garder',
  cancelledNow: 'Votre rendez-vous est annulé.',
  rescheduledNow: (w: string) => `Votre rendez-vous est déplacé${NB}: ${w}.`,
  confirmWindow: 'Confirmer ce créneau',
  badLink: 'Ce lien n’est pas valide.',
  emailOptional: 'E-mail (facultatif)',
  emailHint: 'Pour recevoir la confirmation par e-mail.',
  phoneInvalidAbroad: (codes: string) =>
    `Saisissez un numéro français (06 12 34 56 78) ou international commençant par ${codes}.`,
  phoneCountryRefused: (codes: string) => `Nous rappelons uniquement les numéros ${codes}.`,
  cutoffNote: (hours: number) =>
    `Vous pourrez modifier ou annuler en ligne jusqu’à ${hours}${NB}h avant l’arrivée du technicien${TH}; ensuite, appelez-nous au`,
  changeableUntil: (when: string) => `Modifiable ou annulable en ligne jusqu’au ${when}.`,
  tooLate: (hours: number) =>
    `Ce rendez-vous commence dans moins de ${hours}${NB}h${NB}: il ne peut plus être modifié ni annulé en ligne. Pour le changer, appelez-nous au`,
  cutoffPassed: (hours: number) =>
    `Ce créneau commence dans moins de ${hours}${NB}h${NB}: une fois réservé, il ne pourra plus être modifié ni annulé en ligne. Pour le changer, appelez-nous au`,
  addNewToCalendar: 'Ajouter le nouveau créneau à mon agenda',
  rebook: 'Reprendre rendez-vous',
  badLinkHelp: 'Ouvrez le lien complet reçu lors de la réservation, ou appelez-nous au',
};

export type Messages = typeof fr;

const en: Messages = {
  title: 'Book a visit',
  stepOf: (n, total) => `Step ${n} of ${total}`,
  back: 'Back',
  next: 'Continue',
  change: 'Change',
  loading: 'Loading…',
  retry: 'Try again',
  networkError: 'The booking service is not answering. Check your connection and try again.',
  required: 'This field is required.',
  fixErrors: (n) => (n > 1 ? `${n} fields need fixing.` : 'One field needs fixing.'),

  serviceStep: 'What do you need?',
  serviceLegend: 'Service',
  duration: (minutes) => `Estimated duration: ${durationText(minutes)}`,
  chooseService: 'Choose a service.',
  noService: 'No service can be booked online at the moment.',

  addressStep: 'Where?',
  postcode: 'Postal code',
  postcodeHint: '5 digits, for example 69003',
  postcodeInvalid: 'Enter a 5-digit postal code.',
  postcodeNotServed: (postcode) => `We do not serve ${postcode}.`,
  addressLine: 'Address (number and street)',
  address: 'Address',
  city: 'Town',
  seeWindows: 'See available times',

  slotsStep: 'When?',
  searching: 'Looking for available times…',
  noWindow: (day) => `No time available until ${day}.`,
  firstWindow: (day) => `First available: ${day}`,
  later: 'Later',
  earlier: 'Earlier',
  servedAreas: (areas) => `We serve these areas: ${areas}.`,
  serviceNotHere: (postcode) =>
    `This service is not offered in ${postcode}: none of our technicians qualified for it works there.`,
  serviceAreas: (areas) => `It is offered in these areas: ${areas}.`,
  servicesHere: (postcode) => `In ${postcode}, you can book:`,
  notBookableHere: (postcode) => `Not offered in ${postcode}`,
  fullyBooked: (day) => `All our times are taken until ${day}.`,
  tooSoon: 'The next times are too close to book this service online.',
  beyondHorizon: 'This service cannot be booked online that far ahead.',
  callbackOffer: 'Or leave us your number: we will call you back.',
  callbackButton: 'Call me back',
  callbackIntro: (kind) =>
    `Leave your details: we will call you back${
      kind === 'no_window'
        ? ' to find a time with you'
        : kind === 'out_of_area'
          ? ' to see what we can do for you'
          : ''
    }.`,
  preferCall: 'Would you rather talk to us?',
  message: 'Your request (optional)',
  messageHint: 'The problem, when to call you…',
  callbackPrivacy: (company) => `${company} uses this information only to call you back.`,
  callbackSubmit: 'Send my request',
  callbackSending: 'Sending…',
  callbackDone: 'Request sent',
  callbackDoneText: (phone) => `We will call you back on ${phone} as soon as possible, during opening hours.`,
  callbackFailed: 'Your request could not be sent. Call us on',
  heldFor: (minutes) => `This time is kept for you for ${minutes} more min while you fill this in.`,
  holdExpired: 'This time is no longer kept for you: it will be confirmed if it is still free.',
  callUs: 'Call us on',
  daysLabel: 'Available days',
  windowsLegend: (day) => `Technician’s arrival time, ${day}`,
  windowCount: (day, n) => `${day}: ${n} time${n > 1 ? 's' : ''} available`,
  chooseWindow: 'Choose a time.',
  windowTaken:
    'This time was just booked by another customer. Here are the times still free; your details are kept.',
  arrivalBetween: 'Technician arrives between',

  detailsStep: 'Your details',
  name: 'Full name',
  phone: 'Phone',
  phoneInvalid: 'Enter a French phone number, for example 06 12 34 56 78.',
  email: 'Email',
  emailInvalid: 'Enter a valid email address, for example name@example.com.',
  notes: 'Notes for the technician (optional)',
  notesHint: 'Door code, floor, what is wrong…',
  consent: (company) => `I agree that ${company} uses this information to organise and follow up the visit.`,
  consentMissing: 'Your consent is needed to book.',
  honeypot: 'Leave this field empty',
  submit: 'Confirm the booking',
  submitting: 'Booking…',
  summary: 'Your request',

  doneStep: 'Booking confirmed',
  reference: 'Reference',
  addToCalendar: 'Add to my calendar',
  manage: 'Change or cancel my booking',
  doneNote: 'A technician may call you before coming. Keep the link above to manage your booking.',

  manageTitle: 'Your booking',
  state: 'Status',
  states: { booked: 'Confirmed', cancelled: 'Cancelled', done: 'Done' },
  reschedule: 'Change the time',
  cancel: 'Cancel the booking',
  cancelConfirm: (w) => `Cancel the visit of ${w}?`,
  cancelYes: 'Yes, cancel',
  cancelNo: 'No, keep it',
  cancelledNow: 'Your booking is cancelled.',
  rescheduledNow: (w) => `Your booking is moved: ${w}.`,
  confirmWindow: 'Confirm this time',
  badLink: 'This link is not valid.',
  emailOptional: 'Email (optional)',
  emailHint: 'To receive the confirmation by email.',
  phoneInvalidAbroad: (codes) =>
    `Enter a French number (06 12 34 56 78) or an international one starting with ${codes}.`,
  phoneCountryRefused: (codes) => `We only call back ${codes} numbers.`,
  cutoffNote: (hours) =>
    `You can change or cancel online until ${hours} h before the technician arrives; after that, call us on`,
  changeableUntil: (when) => `You can change or cancel online until ${when}.`,
  tooLate: (hours) =>
    `This visit starts in less than ${hours} h: it can no longer be changed or cancelled online. To change it, call us on`,
  cutoffPassed: (hours) =>
    `This time starts in less than ${hours} h: once booked, it cannot be changed or cancelled online. To change it, call us on`,
  addNewToCalendar: 'Add the new time to my calendar',
  rebook: 'Book again',
  badLinkHelp: 'Open the full link you received when booking, or call us on',
};

/** The service's own sentences set in French typography too (they come with plain spaces). */
export function typeset(text: string, lang: Lang): string {
  return lang === 'fr' ? text.replace(/ ([?!;])/g, `${TH}$1`).replace(/ :/g, `${NB}:`) : text;
}

export function messages(lang: Lang): Messages {
  return lang === 'en' ? en : fr;
}

export function parseLang(value: string | null | undefined): Lang {
  return value?.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  if (m === 0) return `${h} h`;
  return `${h} h ${String(m).padStart(2, '0')}`;
}

const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

/** French writes the first of the month as an ordinal: "mardi 1er décembre" (Intl writes "1 décembre"). */
function ordinalFirst(text: string, lang: Lang): string {
  return lang === 'fr' ? text.replace(/(^|\s)1 (?=\p{L})/u, '$11er ') : text;
}

/** "mardi 31 mars" — a calendar date from the API ("2026-03-31"), read at noon UTC so no zone can move it. */
export function formatDay(date: string, lang: Lang): string {
  const text = new Intl.DateTimeFormat(LOCALES[lang], {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(new Date(`${date}T12:00:00Z`));
  return ordinalFirst(text, lang);
}

/** "mar. 31" — the short label of a day button. */
export function formatDayShort(date: string, lang: Lang): { weekday: string; day: string; month: string } {
  const d = new Date(`${date}T12:00:00Z`);
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(LOCALES[lang], { ...options, timeZone: 'UTC' }).format(d);
  return {
    weekday: part({ weekday: 'short' }),
    day: part({ day: 'numeric' }),
    month: part({ month: 'short' }),
  };
}

/** "08:00–10:00" in the company's zone (the customer may be browsing from anywhere). */
export function formatTimes(start: string, end: string, lang: Lang, timeZone: string): string {
  const f = new Intl.DateTimeFormat(LOCALES[lang], {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  return `${f.format(new Date(start))}–${f.format(new Date(end))}`;
}

/** "mardi 31 mars, 08:00–10:00" */
export function formatWindow(start: string, end: string, lang: Lang, timeZone: string): string {
  return `${longDay(start, lang, timeZone)}, ${formatTimes(start, end, lang, timeZone)}`;
}

/** "lundi 30 mars à 08:00" — an instant (a deadline) in the company's zone. */
export function formatInstant(instant: string, lang: Lang, timeZone: string): string {
  const time = new Intl.DateTimeFormat(LOCALES[lang], {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(instant));
  return `${longDay(instant, lang, timeZone)} ${lang === 'fr' ? 'à' : 'at'} ${time}`;
}

function longDay(instant: string, lang: Lang, timeZone: string): string {
  const text = new Intl.DateTimeFormat(LOCALES[lang], {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone,
  }).format(new Date(instant));
  return ordinalFirst(text, lang);
}
