"""Retention of training records and of Wagtail page history (A-2.1 s. 73).

A person's training records go, all together, once they have no mentoring profile and no
training activity for the ``training`` period (a completion counts until it expires, a
registration until its session ends); a legal hold suspends it. When a person is destroyed
and is not an intranet editor, their page log entries and page revisions go too; an
editor's page history is the intranet's and stays.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision

from tests.mentorat.conftest import UserFactory
from wagtail_mentorat import rules
from wagtail_mentorat.privacy import retention
from wagtail_mentorat.privacy.models import LegalHold
from wagtail_mentorat.training import services
from wagtail_mentorat.training.models import (
    Completion,
    CompletionSource,
    ModuleProgress,
    QuizAttempt,
    SessionRegistration,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingRequest,
    TrainingSession,
)

from .conftest import person
from .test_retention import scan

pytestmark = pytest.mark.django_db(transaction=False)

MARK = "FORMATION-CANARI-4e1b"
DAYS = 730
TRAINING_MODELS = (ModuleProgress, QuizAttempt, Completion, SessionRegistration)


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def module_page(slug="module-retention", validity_months=None, editor=None):
    """A published training module under a training index (created if missing)."""
    index = TrainingIndexPage.objects.first()
    if index is None:
        index = Page.get_first_root_node().add_child(
            instance=TrainingIndexPage(title="Formation", slug="formation-retention")
        )
    module = index.add_child(
        instance=TrainingModulePage(
            title=f"Module {slug}", slug=slug, validity_months=validity_months
        )
    )
    module.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    module.refresh_from_db()
    return module


def trained(user, module, mark=MARK, when=None, coordinator=None):
    """Every kind of training record for ``user``, dated ``when``, with ``mark`` in each
    free text: saved and submitted quiz answers, a completion's reference, a training
    request's topic and details; and an admin log entry on the request."""
    when = when or timezone.now()
    services.save_progress(user, module, {"q1": [mark]})
    attempt = QuizAttempt.objects.create(
        user=user, module=module, answers={"q1": [mark]}, points=1, question_count=1,
        score=100, pass_mark=80, passed=True,
    )  # fmt: skip
    services.record_completion(
        user, module, source=CompletionSource.QUIZ, attempt=attempt, score=100,
        completed_on=when.date(),
    )  # fmt: skip
    services.record_completion(
        user, module, source=CompletionSource.EXTERNAL, reference=f"{mark}-{user.pk}",
        completed_on=when.date(),
    )  # fmt: skip
    request = services.request_training(user, f"{mark} topic", details=mark, module=module)
    session = TrainingSession.objects.create(
        title="Séance d'accueil", module=module, place="Salle 3",
        starts_at=when - datetime.timedelta(hours=3), ends_at=when - datetime.timedelta(hours=1),
    )  # fmt: skip
    registration = SessionRegistration.objects.create(
        session=session, user=user, status=SessionRegistration.Status.REGISTERED,
        registered_at=when - datetime.timedelta(days=7), attended=True,
    )  # fmt: skip
    services.record_completion(
        user, module, source=CompletionSource.SESSION, registration=registration,
        completed_on=when.date(),
    )  # fmt: skip
    log(instance=request, action="wagtail.edit", user=coordinator, data={"note": mark})
    ModuleProgress.objects.filter(user=user).update(started_at=when, updated_at=when)
    QuizAttempt.objects.filter(user=user).update(submitted_at=when)
    Completion.objects.filter(user=user).update(recorded_at=when, completed_on=when.date())
    TrainingRequest.objects.filter(requester=user).update(created_at=when)
    return request


def records_of(user):
    counts = {model.__name__: model.objects.filter(user=user).count() for model in TRAINING_MODELS}
    counts["TrainingRequest"] = TrainingRequest.objects.filter(requester=user).count()
    return counts


def has_records(user):
    return any(records_of(user).values())


def editor(username):
    user = UserFactory(username=username)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def staff(username):
    """An intranet account with no mentoring profile (staff, a manager who never joined)."""
    return UserFactory(username=username)


@pytest.fixture
def module(db):
    return module_page()


