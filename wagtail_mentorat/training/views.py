"""Front-end views of the training pages (served through the pages' routes).

Every rule is in ``training.services``; these views parse input, call a service and
render. Only the person's own attempts, completions and registrations are reachable.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageViewRestriction

from ..auth import login_redirect
from . import services
from .forms import QuizForm, TrainingRequestForm
from .models import (
    Completion,
    LearningPathPage,
    QuizAttempt,
    SessionRegistration,
    TrainingModulePage,
    TrainingRequest,
    TrainingSession,
)


def restricted_page_ids(request, pages):
    """Ids of ``pages`` whose view restrictions the request does not pass. Two queries."""
    pages = list(pages)
    if not pages:
        return set()
    restrictions = list(PageViewRestriction.objects.select_related("page"))
    if not restrictions:
        return set()
    refused = [r for r in restrictions if not r.accept_request(request)]
    return {page.pk for page in pages if any(page.path.startswith(r.page.path) for r in refused)}


def module_status(completion, today):
    """What a module means for a person today: to do, done (until when), to renew."""
    if completion is None:
        return {"code": "todo", "label": _("To do"), "completion": None}
    if completion.is_valid_on(today):
        if completion.expires_on and completion.expires_on <= today + timedelta(
            days=services.EXPIRY_WARNING_DAYS
        ):
            return {"code": "expiring", "label": _("Renew soon"), "completion": completion}
        return {"code": "done", "label": _("Completed"), "completion": completion}
    return {"code": "expired", "label": _("To renew"), "completion": completion}


def _with_status(modules, user):
    today = timezone.localdate()
    latest = services.latest_completions(user, modules)
    return [(module, module_status(latest.get(module.pk), today)) for module in modules]


# ------------------------------------------------------------------ index and path


def _own(queryset, user, field="user"):
    """``user``'s rows of ``queryset``; none for an anonymous visitor. The pages need a
    login (``auth.LoginRequiredPageMixin``): reached without one, they list nothing."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{field: user})


def index_context(page, request):
    user = request.user
    modules = list(TrainingModulePage.objects.child_of(page).live().specific().order_by("path"))
    hidden = restricted_page_ids(request, modules)
    modules = [module for module in modules if module.pk not in hidden]
    statuses = dict((module.pk, status) for module, status in _with_status(modules, user))
    paths = []
    path_pages = (
        LearningPathPage.objects.child_of(page)
        .live()
        .order_by("path")
        .prefetch_related("path_modules__module")
    )
    for path_page in path_pages:
        items = [
            item.module
            for item in sorted(path_page.path_modules.all(), key=lambda i: i.sort_order or 0)
            if item.module.live and item.module.pk not in hidden
        ]
        done = sum(1 for m in items if statuses.get(m.pk, {}).get("code") in ("done", "expiring"))
        paths.append({"page": path_page, "count": len(items), "done": done})
    now = timezone.now()
    sessions = (
        TrainingSession.objects.filter(starts_at__gt=now)
        .select_related("module")
        .annotate(
            taken=Count(
                "registrations",
                filter=Q(registrations__status=SessionRegistration.Status.REGISTERED),
            )
        )
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=_own(SessionRegistration.objects, user).exclude(
                    status=SessionRegistration.Status.CANCELLED
                ),
                to_attr="mine",
            )
        )
        .order_by("starts_at", "id")[:20]
    )
    session_rows = []
    base = page.get_url(request)
    for session in sessions:
        mine = session.mine[0] if session.mine else None
        if session.module is not None:  # shown in the visitor's language (never saved)
            session.module = session.module.localized
        session_rows.append(
            {
                "session": session,
                "free": max(session.capacity - session.taken, 0),
                "mine": mine,
                "rank": services.waiting_rank(mine) if mine else None,
                "register_url": base + page.reverse_subpage("register", args=[session.pk]),
                "cancel_url": base + page.reverse_subpage("cancel", args=[session.pk]),
            }
        )
    my_requests = _own(TrainingRequest.objects, user, "requester")
    return {
        "modules": [(module, statuses[module.pk]) for module in modules],
        "paths": paths,
        "sessions": session_rows,
        "my_requests": my_requests.select_related("session")[:5],
        "request_form": TrainingRequestForm(modules=modules),
        "request_url": base + page.reverse_subpage("request_training"),
    }


def path_context(page, request):
    modules = page.get_modules()
    hidden = restricted_page_ids(request, modules)
    rows = _with_status([m for m in modules if m.pk not in hidden], request.user)
    done = sum(1 for _module, status in rows if status["code"] in ("done", "expiring"))
    return {"rows": rows, "done": done, "count": len(rows)}


def _index_url(page, request, anchor=""):
    return page.get_url(request) + anchor


