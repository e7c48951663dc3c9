"""A coordinator runs the programmes that name them (A-2.1 s. 62; ASVS V8.2.2).

On the demo: ``coordination`` coordinates both programmes, ``coordination2`` the
counsellors' service only. Everything of the CISSS programme (its pairings, requests,
agreements, disagreements, closures, circles, emails, indicators and self-assessments)
must be out of ``coordination2``'s reach, and any address naming one answers 404, as a
record that does not exist.
"""

import csv
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from home.demo_mentoring import CISSS, SERVICE
from tests.mentorat.conftest import ProgrammeFactory, activate, make_coordinator, person
from wagtail_mentorat import circles, lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.indicators.models import SelfAssessment
from wagtail_mentorat.models import (
    Agreement,
    Circle,
    MentoringRequest,
    Pairing,
    PairingState,
    Programme,
)
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification

pytestmark = pytest.mark.django_db

SNIPPETS = "/admin/snippets/wagtail_mentorat"


@pytest.fixture
def scene(demo_users):
    """The CISSS's records, one of each kind, and the clients of both coordinators."""
    cisss, service = Programme.objects.get(name=CISSS), Programme.objects.get(name=SERVICE)
    pairing = Pairing.objects.get(
        programme=cisss, members__user=demo_users["mentore1"], members__role="mentee"
    )
    disagreement = lifecycle.raise_disagreement(
        pairing, demo_users["mentore1"], "Nous ne nous entendons pas sur les rencontres."
    )
    closed = Pairing.objects.filter(programme=cisss, state=PairingState.CLOSED).first()
    request = MentoringRequest.objects.filter(programme=cisss).first()
    assessment = SelfAssessment.objects.create(
        programme=cisss,
        period_start="2026-01-01",
        period_end="2026-12-31",
        created_by=demo_users["coordination"],
        updated_by=demo_users["coordination"],
    )
    clients = {}
    for name in ("coordination", "coordination2"):
        clients[name] = Client()
        clients[name].force_login(demo_users[name])
    return {
        "cisss": cisss,
        "service": service,
        "pairing": pairing,
        "agreement": Agreement.objects.get(pairing=pairing),
        "disagreement": disagreement,
        "closed": closed,
        "request": request,
        "circle": Circle.objects.filter(pairing__programme=cisss).first(),
        "assessment": assessment,
        "clients": clients,
        "users": demo_users,
    }


def _record_urls(scene):
    pairing, agreement = scene["pairing"], scene["agreement"]
    urls = [
        f"{SNIPPETS}/pairing/inspect/{pairing.pk}/",
        f"{SNIPPETS}/pairing/history/{pairing.pk}/",
        f"{SNIPPETS}/pairing/edit/{pairing.pk}/",
        f"{SNIPPETS}/pairing/usage/{pairing.pk}/",
        f"{SNIPPETS}/agreement/inspect/{agreement.pk}/",
        f"{SNIPPETS}/agreement/history/{agreement.pk}/",
        f"{SNIPPETS}/mentoringrequest/inspect/{scene['request'].pk}/",
        f"{SNIPPETS}/mentoringrequest/history/{scene['request'].pk}/",
        f"{SNIPPETS}/disagreement/inspect/{scene['disagreement'].pk}/",
        f"{SNIPPETS}/programme/edit/{scene['cisss'].pk}/",
        f"{SNIPPETS}/programme/history/{scene['cisss'].pk}/",
        f"/admin/snippets/choose/wagtail_mentorat/pairing/chosen/{pairing.pk}/",
        f"/admin/mentorat/indicateurs/auto-evaluation/{scene['assessment'].pk}/",
        f"/admin/mentorat/indicateurs/auto-evaluation/{scene['assessment'].pk}/rapport/",
        f"/admin/mentorat/cercles/{scene['circle'].pk}/fermer/",
    ]
    if scene["closed"] is not None:
        urls += [
            f"/admin/wagtail_mentorat/pairing/inspect/{scene['closed'].pk}/",
            f"/admin/wagtail_mentorat/pairing/history/{scene['closed'].pk}/",
        ]
    return urls


