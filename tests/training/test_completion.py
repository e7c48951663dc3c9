"""Completion, expiry and renewal; the services API the mentoring core calls."""

import datetime

import pytest
from django.db import IntegrityError

from wagtail_mentorat.training import services
from wagtail_mentorat.training.models import Completion, CompletionSource, add_months

from .conftest import ALL_RIGHT, answers

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 1), 1, D(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_a_completion_expires_after_the_modules_validity(make_module, mentee):
    module = make_module(slug="continue", validity_months=12)
    completion = services.record_completion(mentee, module, completed_on=D(2026, 3, 10))
    assert completion.expires_on == D(2027, 3, 10)
    assert services.has_completed(mentee, module, on=D(2026, 3, 10))
    assert services.has_completed(mentee, module, on=D(2027, 3, 9))
    assert not services.has_completed(mentee, module, on=D(2027, 3, 10))
    assert not services.has_completed(mentee, module, on=D(2026, 3, 9))


def test_a_completion_without_validity_never_expires(module, mentee):
    completion = services.record_completion(mentee, module, completed_on=D(2020, 1, 1))
    assert completion.expires_on is None
    assert services.has_completed(mentee, module, on=D(2099, 1, 1))


def test_renewal_adds_a_completion_and_extends_validity(make_module, mentee):
    module = make_module(slug="continue", validity_months=12)
    services.record_completion(mentee, module, completed_on=D(2025, 1, 10))
    assert not services.has_completed(mentee, module, on=D(2026, 2, 1))
    services.record_completion(mentee, module, completed_on=D(2026, 2, 1))
    assert services.has_completed(mentee, module, on=D(2026, 2, 1))
    assert services.current_completion(mentee, module, on=D(2026, 6, 1)).expires_on == D(2027, 2, 1)
    assert Completion.objects.filter(user=mentee, module=module).count() == 2


def test_missing_modules_keeps_the_programmes_order(make_module, mentee):
    first, second, third = (make_module(slug=f"m{n}") for n in range(3))
    services.record_completion(mentee, second)
    assert services.missing_modules(mentee, [third, second, first]) == [third, first]
    assert services.missing_modules(mentee, []) == []


def test_missing_modules_counts_expired_training_as_missing(make_module, mentee):
    module = make_module(slug="continue", validity_months=12)
    services.record_completion(mentee, module, completed_on=D(2024, 1, 1))
    assert services.missing_modules(mentee, [module], on=D(2024, 6, 1)) == []
    assert services.missing_modules(mentee, [module], on=D(2025, 6, 1)) == [module]


def test_missing_modules_with_one_query(make_module, mentee, django_assert_num_queries):
    modules = [make_module(slug=f"m{n}") for n in range(4)]
    with django_assert_num_queries(1):
        services.missing_modules(mentee, modules)


def test_users_who_completed_every_module(make_module, demo_users):
    a, b = make_module(slug="a"), make_module(slug="b")
    services.record_completion(demo_users["mentor1"], a)
    services.record_completion(demo_users["mentor1"], b)
    services.record_completion(demo_users["mentor2"], a)
    ids = set(services.users_who_completed([a, b]))
    assert ids == {demo_users["mentor1"].pk}
    User = type(demo_users["mentor1"])
    eligible = User.objects.filter(pk__in=services.users_who_completed([a, b]))
    assert list(eligible) == [demo_users["mentor1"]]
    assert set(services.users_who_completed([a])) == {
        demo_users["mentor1"].pk,
        demo_users["mentor2"].pk,
    }


def test_external_package_completion_is_recorded_once_per_reference(module, mentee):
    first = services.record_completion(
        mentee, module, source=CompletionSource.EXTERNAL, score=90, reference="scorm-attempt-17"
    )
    again = services.record_completion(
        mentee, module, source=CompletionSource.EXTERNAL, score=90, reference="scorm-attempt-17"
    )
    assert first.pk == again.pk
    assert Completion.objects.filter(source="external").count() == 1


def test_the_database_refuses_a_duplicate_external_reference(module, mentee):
    services.record_completion(mentee, module, source="external", reference="x")
    with pytest.raises(IntegrityError):
        Completion.objects.create(
            user=mentee, module=module, completed_on=D(2026, 1, 1), source="external", reference="x"
        )


@pytest.mark.parametrize(("kwargs"), [{"source": "invented"}, {"score": 101}, {"score": -1}])
def test_record_completion_refuses_bad_values(module, mentee, kwargs):
    with pytest.raises(services.TrainingError):
        services.record_completion(mentee, module, **kwargs)


def test_anonymous_users_have_completed_nothing(module):
    from django.contrib.auth.models import AnonymousUser

    assert not services.has_completed(AnonymousUser(), module)
    assert services.missing_modules(AnonymousUser(), [module]) == [module]


# ----------------------------------------------------------------- certificate


def _pass(client, module):
    client.post(module.url + "quiz/", answers(module, ALL_RIGHT))
    return Completion.objects.latest("id")


def test_the_certificate_shows_name_date_score_and_expiry(mentee_client, make_module):
    module = make_module(slug="continue", validity_months=12)
    completion = _pass(mentee_client, module)
    response = mentee_client.get(f"{module.url}certificat/{completion.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Attestation de formation" in html and "Amélie Pelletier" in html
    assert "100 %" in html and "Valide jusqu" in html
    assert completion.expires_on.year == completion.completed_on.year + 1


def test_someone_elses_certificate_is_not_found(mentee_client, client_for, module):
    completion = _pass(mentee_client, module)
    response = client_for("mentore2").get(f"{module.url}certificat/{completion.pk}/")
    assert response.status_code == 404


def test_a_completion_cannot_be_edited_by_url(mentee_client, client_for, module):
    completion = _pass(mentee_client, module)
    url = f"{module.url}certificat/{completion.pk}/"
    response = mentee_client.post(url, {"score": 0, "completed_on": "2020-01-01"})
    assert response.status_code == 405
    # The admin has reports of completions, no edit view, even for a coordinator.
    admin = client_for("coordination")
    for path in (
        f"/admin/training/completion/{completion.pk}/edit/",
        f"/admin/formation/rapports/completions/{completion.pk}/",
        f"/admin/snippets/training/completion/edit/{completion.pk}/",
    ):
        assert admin.post(path, {"score": 0}).status_code == 404
    completion.refresh_from_db()
    assert completion.score == 100
