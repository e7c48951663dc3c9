"""Values worth keeping between requests, in Django's cache, dropped when what they were
read from changes.

A :class:`Generation` names a family of cached values (``PAGES``: what is read from the
page tree, e.g. the registration page) and keeps a *generation* token in the cache next
to them. Each value is stored with the token it was computed under and is used only
while the token is the current one: a change (a signal) writes a new token once the
transaction has committed, so every process sharing the cache (Redis, the database
cache) stops using every value of the family at once and the next reader computes it
from committed data. A cache of each process's own (locmem) cannot be told by another
process: there a value lives at most ``timeout`` seconds.

One cache round trip per read (``get_many`` of the token and the value), none to write
except on a miss.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

# At most this long in a cache that other processes cannot invalidate (locmem).
DEFAULT_TIMEOUT = 300


class Generation:
    def __init__(self, name, timeout=DEFAULT_TIMEOUT):
        self.name = name
        self.timeout = timeout
        self.token_key = f"{name}:generation"

    def key(self, *parts):
        return ":".join([self.name, *(str(part) for part in parts)])

    def get_or_set(self, parts, compute):
        """The value cached under ``parts`` for the current generation, else ``compute()``
        (stored; None is a value like any other)."""
        key = self.key(*parts)
        found = cache.get_many([self.token_key, key])
        token = found.get(self.token_key)
        held = found.get(key)
        if token is not None and held is not None and held[0] == token:
            return held[1]
        if token is None:
            # First use (or evicted): a new generation, unless another process set one.
            cache.add(self.token_key, uuid.uuid4().hex, None)
            token = cache.get(self.token_key)
        value = compute()
        if token is not None:
            cache.set(key, (token, value), self.timeout)
        return value

    def bump(self, **_signal_kwargs):
        """Start a new generation now and again once the current transaction commits: a
        reader between the two may cache what it read before the commit, which the second
        drops; the first serves this transaction itself (and one rolled back, e.g. a test)."""
        self._new_token()
        transaction.on_commit(self._new_token)

    def current_token(self):
        return cache.get(self.token_key)

    def _new_token(self):
        cache.set(self.token_key, uuid.uuid4().hex, None)


# Values read from the page tree: a page's address also changes with its ancestors'.
PAGES = Generation("wagtail_mentorat:pages")


def _page_changed(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        PAGES.bump()


def connect():
    """Drop ``PAGES`` when any page is saved (a page added live, a draft, a publication,
    an unpublication), published, unpublished, moved or deleted (in the app's ``ready``)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("moved", post_page_move),
    ):
        signal.connect(PAGES.bump, dispatch_uid=f"wagtail_mentorat_pages_{name}")
    post_save.connect(_page_changed, dispatch_uid="wagtail_mentorat_pages_saved")
    post_delete.connect(_page_changed, dispatch_uid="wagtail_mentorat_pages_deleted")


# The programmes (settings of the organisation, changed in the admin), with the training
# each requires before matching.
PROGRAMMES = Generation("wagtail_mentorat:programmes")


def connect_programmes():
    """Drop ``PROGRAMMES`` when a programme is saved or deleted or its required training
    changes (in the app's ``ready``)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Programme

    post_save.connect(PROGRAMMES.bump, sender=Programme, dispatch_uid="mentorat_prog_saved")
    post_delete.connect(PROGRAMMES.bump, sender=Programme, dispatch_uid="mentorat_prog_deleted")
    for name in ("mentor_training", "mentee_training"):
        m2m_changed.connect(
            PROGRAMMES.bump,
            sender=getattr(Programme, name).through,
            dispatch_uid=f"mentorat_prog_{name}",
        )


# Facts read from the participants' profiles that every page of the space shows (is this
# person someone's manager): dropped when a profile is saved or deleted.
PROFILES = Generation("wagtail_mentorat:profiles")


def connect_profiles():
    """Drop ``PROFILES`` when a participant profile is saved or deleted (in ``ready``)."""
    from django.db.models.signals import post_delete, post_save

    from .models import ParticipantProfile

    post_save.connect(
        PROFILES.bump, sender=ParticipantProfile, dispatch_uid="mentorat_profile_saved"
    )
    post_delete.connect(
        PROFILES.bump, sender=ParticipantProfile, dispatch_uid="mentorat_profile_deleted"
    )


# Each programme's mentor pool as arrays (:class:`.matching.pool.Pool`): dropped when
# anything it is read from changes: a profile or its areas, an area's name, an offer, a
# pairing or its members (places taken), a training completion, a consent, a person (name,
# active), or the programme itself (default capacity, training asked for).
MATCHING = Generation("wagtail_mentorat:matching")


def connect_matching():
    """Drop ``MATCHING`` on every change the pool is read from (in the app's ``ready``).
    Changes made without signals (``QuerySet.update``, ``bulk_create``) are caught by
    the signal of the row saved with them, or last at most ``MATCHING.timeout``."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import (
        ExpertiseArea,
        MentorOffer,
        Pairing,
        PairingMember,
        ParticipantProfile,
        Programme,
    )
    from .privacy.models import Consent
    from .training.models import Completion, TrainingModulePage

    senders = (
        ParticipantProfile,
        ExpertiseArea,
        MentorOffer,
        Pairing,
        PairingMember,
        Completion,
        TrainingModulePage,  # its minutes count towards the hours asked for
        Consent,
        Programme,
        get_user_model(),
    )
    for sender in senders:
        name = sender._meta.label_lower
        post_save.connect(MATCHING.bump, sender=sender, dispatch_uid=f"mentorat_match_s_{name}")
        post_delete.connect(MATCHING.bump, sender=sender, dispatch_uid=f"mentorat_match_d_{name}")
    for through in (
        ParticipantProfile.expertise.through,
        Programme.mentor_training.through,
        Programme.mentee_training.through,
    ):
        m2m_changed.connect(
            MATCHING.bump, sender=through, dispatch_uid=f"mentorat_match_m2m_{through.__name__}"
        )
