"""Secure messages inside a pairing or a circle (cyber-mentorat, seed 000).

The conversation stays in the intranet: the ``message_posted`` event's email says that
there is a new message, never what it says. A message marked urgent is seed 004's urgent
help request: it opens a :class:`~wagtail_mentorat.models.HelpRequest` through
:func:`lifecycle.ask_for_help`, due within the programme's deadline, and a reply that
answers it closes it through :func:`lifecycle.answer_help_request`.
"""

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .. import lifecycle
from ..exceptions import RuleViolation
from ..models import (
    MESSAGE_MAX_LENGTH,
    HelpRequest,
    MemberRole,
    MentoringKind,
    Message,
    PairingState,
    ThreadReadMarker,
)

S = PairingState
THREAD_STATES = [S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING]


def clean_body(body):
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise RuleViolation(_("Write your message."), code="empty")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise RuleViolation(
            _("A message is %(max)s characters at most (this one has %(n)s).")
            % {"max": MESSAGE_MAX_LENGTH, "n": len(body)},
            code="too_long",
        )
    return body


def _check_circle_charter(pairing, actor):
    from . import has_accepted_charter

    circle = getattr(pairing, "circle", None)
    if circle is not None and not has_accepted_charter(circle, actor):
        raise RuleViolation(
            _("Accept the circle's charter before writing in its thread."), code="charter"
        )


@transaction.atomic
def post_message(pairing, actor, body, urgent=False, answers=None):
    """Post in the thread of a pairing or circle the actor belongs to. ``urgent`` asks for
    help within the programme's deadline; ``answers`` (a help request of this thread)
    answers it with this message."""
    lifecycle._require_state(
        pairing,
        THREAD_STATES,
        _("No message can be written in this conversation now: it is “%(state)s”."),
    )
    member = lifecycle._require_member(pairing, actor)
    body = clean_body(body)
    if pairing.kind == MentoringKind.CIRCLE:
        _check_circle_charter(pairing, actor)
    help_request = None
    if urgent:
        if pairing.kind != MentoringKind.CIRCLE and member.role != MemberRole.MENTEE:
            raise RuleViolation(
                _("Only the mentee marks a message as an urgent help request."), code="urgent"
            )
        help_request = lifecycle.ask_for_help(pairing, actor, body, urgent=True)
    if answers is not None:
        answered = HelpRequest.objects.filter(pk=answers, pairing=pairing).first()
        if answered is None:
            raise RuleViolation(
                _("This help request does not belong to this conversation."), code="scope"
            )
        lifecycle.answer_help_request(answered, actor, body)
    message = Message.objects.create(
        pairing=pairing, author=actor, body=body, urgent=bool(urgent), help_request=help_request
    )
    mark_read(pairing, actor, message.pk)
    lifecycle._record(
        pairing,
        "message_posted",
        actor,
        {"message": message.pk, "urgent": bool(urgent)},
        instance=pairing,
    )
    return message


def mark_read(pairing, user, last_id=None):
    """Everything up to ``last_id`` (the thread's last message by default) is read."""
    if last_id is None:
        last_id = (
            Message.objects.filter(pairing=pairing).order_by("-pk").values_list("pk", flat=True)
        ).first() or 0
    marker, created = ThreadReadMarker.objects.get_or_create(
        pairing=pairing, user=user, defaults={"last_read_id": last_id}
    )
    if not created and marker.last_read_id < last_id:
        ThreadReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=last_id).update(
            last_read_id=last_id
        )
    return last_id


def _unread(user):
    """The messages ``user`` has not read: others' messages after the person's read marker
    in their thread. The one place of that rule."""
    marker = ThreadReadMarker.objects.filter(pairing=OuterRef("pairing_id"), user=user).values(
        "last_read_id"
    )[:1]
    return Message.objects.exclude(author=user).filter(
        pk__gt=Coalesce(Subquery(marker, output_field=IntegerField()), Value(0))
    )


def unread_counts(user, pairing_ids):
    """{pairing id: unread messages} for ``user``, in one query whatever the number of
    pairings and messages: the messages of others after the person's read marker.

    The rule of :func:`_unread` written as SQL: the dashboard runs it on every request,
    and the ORM took twenty times longer to build the query than the database took to run
    it (issue 20). ``tests/circles/test_messages.py`` proves that both give the same
    counts (no marker, a marker mid-thread, one's own messages, a deleted author)."""
    pairing_ids = [int(pk) for pk in pairing_ids]
    if not pairing_ids or not user.is_authenticated:
        return {}
    quote = connection.ops.quote_name
    message, marker = quote(Message._meta.db_table), quote(ThreadReadMarker._meta.db_table)
    # Only the quoted table names and one "%s" per id are formatted in; values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.pairing_id, COUNT(*) FROM {message} m "  # noqa: S608  # nosec B608
            f"LEFT JOIN {marker} r ON r.pairing_id = m.pairing_id AND r.user_id = %s "
            f"WHERE m.pairing_id IN ({', '.join(['%s'] * len(pairing_ids))}) "
            "AND (m.author_id IS NULL OR m.author_id <> %s) "
            "AND m.id > COALESCE(r.last_read_id, 0) "
            "GROUP BY m.pairing_id",
            [user.pk, *pairing_ids, user.pk],
        )
        return dict(cursor.fetchall())


def unread_count(user):
    """The number of messages ``user`` has not read in the pairing of the outer query, as
    an expression: ``Pairing.objects.annotate(unread=unread_count(user))`` (a subquery of
    the same query, no query of its own)."""
    per_pairing = (
        _unread(user)
        .filter(pairing=OuterRef("pk"))
        .order_by()
        .values("pairing_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_pairing, output_field=IntegerField()), Value(0))


def thread(pairing):
    """The messages of a thread, oldest first, with their authors (one query)."""
    return list(Message.objects.filter(pairing=pairing).select_related("author", "help_request"))
