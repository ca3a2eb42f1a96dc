import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  cancelBooking,
  createBooking,
  getBooking,
  rescheduleBooking,
  type Booker,
} from '../../domain/bookings/index.js';
import {
  clientKeyFor,
  countRefused,
  powDifficultyFor,
  refusalRule,
  type WebBooker,
} from '../../domain/booking-guards/index.js';
import { challengeSecret, issueChallenge } from '../../domain/challenge.js';
import { listActiveServices } from '../../domain/catalogue.js';
import { readBookingRules } from '../../domain/customer-rules.js';
import { judgePhone } from '../../domain/phone.js';
import { serviceView, slotsView, type PublicBookingBody } from '../../domain/public-views.js';
import { bookabilityAt } from '../../domain/slot-reasons.js';
import { clientHash } from '../../domain/holds/index.js';
import { findSlots } from '../../domain/slots.js';
import { CachedReads } from '../../domain/slot-reads.js';
import { optionalPrincipal } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { coordinate, safeDate, safeInstant, safeText } from '../schemas/text.js';

const isoDate = safeDate();
const isoDateTime = safeInstant();
const postcode = z.string().regex(/^\d{5}$/, 'must be a 5-digit French postal code');
const latitude = coordinate(90);
const longitude = coordinate(180);
/** One line of printable text (names, addresses): see safeText. */
const line = (max: number) => safeText(max);
/** French, or international (+32 …): which countries the company calls back is its rule, checked by the domain. */
const phoneNumber = safeText(40).refine(
  (s) => judgePhone(s, []) !== 'invalid',
  'must be a phone number: French (06 12 34 56 78) or international (+32 470 12 34 56)',
);

const windowSchema = z.object({ start: isoDateTime, end: isoDateTime });
const offeredWindow = windowSchema.extend({
  needsMoves: z
    .literal(true)
    .optional()
    .describe(
      'offered by moving a few booked visits inside their own windows; book it with `needsMoves: true`',
    ),
  withinChangeCutoff: z
    .literal(true)
    .optional()
    .describe(
      'starts within the change cut-off (`rules.changeCutoffHours` of GET /v1/services): once booked, the customer can no longer change or cancel it online, only by calling the company',
    ),
});
const dayOfWindows = z.object({ date: isoDate, windows: z.array(offeredWindow) });

const bookingView = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(['booked', 'cancelled', 'done']),
  version: z.number().int(),
  service: z.object({ id: z.uuid(), name: z.string() }),
  window: windowSchema,
  address: z.object({ line: z.string(), postcode: z.string(), city: z.string() }),
  customer: z.object({ name: z.string(), phone: z.string(), email: z.string().nullable() }),
  notes: z.string(),
  channel: z.enum(['web', 'phone', 'email', 'desk', 'planner']),
  createdAt: z.string(),
  updatedAt: z.string(),
  changeable: z.boolean().describe('whether the reader may still change or cancel it online'),
  changeableUntil: z.string().describe('when online changes close for the customer'),
});

const slotReason = z.object({
  code: z.enum(['zone-not-served', 'service-not-offered-here', 'fully-booked', 'beyond-horizon', 'too-soon']),
  nextAvailable: isoDate.optional(),
  servedAreas: z.array(z.string()).optional(),
});

const slotsAnswer = z.object({
  serviceId: z.uuid(),
  postcode: z.string(),
  city: z.string(),
  timezone: z.string(),
  from: isoDate,
  to: isoDate,
  days: z.array(dayOfWindows),
  reason: slotReason.optional(),
});

const challengeAnswer = z.object({ challenge: z.string(), difficulty: z.number(), expiresAt: z.string() });

/** What GET /v1/slots answers the public: the windows, and a proof-of-work challenge of its own. */
const publicSlotsAnswer = slotsAnswer.extend({
  challenge: challengeAnswer
    .optional()
    .describe(
      'A proof-of-work challenge at the base difficulty, new with every answer (public requests, when the proof of work is on): the widget solves it while the customer chooses, instead of asking GET /v1/challenge. A client whose recent bookings raise its difficulty is refused with a `body.pow` problem and asks GET /v1/challenge, which counts them.',
    ),
});

/** Slot answers as sent, by answer: the read cache hands the same answer to many requests. */
const encodedAnswers = new WeakMap<object, string>();