def test_every_address_of_another_programmes_record_answers_404(scene):
    wrong = []
    for url in _record_urls(scene):
        other = scene["clients"]["coordination2"].get(url).status_code
        own = scene["clients"]["coordination"].get(url).status_code
        if other != 404:
            wrong.append(f"coordination2 {url}: {other}")
        if own == 404:
            wrong.append(f"coordination {url}: 404 (should reach it)")
    assert not wrong, "\n".join(wrong)
    # A malformed id is a missing record, not an error.
    for url in (f"{SNIPPETS}/pairing/inspect/abc/", f"{SNIPPETS}/programme/edit/%00/"):
        assert scene["clients"]["coordination"].get(url).status_code == 404
    # Nothing was written on the way (a GET of an edit or close form writes nothing).
    scene["pairing"].refresh_from_db()
    assert scene["pairing"].state == PairingState.ACTIVE


def test_listings_exports_and_choosers_leave_out_another_programme(scene):
    cisss_pairings = set(
        Pairing.objects.filter(programme=scene["cisss"]).values_list("pk", flat=True)
    )
    service_pairings = set(
        Pairing.objects.filter(programme=scene["service"]).values_list("pk", flat=True)
    )
    assert cisss_pairings and service_pairings

    def exported_ids(client):
        response = client.get(f"{SNIPPETS}/pairing/?export=csv&kind=all")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return {int(row[0]) for row in list(csv.reader(io.StringIO(body)))[1:]}

    other, own = scene["clients"]["coordination2"], scene["clients"]["coordination"]
    assert exported_ids(other) == service_pairings
    assert exported_ids(own) == cisss_pairings | service_pairings

    listings = {  # listing -> (context key, the CISSS record it must not show to him)
        f"{SNIPPETS}/pairing/": ("object_list", scene["pairing"]),
        f"{SNIPPETS}/agreement/": ("object_list", scene["agreement"]),
        f"{SNIPPETS}/mentoringrequest/": ("object_list", scene["request"]),
        f"{SNIPPETS}/disagreement/": ("object_list", scene["disagreement"]),
        f"{SNIPPETS}/programme/": ("object_list", scene["cisss"]),
        "/admin/snippets/choose/wagtail_mentorat/pairing/": ("results", scene["pairing"]),
        "/admin/mentorat/cercles/": ("circles", scene["circle"]),
        "/admin/mentorat/indicateurs/auto-evaluation/": ("assessments", scene["assessment"]),
        "/admin/mentorat/courriels/": (
            "object_list",
            Notification.objects.filter(pairing=scene["pairing"]).first(),
        ),
    }
    if scene["closed"] is not None:
        listings["/admin/wagtail_mentorat/pairing/"] = ("object_list", scene["closed"])
    wrong = []
    for listing, (key, record) in listings.items():
        assert record is not None, listing
        for name, client in (("coordination2", other), ("coordination", own)):
            shown = {row.pk for row in client.get(listing).context[key]}
            if (record.pk in shown) != (name == "coordination"):
                wrong.append(f"{name}: {listing} {'shows' if record.pk in shown else 'misses'}")
    assert not wrong, "\n".join(wrong)


def test_the_outbox_shows_and_resends_only_the_programmes_emails(scene):
    cisss_email = Notification.objects.filter(pairing__programme=scene["cisss"]).first()
    assert cisss_email is not None
    Notification.objects.filter(pk=cisss_email.pk).update(status=Notification.Status.FAILED)
    other, own = scene["clients"]["coordination2"], scene["clients"]["coordination"]
    link = f"/admin/mentorat/courriels/inspect/{cisss_email.pk}/"
    assert other.get(link).status_code == 404
    assert own.get(link).status_code == 200
    resend = f"/admin/mentorat/courriels/renvoyer/{cisss_email.pk}/"
    assert other.post(resend).status_code == 404
    cisss_email.refresh_from_db()
    assert cisss_email.status == Notification.Status.FAILED  # untouched
    assert own.post(resend).status_code == 302
    cisss_email.refresh_from_db()
    assert cisss_email.status != Notification.Status.FAILED


