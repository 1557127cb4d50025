import { runDailyReminders } from '../../shared/domain/daily-reminders.ts';
import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { defaultDeps } from './deps.ts';

const o = observability('reminders');
const deps = defaultDeps();

/**
 * Daily (EventBridge Scheduler): missing receipts (employee, manager, and on Mondays finance's weekly digest),
 * approvals still waiting, company documents about to expire. See runDailyReminders.
 */
export const handler = lambda(async (event: { time?: string; detail?: { digest?: boolean } }) => {
  // The schedule's own time (EventBridge stamps it), so a late or replayed run acts as of when it was due.
  const now = event?.time && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time) : new Date();
  const digest = event?.detail?.digest === true || now.getUTCDay() === 1;
  const counts = await runDailyReminders(deps, now, { digest });
  o.logger.info('reminders sent', { ...counts });
  return counts;
}, o);
