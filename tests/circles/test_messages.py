"""Secure messages in a pairing and in a circle: members only, text only, emails without
content, unread counts in a fixed number of queries."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail_mentorat import circles, lifecycle
from wagtail_mentorat.circles import messaging
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import MESSAGE_MAX_LENGTH, Message, ThreadReadMarker

from .conftest import join, open_circle

pytestmark = pytest.mark.django_db

SECRET = "La cliente de la chambre 12 a révélé un abus."


def thread_url(pairing):
    return reverse("wagtail_mentorat:thread", args=[pairing.pk])


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n  ", None])
def test_an_empty_message_is_refused(active, cast, body):
    with pytest.raises(RuleViolation) as error:
        messaging.post_message(active, cast["mentee"], body)
    assert error.value.code == "empty"
    assert not Message.objects.exists()


def test_an_oversized_message_is_refused(active, cast):
    messaging.post_message(active, cast["mentee"], "x" * MESSAGE_MAX_LENGTH)
    with pytest.raises(RuleViolation) as error:
        messaging.post_message(active, cast["mentee"], "x" * (MESSAGE_MAX_LENGTH + 1))
    assert error.value.code == "too_long"
    assert Message.objects.count() == 1


def test_the_form_shows_the_error_next_to_the_field(active, cast, login):
    client = login(cast["mentee"])
    for body in ("", "   ", "y" * (MESSAGE_MAX_LENGTH + 1)):
        response = client.post(thread_url(active), {"body": body})
        assert response.status_code == 400
        assert response.context["form"].errors["body"]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"body": "ok", "answers": "abc"},
        {"body": "ok", "answers": "999999"},
        {"body": "ok", "urgent": "on", "answers": "-1"},
        {"body": ["a", "b"]},
    ],
)
def test_malformed_posts_never_give_a_500(active, cast, login, data):
    response = login(cast["mentee"]).post(thread_url(active), data)
    assert response.status_code in (302, 400)


def test_html_and_script_are_shown_as_text(active, cast, login):
    body = '<script>alert("x")</script><b onclick="steal()">gras</b>\nligne 2'
    messaging.post_message(active, cast["mentee"], body)
    html = login(cast["mentor"]).get(thread_url(active)).content.decode()
    assert "<script>alert" not in html and "<b onclick" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<br>ligne 2" in html  # line breaks kept
    assert Message.objects.get().body == body  # stored as written, rendered inert


# --- confidentiality ----------------------------------------------------------------------


def test_a_non_member_gets_404_for_any_thread_id(active, circle, cast, login):
    messaging.post_message(active, cast["mentee"], SECRET)
    for user in (cast["outsider"], cast["manager"], cast["coordinator"], cast["peers"][0]):
        client = login(user)
        for pk in (active.pk, circle.pairing_id, 999999):
            response = client.get(reverse("wagtail_mentorat:thread", args=[pk]))
            assert response.status_code == 404
            assert SECRET not in response.content.decode()
            response = client.post(
                reverse("wagtail_mentorat:thread", args=[pk]), {"body": "intrusion"}
            )
            assert response.status_code == 404
    assert not Message.objects.filter(body="intrusion").exists()


def test_posting_where_one_is_not_a_member_is_refused(active, circle, cast):
    with pytest.raises(RuleViolation):
        messaging.post_message(active, cast["outsider"], "Bonjour")
    with pytest.raises(RuleViolation):
        messaging.post_message(circle.pairing, cast["mentee"], "Bonjour")
    assert not Message.objects.exists()


def test_a_non_member_sees_only_the_circles_public_part(circle, members, cast, login):
    messaging.post_message(circle.pairing, members[0], SECRET)
    url = reverse("wagtail_mentorat:circle", args=[circle.pairing_id])
    html = login(cast["outsider"]).get(url).content.decode()
    assert circle.title in html and circle.description in html
    assert SECRET not in html and circle.confidentiality not in html
    assert members[0].get_full_name() not in html
    assert thread_url(circle.pairing) not in html
    assert 'value="join"' in html
    member_html = login(members[1]).get(url).content.decode()
    assert circle.confidentiality in member_html and thread_url(circle.pairing) in member_html


def test_a_closed_circle_is_hidden_from_non_members(circle, cast, login):
    lifecycle.request_closure(
        circle.pairing,
        cast["coordinator"],
        kind="unplanned",
        reason="programme_ended",
        exit_questions_done=True,
    )
    url = reverse("wagtail_mentorat:circle", args=[circle.pairing_id])
    assert login(cast["outsider"]).get(url).status_code == 404
    assert login(cast["facilitator"]).get(url).status_code == 200


def test_joining_through_the_page(circle, cast, login):
    url = reverse("wagtail_mentorat:circle", args=[circle.pairing_id])
    client = login(cast["peers"][0])
    response = client.post(url, {"action": "join", "note": "Bonjour!"})
    assert response.status_code == 302
    response = client.post(url, {"action": "join", "note": ""})
    assert response.status_code == 400
    assert "already waiting" in str(response.context["join_form"].non_field_errors())
    # Deciding requires the facilitator: a peer's post is refused with a message.
    request = circle.join_requests.get()
    response = client.post(url, {"action": "accept_join", "join_request": request.pk})
    assert response.status_code == 302 and circle.join_requests.get().status == "pending"
    facilitator = login(cast["facilitator"])
    for bad in ("x", "999999", ""):
        response = facilitator.post(url, {"action": "accept_join", "join_request": bad})
        assert response.status_code == 302
    facilitator.post(url, {"action": "accept_join", "join_request": request.pk})
    assert circle.join_requests.get().status == "accepted"
    assert client.post(url, {"action": "bogus"}).status_code == 302


def test_joining_a_full_circle_says_so(circle, cast, login):
    for peer in cast["peers"][:3]:
        join(circle, peer, cast["facilitator"])
    url = reverse("wagtail_mentorat:circle", args=[circle.pairing_id])
    response = login(cast["peers"][4]).post(url, {"action": "join"})
    assert response.status_code == 400
    assert "full" in str(response.context["join_form"].non_field_errors())


def test_browsing_filters_and_empty_state(programme, cast, login):
    open_circle(programme, cast)
    open_circle(
        programme,
        cast,
        title="Fin de carrière",
        theme="Transmettre",
        career_stage="late",
        site="Hôpital",
        facilitator=None,
    )
    client = login(cast["outsider"])
    url = reverse("wagtail_mentorat:circles")
    html = client.get(url).content.decode()
    assert "Nouvelles travailleuses sociales" in html and "Fin de carrière" in html
    html = client.get(url, {"stage": "late"}).content.decode()
    assert "Fin de carrière" in html and "Nouvelles travailleuses" not in html
    html = client.get(url, {"theme": "Transmettre", "site": "CLSC de Limoilou"}).content.decode()
    assert "No circle found" in html
    response = client.get(url, {"stage": "retired", "site": "<script>"})
    assert response.status_code == 400 and response.context["form"].errors["stage"]
    assert "<script>" not in response.content.decode()


# --- emails -------------------------------------------------------------------------------


def test_the_email_says_there_is_a_message_never_what_it_says(
    circle, members, cast, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        messaging.post_message(circle.pairing, members[0], SECRET)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        u.email for u in (cast["facilitator"], members[1])
    )  # the other members, not the author
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert SECRET not in message.body and SECRET not in html and SECRET not in message.subject
        assert thread_url(circle.pairing) in message.body


def test_a_pairings_message_and_urgent_request_emails_carry_no_content(
    active, cast, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        messaging.post_message(active, cast["mentor"], SECRET)
    assert [m.to for m in mail.outbox] == [[cast["mentee"].email]]
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        messaging.post_message(active, cast["mentee"], SECRET, urgent=True)
    assert [m.to for m in mail.outbox] == [[cast["mentor"].email]]
    assert "Urgent" in mail.outbox[0].subject
    assert SECRET not in mail.outbox[0].body + mail.outbox[0].alternatives[0][0]


def test_join_requests_reach_the_facilitator_and_decisions_the_person(
    circle, cast, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        request = circles.ask_to_join(circle, cast["peers"][0], "Mon histoire personnelle.")
    assert [m.to for m in mail.outbox] == [[cast["facilitator"].email]]
    assert "Mon histoire" not in mail.outbox[0].body
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        circles.accept_join(request, cast["facilitator"])
    assert [m.to for m in mail.outbox] == [[cast["peers"][0].email]]


# --- unread counts ------------------------------------------------------------------------


def test_unread_counts_follow_the_read_marker(circle, members, cast, login):
    reader = members[1]
    for text in ("un", "deux", "trois"):
        messaging.post_message(circle.pairing, members[0], text)
    messaging.post_message(circle.pairing, reader, "le mien")  # one's own is never unread
    # Posting marks everything read up to one's own message.
    assert messaging.unread_counts(reader, [circle.pairing_id]) == {}
    messaging.post_message(circle.pairing, members[0], "quatre")
    assert messaging.unread_counts(reader, [circle.pairing_id]) == {circle.pairing_id: 1}
    assert messaging.unread_counts(cast["facilitator"], [circle.pairing_id]) == {
        circle.pairing_id: 5
    }
    login(cast["facilitator"]).get(thread_url(circle.pairing))
    assert messaging.unread_counts(cast["facilitator"], [circle.pairing_id]) == {}
    marker = ThreadReadMarker.objects.get(pairing=circle.pairing, user=cast["facilitator"])
    assert marker.last_read_id == Message.objects.latest("pk").pk


def test_the_unread_counts_sql_gives_what_the_orm_rule_gives(circle, members, active, cast):
    """``unread_counts`` is the rule of ``messaging._unread`` written as SQL (issue 20):
    both count the same messages for every reader, with no marker, a marker mid-thread,
    one's own messages, a deleted author, and in another pairing left out."""
    from django.db.models import Count

    facilitator, first, second = cast["facilitator"], *members
    for text in ("un", "deux"):
        messaging.post_message(circle.pairing, first, text)
    messaging.post_message(circle.pairing, second, "lu jusqu'ici")  # second's marker moves
    for text in ("trois", "quatre"):
        messaging.post_message(circle.pairing, first, text)
    Message.objects.create(pairing=circle.pairing, author=None, body="auteur supprimé")
    Message.objects.create(pairing=active, author=None, body="ailleurs")
    ids = [circle.pairing_id]

    def by_orm(user):
        rows = messaging._unread(user).filter(pairing_id__in=ids).values("pairing_id")
        return dict(rows.annotate(n=Count("pk")).order_by().values_list("pairing_id", "n"))

    expected = {facilitator: 6, first: 1, second: 3}  # first wrote all but one and the gone
    for reader, count in expected.items():
        assert messaging.unread_counts(reader, ids) == by_orm(reader) == {ids[0]: count}
    # The other pairing's message counts for its own pairing only.
    assert messaging.unread_counts(facilitator, [active.pk]) == {active.pk: 1}
    assert messaging.unread_counts(facilitator, []) == {}


