"""The participant dashboard's budget (issue 20, part 3): its data in at most ten queries
whatever the number of pairings, meetings and requests, and nothing read on every request
that the cache keeps per site (the registration page, the programmes, whether the person
manages someone; in the demo's base template, the menu and the administration link), each
cached value dropped when what it was read from changes. Query counts, never times."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from wagtail_mentorat import caching, lifecycle, registration, space
from wagtail_mentorat.models import (
    Meeting,
    MentoringRequest,
    Message,
    Pairing,
    PairingState,
    RegistrationPage,
)
from wagtail_mentorat.training.models import TrainingModulePage

from .conftest import hours_ago, person

pytestmark = pytest.mark.django_db


def _sql(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in context.captured_queries]


def _busy_pairing(cast, programme, mentor, name, meetings):
    """A pairing in follow-up with ``meetings`` meetings, an open help request and an
    unread message from the mentee."""
    mentee = person(name, superior=cast["manager"], years_experience=1)
    pairing = lifecycle.approve_pairing(
        lifecycle.propose_pairing(programme, [mentee], [mentor], cast["manager"]),
        cast["manager"],
    )
    Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(24 * 300))
    pairing.refresh_from_db()
    lifecycle.record_first_contact(pairing, mentor, hours_ago(24 * 299))
    pairing.refresh_from_db()
    Meeting.objects.bulk_create(
        Meeting(pairing=pairing, held_at=hours_ago(24 * (j + 1)), logged_by=mentor)
        for j in range(meetings)
    )
    lifecycle.ask_for_help(pairing, mentee, "Une question de pratique")
    Message.objects.create(pairing=pairing, author=mentee, body="Bonjour")
    return pairing


def test_a_busy_mentors_dashboard_takes_at_most_ten_queries_and_no_more_as_it_grows(
    cast, programme, login
):
    programme.mentor_capacity = 100
    programme.save()
    mentor = cast["mentor"]
    _busy_pairing(cast, programme, mentor, "busy0", 2)
    client = login(mentor)
    url = reverse("wagtail_mentorat:space")
    client.get(url)  # fills the caches (programmes, registration page, menu)
    small = _sql(client, url)

    for i in range(1, 6):
        _busy_pairing(cast, programme, mentor, f"busy{i}", 30)
    MentoringRequest.objects.bulk_create(  # the mentor is also a mentee elsewhere
        MentoringRequest(programme=programme, mentee=mentor, opened_by=mentor, need=f"n{i}")
        for i in range(3)
    )
    client.get(url)  # the programme was saved: its cache was dropped
    large = _sql(client, url)

    assert Pairing.objects.filter(members__user=mentor).count() == 6
    assert len(large) == len(small) <= 10, "\n".join(large)


def test_the_dashboard_reads_neither_the_registration_page_nor_permissions_nor_the_menu(
    cast, programme, login
):
    _busy_pairing(cast, programme, cast["mentor"], "busy0", 1)
    client = login(cast["mentor"])
    url = reverse("wagtail_mentorat:space")
    client.get(url)
    tables = " ".join(_sql(client, url))
    for table in ("wagtailcore_page", "auth_permission", "wagtailcore_site", "wagtailcore_locale"):
        assert table not in tables
    assert "wagtail_mentorat_programme" not in tables  # the programmes come from the cache
    assert "superior_id" not in tables  # whether they manage someone, too


def test_the_cached_registration_page_follows_publication(cast, login):
    home = Site.objects.get(is_default_site=True).root_page
    assert registration.notice_page() is None
    page = home.add_child(
        instance=RegistrationPage(
            title="Je veux m'inscrire",
            slug="inscription",
            privacy_notice="<p>Avis</p>",
            privacy_notice_version="v3",
        )
    )
    assert registration.notice_page() == page  # a page added live is seen at once

    page.unpublish()
    assert registration.notice_page() is None
    client = login(cast["mentee"])
    assert "/inscription/" not in client.get(reverse("wagtail_mentorat:space")).content.decode()

    page.refresh_from_db()
    page.privacy_notice_version = "v4"
    page.save_revision().publish()
    cached = registration.notice_page()
    assert cached == page and cached.privacy_notice_version == "v4"
    assert "/inscription/" in client.get(reverse("wagtail_mentorat:space")).content.decode()


def test_a_new_generation_is_written_again_after_the_commit(django_capture_on_commit_callbacks):
    """Another process may read the page between the change and its commit: the token
    written after the commit drops what it cached then."""
    registration.notice_page()
    first = caching.PAGES.current_token()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        caching.PAGES.bump()
    during = caching.PAGES.current_token()
    assert during != first and len(callbacks) == 1
    callbacks[0]()
    assert caching.PAGES.current_token() not in (first, during)


def test_a_warm_registration_page_takes_no_query(django_assert_num_queries):
    registration.notice_page()
    with django_assert_num_queries(0):
        registration.notice_page()


def test_the_cached_programmes_follow_their_changes(cast, programme):
    assert space.programmes()[programme.pk].min_meetings == programme.min_meetings
    programme.min_meetings += 3
    programme.save()
    assert space.programmes()[programme.pk].min_meetings == programme.min_meetings

    home = Site.objects.get(is_default_site=True).root_page
    module = home.add_child(instance=TrainingModulePage(title="Accueil", slug="accueil"))
    programme.mentor_training.add(module)
    assert space.programmes()[programme.pk].required_training["mentor"] == [module.pk]
    programme.mentor_training.remove(module)
    assert space.programmes()[programme.pk].required_training["mentor"] == []


def test_whether_a_person_manages_someone_follows_the_profiles(cast, login):
    mentor = cast["mentor"]
    assert not space.is_manager(mentor)
    person("report", superior=mentor)
    assert space.is_manager(mentor)
    html = login(mentor).get(reverse("wagtail_mentorat:space")).content.decode()
    assert reverse("wagtail_mentorat:manager") in html


# --- the demo's base template: the plain page ----------------------------------------------


@pytest.fixture
def plain_page(demo_site):
    return demo_site["about"].url


def _admin_link(client, url):
    html = client.get(url).content.decode()
    nav = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    return reverse("wagtailadmin_home") in nav


def test_the_plain_page_reads_no_permission_and_no_menu_once_cached(plain_page, demo_users):
    client = Client()
    client.force_login(demo_users["mentor2"])
    client.get(plain_page)
    tables = " ".join(_sql(client, plain_page))
    assert "auth_permission" not in tables  # neither the header's link nor the userbar
    menu = 'SELECT "wagtailcore_page"."id", "wagtailcore_page"."title", "wagtailcore_page"."url'
    assert menu not in tables  # the menu comes from the cache


def test_the_administration_link_follows_the_permission(plain_page, demo_users):
    """Cached per person, the link still appears and disappears with the permission that
    grants it (through a group), without logging in again."""
    user = demo_users["mentor2"]
    assert not user.is_staff and not user.is_superuser
    client = Client()
    client.force_login(user)
    assert not _admin_link(client, plain_page)

    editors = Group.objects.create(name="Rédaction test")
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    user.groups.add(editors)
    assert not _admin_link(client, plain_page)
    editors.permissions.add(access)
    assert _admin_link(client, plain_page)
    editors.permissions.remove(access)
    assert not _admin_link(client, plain_page)


def test_the_menu_follows_publication(plain_page, demo_site, demo_users):
    client = Client()
    client.force_login(demo_users["mentor2"])
    about = demo_site["about"]
    html = client.get(plain_page).content.decode()
    nav = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    about.refresh_from_db()
    about.title = "Le mentorat, autrement"
    about.show_in_menus = True
    about.save_revision().publish()
    html = client.get(plain_page).content.decode()
    new_nav = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Le mentorat, autrement" in new_nav and new_nav != nav


def test_a_pairing_state_is_never_widened_by_the_cache(cast, programme, login):
    """The cache holds settings, never a person's pairings: someone else's dashboard
    shows none of the mentor's."""
    pairing = _busy_pairing(cast, programme, cast["mentor"], "busy0", 1)
    assert pairing.state == PairingState.CONTACTED
    login(cast["mentor"]).get(reverse("wagtail_mentorat:space"))
    html = login(cast["manager"]).get(reverse("wagtail_mentorat:space")).content.decode()
    assert reverse("wagtail_mentorat:pairing", args=[pairing.pk]) not in html
