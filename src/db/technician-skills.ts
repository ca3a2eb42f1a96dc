import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from './schema.js';

/** A technician's skill codes as one sorted array column, for queries over `technicians as t`. */
export function skillsOfTechnician(eb: ExpressionBuilder<Database & { t: Database['technicians'] }, 't'>) {
  return eb
    .selectFrom('technician_skills as ts')
    .select(sql<string[]>`coalesce(array_agg(ts.skill_code order by ts.skill_code), '{}')`.as('skills'))
    .whereRef('ts.technician_id', '=', 't.id')
    .as('skills');
}
