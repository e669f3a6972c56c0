// "For you": the reminders the server sent (a promise falling due, a customer gone quiet, a competitor, a deal
// stuck in its stage) and the tasks assigned to this user, each closed with one tap that works offline.
import { useResource } from '../components.jsx';
import { t, dateTime } from '../lib/i18n.js';
import { enqueue } from '../lib/outbox.js';
import { flush } from '../lib/sync.js';
import { useAppState, toast } from '../lib/store.js';

/** True when a change for this record is already waiting in the outbox: the item is as good as done. */
function queued(outbox, id) {
  return outbox.some((e) => e.meta?.id === id && e.state === 'pending');
}

async function close(kind, path, id, title) {
  await enqueue({
    kind,
    method: 'POST',
    path,
    body: {},
    label: { en: `Done: ${title}`, zh: `已处理：${title}` },
    meta: { id },
  });
  toast(t(navigator.onLine ? 'followups.closing' : 'followups.queued'));
  flush();
}

export function FollowUps() {
  const app = useAppState();
  const reminders = useResource('/reminders', { limit: 20 }, ['reminder_dismiss']);
  const tasks = useResource('/tasks', { status: 'open', limit: 20 }, ['task_complete']);
  const shownReminders = (reminders.answer?.ok ? reminders.answer.data.items : []).filter(
    (r) => r.state === 'sent' && !queued(app.outbox, r.id),
  );
  const shownTasks = (tasks.answer?.ok ? tasks.answer.data.items : []).filter((k) => !queued(app.outbox, k.id));
  const held = (reminders.answer?.ok ? reminders.answer.data.items : []).filter((r) => r.state === 'held').length;
  if (!shownReminders.length && !shownTasks.length && !held) return null;
  return (
    <section class="card followups" aria-labelledby="followups-title" data-testid="followups">
      <h2 id="followups-title" class="card-title">{t('followups.title')}</h2>
      <ul class="followup-list">
        {shownTasks.map((task) => (
          <li key={task.id} class="followup" data-testid="task">
            <div>
              {task.opportunity_id ? <a href={`/opportunities/${task.opportunity_id}`}>{task.title}</a> : <strong>{task.title}</strong>}
              {task.detail && <p class="muted small">{task.detail}</p>}
            </div>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => close('task_complete', `/tasks/${task.id}/complete`, task.id, task.title)}
            >
              {t('followups.done')}
            </button>
          </li>
        ))}
        {shownReminders.map((reminder) => (
          <li key={reminder.id} class="followup" data-testid="reminder">
            <div>
              <a href={reminder.url}>{reminder.title}</a>
              <p class="muted small">
                {reminder.reason} · {dateTime(new Date(reminder.sent_at || reminder.due_at), app.session.user.timezone)}
              </p>
            </div>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => close('reminder_dismiss', `/reminders/${reminder.id}/dismiss`, reminder.id, reminder.title)}
            >
              {t('followups.dismiss')}
            </button>
          </li>
        ))}
      </ul>
      {held > 0 && <p class="muted small">{t('followups.held', { n: held })}</p>}
    </section>
  );
}
