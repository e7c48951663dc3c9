"""The self-assessment checklist: MENTOR's Elements of Effective Practice for Mentoring
(six standards), worded for the staff of a workplace programme, with the benchmark each
item checks. Items the software measures name an indicator and a target; their answer is
pre-filled from the period's indicators. Items the software enforces say so.

Codes are stored with the answers: never renumber an item, add new codes instead.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Status


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    benchmark: str
    measure: str = ""  # an Indicator key of metrics.build_indicators
    target: float | None = None  # percent; "met" at or beyond, "partly" within MARGIN
    lower_is_better: bool = False
    enforced: str = ""  # what the software guarantees, when it does


@dataclass(frozen=True)
class Standard:
    number: int
    title: str
    purpose: str
    items: tuple


MARGIN = 20  # points under the target that still count as "partly met"

STANDARDS = (
    Standard(
        1,
        _("Recruitment"),
        _("Recruit mentors and mentees whose motivation and expectations fit the programme."),
        (
            Item(
                "1.1",
                _(
                    "We tell prospective mentors and mentees what the programme asks of them "
                    "(duration, meetings, deadlines) before they commit."
                ),
                _("Realistic expectations of the commitment are given in writing."),
                enforced=_(
                    "The programme page shows the programme's rules, computed from its settings."
                ),
            ),
            Item(
                "1.2",
                _("We recruit enough mentors for the requests: most requests find a mentor."),
                _("Requests matched with a mentor (usual target: 70%)."),
                measure="match_rate",
                target=70,
            ),
            Item(
                "1.3",
                _(
                    "We look at supply and demand by area of expertise and recruit mentors "
                    "where requests wait."
                ),
                _("Mentor recruitment is planned from the waiting requests."),
            ),
        ),
    ),
    Standard(
        2,
        _("Screening"),
        _("Check that mentors and mentees can keep the commitment and are safe together."),
        (
            Item(
                "2.1",
                _(
                    "Each mentor meets the programme's criteria (experience, discipline) and is "
                    "never the mentee's superior, directly or up the line."
                ),
                _("Screening criteria are written and applied to every pairing."),
                enforced=_("Every pairing is checked against these rules before it is made."),
            ),
            Item(
                "2.2",
                _(
                    "Mentor and mentee both sign the agreement: objectives, meetings, "
                    "confidentiality."
                ),
                _("A written commitment from both before the relationship starts."),
                measure="agreements_signed",
                target=90,
            ),
            Item(
                "2.3",
                _("We check each mentor's capacity before assigning a new mentee."),
                _("Mentors are never assigned beyond their capacity."),
                enforced=_("A mentor's last free place goes to one pairing only."),
            ),
        ),
    ),
    Standard(
        3,
        _("Training"),
        _("Prepare mentors and mentees for their roles before the match, and keep learning."),
        (
            Item(
                "3.1",
                _("Mentors complete the required training before they are matched."),
                _("At least two hours of training before matching (MENTOR)."),
                measure="mentors_trained",
                target=100,
            ),
            Item(
                "3.2",
                _("Mentees learn how the programme works and what their responsibilities are."),
                _("An orientation for mentees before or at the first meeting."),
            ),
            Item(
                "3.3",
                _("We offer continuing training to mentors, including on request."),
                _("Training continues during the relationship."),
            ),
        ),
    ),
    Standard(
        4,
        _("Matching and initiating"),
        _("Match on needs and strengths, and start each relationship well."),
        (
            Item(
                "4.1",
                _(
                    "We match on the mentee's needs, the mentor's expertise, workplace and "
                    "discipline, and keep the reasons."
                ),
                _("Documented matching criteria, and a person decides."),
                enforced=_("Suggestions are explained and a person confirms each assignment."),
            ),
            Item(
                "4.2",
                _("The mentor contacts the mentee within the programme's deadline."),
                _("First contact within 48 to 72 hours of the assignment."),
                measure="first_contact_on_time",
                target=90,
            ),
            Item(
                "4.3",
                _("The first meetings set development objectives and how success will be seen."),
                _("Objectives are written in the agreement."),
            ),
        ),
    ),
    Standard(
        5,
        _("Monitoring and support"),
        _("Follow each relationship, support the pair and review the programme."),
        (
            Item(
                "5.1",
                _("Pairs meet at least the recommended number of times."),
                _("The programme's minimum number of meetings."),
                measure="meetings_min_share",
                target=80,
            ),
            Item(
                "5.2",
                _("Mid-term and final reviews are done on time."),
                _("A review at mid-term and at the end."),
                measure="reviews_on_time",
                target=80,
            ),
            Item(
                "5.3",
                _("Help requests, urgent ones first, are answered within their deadline."),
                _("An urgent request answered within 24 to 48 hours."),
                measure="help_on_time",
                target=90,
            ),
            Item(
                "5.4",
                _("Programme staff check in with mentors and mentees regularly."),
                _("Twice in the first month, then monthly (MENTOR)."),
            ),
            Item(
                "5.5",
                _("We review our indicators and revise them regularly."),
                _("An iterative quality review."),
            ),
        ),
    ),
    Standard(
        6,
        _("Closure"),
        _("End every relationship in a planned, respectful way, and learn from it."),
        (
            Item(
                "6.1",
                _(
                    "Every ending has a reason from a list without sanction and a final review "
                    "or exit questions."
                ),
                _("A closure procedure for planned and unplanned endings."),
                enforced=_(
                    "A pairing closes only with a listed reason and its review or exit questions."
                ),
            ),
            Item(
                "6.2",
                _("Few relationships end prematurely, and each premature ending is reviewed."),
                _("Premature closure below the published reference (38%, Kupersmidt 2017)."),
                measure="premature_share",
                target=38,
                lower_is_better=True,
            ),
            Item(
                "6.3",
                _("Relationships reach the commitment they planned."),
                # xgettext:no-python-format
                _("69% of matches reach their one-year commitment (STAR study)."),
                measure="commitment_share",
                target=69,
            ),
            Item(
                "6.4",
                _("Objectives attained are recorded in the final review."),
                _("Outcomes measured against the objectives set at the start."),
                measure="objectives_attained",
                target=70,
            ),
        ),
    ),
)

ITEMS = {item.code: item for standard in STANDARDS for item in standard.items}


def suggest(item, indicators):
    """(status, measured text) the software proposes for ``item``, from the period's
    indicators ({key: Indicator}). ("", "") when it cannot tell."""
    if item.measure:
        indicator = indicators.get(item.measure)
        if indicator is None or indicator.value is None:
            return "", str(_("Not enough data in this period to measure it."))
        value = indicator.value
        measured = _("Measured: %(value)s%% (%(num)s of %(den)s); target %(target)s%%.") % {
            "value": value,
            "num": indicator.numerator,
            "den": indicator.denominator,
            "target": item.target,
        }
        gap = (value - item.target) if item.lower_is_better else (item.target - value)
        if gap <= 0:
            return Status.MET, str(measured)
        if gap <= MARGIN:
            return Status.PARTLY, str(measured)
        return Status.NOT_MET, str(measured)
    if item.enforced:
        return Status.MET, str(_("Enforced by the software: %(what)s") % {"what": item.enforced})
    return "", ""
