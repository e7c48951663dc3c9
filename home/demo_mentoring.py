"""Demo mentoring data: the two programmes of the seeds, a dozen profiles and pairings at
every stage. Built through the lifecycle (the rules apply to the demo too), then dated
back so the demo shows overdue reviews and past meetings. Idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    ClosureKind,
    ClosureReason,
    ExpertiseArea,
    MentoringRequest,
    MentorOffer,
    Pairing,
    ParticipantProfile,
    Programme,
    ProgressReview,
)

CISSS = "Mentorat clinique du CISSS"
# Names earlier demos gave a programme, renamed in place so a rebuilt demo keeps its data.
FORMER_NAMES = {"Mentorat clinique du CISSS (fiche synthèse)": CISSS}
SERVICE = "Service de mentorat des conseillers (1 an)"

PROGRAMMES = {
    CISSS: {
        "description": (
            "Développer une relation de soutien et d'échanges visant le développement des "
            "compétences par le transfert d'expertise, de connaissances et de ressources. Le "
            "mentor agit à titre de guide, de conseiller et de modèle."
        ),
        "audience": (
            "Nouveaux intervenants du CISSS; intervenants qui intègrent un nouveau programme "
            "ou service ou qui présentent un besoin de développer une compétence spécifique; "
            "intervenants présentant un besoin selon l'évaluation du gestionnaire."
        ),
        "duration_basis": Programme.DurationBasis.AGREEMENT,
        "max_duration_months": 6,
        "who_pairs": Programme.WhoPairs.MANAGER,
        "urgent_response_hours": 48,
        "first_contact_hours": 72,
    },
    SERVICE: {
        "description": (
            "Un mentor est assigné au participant en fonction de son lieu de travail et des "
            "besoins exprimés. Le service est en vigueur pour une période de 1 an à partir du "
            "premier contact entre le mentoré et le mentor."
        ),
        "audience": "Conseillers et conseillères qui veulent améliorer leur expertise.",
        "duration_basis": Programme.DurationBasis.FIRST_CONTACT,
        "max_duration_months": 12,
        "who_pairs": Programme.WhoPairs.BOTH,
        "first_contact_hours": 72,
        "urgent_response_hours": 48,
        "midterm_review_required": False,
    },
}

AREAS = [
    "Évaluation du fonctionnement social",
    "Intervention de crise",
    "Protection de la jeunesse",
    "Soins à domicile",
    "Santé mentale",
    "Gérontologie",
    "Travail de groupe",
    "Différences culturelles",
]

# username, first, last, discipline, site, unit, years, is_mentor, areas, goals, superior
EXTRA_PEOPLE = [
    (
        "mentor3",
        "Nathalie",
        "Bergeron",
        "Travail social",
        "CLSC de Charlesbourg",
        "Protection de la jeunesse",
        18,
        True,
        [2, 7],
        "",
        "gestionnaire2",
    ),
    (
        "mentor4",
        "Luc",
        "Gauthier",
        "Soins infirmiers",
        "Hôpital de l'Enfant-Jésus",
        "Santé mentale",
        22,
        True,
        [4, 1],
        "",
        "gestionnaire2",
    ),
    (
        "mentore3",
        "Chloé",
        "Fortin",
        "Travail social",
        "CLSC de Charlesbourg",
        "Protection de la jeunesse",
        1,
        False,
        [],
        "Mieux évaluer la sécurité des enfants.",
        "gestionnaire",
    ),
    (
        "mentore4",
        "Olivier",
        "Lavoie",
        "Soins infirmiers",
        "CLSC de Limoilou",
        "Soins à domicile",
        2,
        False,
        [],
        "Développer mon autonomie en soins de plaies complexes.",
        "gestionnaire",
    ),
    (
        "mentore5",
        "Maude",
        "Girard",
        "Travail social",
        "CLSC de Limoilou",
        "Services sociaux généraux",
        0,
        False,
        [],
        "Intervenir auprès des personnes âgées.",
        "gestionnaire2",
    ),
    # Marc's staff whose decisions wait for him: a proposal to approve (Sarah) and an
    # extension to decide (Thomas), so the manager's approval screen has something to show.
    (
        "mentore7",
        "Sarah",
        "Lévesque",
        "Travail social",
        "CLSC de Limoilou",
        "Services sociaux généraux",
        1,
        False,
        [],
        "Mieux intervenir en situation de crise.",
        "gestionnaire",
    ),
    (
        "mentore8",
        "Thomas",
        "Nadeau",
        "Soins infirmiers",
        "CLSC de Limoilou",
        "Soins à domicile",
        2,
        False,
        [],
        "Gagner en assurance en santé mentale à domicile.",
        "gestionnaire",
    ),
    (
        "gestionnaire2",
        "Hélène",
        "Morin",
        "Gestion",
        "Hôpital de l'Enfant-Jésus",
        "Direction des soins infirmiers",
        25,
        False,
        [],
        "",
        "",
    ),
]

MENTOR_DETAILS = {
    "mentor1": (15, [0, 1, 5], "Mardis et jeudis après-midi"),
    "mentor2": (12, [3, 4], "Les matins"),
}
MENTEE_GOALS = {
    "mentore1": "Développer mes compétences en évaluation du fonctionnement social.",
    "mentore2": "Mieux organiser mes visites de soins à domicile.",
}


def ensure_programmes():
    programmes = {}
    for old, new in FORMER_NAMES.items():
        if not Programme.objects.filter(name=new).exists():
            Programme.objects.filter(name=old).update(name=new)
    for name, fields in PROGRAMMES.items():
        programmes[name], _ = Programme.objects.get_or_create(name=name, defaults=fields)
    return programmes


def ensure_people(users):
    User = get_user_model()
    areas = [ExpertiseArea.objects.get_or_create(name=name)[0] for name in AREAS]
    from home.demo import DEMO_PASSWORD

    for row in EXTRA_PEOPLE:
        username, first, last = row[:3]
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@intranet.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    for row in EXTRA_PEOPLE:
        username, _f, _l, discipline, site, unit, years, is_mentor, area_ids, goals, boss = row
        profile, created = ParticipantProfile.objects.get_or_create(
            user=users[username],
            defaults={
                "discipline": discipline,
                "site": site,
                "unit": unit,
                "years_experience": years,
                "is_mentor": is_mentor,
                "goals": goals,
                "superior": users.get(boss),
            },
        )
        if created:
            profile.expertise.set([areas[i] for i in area_ids])
    for username, (years, area_ids, availability) in MENTOR_DETAILS.items():
        profile = users[username].mentorat_profile
        if not profile.is_mentor:
            profile.is_mentor, profile.years_experience = True, years
            profile.availability = availability
            profile.save()
            profile.expertise.set([areas[i] for i in area_ids])
    for username, goals in MENTEE_GOALS.items():
        ParticipantProfile.objects.filter(user=users[username], goals="").update(goals=goals)
    # The manager Marc reports to Hélène: the mentees' chain goes up two levels.
    ParticipantProfile.objects.filter(user=users["gestionnaire"], superior=None).update(
        superior=users["gestionnaire2"]
    )
    return users


# The demo's mentor pool: (username, programme, decision). Sophie approved the mentors;
# Nathalie, who mentors in the counsellors' service, applied to the CISSS programme too
# and waits for a decision, so the "Mentor pool" screen has something to decide.
MENTOR_POOL = [
    ("mentor1", CISSS, MentorOffer.Status.APPROVED),
    ("mentor1", SERVICE, MentorOffer.Status.APPROVED),
    ("mentor2", CISSS, MentorOffer.Status.APPROVED),
    ("mentor2", SERVICE, MentorOffer.Status.APPROVED),
    ("mentor3", SERVICE, MentorOffer.Status.APPROVED),
    ("mentor3", CISSS, MentorOffer.Status.APPLIED),
    ("mentor4", CISSS, MentorOffer.Status.APPROVED),
    ("mentor4", SERVICE, MentorOffer.Status.APPROVED),
]


def ensure_mentor_pool(programmes, users):
    """The demo mentors apply through the lifecycle and the coordinator decides, so the
    pool's rules apply to the demo too."""
    for username, name, status in MENTOR_POOL:
        programme, mentor = programmes[name], users[username]
        if MentorOffer.objects.filter(programme=programme, mentor=mentor).exists():
            continue
        offer = lifecycle.offer_to_mentor(programme, mentor)
        if status != MentorOffer.Status.APPLIED:
            lifecycle.decide_offer(offer, users["coordination"], status)


