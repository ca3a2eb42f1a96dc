/**
 * The service's problems as the staff pages say them. The API's problem+json stays as machines
 * read it: a validation problem names the field as the request spelled it ("body.customer.email",
 * "body.technicianId") with zod's English message ("Invalid email address"); refusals of the
 * service's own rules come with a code and already speak French. Claire and Gaëtan work in French:
 * the first kind is translated here into a sentence that names the field as their forms label it,
 * in each page's words (the planner's `reason` is an absence's « Motif »). Matching zod's wording is
 * what ties this to the service: test/desk/desk-problems.test.ts and
 * test/planning/planner-problems.test.ts send every bad value each page's forms can send to the
 * routes it calls and check each message the service answers is translated.
 */

/** One failing field of a problem+json `errors` list. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The page a problem is said on: the same request field can mean another thing on each. */
export type StaffPage = 'desk' | 'planner';

/** The field as the desk's forms name it, with its article: "Indiquez la rue." */
const FIELD_WORDS: Record<string, string> = {
  '': 'le formulaire',
  name: 'le nom du client',
  'customer.name': 'le nom du client',
  phone: 'le numéro de téléphone',
  'customer.phone': 'le numéro de téléphone',
  phones: 'les numéros de téléphone',
  email: 'l’adresse e-mail',
  'customer.email': 'l’adresse e-mail',
  street: 'la rue',
  'address.street': 'la rue',
  'address.line': 'la rue',
  postcode: 'le code postal',
  'address.postcode': 'le code postal',
  city: 'la ville',
  'address.city': 'la ville',
  'address.lat': 'la position de l’adresse',
  'address.lon': 'la position de l’adresse',
  lat: 'la position de l’adresse',
  lon: 'la position de l’adresse',
  notes: 'la note',
  text: 'ce que le client demande',
  reason: 'la raison',
  q: 'la recherche',
  window: 'le créneau',
  'window.start': 'le créneau',
  'window.end': 'le créneau',
  needsMoves: 'le créneau',
  from: 'la date',
  to: 'la date',
  serviceId: 'la prestation',
  kind: 'le type de demande',
  channel: 'le moyen par lequel la demande est reçue',
  status: 'l’issue de la demande',
  customerId: 'la fiche du client',
  bookingId: 'le rendez-vous',
  id: 'la fiche',
  consent: 'l’accord du client',
  limit: 'la page de résultats',
  offset: 'la page de résultats',
};

/**
 * The planner's words where its page sends other fields, or the same names meaning other things
 * (the absence's `reason` is its « Motif », `kind` the sort of absence). Gaëtan reads the move
 * dialog's « Technicien » and « Heure d’arrivée », the absence form's « De », « À », « Motif », the
 * urgent form's « À faire avant », « Durée ».
 */
const PLANNER_WORDS: Record<string, string> = {
  ...FIELD_WORDS,
  technicianId: 'le technicien',
  plannedStart: 'l’heure d’arrivée',
  start: 'l’heure de début',
  end: 'l’heure de fin',
  from: 'le jour',
  to: 'le jour',
  date: 'la journée',
  version: 'la version de la visite',
  progress: 'l’avancement de la visite',
  pinned: 'l’épingle de la visite',
  timeLimitMs: 'le temps de recherche de l’optimiseur',
  balanceWeight: 'le poids de l’équilibrage des journées',
  seed: 'la graine de l’optimiseur',
  kind: 'la sorte d’absence',
  reason: 'le motif',
  address: 'l’adresse',
  'address.street': 'l’adresse',
  deadline: 'l’heure « À faire avant »',
  durationMinutes: 'la durée',
  limit: 'le nombre de places demandées',
  customer: 'le client',
  'customer.name': 'le nom du client',
};

/**
 * Planner fields whose meaning the route gives (the problem's `instance`): a move check's `start`
 * is the arrival the dialog proposes, not an absence's start; an `id` in the path is the proposal,
 * the visit or the absence the button was about.
 */
