import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz columns: Date out, Date or ISO string in. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** date columns are read as 'YYYY-MM-DD' strings (parsers are set so on both dialects). */
type CalendarDate = string;
/** time columns are read as 'HH:MM:SS'. */
type WallClockTime = string;

export interface WindowGridEntry {
  start: string;
  end: string;
}

export interface CompanySettingsTable {
  id: Generated<number>;
  name: string;
  phone: Generated<string>;
  timezone: Generated<string>;
  window_grid: ColumnType<WindowGridEntry[], string, string>;
  booking_horizon_days: Generated<number>;
  holiday_region: '57' | '67' | '68' | null;
  whit_monday_worked: Generated<boolean>;
  /** SHA-256 (hex) of the team feed URL's token (migration 0017). */
  team_feed_token_hash: string;
  /** Local hour at which day-before reminders leave. */
  reminder_hour: Generated<number>;
  /** International dialling codes of the countries whose phone numbers the company calls back. */
  phone_country_codes: Generated<string[]>;
  email_required: Generated<boolean>;
  updated_at: GeneratedTimestamp;
}

export interface SkillsTable {
  code: string;
  label: string;
}

export type ZoneKind = 'urban' | 'periurban' | 'rural';

export interface ZonesTable {
  id: Generated<string>;
  name: string;
  kind: Generated<ZoneKind>;
}

export interface ZonePostcodesTable {
  zone_id: string;
  postcode: string;
  city: string;
  lat: number;
  lon: number;
}

