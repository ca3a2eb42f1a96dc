export { enqueueMessage, EVENT_TYPES, wakeWorkersSoon, type EventType, type OutboxEvent } from './enqueue.js';
export { enqueueVisitMoved, visitEventData, type VisitEventData } from './visit-events.js';
