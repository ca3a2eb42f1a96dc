import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  answerSurvey,
  openSurvey,
  unsubscribe,
  validOptOutToken,
} from '../../domain/messages/satisfaction.js';
import { escapeHtml, page } from '../pages/message-pages.js';

const WORDS = {
  fr: {
    title: 'Votre avis',
    intro: (ref: string, service: string) => `Intervention ${ref} — ${service}`,
    legend: 'Votre note, de 1 (pas satisfait) à 5 (très satisfait)',
    comment: 'Un commentaire ? (facultatif)',
    send: 'Envoyer mon avis',
    thanks: 'Merci ! Votre avis est enregistré.',
    already: 'Vous avez déjà donné votre avis sur cette intervention. Merci !',
    invalid: 'Ce lien n’est pas valable.',
  },
  en: {
    title: 'Your opinion',
    intro: (ref: string, service: string) => `Visit ${ref} — ${service}`,
    legend: 'Your rating, from 1 (not satisfied) to 5 (very satisfied)',
    comment: 'A comment? (optional)',
    send: 'Send my opinion',
    thanks: 'Thank you! Your opinion is saved.',
    already: 'You already gave your opinion on this visit. Thank you!',
    invalid: 'This link is not valid.',
  },
};

const token = z.string().min(10).max(600);

/**
 * The survey page reached from the e-mail's 1–5 links and the one-click unsubscribe. The rating is
 * stored by the form's POST, not by opening the link: mail scanners open links, people press buttons.
 */
export const publicMessageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.get(
    '/satisfaction',
    {
      schema: {
        summary: 'Satisfaction survey page (from the e-mail link)',
        tags: ['messages'],
        hide: true,
        querystring: z.object({ t: token, note: z.coerce.number().int().min(1).max(5).optional() }),
      },
    },
    async (request, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      const survey = await openSurvey(ctx.db, request.query.t);
      if (!survey) return reply.code(404).send(page(WORDS.fr.title, `<h1>${WORDS.fr.invalid}</h1>`));
      const w = WORDS[survey.locale];
      if (survey.answered)
        return page(w.title, `<h1>${w.title}</h1><div class="card"><p>${w.already}</p></div>`, survey.locale);
      const chosen = request.query.note;
      const radios = [1, 2, 3, 4, 5]
        .map(
          (n) =>
            `<span class="rate"><input type="radio" id="note${n}" name="note" value="${n}" required${n === chosen ? ' checked' : ''}><label for="note${n}">${n}</label></span>`,
        )
        .join('');
      return page(
        w.title,
        `<h1>${w.title}</h1><div class="card"><p class="muted">${escapeHtml(w.intro(survey.reference, survey.serviceName))}</p>
<form method="post" action="/satisfaction"><input type="hidden" name="t" value="${escapeHtml(request.query.t)}">
<fieldset><legend>${w.legend}</legend>${radios}</fieldset>
<label for="comment">${w.comment}</label><textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit">${w.send}</button></form></div>`,
        survey.locale,
      );
    },
  );

  app.post(
    '/satisfaction',
    {
      schema: {
        summary: 'Store a satisfaction answer (once per visit)',
        tags: ['messages'],
        hide: true,
        body: z.object({
          t: token,
          note: z.coerce.number().int().min(1).max(5),
          comment: z.string().max(2000).default(''),
        }),
      },
    },
    async (request, reply) => {
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      const outcome = await answerSurvey(ctx.db, {
        token: request.body.t,
        rating: request.body.note,
        comment: request.body.comment,
        now: ctx.clock(),
      });
      if (outcome === 'invalid')
        return reply.code(404).send(page(WORDS.fr.title, `<h1>${WORDS.fr.invalid}</h1>`));
      const survey = await openSurvey(ctx.db, request.body.t);
      const w = WORDS[survey?.locale ?? 'fr'];
      const text = outcome === 'stored' ? w.thanks : w.already;
      return reply
        .code(outcome === 'stored' ? 201 : 409)
        .send(page(w.title, `<h1>${w.title}</h1><div class="card"><p>${text}</p></div>`, survey?.locale));
    },
  );

  app.get(
    '/unsubscribe',
    {
      schema: {
        summary: 'Unsubscribe page (surveys)',
        tags: ['messages'],
        hide: true,
        querystring: z.object({ t: token }),
      },
    },
    async (request, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      if (!(await validOptOutToken(ctx.db, request.query.t)))
        return reply.code(404).send(page('Désinscription', `<h1>${WORDS.fr.invalid}</h1>`));
      return page(
        'Désinscription',
        `<h1>Ne plus recevoir nos questionnaires</h1><div class="card"><p>Vous ne recevrez plus nos questionnaires de satisfaction. Les messages sur vos rendez-vous (confirmation, rappel) continuent.</p>
<form method="post" action="/unsubscribe?t=${escapeHtml(encodeURIComponent(request.query.t))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Confirmer</button></form></div>`,
      );
    },
  );

  app.post(
    '/unsubscribe',
    {
      schema: {
        summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)',
        tags: ['messages'],
        hide: true,
        querystring: z.object({ t: token }),
        body: z.object({ 'List-Unsubscribe': z.string().max(20).optional() }).optional(),
      },
    },
    async (request, reply) => {
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!(await unsubscribe(ctx.db, request.query.t, ctx.clock())))
        return reply.code(404).send(page('Désinscription', `<h1>${WORDS.fr.invalid}</h1>`));
      return page(
        'Désinscription',
        `<h1>C’est fait.</h1><div class="card"><p>Vous ne recevrez plus nos questionnaires de satisfaction.</p></div>`,
      );
    },
  );
};
