/**
 * <tournee-booking>: the custom element a host site embeds. It owns an open
 * shadow root (the page's CSS cannot reach in, ours cannot leak out; tests and
 * assistive tools can still see inside) and re-renders the Preact app when an
 * attribute changes.
 */
import { render } from 'preact';
import { App } from './app.js';
import { parseLang } from './i18n.js';
import { adoptStyles } from './styles.js';

const ATTRIBUTES = ['api', 'service', 'lang', 'accent', 'accent-contrast', 'phone', 'company'] as const;

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

  connectedCallback(): void {
    this.update();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.update();
  }

  disconnectedCallback(): void {
    render(null, this.mount);
  }

  private update(): void {
    // Theme colours as custom properties on the mount point: CSSOM writes, which no CSP blocks.
    const accent = this.getAttribute('accent');
    const contrast = this.getAttribute('accent-contrast');
    if (accent) this.mount.style.setProperty('--a', accent);
    else this.mount.style.removeProperty('--a');
    if (contrast) this.mount.style.setProperty('--ac', contrast);
    else this.mount.style.removeProperty('--ac');

    render(
      <App
        host={this}
        apiOrigin={this.getAttribute('api') || SCRIPT_ORIGIN}
        service={this.getAttribute('service') ?? undefined}
        lang={parseLang(this.getAttribute('lang'))}
        phone={this.getAttribute('phone') || '04 78 00 12 34'}
        company={this.getAttribute('company') || 'Duret Électricité'}
      />,
      this.mount,
    );
  }
}