def _dashboard_queries(client):
    client.get(reverse("wagtail_mentorat:space"))  # fills the caches (issue 20)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("wagtail_mentorat:space"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_dashboard_shows_unread_counts_in_a_constant_number_of_queries(
    programme, cast, login, django_assert_max_num_queries
):
    reader = cast["peers"][0]
    client = login(reader)
    first = open_circle(programme, cast, title="Cercle 1")
    join(first, reader, cast["facilitator"])
    circles.accept_charter(first, cast["facilitator"])
    messaging.post_message(first.pairing, cast["facilitator"], "Bienvenue")
    small, response = _dashboard_queries(client)
    assert "1 unread message" in response.content.decode()
    # More circles, more members and many more messages: the same number of queries.
    for i in range(2, 5):
        circle = open_circle(programme, cast, title=f"Cercle {i}", capacity=6)
        join(circle, reader, cast["coordinator"])
        join(circle, cast["peers"][i], cast["coordinator"])
        circles.accept_charter(circle, cast["facilitator"])
        circles.accept_charter(circle, cast["peers"][i])
        for n in range(6):
            messaging.post_message(circle.pairing, cast["peers"][i], f"Message {n}")
            messaging.post_message(circle.pairing, cast["facilitator"], f"Réponse {n}")
    large, response = _dashboard_queries(client)
    assert large == small <= 10  # issue 20
    html = response.content.decode()
    assert html.count("12 unread messages") == 3 and "1 unread message" in html


