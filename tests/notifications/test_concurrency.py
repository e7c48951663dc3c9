"""Two sweeps at the same moment, on PostgreSQL: each reminder is written and sent once."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from tests.mentorat.conftest import ProgrammeFactory, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Pairing, Programme
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.notifications.reminders import sweep

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent sweeps need PostgreSQL's row locks; CI runs this on PostgreSQL",
    ),
]


def _in_threads(target, count=2):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def _overdue_pairings(count):
    manager = person("chef", discipline="Gestion")
    coordinator = person("coordo", discipline="Gestion")
    coordinator.email = "coordo@example.org"
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
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


def test_two_sweeps_at_once_write_and_send_each_reminder_once():
    _overdue_pairings(6)
    Notification.objects.all().delete()
    mail.outbox = []
    results = _in_threads(sweep)
    overdue = Notification.objects.filter(kind=Kind.FIRST_CONTACT_OVERDUE)
    assert overdue.count() == 6
    assert Notification.objects.filter(kind=Kind.FIRST_CONTACT_ESCALATED).count() == 6
    assert sum(r.created for r in results) == Notification.objects.count()
    sent = Notification.objects.filter(status="sent")
    # Everyone with an address got theirs (the manager here has none: "not sent").
    assert set(Notification.objects.exclude(status="sent").values_list("kind", flat=True)) == {
        Kind.MANAGER_DIGEST
    }
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == sent.count() == 12


def test_two_workers_sending_the_same_rows_send_each_once():
    pairing = _overdue_pairings(1)[0]
    mentor = pairing.mentors[0]
    rows = [
        outbox.build(mentor, Kind.PAIRING_ACTIVE, f"race:{i}", pairing_id=pairing.pk)
        for i in range(40)
    ]
    ids = [pk for pk, _s in outbox.insert(rows, "race")]
    mail.outbox = []
    _in_threads(lambda: [outbox.send_one(pk) for pk in ids])
    assert Notification.objects.filter(pk__in=ids, status="sent").count() == 40
    headers = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(headers) == len(set(headers)) == 40
