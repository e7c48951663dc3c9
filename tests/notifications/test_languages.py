"""The email language follows the host's languages, read at run time (issue 16, item 4)."""

import pytest
from django.conf import global_settings
from django.core.exceptions import ValidationError

from tests.mentorat.conftest import UserFactory
from wagtail_mentorat.models import ParticipantProfile
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.forms import NotificationSettingsForm
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_host(settings):
    settings.LANGUAGE_CODE = "en-us"
    settings.LANGUAGES = global_settings.LANGUAGES
    settings.WAGTAIL_CONTENT_LANGUAGES = global_settings.LANGUAGES


def settings_form(user, language):
    return NotificationSettingsForm(
        {"language": language, "wanted": []}, instance=NotificationSettings(user=user)
    )


def test_the_form_offers_and_accepts_only_the_hosts_languages(settings):
    user = UserFactory()
    form = settings_form(user, "de")
    assert [code for code, _label in form.fields["language"].choices] == ["", "fr", "en"]
    assert not form.is_valid() and "language" in form.errors
    assert settings_form(user, "en").is_valid()
    assert settings_form(user, "").is_valid()  # the intranet's own choice

    settings.LANGUAGES = [*settings.LANGUAGES, ("de", "Deutsch")]
    form = settings_form(user, "de")
    assert form.is_valid(), form.errors
    assert form.save().language == "de"


def test_a_language_the_host_does_not_offer_is_refused_outside_the_form():
    prefs = NotificationSettings(user=UserFactory(), language="xx")
    with pytest.raises(ValidationError) as refused:
        prefs.full_clean()
    assert "language" in refused.value.message_dict


def test_without_a_choice_an_email_is_in_the_hosts_default_language(settings, english_host):
    assert outbox.language_for(UserFactory()) == "en-us"
    assert outbox.language_for(UserFactory(), NotificationSettings(language="de")) == "de"
    settings.LANGUAGES = [("en", "English")]  # French chosen once, no longer offered
    assert outbox.language_for(UserFactory(), NotificationSettings(language="fr")) == "en-us"


def subject(language, user):
    row = Notification(
        recipient=user,
        to_email="x@example.org",
        kind=Kind.REGISTRATION_TO_CONFIRM,
        language=language,
        idempotency_key=f"lang:{language}",
    )
    return outbox.render(row)[0]


def test_a_row_without_a_language_is_written_in_the_hosts_default(settings):
    user = UserFactory()
    french, english = subject("fr", user), subject("en", user)
    assert french != english
    assert subject("", user) == french  # the demo: French first
    settings.LANGUAGE_CODE = "en"
    assert subject("", user) == english


def test_a_new_profile_speaks_the_hosts_default_language(settings, english_host):
    assert ParticipantProfile.objects.create(user=UserFactory()).languages == "en"
    settings.LANGUAGE_CODE = "fr"
    assert ParticipantProfile.objects.create(user=UserFactory()).languages == "fr"