def test_my_data_includes_my_messages_only(active, cast, login):
    messaging.post_message(active, cast["mentee"], "Le mien")
    messaging.post_message(active, cast["mentor"], SECRET)
    data = json.loads(login(cast["mentee"]).get(reverse("wagtail_mentorat:my_data")).content)
    assert [m["body"] for m in data["messages"]] == ["Le mien"]
    assert SECRET not in json.dumps(data, ensure_ascii=False)


def test_the_pairing_page_of_a_circle_leads_to_the_circle(circle, members, login):
    response = login(members[0]).get(reverse("wagtail_mentorat:pairing", args=[circle.pairing_id]))
    assert response.status_code == 302
    assert response.url == reverse("wagtail_mentorat:circle", args=[circle.pairing_id])


def test_old_messages_keep_no_author_link_after_account_deletion(active, cast, login):
    messaging.post_message(active, cast["mentor"], "Au revoir")
    Message.objects.update(author=None)
    html = login(cast["mentee"]).get(thread_url(active)).content.decode()
    assert "A former member" in html


def test_a_new_member_reads_the_thread_after_accepting_the_charter(circle, members, cast, login):
    messaging.post_message(circle.pairing, members[0], SECRET)
    newcomer = cast["peers"][5]
    join(circle, newcomer, cast["facilitator"])
    client = login(newcomer)
    html = client.get(thread_url(circle.pairing)).content.decode()
    assert SECRET not in html and "charter-first" in html
    response = client.post(thread_url(circle.pairing), {"body": "Bonjour"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors().as_data()[0].code == "charter"
    circles.accept_charter(circle, newcomer)
    assert SECRET in client.get(thread_url(circle.pairing)).content.decode()


def test_an_overdue_urgent_message_in_a_circle_reminds_the_peers_not_the_asker(
    circle, members, cast
):
    import datetime

    from django.utils import timezone

    from wagtail_mentorat.notifications.kinds import Kind
    from wagtail_mentorat.notifications.models import Notification
    from wagtail_mentorat.notifications.reminders import sweep

    asker, other = members
    messaging.post_message(circle.pairing, asker, "Besoin d'aide", urgent=True)
    sweep(now=timezone.now() + datetime.timedelta(days=5))
    reminded = set(
        Notification.objects.filter(kind=Kind.HELP_OVERDUE).values_list("recipient", flat=True)
    )
    assert reminded == {other.pk, cast["facilitator"].pk}
