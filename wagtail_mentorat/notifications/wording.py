"""Emails editors can word: the placeholders of each kind, their checking, their rendering.

Why a restricted Django template, and how
-----------------------------------------
Editors write a subject and a body with placeholders in Django's own syntax
(``{{ due }}``), which the admin's users already meet in Wagtail. The text is parsed and
rendered by a private :class:`django.template.Engine` built with **no builtins and no
libraries**: no tag exists in it (``{% include %}``, ``{% load %}``, ``{% if %}``, even
``{% url %}`` are syntax errors) and no filter either. On saving, the parsed template must
hold only text and variables, each a single name (no dot, no filter, no literal) that the
kind's list allows; a confidential name (notes, agreement, messages…) is refused with
that reason, any other unknown name too. When sending, the context holds only those
names, each a string already formatted in the recipient's language (dates included): a
lookup can never reach a model, a manager or a method.

The text version renders with autoescaping off (it is plain text); the HTML version is
that same text escaped as a whole (the editor's words and the values alike), its lines
made paragraphs (``linebreaks``), so neither an editor's ``<b>`` nor a person's name ever
becomes markup. The subject is plain text on one line.

The greeting, the link to act and the footer (confidentiality line, how to turn off a
reminder) stay the shipped frame (``base.txt``/``base.html``): an editor words the
message, not the guarantees around it.
"""

import datetime

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, VariableNode
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .kinds import Kind

ENGINE = Engine(libraries={}, debug=False)
# Django always adds its default tags and filters to an engine's builtins: take them all
# away, so that the parser knows no tag and no filter.
ENGINE.builtins = []
ENGINE.template_builtins = []
ENGINE.template_libraries = {}

# name -> what it holds, shown beside the editor.
PLACEHOLDERS = {
    "recipient_name": _("the recipient's name"),
    "site_name": _("the intranet's name"),
    "url": _("the link to the page where the person acts"),
    "settings_url": _("the link to the person's email settings"),
    "programme": _("the programme's name"),
    "pairing_number": _("the pairing's number"),
    "due": _("the deadline (date, or date and time)"),
    "planned_end": _("the pairing's planned end"),
    "new_end": _("the new end after an extension"),
    "since": _("the date of the last meeting, or of the start"),
    "weeks": _("the recommended weeks between meetings"),
    "days": _("the days left before the end"),
    "review_name": _("which review: mid-term or final"),
    "decision": _("the decision: approved/accepted or refused/declined"),
    "mentor_names": _("the names of the mentors"),
    "manager": _("the manager's name"),
    "awaiting_count": _("how many decisions await the manager"),
    "digest": _("the list of the team's pairings: states and dates only"),
    "starts": _("the meeting's date and time (in the intranet's time zone)"),
}
COMMON = ("recipient_name", "site_name", "url", "settings_url", "programme", "pairing_number")
K = Kind
BY_KIND = {
    K.ASSIGNED_MENTOR: ("due",),
    K.ASSIGNED_MENTEE: ("mentor_names",),
    K.PAIRING_ACTIVE: ("planned_end",),
    K.FIRST_CONTACT_OVERDUE: ("due",),
    K.FIRST_CONTACT_ESCALATED: ("due",),
    K.HELP_REQUESTED: ("due",),
    K.HELP_OVERDUE: ("due",),
    K.HELP_ESCALATED: ("due",),
    K.NO_MEETING: ("since", "weeks"),
    K.REVIEW_DUE: ("review_name", "due"),
    K.REVIEW_OVERDUE: ("review_name", "due"),
    K.END_APPROACHING: ("due", "days"),
    K.PROGRAMME_ENDING: ("due", "days"),
    K.EXTENSION_DECIDED: ("decision", "new_end"),
    K.CIRCLE_JOIN_DECIDED: ("decision",),
    K.MANAGER_DIGEST: ("awaiting_count", "digest"),
    K.REGISTRATION_TO_CONFIRM: ("manager",),
    K.MEETING_PLANNED: ("starts",),
    K.MEETING_CANCELLED: ("starts",),
}
# Deadlines with an hour (the 48-72 h and 24-48 h clocks); the other dates are days.
DATETIME_KINDS = {
    K.ASSIGNED_MENTOR,
    K.FIRST_CONTACT_OVERDUE,
    K.FIRST_CONTACT_ESCALATED,
    K.HELP_REQUESTED,
    K.HELP_OVERDUE,
    K.HELP_ESCALATED,
}
# What belongs to the pair (or to the person who raised it) and never leaves the intranet.
CONFIDENTIAL = frozenset(
    {
        "notes",
        "note",
        "meeting_notes",
        "meeting",
        "meetings",
        "agreement",
        "agreement_content",
        "objectives",
        "objective",
        "goals",
        "needs",
        "expectations",
        "message",
        "messages",
        "thread",
        "question",
        "answer",
        "help_request",
        "request",
        "reason",
        "closure_reason",
        "concern",
        "disagreement",
        "review",
        "reviews",
        "review_answers",
        "comment",
        "comments",
        "content",
        "summary",
    }
)


