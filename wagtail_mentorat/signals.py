"""Domain events. Sent after the transaction commits, so a rolled-back change notifies no one.

``pairing_event`` is sent with ``pairing``, ``event`` (the action name, e.g. "approved"),
``actor`` (the user or None) and ``data`` (a dict of ids and dates, never confidential text).

``pairing_event_in_transaction`` is sent with the same arguments plus ``log_entry`` (the
Wagtail log entry of the event, or None) *inside* the event's transaction, before it commits:
a receiver writes rows that must commit or roll back with the event (the notifications'
outbox). A receiver that raises rolls the event back, so keep receivers small and sure.

``staff_registered`` is sent inside the transaction when a manager registers a member of
their staff who has not accepted the privacy notice themself, with ``request`` (the
:class:`~wagtail_mentorat.models.MentoringRequest`), ``person`` and ``manager``: the
notifications write the one invitation to confirm (the need is never sent).
"""

from django.dispatch import Signal

pairing_event = Signal()
pairing_event_in_transaction = Signal()
staff_registered = Signal()
