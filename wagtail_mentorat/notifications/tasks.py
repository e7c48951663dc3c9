"""Background tasks (Django's tasks API through django-tasks). They take primary keys only.

django-tasks neither retries a failed task nor recovers one whose worker died: the outbox
owns both (``outbox.send_one`` never raises for a failed send; ``mentorat_remind`` flushes
what is left). Enqueue them inside ``transaction.on_commit`` (``outbox.add`` does).
"""

from django_tasks import task

from . import outbox


@task()
def send_notifications(notification_ids):
    """Send each row that can still be claimed. Returns {status: count}."""
    counts = {}
    for pk in notification_ids:
        status = outbox.send_one(pk)
        key = str(status) if status else "skipped"
        counts[key] = counts.get(key, 0) + 1
    return counts


@task()
def remind():
    """The daily sweep as a task, for a scheduler that runs tasks periodically."""
    from .reminders import sweep

    return sweep().as_dict()