def _back(pairing, days, **extra):
    """Move a demo pairing's clock ``days`` into the past."""
    shift = datetime.timedelta(days=days)
    fields = {}
    for name in ("proposed_at", "assigned_at", "first_contact_due", "first_contact_at"):
        value = getattr(pairing, name)
        if value:
            fields[name] = value - shift
    for name in ("start_date", "planned_end", "midterm_review_due"):
        value = getattr(pairing, name)
        if value:
            fields[name] = value - shift
    fields.update(extra)
    Pairing.objects.filter(pk=pairing.pk).update(**fields)
    pairing.refresh_from_db()
    return pairing


def _activate(pairing, users, mentor, mentee, objective):
    lifecycle.record_first_contact(pairing, users[mentor])
    agreement = pairing.agreement
    lifecycle.update_agreement(
        agreement, users[mentee], objectives=[(objective, "Mon gestionnaire le constate.")]
    )
    lifecycle.accept_agreement(agreement, users[mentee])
    lifecycle.accept_agreement(agreement, users[mentor])
    pairing.refresh_from_db()
    return pairing


def ensure_pairings(programmes, users):
    if Pairing.objects.filter(programme__in=programmes.values()).exists():
        return
    cisss, service = programmes[CISSS], programmes[SERVICE]
    boss, coord = users["gestionnaire"], users["coordination"]
    now = timezone.now()

    # Proposed, waiting for the manager's approval.
    request = lifecycle.open_request(
        service, users["mentore5"], users["mentore5"], "Intervenir auprès des personnes âgées."
    )
    lifecycle.propose_pairing(
        service, [users["mentore5"]], [users["mentor3"]], coord, request=request
    )

    # Active with meetings; its mid-term review is overdue (started 4 months ago).
    pairing = lifecycle.propose_pairing(cisss, [users["mentore1"]], [users["mentor1"]], boss)
    lifecycle.approve_pairing(pairing, boss)
    pairing = _activate(
        pairing,
        users,
        "mentor1",
        "mentore1",
        "Réaliser seule une évaluation du fonctionnement social.",
    )
    pairing = _back(pairing, 120)
    for days_ago in (20, 60, 100):
        lifecycle.log_meeting(
            pairing,
            users["mentor1"],
            now - datetime.timedelta(days=days_ago),
            summary="Discussion de cas et lectures suggérées.",
        )

    # Extended: the manager approved two more months.
    pairing = lifecycle.propose_pairing(cisss, [users["mentore2"]], [users["mentor2"]], boss)
    lifecycle.approve_pairing(pairing, boss)
    pairing = _activate(
        pairing, users, "mentor2", "mentore2", "Organiser mes visites de soins à domicile."
    )
    _back(pairing, 170)
    lifecycle.submit_review(
        pairing,
        users["mentore2"],
        ProgressReview.Kind.MIDTERM,
        4,
        what_helped="Les visites accompagnées.",
    )
    extension = lifecycle.request_extension(
        pairing,
        users["mentore2"],
        pairing.planned_end + datetime.timedelta(days=60),
        "Terminer l'objectif sur les plaies complexes.",
    )
    lifecycle.decide_extension(extension, boss, approve=True)

    # Transferred to another site and manager, history kept.
    pairing = lifecycle.propose_pairing(service, [users["mentore3"]], [users["mentor3"]], coord)
    lifecycle.approve_pairing(pairing, coord)
    pairing = _activate(
        pairing,
        users,
        "mentor3",
        "mentore3",
        "Évaluer la sécurité d'un enfant en contexte de négligence.",
    )
    lifecycle.transfer_mentee(
        pairing, coord, site="CLSC de Beauport", unit="Jeunesse", superior=users["gestionnaire2"]
    )

    # Closed with a reason: objectives attained, final review approved by the manager.
    pairing = lifecycle.propose_pairing(
        cisss, [users["mentore4"]], [users["mentor4"]], boss, cross_discipline_reason=""
    )
    lifecycle.approve_pairing(pairing, boss)
    pairing = _activate(
        pairing, users, "mentor4", "mentore4", "Soins de plaies complexes en autonomie."
    )
    lifecycle.submit_review(
        pairing,
        users["mentore4"],
        ProgressReview.Kind.FINAL,
        5,
        what_helped="Les rencontres régulières.",
    )
    lifecycle.request_closure(
        pairing, users["mentor4"], kind=ClosureKind.PLANNED, reason=ClosureReason.OBJECTIVES_MET
    )
    lifecycle.confirm_closure(pairing, users["mentore4"])  # both judge them attained
    lifecycle.close_pairing(pairing, boss)


