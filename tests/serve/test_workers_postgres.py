"""Issue 19, part 5, on PostgreSQL with real processes: two `db_worker` processes, two
daily sweeps (`mentorat_remind`) and two outbox flushes (`mentorat_remind --outbox`) at
once, and the same rows enqueued several times, neither lose nor duplicate an email.

The processes run the production settings against the test database with the
django-tasks-db backend; they write each email to a file (Django's file backend), so
the sends of every process can be counted afterwards by their Message-ID header.
"""

import datetime
import os
import re
import signal
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.mentorat.conftest import ProgrammeFactory, person
from tests.serve.helpers import BASE_DIR, PYTHON, database_url, on_postgresql
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Pairing, Programme
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.notifications.tasks import send_notifications

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not on_postgresql(),
        reason="concurrent worker processes need PostgreSQL; CI runs this on PostgreSQL",
    ),
]

PAIRINGS = 6
LOST_ROWS = 30  # pending rows whose task was lost: both flushes enqueue them again
TIMEOUT = 180
Status = Notification.Status


def _process_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="intranet.settings.production",
        SECRET_KEY="test-only-workers-" + "x" * 40,
        DATABASE_URL=database_url(),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        INTRANET_VAR_DIR=str(tmp_path),
        CONN_MAX_AGE="0",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    return env


def _start(args, env, tmp_path, name):
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed by the process end
    return subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _logs(tmp_path):
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
        for path in sorted(tmp_path.glob("*.log"))
    )


def _overdue_pairings(count):
    """Pairings whose mentor missed the first contact two days ago: each sweep owes the
    mentor a reminder and the coordinator an escalation per pairing."""
    coordinator = person("coordo", discipline="Gestion")
    coordinator.email = "coordo@example.org"
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
    manager = person("chef", discipline="Gestion")
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER, mentor_capacity=50)
    mentor = person("mentor", years_experience=15)
    mentor.email = "mentor@example.org"
    mentor.save()
    manager = get_user_model().objects.get(pk=manager.pk)
    pairings = []
    for i in range(count):
        mentee = person(f"mentore{i}", superior=manager, years_experience=1)
        pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], manager)
        pairings.append(lifecycle.approve_pairing(pairing, manager))
    Pairing.objects.update(first_contact_due=timezone.now() - datetime.timedelta(days=2))
    return pairings


def _sent_message_ids(mail_dir):
    ids = []
    for path in mail_dir.glob("*.log"):
        ids += re.findall(r"^Message-ID: (\S+)", path.read_text(errors="replace"), re.M)
    return ids


def _unfinished():
    tasks = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
    rows = Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING]).count()
    return tasks + rows


def test_two_workers_two_sweeps_and_two_flushes_send_each_email_exactly_once(tmp_path):
    assert connection.vendor == "postgresql"
    pairing = _overdue_pairings(PAIRINGS)[0]
    Notification.objects.all().delete()  # what setting up sent, in this process
    mentor = pairing.mentors[0]
    lost = [
        outbox.build(mentor, Kind.PAIRING_ACTIVE, f"lost:{i}", pairing_id=pairing.pk)
        for i in range(LOST_ROWS)
    ]
    lost_ids = [pk for pk, _status in outbox.insert(lost, "lost")]
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Notification.objects.filter(pk__in=lost_ids).update(created_at=an_hour_ago)
    env = _process_env(tmp_path)
    worker_args = ["db_worker", "--skip-checks", "--interval", "0.2", "--no-startup-delay"]
    workers = [_start(worker_args, env, tmp_path, f"worker{i}") for i in (1, 2)]
    try:
        deadline = time.monotonic() + TIMEOUT
        while _logs(tmp_path).count("Starting worker") < 2 and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), _logs(tmp_path)
            time.sleep(0.2)
        # Both workers polling: each lost row also queued twice more, one task each, as
        # a retry racing a flush would queue it.
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            for pk in lost_ids * 2:
                send_notifications.enqueue([pk])
        commands = [
            _start(["mentorat_remind", "--skip-checks"], env, tmp_path, "sweep1"),
            _start(["mentorat_remind", "--skip-checks"], env, tmp_path, "sweep2"),
            _start(["mentorat_remind", "--outbox", "--skip-checks"], env, tmp_path, "flush1"),
            _start(["mentorat_remind", "--outbox", "--skip-checks"], env, tmp_path, "flush2"),
        ]
        for command in commands:
            assert command.wait(timeout=TIMEOUT) == 0, _logs(tmp_path)
        deadline = time.monotonic() + TIMEOUT
        while _unfinished() and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), _logs(tmp_path)
            time.sleep(0.5)
        assert _unfinished() == 0, _logs(tmp_path)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)

    # Each reminder written once, whichever sweep won.
    assert Notification.objects.filter(kind=Kind.FIRST_CONTACT_OVERDUE).count() == PAIRINGS
    assert Notification.objects.filter(kind=Kind.FIRST_CONTACT_ESCALATED).count() == PAIRINGS
    # Nothing lost: every row ends sent, or not sent for a stated reason (no address).
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert statuses <= {Status.SENT, Status.SKIPPED}, _logs(tmp_path)
    assert set(Notification.objects.filter(pk__in=lost_ids).values_list("status", flat=True)) == {
        Status.SENT
    }
    # Nothing doubled: one message per sent row, across both workers' files.
    sent = list(Notification.objects.filter(status=Status.SENT))
    ids = _sent_message_ids(tmp_path / "mail")
    assert len(ids) == len(set(ids)) == len(sent) >= LOST_ROWS + 2 * PAIRINGS
    assert set(ids) == {outbox.message_header_id(n) for n in sent}
    # Both workers took part, and no task failed.
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0
    workers_seen = set()
    for worker_ids in DBTaskResult.objects.values_list("worker_ids", flat=True):
        workers_seen.update(worker_ids)
    assert len(workers_seen) == 2, _logs(tmp_path)