/** A replay of the Idempotency-Key answers the booking without its links: they hold secrets shown once. */
const createdBooking = z.object({
  booking: bookingView,
  manageUrl: z.string().optional(),
  icsUrl: z.string().optional(),
});

const bookingBody = z
  .object({
    serviceId: z.uuid(),
    window: windowSchema,
    customer: z.object({
      name: line(120),
      phone: phoneNumber,
      email: z.email().max(254).optional().nullable(),
    }),
    address: z.object({
      line: line(200),
      postcode,
      city: line(100),
      lat: latitude.optional(),
      lon: longitude.optional(),
    }),
    notes: safeText(2000, { multiline: true, min: 0 }).optional(),
    consent: z.literal(true, { error: 'the customer must agree to the use of their data' }),
    /** Honeypot: people leave it empty, form-filling robots do not. */
    website: safeText(200, { min: 0, trim: false }).optional(),
    pow: z
      .object({ challenge: safeText(300, { trim: false }), nonce: safeText(20, { trim: false }) })
      .optional(),
    locale: z.enum(['fr', 'en']).optional(),
    /** The hold placed when the customer chose the window (POST /v1/holds): consumed by the booking. */
    holdId: z.uuid().optional(),
    /** The window was offered with `needsMoves`: the booking may move a few booked visits to take it. */
    needsMoves: z.boolean().optional(),
    /** Desk only: how the customer reached us. */
    channel: z.enum(['phone', 'email', 'desk']).optional(),
  })
  .refine((b) => (b.address.lat === undefined) === (b.address.lon === undefined), {
    message: 'lat and lon go together',
    path: ['address', 'lon'],
  });

const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8–128 characters of A–Z, a–z, 0–9, _ or -'),
});

/** Public, or a staff bearer token (desk overrides): /docs "Try it out" then sends the token it was given. */
const staffOptional: { [scheme: string]: string[] }[] = [{}, { bearer: [] }];

const manageHeaders = z.object({ 'x-manage-token': safeText(200, { trim: false }).optional() });

