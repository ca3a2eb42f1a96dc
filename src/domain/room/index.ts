/**
 * Make room (issue 15, item 3): windows opened by moving a few booked visits, offered by /v1/slots
 * on days with nothing else, and applied by the booking under the locks of every day it touches.
 */
export { placeMakingRoom, type RoomBooking, type RoomPlacement } from './book.js';
export {
  ROOM_DAYS_PER_REQUEST,
  ROOM_TRIES_PER_REQUEST,
  ROOM_TRIES_PER_WINDOW,
  windowsMakingRoom,
  withRoomWindows,
  type RoomSearch,
} from './offer.js';
export { buildRoomProblem, roomTechnicians, type RoomProblem } from './problem.js';
