import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.js';

export type MatchedOn = 'phone' | 'name' | 'email' | 'street' | 'reference';

/** What to look for; each part that is set adds its candidates (the domain decides which apply). */
export interface CustomerSearchPlan {
  /** The whole number, E.164. */
  phone?: string;
  /** At least 4 digits the number ends with (or, starting with a trunk 0, begins with). */
  phoneDigits?: string;
  /** Whole address, or its beginning. */
  email?: string;
  /** A booking (DE-XXXXXX) or request (DM-XXXXXX) reference, upper case. */
  reference?: string;
  /** Free text for names and streets (folded in SQL with the same function as the stored columns). */
  text?: string;
  limit: number;
  offset: number;
}

export interface CustomerHit {
  id: string;
  matchedOn: MatchedOn;
  score: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Scores of one text token against the words of a folded column: the exact word 1, a word it
 * begins 0.8, one typo away (tokens of 4+ letters) 0.5; 0 when no word matches.
 */
function tokenScore(column: RawBuilder<string>, token: RawBuilder<string>) {
  return sql<number>`(SELECT max(CASE WHEN w = ${token} THEN 1
                                     WHEN w LIKE ${token} || '%' THEN 0.8
                                     WHEN length(${token}) >= 4 AND public.levenshtein(w, ${token}) <= 1 THEN 0.5
                                     ELSE 0 END)
                        FROM unnest(string_to_array(${column}, ' ')) AS w)`;
}

/**
 * An index-friendly superset of "some word of the column matches the token" (trigram GIN serves
 * LIKE '%…%'): the token itself, or — for the one-typo match — either half of it, which a single
 * edit leaves intact.
 */
function tokenPrefilter(col: RawBuilder<string>, token: string) {
  const options = [token];
  if (token.length >= 4) {
    const half = Math.floor(token.length / 2);
    options.push(token.slice(0, half), token.slice(half));
  }
  return sql`(${sql.join(
    options.map((o) => sql`${col} LIKE ${`%${o}%`}`),
    sql` OR `,
  )})`;
}

/** Every token must match a word (any order: "Dupont Marie" finds Marie Dupont); score = mean. */
function textCandidates(
  column: 'search_name' | 'search_street',
  matchedOn: MatchedOn,
  base: number,
  text: { folded: string; tokens: string[] },
) {
  const col = sql<string>`c.${sql.ref(column)}`;
  const score = tokenScore(col, sql<string>`t`);
  return sql`
    SELECT c.id, ${matchedOn}::text AS matched_on,
           ${base}::numeric + 10 * s.mean + public.similarity(${col}, ${text.folded}) AS score
      FROM customers c
      CROSS JOIN LATERAL (
        SELECT avg(x.score) AS mean, min(x.score) AS worst
          FROM (SELECT coalesce(${score}, 0) AS score FROM unnest(${sql.val(text.tokens)}::text[]) AS t) AS x
      ) AS s
     WHERE c.erased_at IS NULL
       AND ${sql.join(
         text.tokens.map((t) => tokenPrefilter(col, t)),
         sql` AND `,
       )}
       AND s.worst > 0`;
}

/**
 * Ranked customers for a search: each way of matching gives candidates with a score (reference and
 * whole numbers first, then e-mail, end of a number, names, streets); a customer found several ways
 * keeps its best. `total` counts every match, so the caller can say the page was cut.
 */
export async function searchCustomerRows(
  db: Db,
  plan: CustomerSearchPlan,
): Promise<{ hits: CustomerHit[]; total: number }> {
  const parts: RawBuilder<unknown>[] = [];
  if (plan.reference)
    parts.push(sql`SELECT v.customer_id AS id, 'reference' AS matched_on, 100 AS score
                     FROM visits v JOIN customers c ON c.id = v.customer_id
                    WHERE v.reference = ${plan.reference} AND c.erased_at IS NULL
                   UNION ALL
                   SELECT r.customer_id, 'reference', 100
                     FROM requests r JOIN customers c ON c.id = r.customer_id
                    WHERE r.reference = ${plan.reference} AND c.erased_at IS NULL`);
  if (plan.phone)
    parts.push(sql`SELECT id, 'phone' AS matched_on, 95 AS score FROM customers
                    WHERE erased_at IS NULL AND phones @> ARRAY[${plan.phone}]::text[]`);
  if (plan.phoneDigits) {
    const digits = plan.phoneDigits;
    // "06 12 34" typed from the start: the trunk 0 stands for +33.
    const start = digits.startsWith('0') ? `+33${digits.slice(1)}` : null;
    parts.push(sql`SELECT id, 'phone' AS matched_on, 80 AS score FROM customers
                    WHERE erased_at IS NULL
                      AND (search_phone LIKE ${`%${digits}%`}
                           OR (${start}::text IS NOT NULL AND search_phone LIKE ${`%${start}%`}))
                      AND EXISTS (SELECT 1 FROM unnest(phones) AS p
                                   WHERE p LIKE ${`%${digits}`}
                                      OR (${start}::text IS NOT NULL AND p LIKE ${`${start}%`}))`);
  }
  if (plan.email) {
    parts.push(sql`SELECT id, 'email' AS matched_on, CASE WHEN lower(email) = ${plan.email} THEN 90 ELSE 60 END AS score
                     FROM customers
                    WHERE erased_at IS NULL AND lower(email) LIKE ${likeEscape(plan.email) + '%'}`);
  }
  if (plan.text) {
    // Folded by the database, with the very function that fills the stored columns.
    const { rows } = await sql<{ folded: string }>`SELECT search_fold(${plan.text}) AS folded`.execute(db);
    const folded = rows[0]?.folded ?? '';
    const tokens = folded.split(' ').filter((t) => t.length > 0);
    if (tokens.length > 0) {
      parts.push(textCandidates('search_name', 'name', 40, { folded, tokens }));
      parts.push(textCandidates('search_street', 'street', 20, { folded, tokens }));
    }
  }
  if (parts.length === 0) return { hits: [], total: 0 };

  const { rows } = await sql<{ id: string; matched_on: MatchedOn; score: number; total: number }>`
    WITH candidates AS (${sql.join(parts, sql` UNION ALL `)}),
    best AS (
      SELECT DISTINCT ON (id) id, matched_on, score FROM candidates ORDER BY id, score DESC
    )
    SELECT b.id, b.matched_on, b.score::float8 AS score, count(*) OVER () AS total
      FROM best b JOIN customers c ON c.id = b.id
     ORDER BY b.score DESC, c.full_name, c.id
     LIMIT ${plan.limit} OFFSET ${plan.offset}`.execute(db);
  // Past the last page there are no rows to carry the window count: count alone.
  const total =
    rows[0]?.total ??
    (plan.offset > 0
      ? Number(
          (
            await sql<{ n: number }>`
              WITH candidates AS (${sql.join(parts, sql` UNION ALL `)})
              SELECT count(DISTINCT id) AS n FROM candidates`.execute(db)
          ).rows[0]?.n ?? 0,
        )
      : 0);
  return {
    hits: rows.map((r) => ({ id: r.id, matchedOn: r.matched_on, score: Number(r.score) })),
    total: Number(total),
  };
}
