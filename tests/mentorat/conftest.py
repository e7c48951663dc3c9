"""Factories and a ready-made cast for the mentoring core's tests."""

import datetime

import factory
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone, translation

from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.models import MentorOffer, Pairing, ParticipantProfile, Programme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = "Test"


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantProfile

    user = factory.SubFactory(UserFactory)
    discipline = "Travail social"
    site = "CLSC de Limoilou"
    unit = "Services sociaux généraux"
    years_experience = 10


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")

    @factory.post_generation
    def coordinators(self, create, extracted, **kwargs):
        """Run by the organisation's coordinators unless a test names them
        (``coordinators=[...]``, or ``[]`` for none)."""
        if create:
            self.coordinators.set(extracted if extracted is not None else coordinator_ids())

    @factory.post_generation
    def pool(self, create, extracted, **kwargs):
        """Everyone with a profile is an approved mentor of the programme (as before the
        mentor pool), unless the test says ``pool=False``."""
        if create and extracted is not False:
            join_pool(ParticipantProfile.objects.values_list("user_id", flat=True), [self])


def join_pool(user_ids, programmes=None):
    """Approved offers to mentor for ``user_ids`` in ``programmes`` (default: every
    existing one); an existing offer is left as it is."""
    programmes = Programme.objects.all() if programmes is None else programmes
    MentorOffer.objects.bulk_create(
        [
            MentorOffer(programme=programme, mentor_id=user_id, status=MentorOffer.Status.APPROVED)
            for programme in programmes
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )


def coordinator_ids():
    return list(rules.programme_staff().filter(is_superuser=False).values_list("pk", flat=True))


def make_coordinator(user, programmes=None):
    """Give ``user`` the coordinate permission and ``programmes`` (default: every existing
    one; those ProgrammeFactory makes later include them). Returns a fresh instance, without
    Django's permission cache."""
    user.user_permissions.add(Permission.objects.get(codename="coordinate_programme"))
    for programme in Programme.objects.all() if programmes is None else programmes:
        programme.coordinators.add(user)
    return get_user_model().objects.get(pk=user.pk)


def person(username, superior=None, pool=True, **profile):
    """A person with a profile, an approved mentor of every existing programme (those
    ProgrammeFactory makes later include them) unless ``pool=False``: the tests written
    before the mentor pool pair whoever they need."""
    user = UserFactory(username=username)
    ProfileFactory(user=user, superior=superior, **profile)
    if pool:
        join_pool([user.pk])
    return user


@pytest.fixture(autouse=True)
def english_messages():
    """Assert on the English source messages; one test checks the French explicitly."""
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db):
    """Director > manager > mentee; two mentors; a coordinator (seed 001's roles)."""
    director = person("directrice", discipline="Gestion")
    manager = person("gestionnaire", superior=director, discipline="Gestion")
    mentee = person("mentore", superior=manager, years_experience=1)
    mentor = person("mentor", superior=director, years_experience=15)
    mentor2 = person("mentor2", superior=director, years_experience=12)
    coordinator = make_coordinator(person("coordo", discipline="Planification"))
    return {
        "director": director,
        "manager": manager,
        "mentee": mentee,
        "mentor": mentor,
        "mentor2": mentor2,
        "coordinator": coordinator,
    }


@pytest.fixture
def programme(db):
    """Seed 001's programme: 6 months, reviews at mid-term and end, the manager pairs."""
    return ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER)


@pytest.fixture
def approved(cast, programme):
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    return lifecycle.approve_pairing(pairing, cast["manager"])


def activate(pairing, cast, objective="Réaliser une évaluation seule."):
    lifecycle.record_first_contact(pairing, cast["mentor"])
    agreement = pairing.agreement
    lifecycle.update_agreement(agreement, cast["mentee"], objectives=[(objective, "")])
    lifecycle.accept_agreement(agreement, cast["mentee"])
    lifecycle.accept_agreement(agreement, cast["mentor"])
    pairing.refresh_from_db()
    return pairing


@pytest.fixture
def active(approved, cast):
    pairing = activate(approved, cast)
    # Assigned three days ago, so meetings can be logged in the recent past.
    Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(72))
    pairing.refresh_from_db()
    return pairing


def hours_ago(hours):  # noqa: D103
    return timezone.now() - datetime.timedelta(hours=hours)