export const publicBookingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const powPolicy = {
    base: ctx.config.TOURNEE_POW_DIFFICULTY,
    stepBits: ctx.config.TOURNEE_POW_ESCALATION_BITS,
  };
  const bookingCaps = {
    perCustomer: ctx.config.TOURNEE_BOOKING_CAP_PER_CUSTOMER,
    perClient: ctx.config.TOURNEE_BOOKING_CAP_PER_CLIENT,
  };
  // A booking, move or cancellation answered (or failed: counted alike): the next booking asks the
  // database what changed rather than reuse the slot reads' last answer (BookedRouteCache.answeredWithin).
  const noteWrite = () => {
    if (ctx.slotReads instanceof CachedReads) ctx.slotReads.bookedRoutes.noteLocalWrite();
  };
  const links = {
    manageUrl: (id: string, token: string) => `${ctx.publicUrl}/manage#${id}.${token}`,
    icsUrl: (id: string, token: string) =>
      `${ctx.publicUrl}/v1/bookings/${id}/calendar.ics?token=${encodeURIComponent(token)}`,
  };

  app.get(
    '/v1/services',
    {
      schema: {
        summary: 'Services a customer can book',
        description:
          'With `postcode`, each service says whether it can be booked there (`bookableHere`) and, when not, why (`reason`: `zone-not-served` or `service-not-offered-here`).',
        tags: ['booking'],
        querystring: z.object({ postcode: postcode.optional() }),
        response: {
          200: z.object({
            services: z.array(
              z.object({
                id: z.uuid(),
                slug: z.string(),
                name: z.string(),
                description: z.string(),
                durationMinutes: z.number(),
                windowMinutes: z.number(),
                priceLabel: z.string().nullable(),
                bookableHere: z.boolean().optional(),
                reason: z.enum(['zone-not-served', 'service-not-offered-here']).optional(),
              }),
            ),
            rules: z.object({
              changeCutoffHours: z.number().int(),
              phoneCountryCodes: z.array(z.string()).describe('dialling codes called back; "33" always'),
              emailRequired: z.boolean(),
            }),
          }),
        },
      },
    },
    async (request) => {
      const services = await listActiveServices(ctx.db);
      const postcodeAsked = request.query.postcode;
      const here = postcodeAsked
        ? await bookabilityAt(
            ctx.slotReads,
            services.map((s) => s.id),
            postcodeAsked,
          )
        : undefined;
      return {
        services: services.map((s) => ({ ...serviceView(s), ...here?.get(s.id) })),
        rules: await readBookingRules(ctx.db),
      };
    },
  );

  app.get(
    '/v1/slots',
    {
      schema: {
        summary: 'Bookable arrival windows for a service at an address, grouped by day',
        description:
          "Give `postcode`, optionally with `lat`/`lon` for a precise address. Range defaults to 14 days from today (`range=horizon`: up to the service's last bookable day, as the widget asks), at most 31 or up to the service's horizon. With no window the answer has a `reason` (`zone-not-served` with `servedAreas` — still 200, with no days —, `service-not-offered-here`, `fully-booked`, `beyond-horizon`, `too-soon`) and, when one exists, `nextAvailable`: the first date with a window up to the horizon. On the days before the first window that have none, windows that moving a few booked visits would open are offered too, marked `needsMoves: true` (book them with `needsMoves: true`).",
        tags: ['booking'],
        security: staffOptional,
        querystring: z
          .object({
            serviceId: z.uuid(),
            postcode,
            lat: latitude.optional(),
            lon: longitude.optional(),
            from: isoDate.optional(),
            to: isoDate.optional(),
            range: z.enum(['horizon']).optional(),
          })
          .refine((q) => (q.lat === undefined) === (q.lon === undefined), {
            message: 'lat and lon go together',
            path: ['lon'],
          }),
        response: { 200: publicSlotsAnswer },
      },
    },
    async (request, reply) => {
      const principal = await optionalPrincipal(ctx.db, request);
      const q = request.query;
      const answer = await findSlots(
        ctx.db,
        {
          serviceId: q.serviceId,
          address: { postcode: q.postcode, lat: q.lat, lon: q.lon },
          from: q.from,
          to: q.to,
          toHorizon: q.range === 'horizon',
          now: ctx.clock(),
          ignoreNotice: principal !== undefined,
          // Live holds count for the public (not the client's own); the desk never sees them.
          holds: principal ? undefined : { now: ctx.clock(), exceptClient: clientHash(request.ip) },
          makeRoom: ctx.config.TOURNEE_MAKE_ROOM,
        },
        ctx.slotReads,
      );
      // A remembered answer is the same object again: encoded once, as the route's serializer would.
      let body = encodedAnswers.get(answer);
      if (body === undefined) {
        body = JSON.stringify(z.encode(slotsAnswer, slotsView(answer)));
        encodedAnswers.set(answer, body);
      }
      // The customer's challenge comes with the windows (one request fewer before booking), at the base
      // difficulty: it is signed, not stored, so it costs no read. The booking counts the client's recent
      // bookings and refuses one too weak for them; GET /v1/challenge then gives the harder one.
      if (!principal && powPolicy.base > 0) {
        const challenge = issueChallenge(await challengeSecret(ctx.db), powPolicy.base, ctx.clock());
        body = `${body.slice(0, -1)},"challenge":${JSON.stringify(challenge)}}`;
        reply.header('cache-control', 'no-store');
      }
      // A JSON string with a JSON type is sent as it is (the typed send() expects the object it encodes).
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );

  app.get(
    '/v1/challenge',
    {
      schema: {
        summary: 'A proof-of-work challenge to send with a booking (anti-spam)',
        tags: ['booking'],
        response: { 200: challengeAnswer },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const secret = await challengeSecret(ctx.db);
      const now = ctx.clock();
      const difficulty = await powDifficultyFor(
        ctx.db,
        await clientKeyFor(ctx.db, request.ip),
        now,
        powPolicy,
      );
      return issueChallenge(secret, difficulty, now);
    },
  );

  app.post(
    '/v1/bookings',
    {
      schema: {
        summary: 'Book a visit in an offered arrival window',
        description:
          'Requires an `Idempotency-Key` header: the same key always returns the same booking. The public site sends a solved `pow` challenge; desk agents (bearer token) may override the minimum notice and set the channel. 409 when the window was just taken, with fresh `alternatives`.',
        tags: ['booking'],
        security: staffOptional,
        headers: idempotencyHeader,
        body: bookingBody,
        response: { 201: createdBooking },
      },
    },
    async (request, reply) => {
      const principal = await optionalPrincipal(ctx.db, request);
      // The widget posts exactly this type: a schema change that breaks it fails to compile here.
      const body: PublicBookingBody & { channel?: Booker['channel'] } = request.body;
      if (body.website) {
        await countRefused(ctx.db, 'honeypot', ctx.clock(), ctx.config.TOURNEE_TIMEZONE);
        throw new HttpProblem(422, 'Unprocessable request', 'The request was refused.', {
          field: 'body.website',
        });
      }
      if (body.channel && !principal)
        throw new HttpProblem(
          403,
          'Channel reserved for staff',
          'body.channel: only the desk (a bearer token) may set the channel; the public site books as web.',
          {
            field: 'body.channel',
            errors: [{ field: 'body.channel', message: 'only the desk may set the channel' }],
          },
        );
      const booker: Booker = principal
        ? { channel: body.channel ?? 'phone', bookedBy: `${principal.role}:${principal.name}`, isStaff: true }
        : { channel: 'web', bookedBy: 'web', isStaff: false };
      const now = ctx.clock();
      const webBooker: WebBooker | undefined = principal
        ? undefined
        : { clientKey: await clientKeyFor(ctx.db, request.ip), caps: bookingCaps };
      const outcome = await createBooking(ctx.db, {
        request: {
          serviceId: body.serviceId,
          window: body.window,
          customer: body.customer,
          address: body.address,
          notes: body.notes,
          ...(body.holdId ? { holdId: body.holdId } : {}),
          ...(body.needsMoves ? { needsMoves: true } : {}),
          locale: body.locale ?? (/^\s*en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'fr'),
        },
        booker,
        idempotencyKey: request.headers['idempotency-key'],
        pow: body.pow,
        // An online booker's difficulty grows with their recent bookings, counted in the booking's first read.
        powDifficulty: ctx.config.TOURNEE_POW_DIFFICULTY,
        powPolicy,
        now,
        links,
        geocoder: ctx.geocoder,
        slotReads: ctx.slotReads,
        client: request.ip,
        ...(webBooker ? { webBooker } : {}),
      })
        .catch(async (error: unknown) => {
          const rule = refusalRule(error);
          if (rule) await countRefused(ctx.db, rule, now, ctx.config.TOURNEE_TIMEZONE);
          throw error;
        })
        .finally(noteWrite);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(outcome.body);
    },
  );

  // The manage token travels in the X-Manage-Token header only: never in a URL a proxy, a browser
  // history or a calendar service could keep.
  const manageToken = (request: { headers: { 'x-manage-token'?: string } }) =>
    request.headers['x-manage-token'];

  app.get(
    '/v1/bookings/:id',
    {
      schema: {
        summary: 'A booking, with its manage token (X-Manage-Token header) or a staff bearer token',
        tags: ['booking'],
        security: staffOptional,
        params: z.object({ id: z.uuid() }),
        headers: manageHeaders,
        response: { 200: bookingView },
      },
    },
    async (request, reply) => {
      const principal = await optionalPrincipal(ctx.db, request);
      reply.header('cache-control', 'no-store');
      return getBooking(
        ctx.db,
        request.params.id,
        manageToken(request),
        principal !== undefined,
        ctx.clock(),
      );
    },
  );

  app.post(
    '/v1/bookings/:id/reschedule',
    {
      schema: {
        summary: 'Move a booking to another offered window',
        tags: ['booking'],
        security: staffOptional,
        params: z.object({ id: z.uuid() }),
        headers: manageHeaders,
        body: z.object({ window: windowSchema }),
        response: { 200: bookingView },
      },
    },
    async (request) => {
      const principal = await optionalPrincipal(ctx.db, request);
      return rescheduleBooking(ctx.db, {
        id: request.params.id,
        token: manageToken(request),
        isStaff: principal !== undefined,
        window: request.body.window,
        now: ctx.clock(),
        links,
      }).finally(noteWrite);
    },
  );

  app.post(
    '/v1/bookings/:id/cancel',
    {
      schema: {
        summary: 'Cancel a booking',
        tags: ['booking'],
        security: staffOptional,
        params: z.object({ id: z.uuid() }),
        headers: manageHeaders,
        response: { 200: bookingView },
      },
    },
    async (request) => {
      const principal = await optionalPrincipal(ctx.db, request);
      return cancelBooking(ctx.db, {
        id: request.params.id,
        token: manageToken(request),
        isStaff: principal !== undefined,
        now: ctx.clock(),
      }).finally(noteWrite);
    },
  );
};
