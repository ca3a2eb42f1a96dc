/**
 * <tournee-booking>: the custom element a host site embeds. It owns an open
 * shadow root (the page's CSS cannot reach in, ours cannot leak out; tests and
 * assistive tools can still see inside) and re-renders the Preact app when an
 * attribute changes.
 */
import { render } from 'preact';
import { App } from './app.js';
import { parseLang } from './i18n.js';
import type { ManageKey } from './api.js';
import { ManageApp, parseManageKey } from './manage.js';
import { adoptStyles } from './styles.js';

const ATTRIBUTES = [
  'api',
  'service',
  'lang',
  'accent',
  'accent-contrast',
  'phone',
  'company',
  'manage',
] as const;

/** The API lives where the script came from, unless the page says otherwise. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

export class TourneeBooking extends HTMLElement {
  static observedAttributes = [...ATTRIBUTES];
  private mount: HTMLDivElement;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this.mount = document.createElement('div');
    this.mount.className = 'root';
    root.append(this.mount);
  }

  /** The manage key last read from the page's fragment: links to anchors (#contact) must not lose it. */
  private pageKey: ManageKey | null = null;

  /** The manage link may change its fragment without reloading the page. */
  private readonly onHashChange = () => {
    if (this.getAttribute('manage') !== '') return;
    if (parseManageKey(location.hash)) return this.update();
    // An in-page anchor (#contact): the browser has scrolled to it; put the manage key back in the
    // address so that a reload or a bookmark still opens the booking.
    if (this.pageKey) history.replaceState(history.state, '', `#${this.pageKey.id}.${this.pageKey.token}`);
  };

  connectedCallback(): void {
    window.addEventListener('hashchange', this.onHashChange);
    this.update();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.update();
  }

  disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    render(null, this.mount);
  }

  private keyFromPage(): ManageKey | null {
    const key = parseManageKey(location.hash);
    // Keep the same object while the key is unchanged, so the view does not reload.
    if (key && (key.id !== this.pageKey?.id || key.token !== this.pageKey.token)) this.pageKey = key;
    return this.pageKey;
  }

  private update(): void {
    // Theme colours as custom properties on the mount point: CSSOM writes, which no CSP blocks.
    const accent = this.getAttribute('accent');
    const contrast = this.getAttribute('accent-contrast');
    if (accent) this.mount.style.setProperty('--a', accent);
    else this.mount.style.removeProperty('--a');
    if (contrast) this.mount.style.setProperty('--ac', contrast);
    else this.mount.style.removeProperty('--ac');

    const common = {
      host: this,
      apiOrigin: this.getAttribute('api') || SCRIPT_ORIGIN,
      lang: parseLang(this.getAttribute('lang')),
      phone: this.getAttribute('phone') || '04 78 00 12 34',
      company: this.getAttribute('company') || 'Duret Électricité',
    };
    // `manage` switches to the manage view of one booking: "<id>.<token>", or taken from the page's URL fragment.
    const manage = this.getAttribute('manage');
    render(
      manage === null ? (
        <App {...common} service={this.getAttribute('service') ?? undefined} />
      ) : (
        <ManageApp {...common} manageKey={manage ? parseManageKey(manage) : this.keyFromPage()} />
      ),
      this.mount,
    );
  }
}
