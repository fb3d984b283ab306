"""The fixed vocabularies of a programme, shared by the models, the programme file and the maths.

Each is a ``str`` enumeration whose members carry a label, so the money rules compare them with
plain strings and the models take their ``choices`` from them, without importing Django.
"""

from __future__ import annotations

import enum
from enum import EnumType, StrEnum
from typing import TYPE_CHECKING, Any, Self


class _VocabularyType(EnumType):
    """The class-level views a model field and a form read: ``choices``, ``values``, ``labels``."""

    @property
    def choices(cls) -> list[tuple[str, str]]:
        members: list[Any] = list(cls)
        return [(member.value, member.label) for member in members]

    @property
    def values(cls) -> list[str]:
        return [value for value, _ in cls.choices]

    @property
    def labels(cls) -> list[str]:
        return [label for _, label in cls.choices]


class Vocabulary(StrEnum, metaclass=_VocabularyType):
    """A fixed set of words stored as their value and shown as their label."""

    _value_: str
    label: str

    if TYPE_CHECKING:
        # Called with a value, a member is looked up, as with any enumeration.
        def __new__(cls, value: str) -> Self: ...

    else:

        def __new__(cls, value: str, label: str) -> Vocabulary:
            member = str.__new__(cls, value)
            member._value_ = value
            member.label = label
            return member

    # Templates call what they can; the class itself must stay a value there.
    do_not_call_in_templates = enum.nonmember(True)


class Apportionment(Vocabulary):
    EQUAL = "equal", "Equal shares"
    WEIGHTS = "weights", "Agreed weights"
    POPULATION = "population", "Population"


class ProjectStatus(Vocabulary):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETE = "complete", "Complete"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(Vocabulary):
    PENDING = "pending", "Decision pending"
    APPROVED = "approved", "Approved"
    NOT_PROCEEDING = "not_proceeding", "Not proceeding"


class Borne(Vocabulary):
    SHARED = "shared", "Jointly"
    INDIVIDUAL = "individual", "By each partner individually"


class FundingKind(Vocabulary):
    LOCAL = "local", "Local"
    EXTERNAL = "external", "External"


class FundingStatus(Vocabulary):
    SECURED = "secured", "Secured"
    PROSPECTIVE = "prospective", "Prospective"


class Grade(Vocabulary):
    REQUIRED = "required", "Required"
    GOOD = "good", "Good"
    EXCELLENT = "excellent", "Excellent"


class Tranche(Vocabulary):
    IMMEDIATE = "immediate", "Immediate"
    REVIEW = "review", "Subject to review"


class ContributionStatus(Vocabulary):
    PLEDGED = "pledged", "Pledged"
    INVOICED = "invoiced", "Invoiced"
    RECEIVED = "received", "Received"
    RETURNED = "returned", "Returned"


class RefundKind(Vocabulary):
    """Money given back to a partner: paid back to it, or set against its next invoice."""

    REFUND = "refund", "Refund"
    CREDIT = "credit", "Credit"


class PaperTemplate(Vocabulary):
    """What a paper is for, which gives its first words: the rest is the facilitator's."""

    WORKLOAD = "workload", "Medium term workload paper"
    AUTUMN_REVIEW = "autumn_review", "Autumn review paper"
    PROGRESS = "progress", "Progress report"


class Resolution(Vocabulary):
    """What a meeting resolved on one recommendation of its paper."""

    AGREED = "agreed", "Agreed"
    AMENDED = "amended", "Agreed with amendments"
    DEFERRED = "deferred", "Deferred"
    REJECTED = "rejected", "Rejected"


class Rag(Vocabulary):
    """A project's delivery status as the board reads it: red, amber or green."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class RiskStatus(Vocabulary):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
