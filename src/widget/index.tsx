/**
 * Entry point of /widget.js. Defines <tournee-booking> and nothing else: no
 * globals, no side effects on the host page beyond the element registry.
 */
import { TourneeBooking } from './element.js';

if (!customElements.get('tournee-booking')) customElements.define('tournee-booking', TourneeBooking);
