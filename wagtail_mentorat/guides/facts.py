"""What a programme page says about a programme's rules, read from the rules themselves.

The programme page ("fiche synthèse", seed 001) never stores these numbers: it shows
what ``wagtail_mentorat.Programme`` holds, which is what the lifecycle enforces. Change
a rule and the page changes with it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    text: str


def duration_text(months):
    """``months`` as staff say it: "1 an", "2 ans", "6 mois"."""
    if months % 12 == 0:
        years = months // 12
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}


def _duration(programme):
    length = duration_text(programme.max_duration_months)
    if programme.duration_basis == programme.DurationBasis.FIRST_CONTACT:
        text = _(
            "The service is in effect for %(duration)s from the first contact between the "
            "mentee and the mentor."
        )
    else:
        text = _("Mentoring lasts %(duration)s at most, from the start of the agreement.")
    return Fact("duration", _("Maximum duration"), length, text % {"duration": length})


def _reviews(programme):
    midterm, final = programme.midterm_review_required, programme.final_review_required
    if midterm and final:
        value = _("Mid-term and end")
        text = _(
            "A review of the progress towards the objectives is done at mid-term and at "
            "the end of the agreement."
        )
    elif midterm:
        value = _("Mid-term")
        text = _("A review of the progress towards the objectives is done at mid-term.")
    elif final:
        value = _("End")
        text = _("A review of the progress towards the objectives is done at the end.")
    else:
        value = _("None required")
        text = _("No progress review is required.")
    return Fact("reviews", _("Progress reviews"), value, text)


def _extension(programme):
    if programme.extension_needs_manager:
        value = _("Manager's approval")
        text = _(
            "The manager's approval is needed if the mentoring must go on past the planned "
            "end of the agreement."
        )
    else:
        value = _("Agreed by the pair")
        text = _("The mentor and the mentee may agree to go on past the planned end.")
    return Fact("extension", _("Extension"), value, text)


def _meetings(programme):
    count, weeks = programme.min_meetings, programme.meeting_cadence_weeks
    cadence = ngettext(
        "at least one meeting every week", "at least one meeting every %(n)d weeks", weeks
    ) % {"n": weeks}
    if count:
        value = ngettext("%(n)d meeting", "%(n)d meetings", count) % {"n": count}
        text = ngettext(
            "There is no maximum number of meetings, but a minimum of %(n)d meeting is "
            "recommended (%(cadence)s).",
            "There is no maximum number of meetings, but a minimum of %(n)d meetings is "
            "recommended (%(cadence)s).",
            count,
        ) % {"n": count, "cadence": cadence}
    else:
        value = _("No minimum")
        text = _("There is no minimum number of meetings (%(cadence)s is recommended).") % {
            "cadence": cadence
        }
    return Fact("meetings", _("Meetings"), value, text)


def _hours(hours):
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def frequency_and_duration(programme):
    """Seed 001's "Fréquence et durée", from the programme's rules."""
    return [_duration(programme), _reviews(programme), _extension(programme), _meetings(programme)]


def deadlines(programme):
    """Seed 004's response times, from the programme's rules."""
    first, urgent = programme.first_contact_hours, programme.urgent_response_hours
    return [
        Fact(
            "first_contact",
            _("First contact"),
            _hours(first),
            _("The mentor contacts the mentee within %(hours)s of the assignment.")
            % {"hours": _hours(first)},
        ),
        Fact(
            "urgent_response",
            _("Urgent request"),
            _hours(urgent),
            _("The mentor answers an urgent request (a client waiting) within %(hours)s.")
            % {"hours": _hours(urgent)},
        ),
    ]


def pairing_rules(programme):
    """Seed 001's "Informations importantes" that the pairing rules enforce."""
    years = programme.mentor_min_years
    experience = ngettext(
        "The mentor is an experienced practitioner: at least %(n)d year of experience.",
        "The mentor is an experienced practitioner: at least %(n)d years of experience.",
        years,
    ) % {"n": years}
    discipline = {
        programme.DisciplineRule.REQUIRED: _("The mentor is of the mentee's discipline."),
        programme.DisciplineRule.PREFERRED: _(
            "The mentor is ideally of the mentee's discipline; another discipline is possible "
            "when the need is a specific knowledge or skill."
        ),
        programme.DisciplineRule.ANY: _("The mentor may be of any discipline."),
    }[programme.discipline_rule]
    who = {
        programme.WhoPairs.MANAGER: _("The mentee's manager makes the pairing."),
        programme.WhoPairs.COORDINATOR: _("Programme staff make the pairing."),
        programme.WhoPairs.BOTH: _("The manager or programme staff make the pairing."),
    }[programme.who_pairs]
    return [
        _("The mentor is never the mentee's hierarchical superior."),
        experience,
        discipline,
        who,
    ]
