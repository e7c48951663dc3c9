"""Issue 17's browser test: a coordinator's day in the Wagtail admin, in French, through
the screens alone — pair a request with two mentors, record a check-in, transfer a
mentee, resolve a disagreement, close a pairing for a rematch and see its request come
back in the workbench."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    CheckIn,
    ClosureReason,
    Disagreement,
    FitCheck,
    MemberRole,
    MentoringRequest,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
)

from .browser import chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "journee-de-coordo-2026"


@pytest.fixture
def day(db):
    coordinator = person("coordo", discipline="Gestion", pool=False)
    coordinator.first_name, coordinator.last_name = "Claire", "Coordo"
    coordinator.set_password(PASSWORD)
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    manager = person("gestion", discipline="Gestion", pool=False)
    new_manager = person("nouvelle", discipline="Gestion", pool=False)
    mentee = person("arrivee", superior=manager, years_experience=1, site="Site A")
    mentors = [
        person(name, years_experience=years, is_mentor=True)
        for name, years in (("premiere", 15), ("seconde", 12), ("troisieme", 10))
    ]
    other = person("autre", superior=manager, years_experience=1)
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH)
    coordinator = make_coordinator(coordinator, programmes=[programme])
    waiting = lifecycle.open_request(programme, mentee, mentee, "Soins de plaies complexes")

    # Another pairing, met once: its mentee wants another mentor and raised a disagreement.
    asked = lifecycle.open_request(programme, other, other, "Accueil")
    pairing = lifecycle.propose_pairing(
        programme, [other], [mentors[2]], coordinator, request=asked
    )
    lifecycle.approve_pairing(pairing, coordinator)
    hours_ago = lambda hours: timezone.now() - datetime.timedelta(hours=hours)  # noqa: E731
    Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(3))
    pairing.refresh_from_db()
    lifecycle.record_first_contact(pairing, mentors[2], when=hours_ago(2))
    pairing.refresh_from_db()
    lifecycle.log_meeting(pairing, other, held_at=hours_ago(1))
    lifecycle.answer_fit_check(pairing, other, FitCheck.Fit.POOR, wants_rematch=True)
    disagreement = lifecycle.raise_disagreement(pairing, other, "Nous ne nous entendons pas.")
    return {
        "programme": programme,
        "mentee": mentee,
        "mentors": mentors,
        "new_manager": new_manager,
        "waiting": waiting,
        "to_rematch": pairing,
        "asked": asked,
        "disagreement": disagreement,
    }


def submit(page, form_selector):
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state()


def test_a_coordinators_day_through_the_screens(live_server, day):
    url = live_server.url
    first, second, _third = day["mentors"]
    with chromium_page() as page:
        log_in(page, live_server, "coordo", PASSWORD)

        # 1. The workbench: the waiting request, paired with two mentors.
        page.goto(f"{url}/admin/mentorat/jumelage/?programme={day['programme'].pk}")
        team = "form.mentorat-team-form"
        page.select_option(f"{team} select[name=request]", str(day["waiting"].pk))
        page.select_option(f"{team} select[name=primary]", str(first.pk))
        page.select_option(f"{team} #team-secondary-0", str(second.pk))
        page.fill(f"{team} #team-contribution-0", "Les soins de plaies complexes")
        submit(page, team)
        pairing = Pairing.objects.get(request=day["waiting"])
        members = dict(pairing.members.values_list("user_id", "role"))
        assert members[first.pk] == MemberRole.PRIMARY_MENTOR
        assert members[second.pk] == MemberRole.ADDITIONAL_MENTOR
        assert pairing.state == PairingState.APPROVED

        # 2. A check-in with the standard questions.
        page.goto(f"{url}/admin/mentorat/suivis/{pairing.pk}/")
        page.select_option("select[name=with_role]", "mentee")
        page.check("input[name=relationship_quality][value='4']")
        page.fill("textarea[name=activities]", "Premier contact fait.")
        submit(page, "form[method=post]:has(input[name=held_on])")
        assert CheckIn.objects.get(pairing=pairing).relationship_quality == 4

        # 3. The mentee moves to another site and manager; the pairing stays.
        page.goto(f"{url}/admin/mentorat/jumelages/{pairing.pk}/")
        transfer = "form:has(input[name=action][value=transfer])"
        page.fill(f"{transfer} input[name=site]", "Site B")
        page.select_option(f"{transfer} select[name=superior]", str(day["new_manager"].pk))
        submit(page, transfer)
        profile = ParticipantProfile.objects.get(user=day["mentee"])
        assert (profile.site, profile.superior_id) == ("Site B", day["new_manager"].pk)
        assert Pairing.objects.get(pk=pairing.pk).state == PairingState.APPROVED

        # 4. The disagreement: taken, then resolved with a note for staff.
        handle = f"{url}/admin/mentorat/mesententes/{day['disagreement'].pk}/traiter/"
        page.goto(handle)
        submit(page, "form:has(input[name=action][value=take])")
        page.fill("textarea[name=note]", "Rencontre à trois; un nouveau mentor sera proposé.")
        submit(page, "form:has(input[name=action][value=resolve])")
        assert Disagreement.objects.get().status == Disagreement.Status.RESOLVED

        # 5. The rematch: confirmed, the pairing closes (not premature), the request waits.
        rematch = "form:has(input[name=action][value=rematch])"
        page.goto(f"{url}/admin/mentorat/jumelages/{day['to_rematch'].pk}/")
        submit(page, rematch)
        submit(page, rematch)  # "Yes, close for a rematch"
        closed = Pairing.objects.get(pk=day["to_rematch"].pk)
        assert closed.state == PairingState.CLOSED
        assert closed.closure_reason == ClosureReason.REMATCH and not closed.premature
        assert MentoringRequest.objects.get(pk=day["asked"].pk).status == "open"
        page.goto(f"{url}/admin/mentorat/jumelage/?programme={day['programme'].pk}")
        options = page.locator("form.mentorat-team-form select[name=request] option")
        assert str(day["asked"].pk) in options.evaluate_all("o => o.map(e => e.value)")