def ensure_manager_decisions(programmes, users):
    """Two decisions waiting for Marc (``gestionnaire``): a pairing the coordinator
    proposed for Sarah, and the extension Thomas asked for. Each is made once, found
    again by its mentee on the next run (a decision Marc took in the demo stays taken)."""
    cisss, service = programmes[CISSS], programmes[SERVICE]
    coord, boss = users["coordination"], users["gestionnaire"]
    sarah, thomas = users["mentore7"], users["mentore8"]
    if not MentoringRequest.objects.filter(mentee=sarah).exists():
        request = lifecycle.open_request(
            service, sarah, sarah, "Intervenir en situation de crise à domicile."
        )
        lifecycle.propose_pairing(service, [sarah], [users["mentor1"]], coord, request=request)
    if not Pairing.objects.filter(members__user=thomas).exists():
        pairing = lifecycle.propose_pairing(cisss, [thomas], [users["mentor4"]], boss)
        lifecycle.approve_pairing(pairing, boss)
        pairing = _activate(
            pairing, users, "mentor4", "mentore8", "Évaluer seul l'état mental d'un patient."
        )
        pairing = _back(pairing, 150)
        lifecycle.log_meeting(
            pairing,
            users["mentor4"],
            timezone.now() - datetime.timedelta(days=30),
            summary="Visite accompagnée et retour sur l'évaluation.",
        )
        lifecycle.request_extension(
            pairing,
            thomas,
            pairing.planned_end + datetime.timedelta(days=45),
            "Terminer l'objectif d'évaluation avant de continuer seul.",
        )


