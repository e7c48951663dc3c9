"""The mentoring core's rules, one test each, named after the rule and citing its seed."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from wagtail_mentorat import lifecycle
from wagtail_mentorat.dates import add_months
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import (
    Agreement,
    ClosureKind,
    ClosureReason,
    Extension,
    MemberRole,
    MentoringKind,
    Pairing,
    PairingState,
    Programme,
    ProgressReview,
    Transfer,
)
from wagtail_mentorat.signals import pairing_event

from .conftest import ProgrammeFactory, activate, hours_ago, person

pytestmark = pytest.mark.django_db


def propose(programme, cast, mentors=None, actor=None, **kwargs):
    return lifecycle.propose_pairing(
        programme, [cast["mentee"]], mentors or [cast["mentor"]], actor or cast["manager"], **kwargs
    )


# --- who may be the mentor -----------------------------------------------------------------


def test_mentor_is_never_the_mentees_direct_superior(cast, programme):
    # Seed 001: "Le mentor ne doit pas être le supérieur hiérarchique du mentoré".
    cast["manager"].mentorat_profile.years_experience = 20
    cast["manager"].mentorat_profile.discipline = "Travail social"
    cast["manager"].mentorat_profile.save()
    with pytest.raises(RuleViolation, match="line of management"):
        propose(programme, cast, mentors=[cast["manager"]], actor=cast["manager"])
    assert not Pairing.objects.exists()


def test_mentor_is_never_a_superior_further_up_the_chain(cast, programme):
    # Seed 001, indirectly: the manager's manager is still the mentee's superior.
    profile = cast["director"].mentorat_profile
    profile.years_experience, profile.discipline = 25, "Travail social"
    profile.save()
    with pytest.raises(RuleViolation, match="line of management"):
        propose(programme, cast, mentors=[cast["director"]])


def test_superior_chain_with_a_cycle_terminates(cast, programme):
    cast["director"].mentorat_profile.superior = cast["mentee"]
    cast["director"].mentorat_profile.save()
    pairing = propose(programme, cast)  # the mentor is outside the (cyclic) chain
    assert pairing.state == PairingState.PROPOSED


def test_mentor_cannot_mentor_themself(cast, programme):
    with pytest.raises(RuleViolation):
        lifecycle.propose_pairing(programme, [cast["mentee"]], [cast["mentee"]], cast["manager"])


def test_mentor_at_capacity_is_refused(cast, programme):
    programme.mentor_capacity = 1
    programme.save()
    other = person("autre", superior=cast["manager"], years_experience=1)
    first = lifecycle.propose_pairing(programme, [other], [cast["mentor"]], cast["manager"])
    lifecycle.approve_pairing(first, cast["manager"])
    with pytest.raises(RuleViolation, match="no place is free"):
        propose(programme, cast)


def test_profile_capacity_overrides_the_programme_default(cast, programme):
    cast["mentor"].mentorat_profile.mentor_capacity = 2
    cast["mentor"].mentorat_profile.save()
    programme.mentor_capacity = 1
    programme.save()
    other = person("autre", superior=cast["manager"], years_experience=1)
    lifecycle.approve_pairing(
        lifecycle.propose_pairing(programme, [other], [cast["mentor"]], cast["manager"]),
        cast["manager"],
    )
    assert propose(programme, cast).state == PairingState.PROPOSED


def test_mentor_below_the_programmes_experience_is_refused(cast, programme):
    # Seed 001: "Le mentor doit être un intervenant expérimenté".
    programme.mentor_min_years = 20
    programme.save()
    with pytest.raises(RuleViolation, match="at least 20"):
        propose(programme, cast)


def test_same_discipline_required_refuses_another_discipline(cast):
    programme = ProgrammeFactory(discipline_rule=Programme.DisciplineRule.REQUIRED)
    cast["mentor"].mentorat_profile.discipline = "Soins infirmiers"
    cast["mentor"].mentorat_profile.save()
    with pytest.raises(RuleViolation, match="discipline"):
        propose(programme, cast, cross_discipline_reason="Plaies complexes")


def test_another_discipline_needs_a_specific_skill_need(cast, programme):
    # Seed 001: "idéalement de la même discipline ... une autre discipline lorsqu'il est
    # question d'un besoin d'acquisition de connaissances ou compétences spécifiques".
    cast["mentor"].mentorat_profile.discipline = "Soins infirmiers"
    cast["mentor"].mentorat_profile.save()
    with pytest.raises(RuleViolation, match="specific skill"):
        propose(programme, cast)
    pairing = propose(programme, cast, cross_discipline_reason="Soins de plaies complexes")
    assert pairing.cross_discipline_reason == "Soins de plaies complexes"


def test_mentor_closed_with_this_mentee_for_a_poor_fit_is_not_proposed_again(
    active, cast, programme
):
    lifecycle.request_closure(
        active,
        cast["mentee"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.REMATCH,
        exit_questions_done=True,
    )
    lifecycle.close_pairing(active, cast["manager"])
    with pytest.raises(RuleViolation, match="not the right fit"):
        propose(programme, cast)


# --- who pairs, and in which programme -----------------------------------------------------


def test_only_the_manager_pairs_when_the_programme_says_so(cast, programme):
    # Seed 001: "jumelés par le gestionnaire concerné".
    with pytest.raises(RuleViolation, match="pairings are made by"):
        propose(programme, cast, actor=cast["coordinator"])
    with pytest.raises(RuleViolation):
        propose(programme, cast, actor=cast["mentor2"])


def test_programme_staff_pair_when_the_programme_allows_it(cast):
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH)
    assert propose(programme, cast, actor=cast["coordinator"]).state == PairingState.PROPOSED


def test_a_pairing_in_another_programmes_scope_is_refused(cast, programme):
    other = ProgrammeFactory()
    request = lifecycle.open_request(other, cast["mentee"], cast["mentee"], "Évaluer un risque")
    with pytest.raises(RuleViolation, match="another programme"):
        propose(programme, cast, request=request)


def test_request_opened_by_the_staff_member_or_their_manager_only(cast, programme):
    # Seed 001: "Le besoin est identifié par l'intervenant et/ou le gestionnaire".
    assert lifecycle.open_request(programme, cast["mentee"], cast["manager"], "Besoin").pk
    with pytest.raises(RuleViolation):
        lifecycle.open_request(ProgrammeFactory(), cast["mentee"], cast["mentor"], "Besoin")


def test_a_second_open_request_in_the_same_programme_is_refused(cast, programme):
    lifecycle.open_request(programme, cast["mentee"], cast["mentee"], "Besoin")
    with pytest.raises(RuleViolation, match="already waiting"):
        lifecycle.open_request(programme, cast["mentee"], cast["mentee"], "Autre besoin")


def test_several_mentors_each_with_a_written_contribution(cast, programme):
    # Seed 004: "pouvant impliquer plus d'un mentor ... définir clairement sa contribution".
    pairing = propose(
        programme,
        cast,
        mentors=[cast["mentor"], cast["mentor2"]],
        contributions={cast["mentor2"].pk: "Volet santé mentale"},
    )
    roles = {m.user: (m.role, m.contribution) for m in pairing.members.all()}
    assert roles[cast["mentor"]][0] == MemberRole.PRIMARY_MENTOR
    assert roles[cast["mentor2"]] == (MemberRole.ADDITIONAL_MENTOR, "Volet santé mentale")


def test_group_mentoring_has_one_mentor_and_several_mentees(cast):
    # Seed 002: individual or group mentoring.
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH, mentor_capacity=3)
    other = person("autre", superior=cast["manager"], years_experience=1)
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"], other], [cast["mentor"]], cast["coordinator"]
    )
    assert pairing.kind == MentoringKind.GROUP
    assert set(pairing.mentees) == {cast["mentee"], other}
    with pytest.raises(RuleViolation, match="one mentor"):
        lifecycle.propose_pairing(
            programme,
            [person("x", years_experience=1), person("y", years_experience=1)],
            [cast["mentor"], cast["mentor2"]],
            cast["coordinator"],
            kind=MentoringKind.GROUP,
        )


# --- dates and deadlines -------------------------------------------------------------------


def test_approval_starts_the_first_contact_clock(cast, programme):
    # Seed 004: "Le mentor communiquera avec le mentoré dans un délai de 48 à 72 heures".
    pairing = lifecycle.approve_pairing(propose(programme, cast), cast["manager"])
    assert pairing.state == PairingState.APPROVED
    assert pairing.first_contact_due - pairing.assigned_at == datetime.timedelta(hours=72)
    Pairing.objects.filter(pk=pairing.pk).update(first_contact_due=hours_ago(1))
    pairing.refresh_from_db()
    assert pairing.first_contact_overdue


def test_first_contact_in_the_future_is_refused(approved, cast):
    with pytest.raises(RuleViolation, match="future"):
        lifecycle.record_first_contact(
            approved, cast["mentor"], timezone.now() + datetime.timedelta(hours=2)
        )
    approved.refresh_from_db()
    assert approved.state == PairingState.APPROVED


def test_service_is_valid_one_year_from_the_first_contact(cast):
    # Seed 004: "en vigueur pour une période de 1 an, à partir de la date du premier contact".
    programme = ProgrammeFactory(
        duration_basis=Programme.DurationBasis.FIRST_CONTACT, max_duration_months=12
    )
    pairing = lifecycle.approve_pairing(propose(programme, cast), cast["manager"])
    pairing = lifecycle.record_first_contact(pairing, cast["mentor"])
    today = timezone.localdate()
    assert pairing.start_date == today
    assert pairing.planned_end == add_months(today, 12)


def test_six_months_at_most_with_a_review_at_mid_term(active):
    # Seed 001: "La durée maximale du mentorat est de 6 mois. Un bilan ... à la mi-temps".
    assert active.state == PairingState.ACTIVE
    assert active.planned_end == add_months(active.start_date, 6)
    assert active.start_date < active.midterm_review_due < active.planned_end
    halfway = active.start_date + (active.planned_end - active.start_date) / 2
    assert active.midterm_review_due == halfway


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 2) == datetime.date(2027, 1, 15)


# --- the agreement -------------------------------------------------------------------------


def test_agreement_end_before_start_is_refused(approved, cast):
    lifecycle.record_first_contact(approved, cast["mentor"])
    agreement = approved.agreement
    with pytest.raises(RuleViolation, match="after the start"):
        lifecycle.update_agreement(
            agreement,
            cast["mentee"],
            start_date=datetime.date(2026, 12, 1),
            end_date=datetime.date(2026, 11, 1),
        )
    agreement.refresh_from_db()
    assert agreement.end_date > agreement.start_date


def test_agreement_longer_than_the_programme_needs_an_extension(approved, cast):
    lifecycle.record_first_contact(approved, cast["mentor"])
    start = datetime.date(2027, 1, 1)
    with pytest.raises(RuleViolation, match="6 months at most"):
        lifecycle.update_agreement(
            approved.agreement, cast["mentee"], start_date=start, end_date=add_months(start, 7)
        )


def test_agreement_is_accepted_by_both_before_the_pairing_is_active(approved, cast):
    # Seed 001: "le mentor et le mentoré ... complètent l'entente de mentorat".
    lifecycle.record_first_contact(approved, cast["mentor"])
    agreement = approved.agreement
    with pytest.raises(RuleViolation, match="objective"):
        lifecycle.accept_agreement(agreement, cast["mentee"])
    lifecycle.update_agreement(agreement, cast["mentee"], objectives=[("Objectif", "")])
    lifecycle.accept_agreement(agreement, cast["mentee"])
    approved.refresh_from_db()
    assert approved.state == PairingState.CONTACTED
    lifecycle.accept_agreement(agreement, cast["mentor"])
    approved.refresh_from_db()
    assert approved.state == PairingState.ACTIVE
    with pytest.raises(RuleViolation, match="people in this pairing"):
        lifecycle.accept_agreement(agreement, cast["manager"])


def test_agreement_change_after_acceptance_needs_new_acceptances(active, cast):
    agreement = active.agreement
    assert agreement.version == 1 and len(agreement.current_acceptances()) == 2
    lifecycle.update_agreement(agreement, cast["mentor"], meeting_frequency="1 h par mois")
    agreement.refresh_from_db()
    assert agreement.version == 2
    assert agreement.current_acceptances() == []
    assert agreement.acceptances.count() == 2  # the old acceptances are kept
    assert agreement.revisions.count() == 2  # each saved text is kept
    lifecycle.accept_agreement(agreement, cast["mentee"])
    assert [a.user for a in agreement.current_acceptances()] == [cast["mentee"]]


def test_agreement_needs_the_managers_approval_when_the_programme_says_so(cast):
    programme = ProgrammeFactory(agreement_needs_manager=True)
    pairing = lifecycle.approve_pairing(propose(programme, cast), cast["manager"])
    pairing = activate(pairing, cast)
    assert pairing.state == PairingState.CONTACTED
    with pytest.raises(RuleViolation, match="manager"):
        lifecycle.approve_agreement(pairing.agreement, cast["coordinator"])
    lifecycle.approve_agreement(pairing.agreement, cast["manager"])
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


# --- follow-up -----------------------------------------------------------------------------


def test_a_meeting_in_the_future_cannot_be_logged_as_held(active, cast):
    with pytest.raises(RuleViolation, match="future"):
        lifecycle.log_meeting(active, cast["mentee"], timezone.now() + datetime.timedelta(days=1))
    assert not active.meetings.exists()


def test_a_meetings_private_note_is_stored_for_its_author_alone(active, cast):
    meeting = lifecycle.log_meeting(
        active, cast["mentee"], hours_ago(1), summary="Partagé", private_note="Seulement moi"
    )
    notes = list(meeting.private_notes.all())
    assert [(n.author, n.text) for n in notes] == [(cast["mentee"], "Seulement moi")]


def test_only_the_pair_logs_meetings(active, cast):
    with pytest.raises(RuleViolation):
        lifecycle.log_meeting(active, cast["manager"], hours_ago(1))


def test_urgent_help_request_is_due_within_the_programmes_deadline(active, cast, programme):
    # Seed 004: "Répondre aux besoins urgents ... dans un délai (de 24 à 48 heures)".
    help_request = lifecycle.ask_for_help(
        active, cast["mentee"], "Client en attente", client_waiting=True
    )
    assert help_request.urgent
    assert help_request.due_at - help_request.created_at == datetime.timedelta(
        hours=programme.urgent_response_hours
    )
    with pytest.raises(RuleViolation):
        lifecycle.answer_help_request(help_request, cast["mentee"], "Je me réponds")
    lifecycle.answer_help_request(help_request, cast["mentor"], "Voici une piste")
    with pytest.raises(RuleViolation, match="already been answered"):
        lifecycle.answer_help_request(help_request, cast["mentor"], "Encore")


def test_fit_check_comes_after_the_first_meeting_and_once(active, cast):
    with pytest.raises(RuleViolation, match="after the first meeting"):
        lifecycle.answer_fit_check(active, cast["mentee"], "good")
    assert not active.fit_checks.exists()
    lifecycle.log_meeting(active, cast["mentor"], hours_ago(2))
    lifecycle.answer_fit_check(active, cast["mentee"], "poor", wants_rematch=True)
    with pytest.raises(RuleViolation, match="already"):
        lifecycle.answer_fit_check(active, cast["mentee"], "good")


def test_check_ins_are_recorded_by_programme_staff_only(active, cast):
    today = timezone.localdate()
    with pytest.raises(RuleViolation):
        lifecycle.record_checkin(active, cast["manager"], "mentee", today, 4)
    checkin = lifecycle.record_checkin(active, cast["coordinator"], "mentee", today, 4)
    assert checkin.pk


def test_disagreement_is_raised_by_a_member_to_programme_staff(active, cast):
    # Seed 001: the APPR "contribuer à la gestion des mésententes".
    assert lifecycle.raise_disagreement(active, cast["mentee"], "Rencontres annulées").pk
    with pytest.raises(RuleViolation):
        lifecycle.raise_disagreement(active, cast["manager"], "Je m'en mêle")


# --- extension, transfer, closure ----------------------------------------------------------


def test_extension_needs_the_managers_approval(active, cast):
    # Seed 001: "L'approbation du gestionnaire est requise ... prolongation".
    new_end = active.planned_end + datetime.timedelta(days=60)
    extension = lifecycle.request_extension(active, cast["mentee"], new_end, "Terminer l'objectif")
    active.refresh_from_db()
    assert active.planned_end != new_end  # nothing changes before the decision
    for someone in ("coordinator", "mentor", "director"):
        with pytest.raises(RuleViolation, match="manager"):
            lifecycle.decide_extension(extension, cast[someone], approve=True)
    lifecycle.decide_extension(extension, cast["manager"], approve=True)
    active.refresh_from_db()
    assert active.planned_end == new_end
    assert active.original_end is not None
    assert Agreement.objects.get(pairing=active).end_date == new_end


def test_extension_needs_a_later_end_date_and_a_reason(active, cast):
    with pytest.raises(RuleViolation, match="after the planned end"):
        lifecycle.request_extension(active, cast["mentee"], active.planned_end, "Raison")
    with pytest.raises(RuleViolation, match="why"):
        lifecycle.request_extension(
            active, cast["mentee"], active.planned_end.replace(year=2099), " "
        )
    assert not Extension.objects.exists()


def test_closure_reasons_hold_no_sanction(active, cast):
    # Seed 002: mentoring is never withdrawn to punish.
    for word in ("sanction", "discipline", "punition", "faute"):
        assert not any(word in value for value in ClosureReason.values)
    with pytest.raises(RuleViolation, match="reason"):
        lifecycle.request_closure(
            active, cast["manager"], kind=ClosureKind.UNPLANNED, reason="sanction"
        )
    with pytest.raises(RuleViolation, match="reason"):
        lifecycle.request_closure(active, cast["manager"], kind=ClosureKind.UNPLANNED, reason="")
    active.refresh_from_db()
    assert active.state == PairingState.ACTIVE


def test_planned_closure_needs_the_final_review_then_the_manager(active, cast):
    # Seed 001: "prend fin lorsque le mentoré et le mentor jugent que les objectifs ont été
    # atteints, suite à l'approbation du gestionnaire", with a final review.
    lifecycle.request_closure(
        active, cast["mentee"], kind=ClosureKind.PLANNED, reason=ClosureReason.OBJECTIVES_MET
    )
    with pytest.raises(RuleViolation, match="not yet confirmed"):
        lifecycle.close_pairing(active, cast["manager"])
    with pytest.raises(RuleViolation):
        lifecycle.confirm_closure(active, cast["manager"])  # a member's word, not the manager's
    lifecycle.confirm_closure(active, cast["mentor"])
    lifecycle.confirm_closure(active, cast["mentor"])  # twice changes nothing
    assert active.closure_confirmations.count() == 2
    with pytest.raises(RuleViolation, match="final review"):
        lifecycle.close_pairing(active, cast["manager"])
    review = lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.FINAL, 5)
    with pytest.raises(RuleViolation):
        lifecycle.close_pairing(active, cast["mentor"])
    pairing = lifecycle.close_pairing(active, cast["manager"])
    review.refresh_from_db()
    assert pairing.state == PairingState.CLOSED
    assert review.manager_approved_by == cast["manager"]
    assert not pairing.premature


def test_premature_closure_is_flagged_but_a_rematch_is_not_a_failure(cast, programme):
    # Seed 003: guard against relationships that end prematurely.
    pairings = []
    for reason in (ClosureReason.MENTOR_UNAVAILABLE, ClosureReason.REMATCH):
        mentee = person(f"m-{reason}", superior=cast["manager"], years_experience=1)
        pairing = lifecycle.approve_pairing(
            lifecycle.propose_pairing(programme, [mentee], [cast["mentor2"]], cast["manager"]),
            cast["manager"],
        )
        lifecycle.record_first_contact(pairing, cast["mentor2"])
        lifecycle.request_closure(
            pairing, mentee, kind=ClosureKind.UNPLANNED, reason=reason, exit_questions_done=True
        )
        pairings.append(lifecycle.close_pairing(pairing, cast["manager"]))
    assert [p.premature for p in pairings] == [True, False]
    assert pairings[1].rematch_wanted


def test_unplanned_closure_needs_the_exit_questions(active, cast):
    lifecycle.request_closure(
        active, cast["mentor"], kind=ClosureKind.UNPLANNED, reason=ClosureReason.PERSONAL
    )
    with pytest.raises(RuleViolation, match="exit questions"):
        lifecycle.close_pairing(active, cast["manager"])


def test_transfer_keeps_the_pairing_and_its_history(active, cast):
    # Seed 002: the relationship continues when the young person changes placement.
    new_manager = person("nouveau", discipline="Gestion")
    before = ModelLogEntry.objects.filter(object_id=str(active.pk)).count()
    transfer = lifecycle.transfer_mentee(
        active, cast["manager"], site="CLSC de Beauport", superior=new_manager
    )
    active.refresh_from_db()
    profile = cast["mentee"].mentorat_profile
    profile.refresh_from_db()
    assert active.state == PairingState.ACTIVE
    assert (profile.site, profile.superior) == ("CLSC de Beauport", new_manager)
    assert (transfer.from_site, transfer.from_superior) == ("CLSC de Limoilou", cast["manager"])
    assert ModelLogEntry.objects.filter(object_id=str(active.pk)).count() == before + 1
    # The new manager now approves the extension; the former one no longer can.
    extension = lifecycle.request_extension(
        active, cast["mentee"], active.planned_end + datetime.timedelta(days=30), "Raison"
    )
    with pytest.raises(RuleViolation):
        lifecycle.decide_extension(extension, cast["manager"], approve=True)
    lifecycle.decide_extension(extension, new_manager, approve=True)


def test_transfer_to_the_mentor_as_new_manager_is_refused(active, cast):
    with pytest.raises(RuleViolation, match="never the mentee's superior"):
        lifecycle.transfer_mentee(active, cast["coordinator"], superior=cast["mentor"])
    assert not Transfer.objects.exists()
    assert cast["mentee"].mentorat_profile.superior == cast["manager"]


# --- the state machine, history and events -------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda p, c: lifecycle.record_first_contact(p, c["mentor"]),
        lambda p, c: lifecycle.request_closure(
            p, c["manager"], kind="unplanned", reason="personal"
        ),
        lambda p, c: lifecycle.close_pairing(p, c["manager"]),
        lambda p, c: lifecycle.log_meeting(p, c["mentor"], hours_ago(1)),
        lambda p, c: lifecycle.request_extension(p, c["mentee"], datetime.date(2099, 1, 1), "x"),
    ],
)
def test_invalid_transitions_from_proposed_raise_and_save_nothing(cast, programme, action):
    pairing = propose(programme, cast)
    with pytest.raises(RuleViolation) as error:
        action(pairing, cast)
    assert error.value.code in {"invalid_transition"}
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PROPOSED
    assert not pairing.meetings.exists() and not pairing.extensions.exists()


def test_approving_twice_is_an_invalid_transition(approved, cast):
    with pytest.raises(RuleViolation, match="Only a proposal can be approved"):
        lifecycle.approve_pairing(approved, cast["manager"])


def test_cancelled_pairing_returns_the_request_to_the_waiting_list(cast, programme):
    request = lifecycle.open_request(programme, cast["mentee"], cast["mentee"], "Besoin")
    pairing = lifecycle.approve_pairing(propose(programme, cast, request=request), cast["manager"])
    request.refresh_from_db()
    assert request.status == "matched"
    lifecycle.cancel_pairing(pairing, cast["manager"])
    request.refresh_from_db()
    assert request.status == "open"


def test_history_records_who_did_what_and_when(active, cast):
    entries = ModelLogEntry.objects.filter(
        content_type__model="pairing", object_id=str(active.pk)
    ).order_by("timestamp", "pk")
    actions = [(e.action.removeprefix("wagtail_mentorat."), e.user_id) for e in entries]
    assert actions[:3] == [
        ("proposed", cast["manager"].pk),
        ("approved", cast["manager"].pk),
        ("first_contact", cast["mentor"].pk),
    ]
    assert ("activated", cast["mentor"].pk) in actions
    assert all(e.timestamp for e in entries)


def test_domain_events_are_sent_after_commit_only(
    cast, programme, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, pairing, event, actor, data, **kwargs):
        received.append((event, actor))

    pairing_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            pairing = propose(programme, cast)
        assert received == [("proposed", cast["manager"])]
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuleViolation):
                lifecycle.close_pairing(pairing, cast["manager"])
        assert len(received) == 1
    finally:
        pairing_event.disconnect(receiver)


def test_messages_are_translated_to_french(cast, programme):
    from django.utils import translation

    cast["manager"].mentorat_profile.years_experience = 20
    cast["manager"].mentorat_profile.save()
    with translation.override("fr"), pytest.raises(RuleViolation) as error:
        propose(programme, cast, mentors=[cast["manager"]])
    assert "supérieur hiérarchique" in " ".join(error.value.messages)


def test_check_ins_twice_in_the_first_month_then_monthly(cast, programme, active):
    # MENTOR's standard 5 (seed 003's reference): frequent contact early, then monthly.
    start = datetime.date(2026, 1, 1)
    schedule = lifecycle.checkin_schedule(programme, start, datetime.date(2026, 4, 30))
    assert schedule[:2] == [datetime.date(2026, 1, 16), datetime.date(2026, 1, 31)]
    assert [(b - a).days for a, b in zip(schedule[1:], schedule[2:], strict=False)] == [28, 28, 28]
    first_due = lifecycle.next_checkin_due(active)
    lifecycle.record_checkin(active, cast["coordinator"], "mentor", timezone.localdate(), 4)
    assert lifecycle.next_checkin_due(active) > first_due


def test_programme_staff_end_a_pairing_for_an_unplanned_reason_only(active, cast):
    """Seed 001 and issue 17: a coordinator may close for the documented unplanned reasons
    only; a planned ending is the members' and the manager's."""
    with pytest.raises(RuleViolation, match="unplanned reason only"):
        lifecycle.request_closure(
            active,
            cast["coordinator"],
            kind=ClosureKind.PLANNED,
            reason=ClosureReason.OBJECTIVES_MET,
        )
    active.refresh_from_db()
    assert active.state == PairingState.ACTIVE
    lifecycle.request_closure(
        active,
        cast["coordinator"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.MENTOR_UNAVAILABLE,
        exit_questions_done=True,
    )
    assert lifecycle.closure_unconfirmed(active) == []  # nothing to confirm for that reason
    with pytest.raises(RuleViolation, match="nothing to confirm"):
        lifecycle.confirm_closure(active, cast["mentee"])
    assert lifecycle.close_pairing(active, cast["coordinator"]).state == PairingState.CLOSED


def test_a_planned_ending_is_the_managers_approval_not_staffs(active, cast):
    lifecycle.request_closure(
        active, cast["mentor"], kind=ClosureKind.PLANNED, reason=ClosureReason.PLANNED_END
    )
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.FINAL, 4)
    with pytest.raises(RuleViolation, match="manager"):
        lifecycle.close_pairing(active, cast["coordinator"])
    assert lifecycle.close_pairing(active, cast["manager"]).state == PairingState.CLOSED