def test_the_workbench_and_indicators_offer_only_the_coordinators_programmes(scene):
    other = scene["clients"]["coordination2"]
    cisss = scene["cisss"]
    page = other.get(f"/admin/mentorat/jumelage/?programme={cisss.pk}").content.decode()
    assert f'<option value="{cisss.pk}"' not in page and scene["service"].name in page
    # An assignment in another programme's request: 404, nothing proposed.
    mentee = scene["users"]["mentore2"]
    open_request = lifecycle.open_request(cisss, mentee, mentee, "Un besoin.")
    before = Pairing.objects.count()
    mentor = scene["users"]["mentor1"]
    response = other.post(
        "/admin/mentorat/jumelage/",
        {"programme": cisss.pk, "assign": f"{open_request.pk}:{mentor.pk}"},
    )
    assert response.status_code == 404
    assert Pairing.objects.count() == before

    dashboard = other.get(f"/admin/mentorat/indicateurs/?programme={cisss.pk}&year=2026")
    assert dashboard.status_code == 200
    assert f'<option value="{cisss.pk}"' not in dashboard.content.decode()
    assert dashboard.context["form"].errors  # not a valid choice for him
    csv_export = other.get(f"/admin/mentorat/indicateurs/?programme={cisss.pk}&format=csv")
    assert cisss.name not in csv_export.content.decode(errors="replace")
    created = other.post(
        "/admin/mentorat/indicateurs/auto-evaluation/",
        {"programme": cisss.pk, "year": 2025},
    )
    assert created.status_code == 400
    assert not SelfAssessment.objects.filter(programme=cisss, period_start="2025-01-01").exists()


def test_the_admin_home_panel_counts_only_the_coordinators_programmes(scene):
    from wagtail_mentorat.indicators.panels import attention

    everything = attention()
    service_only = attention(
        programmes=rules.coordinated_programmes(scene["users"]["coordination2"])
    )
    cisss_proposed = Pairing.objects.filter(
        programme=scene["cisss"], state=PairingState.PROPOSED
    ).count()
    service_proposed = Pairing.objects.filter(
        programme=scene["service"], state=PairingState.PROPOSED
    ).count()
    assert everything["proposed"] == cisss_proposed + service_proposed
    assert service_only["proposed"] == service_proposed
    assert scene["clients"]["coordination2"].get("/admin/").status_code == 200


# --- the lifecycle and the alerts, without the demo -----------------------------------------


@pytest.fixture
def two_programmes(db):
    """Two programmes, each with its own coordinator; a mentee without a manager."""
    mine, theirs = (
        person("coordo_a", discipline="Gestion"),
        person("coordo_b", discipline="Gestion"),
    )
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.COORDINATOR, coordinators=[])
    other = ProgrammeFactory(who_pairs=Programme.WhoPairs.COORDINATOR, coordinators=[])
    mine = make_coordinator(mine, [programme])
    theirs = make_coordinator(theirs, [other])
    for user in (mine, theirs):
        user.email = f"{user.username}@example.org"
        user.save()
    mentee = person("mentee", years_experience=1)
    mentor = person("mentor", years_experience=15)
    return programme, mine, theirs, mentee, mentor


def test_the_lifecycle_refuses_the_coordinator_of_another_programme(two_programmes):
    programme, mine, theirs, mentee, mentor = two_programmes
    assert rules.is_coordinator(theirs) and not rules.is_coordinator(theirs, programme)
    assert rules.is_coordinator(mine, programme)
    with pytest.raises(RuleViolation):
        lifecycle.propose_pairing(programme, [mentee], [mentor], theirs)
    assert not Pairing.objects.exists()
    pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], mine)
    with pytest.raises(RuleViolation):
        lifecycle.approve_pairing(pairing, theirs)
    pairing = lifecycle.approve_pairing(pairing, mine)
    with pytest.raises(RuleViolation):
        lifecycle.record_first_contact(pairing, theirs)
    pairing = activate(pairing, {"mentee": mentee, "mentor": mentor})
    with pytest.raises(RuleViolation):
        lifecycle.record_checkin(pairing, theirs, "mentee", pairing.start_date, 4)
    lifecycle.record_checkin(pairing, mine, "mentee", pairing.start_date, 4)
    with pytest.raises(RuleViolation):
        lifecycle.request_closure(pairing, theirs, kind="planned", reason="objectives_met")
    with pytest.raises(RuleViolation):
        circles.open_circle(
            programme,
            theirs,
            title="Cercle",
            theme="Thème",
            purpose="But",
            frequency="Mensuelle",
            confidentiality="Ce qui se dit ici reste ici.",
        )
    assert not Circle.objects.exists()


