/**
 * The benchmark's SMTP sink and webhook receiver in a process of their own (started by
 * startSinkProcess): receiving ~100 messages a second must not delay the load generator's
 * event loop, which would show as booking latency the service did not cause.
 */
import { startSmtpCounter, startWebhookCounter } from './sinks.js';

const smtp = await startSmtpCounter();
const hooks = await startWebhookCounter();
process.on('message', (message) => {
  if (message === 'arrivals') process.send!({ smtp: smtp.arrivals, hooks: hooks.arrivals });
  if (message === 'close') {
    void Promise.all([smtp.close(), hooks.close()]).then(() => process.exit(0));
  }
});
process.send!({ smtpUrl: smtp.url, hookUrl: hooks.url });
