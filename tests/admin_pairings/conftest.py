"""The core's cast and pairings (tests/mentorat/conftest.py) for the pairings admin."""

from tests.mentorat.conftest import (  # noqa: F401  (fixtures shared with the core's tests)
    active,
    approved,
    cast,
    english_messages,
    programme,
)