const PLANNER_ROUTE_WORDS: { instance: RegExp; field: string; words: string }[] = [
  { instance: /\/move-check$/, field: 'start', words: 'l’heure d’arrivée' },
  { instance: /^\/v1\/admin\/plans\//, field: 'id', words: 'la proposition' },
  { instance: /^\/v1\/admin\/visits\//, field: 'id', words: 'la visite' },
  { instance: /^\/v1\/admin\/availability\//, field: 'id', words: 'l’absence' },
];

/** Numbers a planner types, with their unit: a bound is said with it ("au moins 5 minutes"). */
const NUMBER_UNITS: Record<string, string> = { durationMinutes: 'minutes' };

/** The request's path of a field, without its part: "body.customer.email" → "customer.email". */
const pathOf = (field: string) => field.replace(/^(body|query|params|headers)(\.|$)/, '');

/**
 * "body.customer.email" → "l’adresse e-mail"; a field no form shows keeps its own name, quoted.
 * `instance` (the problem's, the request path) tells apart a planner's fields of one name.
 */
export function fieldWords(field: string, page: StaffPage = 'desk', instance = ''): string {
  const path = pathOf(field);
  const phone = /^phones\.(\d+)$/.exec(path);
  if (phone) return phone[1] === '0' ? 'le téléphone principal' : 'l’autre téléphone';
  // One value of a list (the queue's "status=new,in_progress" is read as one): the list's words.
  const whole = path.replace(/(\.\d+)+$/, '');
  if (page === 'planner') {
    const routed = PLANNER_ROUTE_WORDS.find((w) => w.field === whole && w.instance.test(instance));
    if (routed) return routed.words;
  }
  const words = page === 'planner' ? PLANNER_WORDS : FIELD_WORDS;
  return words[whole] ?? `le champ « ${whole.split('.').pop()} »`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * One validation problem in French. The messages are zod 4's (and zod 3's, which the API spoke
 * before) and the few the service's schemas write themselves (src/http/schemas/text.ts,
 * public/bookings.ts); anything else is a value the page itself should never have sent.
 */
export function frenchFieldProblem(
  { field, message }: FieldProblem,
  page: StaffPage = 'desk',
  instance = '',
): string {
  const the = fieldWords(field, page, instance);
  const The = capital(the);
  if (/received undefined$|^Required$/.test(message)) return `Indiquez ${the}.`;
  const big =
    /^Too big: expected (string|array) to have <=?(\d+)|^(String|Array) must contain at most (\d+)/.exec(
      message,
    );
  const small =
    /^Too small: expected (string|array) to have >=?(\d+)|^(String|Array) must contain at least (\d+)/.exec(
      message,
    );
  const array = (small ?? big)?.[1] === 'array' || /^Array/.test((small ?? big)?.[3] ?? '');
  // The one list a desk form sends is the card's phone numbers; any other is the page's fault.
  const phones = array && /(^|\.)phones$/.test(field);
  if (small && (!array || phones)) {
    const least = Number(small[2] ?? small[4]);
    if (phones) return 'Indiquez au moins un numéro de téléphone.';
    if (least <= 1) return `Indiquez ${the}.`;
    return `${The} doit compter au moins ${least} caractères.`;
  }
  if (big && (!array || phones)) {
    const most = Number(big[2] ?? big[4]);
    if (phones) return `Gardez ${most} numéros de téléphone au plus.`;
    return `${The} ne peut pas dépasser ${most} caractères : raccourcissez ce texte.`;
  }
  const unit = NUMBER_UNITS[pathOf(field)];
  const bound = /^Too (small|big): expected number to be ([<>])=?(\d+)/.exec(message);
  if (unit && bound)
    return `${The} doit être d’${bound[1] === 'small' ? 'au moins' : 'au plus'} ${bound[3]} ${unit}.`;
  if (/^Invalid email/.test(message))
    return `${The} n’est pas valide : il faut un @ suivi d’un domaine complet (exemple : prenom.nom@exemple.fr).`;
  if (/5-digit French postal code/.test(message)) return `${The} doit compter 5 chiffres (exemple : 69003).`;
  if (/^must be a phone number/.test(message))
    return `${The} n’est pas un numéro valide : un numéro français (06 12 34 56 78) ou international (+32 470 12 34 56).`;
  if (/control or bidirectional-override characters/.test(message))
    return `${The} contient un caractère invisible (tabulation, saut de ligne ou caractère spécial venu d’un copier-coller) : retapez ce texte.`;
  if (/agree to the use of their data/.test(message))
    return 'Le client doit accepter que ses coordonnées servent à ce rendez-vous.';
  return `La page a envoyé ${the} sous une forme que le service refuse : rechargez la page (F5) et recommencez ; si cela se reproduit, prévenez l’administrateur.`;
}

/** A problem+json body as the staff pages receive it. */
export interface ProblemBody {
  detail?: string;
  title?: string;
  code?: string;
  field?: string;
  errors?: FieldProblem[];
  /** The request's path, which tells the planner's fields of one name apart. */
  instance?: string;
}

/**
 * The sentence a staff page shows for a failed call. A problem with a `code` is a rule of the
 * service, already worded in French (the pages send Accept-Language: fr); one with `errors` and no
 * code is the schema's validation, translated field by field; the rest are the HTTP layer's own
 * English refusals, said by their status.
 */
export function frenchProblem(status: number, problem: ProblemBody, page: StaffPage = 'desk'): string {
  if (problem.code && problem.detail) return problem.detail;
  if (problem.errors?.length)
    return [...new Set(problem.errors.map((e) => frenchFieldProblem(e, page, problem.instance ?? '')))].join(
      ' ',
    );
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 'La page a envoyé une demande que le service ne sait pas lire : rechargez la page (F5) et recommencez.';
    case 401:
      return 'Jeton refusé : saisissez à nouveau votre jeton.';
    case 403:
      return 'Votre jeton ne permet pas cette action : demandez un jeton avec le rôle qu’il faut à votre administrateur.';
    case 404:
      return page === 'planner'
        ? 'Introuvable : la visite, la proposition ou l’absence n’existe pas ou plus ; rechargez la journée.'
        : 'Introuvable : la fiche, la demande ou le rendez-vous n’existe pas ou plus.';
    case 408:
      return 'La demande a mis trop de temps à arriver : réessayez.';
    case 429:
      return 'Trop de demandes en peu de temps : réessayez dans une minute.';
    default:
      if (status >= 500)
        return 'Le service a rencontré un problème : réessayez dans un instant ; si cela se reproduit, prévenez l’administrateur.';
      return problem.detail ?? problem.title ?? `Erreur ${status}`;
  }
}