def test_alerts_go_to_the_programmes_coordinators_or_else_the_superusers(two_programmes):
    programme, mine, theirs, mentee, mentor = two_programmes
    pairing = lifecycle.approve_pairing(
        lifecycle.propose_pairing(programme, [mentee], [mentor], mine), mine
    )
    pairing = activate(pairing, {"mentee": mentee, "mentor": mentor})
    lifecycle.raise_disagreement(pairing, mentee, "Désaccord.")
    raised = Notification.objects.filter(kind=Kind.DISAGREEMENT_RAISED)
    assert set(raised.values_list("recipient__username", flat=True)) == {"coordo_a"}
    first_ids = list(raised.values_list("pk", flat=True))

    # A programme that names nobody: the superusers are alerted, not every coordinator.
    programme.coordinators.clear()
    root = get_user_model().objects.create_user(
        "racine", email="root@example.org", is_superuser=True
    )
    lifecycle.raise_disagreement(pairing, mentor, "Autre désaccord.")
    latest = Notification.objects.filter(kind=Kind.DISAGREEMENT_RAISED).exclude(pk__in=first_ids)
    assert set(latest.values_list("recipient", flat=True)) == {root.pk}
    assert not Notification.objects.filter(recipient=theirs).exists()
    assert all(theirs.email not in m.to for m in mail.outbox)


def test_the_sweeps_escalation_goes_to_the_programmes_coordinators(two_programmes, settings):
    import datetime

    from django.utils import timezone

    from wagtail_mentorat.models import HelpRequest
    from wagtail_mentorat.notifications import reminders

    programme, mine, theirs, mentee, mentor = two_programmes
    pairing = activate(
        lifecycle.approve_pairing(
            lifecycle.propose_pairing(programme, [mentee], [mentor], mine), mine
        ),
        {"mentee": mentee, "mentor": mentor},
    )
    help_request = lifecycle.ask_for_help(pairing, mentee, "Urgent", urgent=True)
    HelpRequest.objects.filter(pk=help_request.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=10)
    )
    reminders.sweep()
    escalated = Notification.objects.filter(kind=Kind.HELP_ESCALATED)
    assert set(escalated.values_list("recipient_id", flat=True)) == {mine.pk}


def test_programme_admin_names_coordinators_among_programme_staff(db):
    editor = person("editrice")
    coordinator = make_coordinator(person("coordo"))
    coordinator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "add_programme", "change_programme", "view_programme"]
        )
    )
    client = Client()
    client.force_login(coordinator)
    form = client.get(f"{SNIPPETS}/programme/add/").context["form"]
    choices = set(form.fields["coordinators"].queryset.values_list("username", flat=True))
    assert choices == {"coordo"} and editor.username not in choices
    response = client.post(
        f"{SNIPPETS}/programme/add/",
        {
            "name": "Nouveau programme",
            "audience": "",
            "description": "",
            "duration_basis": "agreement",
            "max_duration_months": 6,
            "min_meetings": 4,
            "meeting_cadence_weeks": 4,
            "first_contact_hours": 72,
            "mentor_response_hours": 48,
            "urgent_response_hours": 48,
            "checkins_first_month": 2,
            "checkin_interval_weeks": 4,
            "who_pairs": "both",
            "mentor_capacity": 2,
            "mentor_min_years": 0,
            "discipline_rule": "any",
            "matching_weights": "{}",
            "mentor_training_hours": 0,
            "mentee_training_hours": 0,
            "mentee_responsibilities": "x",
            "mentor_responsibilities": "x",
            "confidentiality_clause": "x",
        },
    )
    created = Programme.objects.filter(name="Nouveau programme").first()
    assert created is not None, response.content.decode()[:2000]
    assert list(created.coordinators.all()) == [coordinator]  # or it would vanish from view
    assert rules.is_coordinator(coordinator, created)


def test_the_upgrade_keeps_what_each_coordinator_saw(db):
    import importlib

    migration = importlib.import_module(
        "wagtail_mentorat.migrations.0008_programme_coordinators_registered_by"
    )
    first, second = ProgrammeFactory(coordinators=[]), ProgrammeFactory(coordinators=[])
    coordinator = make_coordinator(person("coordo"), programmes=[])
    bystander = person("personne")
    migration.keep_what_coordinators_saw(apps, None)
    for programme in (first, second):
        assert list(programme.coordinators.all()) == [coordinator]
    assert not bystander.coordinated_programmes.exists()


def test_is_coordinator_of_a_programme_costs_one_query(two_programmes, django_assert_num_queries):
    programme, mine, theirs, _mentee, _mentor = two_programmes
    mine.has_perm(rules.COORDINATE)  # Django's permission cache, filled once per request
    with django_assert_num_queries(1):
        assert rules.is_coordinator(mine, programme)