NEW_SOCIAL_WORKERS = "Nouvelles travailleuses et nouveaux travailleurs sociaux"
LATE_CAREER = "Fin de carrière : partager l'expérience"

# title, fields, facilitator, peers, message (author, text) — seed 000: a network of equals
# "à différentes étapes de leur vie professionnelle".
CIRCLES = [
    (
        NEW_SOCIAL_WORKERS,
        {
            "theme": "Début de carrière en travail social",
            "description": (
                "Un cercle de pairs pour les premières années en CLSC : affectations qui "
                "changent, premières évaluations, charge de cas. On s'entraide entre égaux, "
                "sans jugement."
            ),
            "career_stage": "early",
            "site": "CLSC de Limoilou",
            "capacity": 8,
            "purpose": "Se soutenir entre pairs pendant les deux premières années de pratique.",
            "frequency": "Une heure aux trois semaines, en personne ou en visioconférence",
            "confidentiality": (
                "Ce qui se dit dans le cercle reste dans le cercle. On parle des situations "
                "sans nommer les personnes usagères."
            ),
        },
        "mentor3",
        ["mentore3", "mentore5"],
        ("mentore3", "Bienvenue à toutes et à tous! Prochaine rencontre jeudi midi."),
    ),
    (
        LATE_CAREER,
        {
            "theme": "Transmettre l'expérience",
            "description": (
                "Pour les professionnelles et professionnels en fin de carrière qui veulent "
                "échanger sur leur pratique, la transmission et la préparation de la retraite."
            ),
            "career_stage": "late",
            "site": "",
            "capacity": 6,
            "purpose": "Partager notre expérience et réfléchir ensemble à la transmission.",
            "frequency": "Une fois par mois, en visioconférence",
            "confidentiality": "Les échanges restent entre les membres du cercle.",
        },
        None,
        ["mentor1", "mentor4"],
        ("mentor4", "Quels souvenirs de vos débuts voudriez-vous transmettre?"),
    ),
]


def ensure_circles(programme, users):
    """The two demo circles; a circle already there is left as it is."""
    from wagtail_mentorat import circles
    from wagtail_mentorat.circles import messaging
    from wagtail_mentorat.models import Circle

    coord = users["coordination"]
    today = timezone.localdate()
    for title, fields, facilitator, peers, (author, text) in CIRCLES:
        if Circle.objects.filter(title=title, pairing__programme=programme).exists():
            continue
        circle = circles.open_circle(
            programme,
            coord,
            title=title,
            start_date=today - datetime.timedelta(days=21),
            facilitator=users[facilitator] if facilitator else None,
            **fields,
        )
        decider = users[facilitator] if facilitator else coord
        for username in peers:
            circles.accept_join(circles.ask_to_join(circle, users[username]), decider)
        for username in ([facilitator] if facilitator else []) + peers:
            circles.accept_charter(circle, users[username])
        lifecycle.log_meeting(
            circle.pairing,
            users[peers[0]],
            timezone.now() - datetime.timedelta(days=7),
            duration_minutes=60,
            summary="Tour de table et choix des thèmes des prochaines rencontres.",
        )
        messaging.post_message(circle.pairing, users[author], text)


def ensure_registered_by_manager(programme, users):
    """Marc registered Émilie (``mentore6``) for the CISSS programme; she has not confirmed
    yet, so her space shows the notice to confirm or decline, and she is not matched."""
    from wagtail_mentorat import registration

    person = users["mentore6"]
    if MentoringRequest.objects.filter(mentee=person).exists():
        return
    registration.register_staff(
        users["gestionnaire"],
        person,
        programme,
        "Consolider mes évaluations du fonctionnement social à domicile.",
    )


def build(users):
    programmes = ensure_programmes()
    for programme in programmes.values():  # Sophie coordinates both demo programmes
        programme.coordinators.add(users["coordination"])
    # Julien coordinates the counsellors' service only: the CISSS's pairings are not his.
    programmes[SERVICE].coordinators.add(users["coordination2"])
    ensure_people(users)
    ensure_mentor_pool(programmes, users)
    ensure_pairings(programmes, users)
    ensure_registered_by_manager(programmes[CISSS], users)
    ensure_manager_decisions(programmes, users)
    ensure_circles(programmes[CISSS], users)
    return programmes
