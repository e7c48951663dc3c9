"""Domain events. Sent after the transaction commits, so a rolled-back change notifies no one.

``pairing_event`` is sent with ``pairing``, ``event`` (the action name, e.g. "approved"),
``actor`` (the user or None) and ``data`` (a dict of ids and dates, never confidential text).
"""

from django.dispatch import Signal

pairing_event = Signal()