def request_training(page, request):
    if request.method != "POST":
        return redirect(_index_url(page, request))
    modules = list(TrainingModulePage.objects.child_of(page).live())
    form = TrainingRequestForm(request.POST, modules=modules)
    if form.is_valid():
        module = next((m for m in modules if m.pk == form.cleaned_data["module"]), None)
        try:
            services.request_training(
                request.user, form.cleaned_data["topic"], form.cleaned_data["details"], module
            )
        except services.TrainingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Your request has been sent to the programme coordinators.")
            )
        return redirect(_index_url(page, request, "#demandes"))
    messages.error(request, _("Your request could not be sent: say which topic interests you."))
    return redirect(_index_url(page, request, "#demandes"))


def _session_or_404(session_id):
    return get_object_or_404(TrainingSession, pk=session_id)


def register(page, request, session_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = _session_or_404(session_id)
    try:
        registration, created = services.register(request.user, session)
    except services.TrainingError as error:
        messages.error(request, error.message)
        return redirect(_index_url(page, request, "#seances"))
    rank = services.waiting_rank(registration)
    if registration.status == SessionRegistration.Status.REGISTERED:
        text = (
            _("Your place at this session is confirmed.")
            if created
            else _("You already have a place at this session.")
        )
        messages.success(request, text)
    else:
        text = (
            _("This session is full: you are on the waiting list (rank %(rank)s).")
            if created
            else _("You are already on this session's waiting list (rank %(rank)s).")
        )
        messages.warning(request, text % {"rank": rank})
    return redirect(_index_url(page, request, "#seances"))


def cancel(page, request, session_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = _session_or_404(session_id)
    try:
        services.cancel_registration(request.user, session)
    except services.TrainingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(_index_url(page, request, "#seances"))


# -------------------------------------------------------------------------- module


def _module_context(page, request, form=None):
    user = request.user
    progress = services.save_progress(user, page)
    questions = page.questions
    if form is None:
        initial = QuizForm.initial_from(progress.draft_answers, questions)
        initial["token"] = uuid.uuid4()
        form = QuizForm(questions, initial=initial)
    today = timezone.localdate()
    latest = services.latest_completions(user, [page]).get(page.pk)
    return {
        "quiz_form": form,
        "has_quiz": bool(questions),
        "status": module_status(latest, today),
        "last_attempt": QuizAttempt.objects.filter(user=user, module=page).first(),
        "progress": progress,
        "content_blocks": page.content_blocks,
        "quiz_path": page.reverse_subpage("submit"),
        "acknowledge_path": page.reverse_subpage("acknowledge"),
        "certificate_path": (
            page.reverse_subpage("certificate", args=[latest.pk]) if latest else ""
        ),
    }


def module_view(page, request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return page.render(request, context_overrides=_module_context(page, request))


def submit_quiz(page, request):
    if request.method != "POST":
        return redirect(page.get_url(request))
    questions = page.questions
    saving = request.POST.get("action") == "save"
    form = QuizForm(questions, request.POST, require_all=not saving)
    if not form.is_valid():
        return page.render(request, context_overrides=_module_context(page, request, form))
    if saving:
        services.save_progress(request.user, page, draft_answers=form.answers())
        messages.success(request, _("Your answers are saved. Come back to finish when you like."))
        return redirect(page.get_url(request) + "#quiz")
    try:
        attempt, created = services.submit_quiz(
            request.user, page, form.answers(), form.cleaned_data["token"]
        )
    except services.TrainingError as error:
        form.add_error(None, error.message)
        return page.render(request, context_overrides=_module_context(page, request, form))
    if not created:
        messages.info(request, _("This quiz was already submitted: here is its result."))
    return redirect(page.get_url(request) + page.reverse_subpage("result", args=[attempt.pk]))


def acknowledge(page, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        completion = services.acknowledge_module(request.user, page)
    except services.TrainingError as error:
        messages.error(request, error.message)
        return redirect(page.get_url(request))
    messages.success(request, _("Module completed."))
    return redirect(
        page.get_url(request) + page.reverse_subpage("certificate", args=[completion.pk])
    )


def attempt_result(page, request, attempt_id):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    attempt = get_object_or_404(QuizAttempt, pk=attempt_id, user=request.user, module=page)
    completion = Completion.objects.filter(attempt=attempt).first()
    return page.render(
        request,
        template="mentorat_training/quiz_result.html",
        context_overrides={
            "attempt": attempt,
            "result": services.grade_attempt(attempt),
            "completion": completion,
            "certificate_path": (
                page.reverse_subpage("certificate", args=[completion.pk]) if completion else ""
            ),
        },
    )


def certificate(page, request, completion_id):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    # A completion of the module in any language is certified on each translation's page.
    completion = get_object_or_404(
        services.completions_of([page]).select_related("user"),
        pk=completion_id,
        user=request.user,
    )
    return page.render(
        request,
        template="mentorat_training/certificate.html",
        context_overrides={
            "completion": completion,
            "valid": completion.is_valid_on(timezone.localdate()),
        },
    )


def refuse_restricted(page, request):
    """The login for an anonymous visitor (who may pass once logged in, like Wagtail's
    "login" restriction); a 404, not a login prompt, for a logged-in person a restriction
    refuses: the page is not theirs to know about."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    if restricted_page_ids(request, [page]):
        raise Http404
    return None