def test_a_quiet_person_without_a_profile_loses_every_training_record(module, cast):
    former = staff("ancienne")
    trained(former, module, when=ago(DAYS + 5), coordinator=cast["coordinator"])
    assert "mentorat_training_trainingrequest" in scan(
        MARK
    ) and "mentorat_training_quizattempt" in scan(MARK)
    assert ModelLogEntry.objects.filter(data__note=MARK).exists()

    result = retention.run()

    assert result.training == 1
    assert not has_records(former)
    assert scan(MARK) == []
    assert (
        result.rows["mentorat_training.QuizAttempt"] == 1
        and result.rows["mentorat_training.Completion"] == 3
    )
    assert result.log_entries >= 1  # the admin's entry on the request went with it
    # The catalogue and the intranet account stay.
    assert TrainingSession.objects.exists() and type(former).objects.filter(pk=former.pk).exists()


def test_recent_training_activity_keeps_all_the_records(module):
    learner = staff("apprenante")
    trained(learner, module, when=ago(DAYS + 200))
    QuizAttempt.objects.filter(user=learner).update(submitted_at=ago(10))
    before = records_of(learner)
    assert retention.run().training == 0
    assert records_of(learner) == before


def test_a_registration_counts_until_its_session_ends(module):
    learner = staff("inscrite")
    trained(learner, module, when=ago(DAYS + 200))
    TrainingSession.objects.update(starts_at=ago(-30), ends_at=ago(-29))  # a session to come
    assert retention.run().training == 0
    assert has_records(learner)


def test_a_completion_that_still_counts_is_kept_until_its_expiry_plus_the_period(module):
    learner = staff("continue")
    trained(learner, module, when=ago(DAYS + 200))
    expiry = timezone.localdate() + datetime.timedelta(days=90)
    Completion.objects.filter(user=learner, source=CompletionSource.EXTERNAL).update(
        expires_on=expiry
    )
    assert retention.run().training == 0
    assert retention.run(now=timezone.now() + datetime.timedelta(days=DAYS + 89)).training == 0
    assert retention.run(now=timezone.now() + datetime.timedelta(days=DAYS + 91)).training == 1
    assert not has_records(learner)


def test_a_completion_an_active_mentor_relies_on_is_kept(active, programme, cast, module):
    mentor = cast["mentor"]
    programme.mentor_training.add(module)
    trained(mentor, module, when=ago(DAYS * 3))
    assert rules.missing_training(programme, mentor, "mentor") == []

    result = retention.run(now=timezone.now() + datetime.timedelta(days=DAYS + 1))

    assert result.training == 0
    assert Completion.objects.filter(user=mentor).count() == 3
    assert rules.missing_training(programme, mentor, "mentor") == []


def test_an_inactive_profile_takes_the_training_records_with_it(module):
    former = person("ancien-mentor")
    trained(former, module)
    later = timezone.now() + datetime.timedelta(days=DAYS + 1)
    result = retention.run(now=later)
    assert result.profiles == 1 and result.training == 1
    assert not has_records(former)
    assert scan(MARK) == []


def test_a_legal_hold_on_the_person_suspends_it(module, cast):
    held = staff("retenue")
    trained(held, module, when=ago(DAYS + 5))
    hold = LegalHold.objects.create(user=held, reason="Grievance", placed_by=cast["coordinator"])
    result = retention.run()
    assert result.training == 0 and result.held_people >= 1
    assert has_records(held)
    LegalHold.objects.filter(pk=hold.pk).update(lifted_at=timezone.now())
    assert retention.run().training == 1
    assert not has_records(held)


def test_a_request_whose_account_is_gone_is_destroyed_after_the_period(module):
    old = TrainingRequest.objects.create(requester=None, topic=MARK, details=MARK)
    TrainingRequest.objects.filter(pk=old.pk).update(created_at=ago(DAYS + 1))
    recent = TrainingRequest.objects.create(requester=None, topic="Récente")
    result = retention.run()
    assert result.rows["mentorat_training.TrainingRequest"] == 1
    assert list(TrainingRequest.objects.values_list("pk", flat=True)) == [recent.pk]


