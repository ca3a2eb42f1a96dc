/**
 * Bookings, one module per job: view (what a reader sees), create (POST /v1/bookings), idempotency
 * (same key, same answer), manage (read, reschedule, cancel with the manage token or as staff).
 */
export { CUSTOMER_CHANGE_CUTOFF_HOURS } from '../customer-rules.js';
export { parseWindow } from '../booking-windows.js';
export { createBooking, type CreateBookingInput, type ProofOfWork } from './create.js';
export { IDEMPOTENCY_KEY_TTL_MS, requestFingerprint, type BookingOutcome } from './idempotency.js';
export { cancelBooking, getBooking, loadBookingForManager, rescheduleBooking } from './manage.js';
export {
  bookingView,
  type Booker,
  type BookingAddress,
  type BookingLinks,
  type BookingRequest,
  type BookingView,
  type CreatedBooking,
  type CustomerDetails,
  type Reader,
} from './view.js';