def placeholders_for(kind):
    """The names ``kind`` may use, in the order shown to editors."""
    return [*COMMON, *BY_KIND.get(kind, ())]


def described(kind):
    """[(name, what it holds)] for the editor's side panel."""
    return [(name, PLACEHOLDERS[name]) for name in placeholders_for(kind)]


# --- checking ------------------------------------------------------------------------------


def problems(kind, text):
    """The reasons ``text`` cannot be saved for ``kind`` (empty: it can)."""
    if not text:
        return []
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError:
        # Django's own message is English only: ours says what is allowed.
        return [
            gettext(
                "This text cannot be read: only placeholders written {{ name }} are allowed, "
                "no tags ({% … %}) nor filters (|), and every {{ must be closed by }}."
            )
        ]
    allowed = set(placeholders_for(kind))
    found = []
    for node in template.nodelist:
        if isinstance(node, TextNode):
            if "{{" in node.s or "{%" in node.s:  # left open: Django reads it as text
                found.append(
                    gettext("A placeholder or a tag is left open: close every {{ with }}.")
                )
            continue
        if not isinstance(node, VariableNode):  # impossible with no builtins; refused anyway
            found.append(gettext("Only text and placeholders are allowed."))
            continue
        expression = node.filter_expression
        variable = expression.var
        token = expression.token
        lookups = getattr(variable, "lookups", None)
        if expression.filters or not lookups or getattr(variable, "translate", False):
            found.append(
                gettext("{{ %(token)s }}: a placeholder is a single name, without filter.")
                % {"token": token}
            )
            continue
        if any(part.lower() in CONFIDENTIAL for part in lookups):
            found.append(
                gettext(
                    "{{ %(token)s }} is confidential: what the pair writes (notes, agreement, "
                    "messages, requests, reviews) never leaves the intranet."
                )
                % {"token": token}
            )
        elif len(lookups) > 1:
            found.append(
                gettext(
                    "{{ %(token)s }}: a placeholder is a single name, without dots; use one "
                    "of the names listed beside the editor."
                )
                % {"token": token}
            )
        elif lookups[0] not in allowed:
            found.append(
                gettext(
                    "{{ %(token)s }} is not a placeholder of this kind of email; use one of: "
                    "%(names)s."
                )
                % {"token": token, "names": ", ".join(placeholders_for(kind))}
            )
    return list(dict.fromkeys(found))


# --- rendering -----------------------------------------------------------------------------


def render_text(text, values, *, html=False):
    """Render an editor's checked ``text`` with ``values`` (strings only)."""
    safe = {name: str(value) for name, value in values.items() if name in PLACEHOLDERS}
    out = ENGINE.from_string(text).render(Context(safe, autoescape=False))
    if html:
        # The editor's own text is escaped too, not only the values: no markup at all.
        # escape() always escapes, even the SafeString a template render returns.
        return linebreaks_filter(escape(out))
    return out


def _format(value, kind, name):
    if isinstance(value, datetime.datetime):
        if (kind in DATETIME_KINDS and name == "due") or name == "starts":
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return formats.date_format(value, "DATETIME_FORMAT")
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return "" if value is None else str(value)


