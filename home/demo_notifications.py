"""Demo content for the notifications: every demo account gets an address, so the demo's
lifecycle events fill the outbox (Admin › Mentoring emails › Outbox) and the emails land in
``var/mail/`` (the file backend of the dev settings). Idempotent."""

from django.conf import settings


def build(users):
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "intranet.example"
    for user in users.values():
        if not user.email:
            user.email = f"{user.username}@{domain}"
            user.save(update_fields=["email"])
    return users
