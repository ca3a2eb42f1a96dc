import type { FeedTechnicianRecord } from '../db/calendar.js';
import type { CompanySettings } from '../db/company-settings.js';
import type { BookedRouteCache } from './booked-routes.js';
import type { BuiltCalendar, FeedRange } from './calendar.js';

/** A built feed, for the range it was built for, until a shown cancellation expires. */
interface KeptFeed {
  calendar: BuiltCalendar;
  from: number;
  to: number;
  /** Ms since 1970: when the first cancellation it shows drops out (Infinity when it shows none). */
  validUntil: number;
}

/** Feeds kept at most: the team's and one per technician with a subscribed phone. */
const MAX_FEEDS = 5000;
/** Feed tokens remembered at most (known ones only: an unknown token is looked up every time). */
const MAX_TOKENS = 5000;

/**
 * Calendar feeds as built, kept in memory per technician and for the team, until something they
 * show changes. Phones poll feeds all day and nearly every poll finds nothing new: a kept feed
 * answers it with no read at all besides the freshness question slot requests already ask.
 *
 * What forgets a feed, watched the way slot answers are (booked-routes.ts, slot-answers.ts):
 * - a technician-day marked changed (migration 0019, widened by 0022 to everything a feed shows of
 *   a visit: a booking, cancellation, move, reassignment, absence re-plan, contact edit, erasure)
 *   forgets that technician's feed and the team's;
 * - a reference change (settings, services, technicians — names and feed tokens —, hours,
 *   absences) forgets every feed, every remembered token and the company settings;
 * - the clock: a feed is kept for its range (which slides at the company's local midnight) and
 *   until the first cancellation it shows expires (CANCELLED_KEPT_DAYS after it).
 *
 * A poll first waits for the freshness question (`upToDate`), so it sees every change committed
 * before it arrived, on any instance. A feed whose technician changed while it was being built is
 * served but not kept.
 */
export class KeptFeeds {
  private readonly feeds = new Map<string, KeptFeed>();
  private readonly tokens = new Map<string, FeedTechnicianRecord>();
  private settingsRead: Promise<CompanySettings | undefined> | undefined;
  /** Moves at every forgetting; a build begun before a move of its key's or of `epoch` is not kept. */
  private readonly generations = new Map<string, number>();
  private epoch = 0;

  constructor(private readonly routes: BookedRouteCache) {
    routes.onRoutesChanged((days) => {
      const technicians = new Set(days.map((day) => day.slice(0, day.indexOf(' '))));
      for (const technicianId of technicians) this.forget(technicianFeedKey(technicianId));
      this.forget(TEAM_FEED_KEY);
    });
    routes.onReferenceChange(() => {
      this.feeds.clear();
      this.tokens.clear();
      this.settingsRead = undefined;
      this.epoch++;
    });
  }

  /** Resolves once every change committed before the call is taken into account. */
  upToDate(): Promise<void> {
    return this.routes.upToDate();
  }

  /** The company settings, read once and kept until a reference change (which drops a read under way too). */
  settings(read: () => Promise<CompanySettings | undefined>): Promise<CompanySettings | undefined> {
    if (this.settingsRead) return this.settingsRead;
    const reading = read();
    const drop = () => {
      if (this.settingsRead === reading) this.settingsRead = undefined;
    };
    reading.then((found) => found ?? drop(), drop);
    this.settingsRead = reading;
    return reading;
  }

  /** The technician a feed token's hash names, remembered once found, until a reference change. */
  async technician(
    tokenHash: string,
    read: () => Promise<FeedTechnicianRecord | undefined>,
  ): Promise<FeedTechnicianRecord | undefined> {
    const known = this.tokens.get(tokenHash);
    if (known) return known;
    const epoch = this.epoch;
    const found = await read();
    if (found && this.epoch === epoch) {
      if (this.tokens.size >= MAX_TOKENS) this.tokens.clear();
      this.tokens.set(tokenHash, found);
    }
    return found;
  }

  /**
   * The feed under `key` for `range` at `now`: kept, or built (then kept while nothing it shows has
   * changed). `build` says until when its document holds with time alone.
   */
  async feed(
    key: string,
    range: FeedRange,
    now: Date,
    build: () => Promise<{ calendar: BuiltCalendar; validUntil: number }>,
  ): Promise<BuiltCalendar> {
    const from = range.from.getTime();
    const to = range.to.getTime();
    const kept = this.feeds.get(key);
    if (kept && kept.from === from && kept.to === to && now.getTime() < kept.validUntil) return kept.calendar;
    const generation = this.generations.get(key) ?? 0;
    const epoch = this.epoch;
    const built = await build();
    if ((this.generations.get(key) ?? 0) === generation && this.epoch === epoch) {
      if (!this.feeds.has(key) && this.feeds.size >= MAX_FEEDS) this.feeds.clear();
      this.feeds.set(key, { calendar: built.calendar, from, to, validUntil: built.validUntil });
    }
    return built.calendar;
  }

  private forget(key: string): void {
    this.feeds.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }
}

export const TEAM_FEED_KEY = 'team';

export function technicianFeedKey(technicianId: string): string {
  return `technician:${technicianId}`;
}
