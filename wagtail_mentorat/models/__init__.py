"""The mentoring domain, one module per concept. Change state through ``lifecycle``."""

from .agreement import Agreement, AgreementAcceptance, AgreementObjective, MeetingMode
from .circles import CareerStage, CharterAcceptance, Circle, CircleJoinRequest
from .followup import (
    CheckIn,
    Disagreement,
    FitCheck,
    HelpRequest,
    Meeting,
    MeetingNote,
    ObjectiveAttainment,
    ProgressReview,
    SafetyConcern,
)
from .messages import MESSAGE_MAX_LENGTH, Message, ThreadReadMarker
from .pages import AbstractRegistrationPage, RegistrationPage
from .pairing import (
    OCCUPYING_STATES,
    OPEN_STATES,
    PLANNED_REASONS_VALUES,
    ClosureConfirmation,
    ClosureKind,
    ClosureReason,
    ContactAfterClosure,
    Extension,
    MemberRole,
    Pairing,
    PairingMember,
    PairingState,
    Transfer,
)
from .profile import ParticipantProfile
from .programme import Programme
from .request import MentorDecline, MentoringKind, MentoringRequest, MentorOffer, MentorPreference
from .scheduling import MeetingProposal, PlannedMeeting, ProposedSlot
from .vocabulary import ExpertiseArea

__all__ = [
    "AbstractRegistrationPage",
    "RegistrationPage",
    "OCCUPYING_STATES",
    "OPEN_STATES",
    "PLANNED_REASONS_VALUES",
    "Agreement",
    "AgreementAcceptance",
    "AgreementObjective",
    "CareerStage",
    "CharterAcceptance",
    "CheckIn",
    "Circle",
    "CircleJoinRequest",
    "ClosureConfirmation",
    "ClosureKind",
    "ClosureReason",
    "ContactAfterClosure",
    "Disagreement",
    "ExpertiseArea",
    "Extension",
    "FitCheck",
    "HelpRequest",
    "Meeting",
    "MeetingMode",
    "MeetingNote",
    "MeetingProposal",
    "MemberRole",
    "MESSAGE_MAX_LENGTH",
    "Message",
    "MentorDecline",
    "MentorOffer",
    "MentorPreference",
    "MentoringKind",
    "MentoringRequest",
    "ObjectiveAttainment",
    "Pairing",
    "PairingMember",
    "PairingState",
    "PlannedMeeting",
    "ProposedSlot",
    "ParticipantProfile",
    "ProgressReview",
    "SafetyConcern",
    "Programme",
    "ThreadReadMarker",
    "Transfer",
]
