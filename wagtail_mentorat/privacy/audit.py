"""Read-access audit: opening a confidential record as anyone but its author is logged with
who, when, which record and why, never the content.

The core calls :func:`log_reads` from the views that show confidential text to someone who
did not write it; it does nothing when the privacy app is not installed.
:func:`log_break_glass` records the privacy officer's reading of a confidential text outside
programme staff, with the reason they gave and the record's programme, whose staff see it.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

# Who wrote each confidential record: the field naming its author.
AUTHOR_FIELDS = {
    "wagtail_mentorat.disagreement": "raised_by_id",
    "wagtail_mentorat.safetyconcern": "reported_by_id",
    "wagtail_mentorat.mentoringrequest": "opened_by_id",
    "wagtail_mentorat.checkin": "coordinator_id",
}


def _author_id(obj):
    field = AUTHOR_FIELDS.get(obj._meta.label_lower)
    return getattr(obj, field, None) if field else None


def log_reads(user, objects, reason):
    """Record that ``user`` opened each of ``objects`` (one insert for all). Records the
    user wrote themself are not logged. Returns the rows written."""
    if not apps.is_installed("wagtail_mentorat.privacy") or user is None:
        return []
    from .models import ReadAccess

    now = timezone.now()
    rows = []
    for obj in objects:
        if obj is None or obj.pk is None:
            continue
        if _author_id(obj) == user.pk:
            continue
        rows.append(
            ReadAccess(
                user_id=user.pk,
                accessed_at=now,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                reason=str(reason)[: ReadAccess.REASON_MAX_LENGTH],
            )
        )
    return ReadAccess.objects.bulk_create(rows) if rows else []


def log_read(user, obj, reason):
    return log_reads(user, [obj], reason)


def log_break_glass(user, obj, reason, programme):
    """The privacy officer read ``obj``'s confidential text outside programme staff, for
    ``reason`` (their own words): written even for the record's author, so that the
    programme's staff always see it. Returns the row."""
    if not apps.is_installed("wagtail_mentorat.privacy") or user is None:
        return None
    from .models import ReadAccess

    return ReadAccess.objects.create(
        user_id=user.pk,
        accessed_at=timezone.now(),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        reason=str(reason)[: ReadAccess.REASON_MAX_LENGTH],
        break_glass=True,
        programme_id=getattr(programme, "pk", programme),
    )
