import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authenticate, roleAllows } from '../../domain/auth.js';
import { storedMail, storedMails } from '../../domain/messages/transport.js';
import { HttpProblem } from '../problem.js';
import { escapeHtml, page } from './message-pages.js';

/**
 * /dev/mail: with no SMTP server configured, the e-mails the service would have sent, as the
 * customer would see them. Admin token in the Authorization header or ?token= (redacted from logs).
 */
export const devMailRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  if (ctx.config.TOURNEE_SMTP_URL) return;
  const dataDir = ctx.config.TOURNEE_DATA_DIR;
  const tokenQuery = z.object({ token: z.string().max(200).optional() });

  async function requireAdmin(authorization: string | undefined, query: string | undefined): Promise<void> {
    const header = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const outcome = await authenticate(ctx.db, header ?? query);
    if (!outcome.ok) throw new HttpProblem(401, 'Unauthorized', 'An admin token is required (?token=).');
    if (!roleAllows(outcome.principal.role, 'admin'))
      throw new HttpProblem(403, 'Forbidden', 'This page needs the admin role.');
  }

  app.get(
    '/dev/mail',
    {
      schema: {
        summary: 'E-mails kept in the data folder (no SMTP configured)',
        tags: ['messages'],
        hide: true,
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      await requireAdmin(request.headers.authorization, request.query.token);
      const mails = await storedMails(dataDir);
      const q = request.query.token ? `?token=${encodeURIComponent(request.query.token)}` : '';
      const rows = mails
        .map(
          (m) =>
            `<tr><td>${escapeHtml(new Date(m.date).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' }))}</td><td>${escapeHtml(m.to)}</td><td><a href="/dev/mail/${escapeHtml(m.file)}${q}">${escapeHtml(m.subject)}</a></td></tr>`,
        )
        .join('');
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      return page(
        'E-mails envoyés (démo)',
        `<h1>E-mails envoyés (démo)</h1><p class="muted">Aucun serveur SMTP n’est configuré (TOURNEE_SMTP_URL) : les e-mails sont gardés dans ${escapeHtml(dataDir)}/mail.</p>
<div class="card">${mails.length ? `<table class="mails"><thead><tr><th>Date</th><th>À</th><th>Objet</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Aucun e-mail pour l’instant. <a href="/#rendez-vous" target="_blank" rel="noopener">Prenez un rendez-vous sur la page de démo</a> en donnant une adresse e-mail, puis rechargez cette page : la confirmation y arrive en quelques secondes.</p>'}</div>`,
      );
    },
  );

  app.get(
    '/dev/mail/:file',
    {
      schema: {
        summary: 'One kept e-mail',
        tags: ['messages'],
        hide: true,
        params: z.object({ file: z.string().regex(/^[\w-]{1,120}$/) }),
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      await requireAdmin(request.headers.authorization, request.query.token);
      const mail = await storedMail(dataDir, request.params.file);
      if (!mail) throw new HttpProblem(404, 'Not Found', 'No such e-mail.', { field: 'params.file' });
      const q = request.query.token ? `?token=${encodeURIComponent(request.query.token)}` : '';
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      // The e-mail runs no script in the frame; its links (the manage link above all) open in a tab
      // of their own, where the page they lead to runs as it would from the customer's mailbox —
      // followed inside the sandbox, the manage page stayed blank.
      return page(
        mail.subject,
        `<p><a href="/dev/mail${q}">← Tous les e-mails</a></p><h1>${escapeHtml(mail.subject)}</h1>
<p class="muted">À ${escapeHtml(mail.to)} — ${escapeHtml(mail.date)} — Message-ID ${escapeHtml(mail.messageId)}</p>
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" title="Version HTML" srcdoc="${escapeHtml(`<base target="_blank">${mail.html}`)}"></iframe>
<h2>Version texte</h2><pre>${escapeHtml(mail.text)}</pre>
${mail.calendar ? `<h2>Invitation (.ics)</h2><pre>${escapeHtml(mail.calendar)}</pre>` : ''}`,
      );
    },
  );
};
