"""The mentoring domain, one module per concept."""

from .profile import ParticipantProfile

__all__ = ["ParticipantProfile"]