def values_for(notification, context):
    """The placeholders' values for one email (call inside the recipient's language)."""
    kind = notification.kind
    data = context.get("data") or {}
    programme = context.get("programme")
    pairing = context.get("pairing")
    values = {
        "recipient_name": context.get("recipient_name", ""),
        "site_name": context.get("site_name", ""),
        "url": context.get("url", ""),
        "settings_url": context.get("settings_url", ""),
        "programme": programme.name if programme else data.get("programme", ""),
        "pairing_number": str(pairing.pk) if pairing else "",
    }
    for name in ("due", "planned_end", "new_end", "since", "weeks", "days", "manager", "starts"):
        if name in data:
            values[name] = _format(data[name], kind, name)
    if kind in (K.REVIEW_DUE, K.REVIEW_OVERDUE):
        final = data.get("review") == "final"
        values["review_name"] = gettext("final review") if final else gettext("mid-term review")
    if kind == K.EXTENSION_DECIDED:
        values["decision"] = gettext("approved") if data.get("approved") else gettext("refused")
    if kind == K.CIRCLE_JOIN_DECIDED:
        values["decision"] = gettext("accepted") if data.get("accepted") else gettext("declined")
    if kind == K.ASSIGNED_MENTEE:
        values["mentor_names"] = ", ".join(context.get("mentor_names") or [])
    if kind == K.MANAGER_DIGEST:
        values["awaiting_count"] = str(context.get("awaiting_count") or 0)
        values["digest"] = render_to_string(
            "mentorat_notifications/email/edited/digest_lines.txt", context
        ).strip()
    return {name: values.get(name, "") for name in placeholders_for(kind)}


def render_edited(notification, context, wording):
    """(subject or None, text or None, html or None): the parts ``wording`` words; None
    where the shipped file applies. Call inside the recipient's language."""
    subject_text, body_text = wording.get("subject") or "", wording.get("body") or ""
    if not (subject_text or body_text):
        return None, None, None
    values = values_for(notification, context)
    subject = " ".join(render_text(subject_text, values).split()) if subject_text else None
    if not body_text:
        return subject, None, None
    frame = "mentorat_notifications/email/edited/"
    text = render_to_string(
        frame + "body.txt", {**context, "edited": render_text(body_text, values).strip()}
    )
    html = render_to_string(
        frame + "body.html", {**context, "edited": render_text(body_text, values, html=True)}
    )
    return subject, text, html


# --- the shipped wording, with placeholders (the editor's starting point) -----------------


class _Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


_SENTINELS = {
    "due": datetime.datetime(1999, 12, 31, 23, 58),
    "planned_end": datetime.date(1999, 11, 29),
    "new_end": datetime.date(1999, 10, 28),
    "since": datetime.date(1999, 9, 27),
    "starts": datetime.datetime(1999, 8, 26, 22, 57),
}


def shipped(kind, language=None):
    """(subject, body) of the shipped files for ``kind`` in ``language``, written with
    placeholders. Where the shipped email varies (mid-term or final review, approved or
    refused), its most common wording."""
    language = language or settings.LANGUAGE_CODE
    base = f"mentorat_notifications/email/{kind}/"
    data = {name: value for name, value in _SENTINELS.items()}
    data.update(
        weeks="{{ weeks }}", days="{{ days }}", manager="{{ manager }}", programme="{{ programme }}"
    )
    context = {
        "recipient_name": "{{ recipient_name }}",
        "site_name": "{{ site_name }}",
        "url": "{{ url }}",
        "settings_url": "{{ settings_url }}",
        "pairing": _Obj(pk="{{ pairing_number }}", kind="mentoring"),
        "programme": _Obj(name="{{ programme }}"),
        "data": data,
        "mentor_names": ["{{ mentor_names }}"],
        "lines": [],
        "awaiting_count": 0,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(base + "subject.txt", context).split())
        if kind == K.MANAGER_DIGEST:
            body = (
                gettext("The mentoring pairings of your team: states and dates only.")
                + "\n\n{{ digest }}"
            )
        else:
            template = get_template(base + "body.txt").template
            block = next(
                n for n in template.nodelist.get_nodes_by_type(BlockNode) if n.name == "content"
            )
            ctx = Context(context, autoescape=False)
            with ctx.bind_template(template):
                body = block.nodelist.render(ctx).strip()
        for name, value in _SENTINELS.items():
            datetime_too = isinstance(value, datetime.datetime)
            for fmt in ("DATETIME_FORMAT", "DATE_FORMAT") if datetime_too else ("DATE_FORMAT",):
                shown = formats.date_format(value, fmt)
                subject = subject.replace(shown, "{{ " + name + " }}")
                body = body.replace(shown, "{{ " + name + " }}")
    return subject, body