def test_dry_run_counts_and_changes_nothing(module, capsys):
    former = staff("ancienne")
    trained(former, module, when=ago(DAYS + 5))
    before, written = records_of(former), scan(MARK)

    result = retention.run(dry_run=True)

    assert result.dry_run and result.training == 1
    assert result.rows["mentorat_training.ModuleProgress"] == 1
    assert records_of(former) == before and scan(MARK) == written
    call_command("mentorat_retention", "--dry-run")
    out = capsys.readouterr().out
    assert '"training": 1' in out and '"page_log_entries": 0' in out
    assert records_of(former) == before

    real = retention.run()
    assert (real.training, dict(real.rows)) == (result.training, dict(result.rows))


def test_a_second_run_deletes_nothing(module):
    for n in range(3):
        trained(staff(f"ancienne{n}"), module, when=ago(DAYS + 5))
    first = retention.run()
    assert first.training == 3
    again = retention.run()
    assert again.training == again.page_log_entries == again.page_revisions == 0
    assert again.log_entries == again.revisions == 0 and not again.rows


# --- page history ----------------------------------------------------------------------------


def participant_page_history(user, module, mark=MARK):
    """What only code could write: a participant's own page log entry and page revision."""
    page = TrainingModulePage.objects.get(pk=module.pk)
    page.summary = mark
    revision = page.save_revision(user=user, log_action=True)
    log(instance=page, action="wagtail.edit", user=user, data={"note": mark})
    Page.objects.filter(pk=module.pk).update(owner=user)
    return revision


def test_a_non_editors_page_history_goes_with_them(module):
    former = staff("ancienne")
    trained(former, module, when=ago(DAYS + 5))
    participant_page_history(former, module)
    written = scan(MARK)
    assert "wagtailcore_revision" in written and "wagtailcore_pagelogentry" in written

    result = retention.run()

    assert result.training == 1
    assert result.page_log_entries == 2 and result.page_revisions == 1
    assert not PageLogEntry.objects.filter(user=former).exists()
    assert not Revision.objects.filter(user=former).exists()
    assert scan(MARK) == []
    # The page itself, its live version and its editorial history stay.
    module.refresh_from_db()
    assert module.live and module.live_revision_id and module.owner_id is None
    assert PageLogEntry.objects.filter(page=module, action="wagtail.publish").exists()


def test_a_live_revision_stays_without_its_author(module):
    former = staff("ancienne")
    trained(former, module, when=ago(DAYS + 5))
    revision = participant_page_history(former, module, mark="Résumé publié")
    revision.publish()
    result = retention.run()
    assert result.page_revisions == 0 and result.page_revisions_anonymised == 1
    revision.refresh_from_db()
    assert revision.user_id is None
    assert TrainingModulePage.objects.get(pk=module.pk).live_revision_id == revision.pk


def test_an_editors_page_history_is_the_intranets_and_stays(db):
    writer = editor("redactrice")
    module = module_page("module-redaction", editor=writer)
    trained(writer, module, when=ago(DAYS + 5))
    participant_page_history(writer, module, mark="Révision éditoriale")

    result = retention.run()

    assert result.training == 1  # their own training records are destroyed…
    assert not has_records(writer)
    assert result.page_log_entries == result.page_revisions == 0  # …their editing is not
    assert PageLogEntry.objects.filter(user=writer).count() >= 3
    assert Revision.objects.filter(user=writer).count() == 2
    assert Page.objects.get(pk=module.pk).owner_id == writer.pk


# --- cost ------------------------------------------------------------------------------------


def _run_queries(count, prefix, module):
    for n in range(count):
        user = staff(f"{prefix}{n}")
        trained(user, module, when=ago(DAYS + 5))
        participant_page_history(user, module, mark=f"{prefix}{n}")
    with CaptureQueriesContext(connection) as queries:
        result = retention.run()
    assert result.training == count and result.page_revisions == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_people(
    module, django_assert_max_num_queries
):
    retention.run()  # warm the content-type cache
    few = _run_queries(3, "peu", module)
    for n in range(30):
        user = staff(f"beaucoup{n}")
        trained(user, module, when=ago(DAYS + 5))
        participant_page_history(user, module, mark=f"beaucoup{n}")
    with django_assert_max_num_queries(few):
        result = retention.run()
    assert result.training == 30 and result.page_log_entries == 60