export interface TechniciansTable {
  id: Generated<string>;
  name: string;
  email: string | null;
  phone: string | null;
  colour: Generated<string>;
  home_address: Generated<string>;
  home_lat: number;
  home_lon: number;
  active: Generated<boolean>;
  /**
   * Kind of the zone whose postal-code centroid is nearest the home base (drives travel speed there);
   * set by triggers (migration 0025) when the home moves or the postal codes change, null with none.
   */
  home_zone_kind: Generated<ZoneKind | null>;
  /** SHA-256 (hex) of the feed URL's token; null = no feed (migration 0017). */
  feed_token_hash: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TechnicianSkillsTable {
  technician_id: string;
  skill_code: string;
}

export interface TechnicianZonesTable {
  technician_id: string;
  zone_id: string;
}

export interface WorkingHoursTable {
  id: Generated<string>;
  technician_id: string;
  rrule: string;
  start_time: WallClockTime;
  end_time: WallClockTime;
  valid_from: CalendarDate;
  valid_until: CalendarDate | null;
}

export type ExceptionKind = 'absence' | 'extra_shift' | 'closure';

export interface AvailabilityExceptionsTable {
  id: Generated<string>;
  technician_id: string | null;
  kind: ExceptionKind;
  starts_at: Timestamp;
  ends_at: Timestamp;
  reason: Generated<string>;
}

export interface ServicesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  description: Generated<string>;
  duration_minutes: number;
  window_minutes: Generated<number>;
  min_notice_minutes: Generated<number>;
  max_horizon_days: Generated<number>;
  price_label: string | null;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ServiceSkillsTable {
  service_id: string;
  skill_code: string;
}

export type VisitStatus = 'booked' | 'cancelled' | 'done';
/** How far the technician got with a visit today (migration 0013). */
export type VisitProgress = 'planned' | 'en_route' | 'on_site' | 'done' | 'no_show';
/** Why a booked visit waits without a technician (migration 0013). */
export type UnassignedReason = 'technician-absent' | 'move-failed' | 'no-technician';
export type BookingChannel = 'web' | 'phone' | 'email' | 'desk' | 'planner';

export interface VisitsTable {
  id: Generated<string>;
  reference: string;
  service_id: string;
  technician_id: string;
  status: Generated<VisitStatus>;
  window_start: Timestamp;
  window_end: Timestamp;
  planned_start: Timestamp;
  planned_end: Timestamp;
  pinned: Generated<boolean>;
  customer_name: string;
  customer_phone: string;
  customer_email: string | null;
  address_line: string;
  postcode: string;
  city: string;
  lat: number;
  lon: number;
  notes: Generated<string>;
  channel: BookingChannel;
  booked_by: string;
  manage_token_hash: string;
  /** sha256 of the read-only token of the booking's .ics link; null for bookings made before it existed. */
  calendar_token_hash: string | null;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  cancelled_at: Timestamp | null;
  locale: Generated<MessageLocale>;
  done_at: Timestamp | null;
  /** The customer record (migration 0011); null only for rows written outside a booking. */
  customer_id: string | null;
  progress: Generated<VisitProgress>;
  progress_at: Timestamp | null;
  unassigned_reason: UnassignedReason | null;
  unassigned_at: Timestamp | null;
}

/** A window kept for one client while they type (migration 0006). */
export interface HoldsTable {
  id: Generated<string>;
  client_hash: string;
  service_id: string;
  technician_id: string;
  window_start: Timestamp;
  window_end: Timestamp;
  planned_start: Timestamp;
  planned_end: Timestamp;
  postcode: string;
  lat: number;
  lon: number;
  expires_at: Timestamp;
  renewed: Generated<boolean>;
  released_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export type HoldRow = Selectable<HoldsTable>;
export type NewHold = Insertable<HoldsTable>;

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: ColumnType<unknown, string, string>;
  /** What the request made (the booking's id): a replay rebuilds its answer from it. */
  resource_id: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export type TokenRole = 'admin' | 'planner' | 'agent';

export interface ApiTokensTable {
  id: Generated<string>;
  name: string;
  role: TokenRole;
  token_hash: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface PlansTable {
  id: Generated<string>;
  plan_date: CalendarDate;
  status: Generated<'proposed' | 'applied' | 'stale'>;
  created_by: string;
  created_at: GeneratedTimestamp;
  applied_at: Timestamp | null;
  based_on: ColumnType<Record<string, number>, string, string>;
  proposal: ColumnType<unknown, string, string>;
}

export interface SpentChallengesTable {
  challenge: string;
  expires_at: Timestamp;
}

export interface ServiceSecretsTable {
  name: string;
  value: string;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: GeneratedTimestamp;
}

export type MessageLocale = 'fr' | 'en';
export type EventAggregate = 'visit' | 'request';

export interface OutboxTable {
  id: Generated<string>;
  type: string;
  aggregate: EventAggregate;
  aggregate_id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  private_payload: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: GeneratedTimestamp;
  dispatched_at: Timestamp | null;
}

export interface WebhooksTable {
  id: Generated<string>;
  url: string;
  events: string[];
  secret: string;
  created_at: GeneratedTimestamp;
  deleted_at: Timestamp | null;
}

export type MessageChannel = 'email' | 'webhook';
export type MessageStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface MessagesTable {
  id: Generated<string>;
  dedupe_key: string;
  outbox_id: string | null;
  channel: MessageChannel;
  kind: string;
  aggregate: EventAggregate;
  aggregate_id: string;
  webhook_id: string | null;
  recipient: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<MessageStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  give_up_at: Timestamp;
  last_error: string | null;
  response_status: number | null;
  response_body: string | null;
  created_at: GeneratedTimestamp;
  sent_at: Timestamp | null;
}

export interface SatisfactionAnswersTable {
  visit_id: string;
  rating: number;
  comment: Generated<string>;
  answered_at: Timestamp;
}

export interface MessageOptOutsTable {
  email: string;
  opted_out_at: Timestamp;
}

export interface Database {
  company_settings: CompanySettingsTable;
  skills: SkillsTable;
  zones: ZonesTable;
  zone_postcodes: ZonePostcodesTable;
  technicians: TechniciansTable;
  technician_skills: TechnicianSkillsTable;
  technician_zones: TechnicianZonesTable;
  working_hours: WorkingHoursTable;
  availability_exceptions: AvailabilityExceptionsTable;
  services: ServicesTable;
  service_skills: ServiceSkillsTable;
  visits: VisitsTable;
  holds: HoldsTable;
  idempotency_keys: IdempotencyKeysTable;
  api_tokens: ApiTokensTable;
  plans: PlansTable;
  schema_migrations: SchemaMigrationsTable;
  spent_challenges: SpentChallengesTable;
  service_secrets: ServiceSecretsTable;
  outbox: OutboxTable;
  webhooks: WebhooksTable;
  messages: MessagesTable;
  satisfaction_answers: SatisfactionAnswersTable;
  message_opt_outs: MessageOptOutsTable;
  customers: CustomersTable;
  web_bookings: WebBookingsTable;
  booking_refusals: BookingRefusalsTable;
  requests: RequestsTable;
  request_history: RequestHistoryTable;
}

export interface CustomerAddress {
  street: string;
  postcode: string;
  city: string;
}

/** A person the company deals with (migration 0011); search_* are generated, folded copies. */
export interface CustomersTable {
  id: Generated<string>;
  full_name: string;
  email: string | null;
  phones: Generated<string[]>;
  addresses: ColumnType<CustomerAddress[], string | undefined, string>;
  notes: Generated<string>;
  consent_at: Timestamp | null;
  erased_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  search_name: ColumnType<string, never, never>;
  search_street: ColumnType<string, never, never>;
  search_phone: ColumnType<string, never, never>;
}

export type VisitRow = Selectable<VisitsTable>;
export type NewVisit = Insertable<VisitsTable>;
export type VisitUpdate = Updateable<VisitsTable>;
export type TechnicianRow = Selectable<TechniciansTable>;
export type ServiceRow = Selectable<ServicesTable>;
export type WorkingHoursRow = Selectable<WorkingHoursTable>;
export type AvailabilityExceptionRow = Selectable<AvailabilityExceptionsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type MessageRow = Selectable<MessagesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type CustomerRow = Selectable<CustomersTable>;

/** An online booking's client, kept 48 h for the caps and the growing proof of work (migration 0016). */
export interface WebBookingsTable {
  visit_id: string;
  /** Keyed hash of the client's network address. */
  client_key: string;
  customer_id: string | null;
  created_at: Timestamp;
}

/** Refused online bookings, counted per day and guard rule. */
export interface BookingRefusalsTable {
  day: string;
  rule: string;
  count: number;
  last_at: Timestamp;
}

export type RequestKind = 'callback' | 'out_of_area' | 'no_window' | 'quote' | 'field' | 'other';
export type RequestStatus = 'new' | 'in_progress' | 'done' | 'cancelled';
export type RequestChannel = 'web' | 'phone' | 'email' | 'desk';

/** A contact that is not (yet) a booking (migration 0012); never deleted. */
export interface RequestsTable {
  id: Generated<string>;
  reference: string;
  kind: RequestKind;
  status: Generated<RequestStatus>;
  customer_id: string;
  text: Generated<string>;
  service_id: string | null;
  postcode: string | null;
  channel: RequestChannel;
  preferred_time: string | null;
  created_by: string;
  taken_by: string | null;
  booking_id: string | null;
  close_reason: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  closed_at: Timestamp | null;
}

/** Append-only: one row per status change, the creation included. */
export interface RequestHistoryTable {
  id: Generated<number>;
  request_id: string;
  at: Timestamp;
  actor: string;
  from_status: RequestStatus | null;
  to_status: RequestStatus;
  note: Generated<string>;
}

export type RequestRow = Selectable<RequestsTable>;
export type RequestHistoryRow = Selectable<RequestHistoryTable>;
