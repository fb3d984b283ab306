"""Writes of a programme's meetings, the agreements they made and each council's consent.

Each write is one transaction and goes in the history with its author. A refusal writes
nothing: bad figures are a ``ValidationError`` naming the field at fault (for an agreement, the
partner's row: ``agreement_field(slug, "cap")``), a meeting that calls depend on is a
``MeetingInUseError``, and two changes that need the facilitator's word first are questions
(``MeetingDateQuestion``, ``AgreementReplaceQuestion``) asked before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from norfolk_connect.model_messages import full_clean_for_people
from projects.history import Author, record_author
from projects.models import Agreement, Call, Meeting, Partner, PartnerAgreement, Programme
from projects.money.figures import ZERO
from projects.money.formatting import PENNY, money
from projects.money.vocabulary import Tranche
from projects.rules import SLUG_MAX_LENGTH
from projects.services.recorded_writes import remove_recorded
from projects.validators import slug_from_name

from .agreement_selectors import invoiced_by_partner, long_date, standing_agreement

# URL segments under /meetings/ that a meeting's slug must not take.
RESERVED_MEETING_SLUGS = frozenset({"new"})
MEETING_FIELDS = ("body", "date", "note")
CONSENT_FIELDS = ("consent_date", "consent_reference")


def agreement_field(partner_slug: str, figure: str) -> str:
    """Name a partner's immediate tranche or cap in an agreement's form and its refusals."""
    return f"{partner_slug}-{figure}"


# Refusals and questions


class MeetingInUseError(Exception):
    """The meeting cannot be changed so: calls depend on its agreement. Nothing was written."""

    def __init__(self, *, meeting: Meeting, reasons: list[str], deleting: bool) -> None:
        self.meeting = meeting
        self.reasons = reasons
        what = "deleted" if deleting else "moved to that date"
        super().__init__(
            f"{meeting.body}, {long_date(meeting.date)}, cannot be {what}: calls depend on its "
            "agreement"
        )


class MeetingDateQuestion(Exception):
    """The meeting is dated outside the programme's period: save it only once confirmed."""

    def __init__(self, question: str) -> None:
        self.question = question
        super().__init__(question)


@dataclass(frozen=True)
class PartChange:
    """One council's figures before and after an agreement is replaced."""

    partner: str  # the partner's name
    old_immediate: Decimal | None  # None: not in the agreement before
    old_cap: Decimal | None
    new_immediate: Decimal | None  # None: left out of the agreement now
    new_cap: Decimal | None
    consent_cleared: str  # the consent the change clears ("Consent recorded ..."), or ""

    @property
    def changed(self) -> bool:
        return (self.old_immediate, self.old_cap) != (self.new_immediate, self.new_cap)


class AgreementReplaceQuestion(Exception):
    """The meeting already has an agreement: replace it only once the change is confirmed."""

    def __init__(self, *, changes: list[PartChange], fingerprint: str) -> None:
        self.changes = changes
        self.fingerprint = fingerprint
        super().__init__("The meeting already has an agreement; confirm to replace it")


# Meetings


def outside_period(programme: Programme, day: date) -> str:
    """Ask about a meeting dated outside the programme's period; "" when it is within it."""
    if programme.starts and day < programme.starts:
        return (
            "The meeting is dated before the programme starts on "
            f"{long_date(programme.starts)}. Save it anyway?"
        )
    if programme.ends and day > programme.ends:
        return (
            f"The meeting is dated after the programme ends on {long_date(programme.ends)}. "
            "Save it anyway?"
        )
    return ""


def meeting_slug(programme: Programme, body: str, day: date) -> str:
    """Make a slug from the body and date, unique in the programme: body-words-2004-06-18."""
    dated = f"-{day.isoformat()}"
    words = slug_from_name(body, taken=lambda _: False, fallback="meeting")
    base = words[: SLUG_MAX_LENGTH - len(dated) - 3].rstrip("-") + dated
    return slug_from_name(
        base,
        taken=lambda slug: Meeting.objects.filter(programme=programme, slug=slug).exists(),
        reserved=RESERVED_MEETING_SLUGS,
        fallback="meeting",
    )


def _standing_at(agreements: list[tuple[date, int]], day: date) -> int | None:
    """Return the agreement (by pk) that stood on the day: the latest meeting's on or before it."""
    earlier = [agreement for agreement in agreements if agreement[0] <= day]
    return max(earlier)[1] if earlier else None


def _tranche_words(tranche: str) -> str:
    return "immediate tranche" if tranche == Tranche.IMMEDIATE else "tranche subject to review"


def calls_depending(
    programme: Programme, meeting: Meeting, *, moved: date | None = None
) -> list[str]:
    """Say which calls were made under the meeting's agreement and would lose it.

    A call was made under the agreement that stood on its date of issue. Deleting the meeting
    (``moved`` None) takes that agreement from every call made under it; moving it to another
    day takes it from the calls that would then stand under another agreement, or gives it to
    calls made under another.
    """
    rows = list(
        Agreement.objects.filter(meeting__programme=programme).values(
            "pk", "meeting_id", "meeting__date"
        )
    )
    ours = next((row["pk"] for row in rows if row["meeting_id"] == meeting.pk), None)
    if ours is None:
        return []
    before = [(row["meeting__date"], row["pk"]) for row in rows]
    after = [(day, pk) for day, pk in before if pk != ours]
    if moved is not None:
        after.append((moved, ours))
    calls = (
        Call.objects.filter(programme=programme)
        .annotate(count=Count("invoices"), total=Sum("invoices__amount"))
        .filter(count__gt=0)
        .order_by("issued", "pk")
    )
    reasons = []
    for call in calls:
        was, now = _standing_at(before, call.issued), _standing_at(after, call.issued)
        if was != now and ours in (was, now):
            reasons.append(
                f"the call for the {_tranche_words(call.tranche)} of {call.financial_year}, "
                f"issued {long_date(call.issued)}, was made under "
                f"{'it' if was == ours else 'another agreement'} ({call.count} "
                f"invoice{'s' if call.count != 1 else ''}, {money(call.total)} in all)"
            )
    return reasons


def uncovered_invoices(
    programme: Programme, *, without: Meeting | None = None, moved: date | None = None
) -> list[str]:
    """Say which partners' invoices the standing agreement would no longer cover.

    ``without`` is a meeting to leave out, or (with ``moved``) to date on another day. The
    agreement that stands is the latest meeting's; every partner invoiced must have a cap of at
    least what it has been invoiced in it.
    """
    invoiced = {
        pk: total for pk, total in invoiced_by_partner(programme=programme).items() if total
    }
    if not invoiced:
        return []
    agreements = list(
        Agreement.objects.filter(meeting__programme=programme).values(
            "pk", "meeting_id", "meeting__date"
        )
    )
    candidates = []
    for row in agreements:
        day = row["meeting__date"]
        if without is not None and row["meeting_id"] == without.pk:
            if moved is None:
                continue
            day = moved
        candidates.append((day, row["pk"]))
    names = dict(Partner.objects.filter(pk__in=invoiced).values_list("pk", "name"))
    if not candidates:
        total = sum(invoiced.values(), ZERO)
        return [
            f"{money(total)} has been invoiced to {len(invoiced)} "
            f"partner{'s' if len(invoiced) != 1 else ''}, and no agreement would stand"
        ]
    standing = max(candidates)[1]
    caps = dict(
        PartnerAgreement.objects.filter(agreement_id=standing).values_list("partner_id", "cap")
    )
    reasons = []
    for pk in sorted(invoiced, key=lambda pk: names[pk]):
        cap = caps.get(pk)
        if cap is None or cap < invoiced[pk]:
            reasons.append(
                f"{names[pk]} has been invoiced {money(invoiced[pk])}, above its cap of "
                f"{money(cap or ZERO)} in the agreement that would then stand"
            )
    return reasons


def meeting_problems(meeting: Meeting, *, moved: date | None = None) -> list[str]:
    """Say why the meeting cannot be deleted (or moved to ``moved``); [] when it can."""
    if moved == meeting.date or not Agreement.objects.filter(meeting=meeting).exists():
        return []  # only an agreement has calls made under it
    programme = meeting.programme
    return calls_depending(programme, meeting, moved=moved) + uncovered_invoices(
        programme, without=meeting, moved=moved
    )


def _check_date(programme: Programme, day: date | None, *, confirmed: bool) -> None:
    if day is not None and not confirmed and (question := outside_period(programme, day)):
        raise MeetingDateQuestion(question)


@transaction.atomic
def meeting_create(
    *, programme: Programme, data: dict, user: Author, date_confirmed: bool = False
) -> Meeting:
    """Add a meeting to the programme, its slug made from its body and date.

    A date outside the programme's period is saved only when ``date_confirmed``.
    """
    meeting = Meeting(programme=programme, **{f: data[f] for f in MEETING_FIELDS if f in data})
    if meeting.body and meeting.date:
        meeting.slug = meeting_slug(programme, meeting.body, meeting.date)
    # Without a body or date there is no slug yet: the messages are about them, not it.
    full_clean_for_people(meeting, exclude=None if meeting.slug else ["slug"])
    _check_date(programme, meeting.date, confirmed=date_confirmed)
    record_author(meeting, user)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, data: dict, user: Author, date_confirmed: bool = False
) -> Meeting:
    """Change a meeting's body, date or note; its slug stays, so its pages keep their address.

    A new date outside the programme's period is saved only when ``date_confirmed``; one that
    would leave the calls without an agreement covering them is refused.
    """
    programme = meeting.programme
    before = meeting.date
    for field in MEETING_FIELDS:
        if field in data:
            setattr(meeting, field, data[field])
    full_clean_for_people(meeting, exclude=["programme", "slug"])
    if meeting.date != before:
        _check_date(programme, meeting.date, confirmed=date_confirmed)
        moved = meeting.date
        meeting.date = before  # as stored, for the check and the message
        if reasons := meeting_problems(meeting, moved=moved):
            raise MeetingInUseError(meeting=meeting, reasons=reasons, deleting=False)
        meeting.date = moved
    record_author(meeting, user)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, user: Author) -> None:
    """Delete a meeting with its agreement, unless calls depend on that agreement."""
    if reasons := meeting_problems(meeting):
        raise MeetingInUseError(meeting=meeting, reasons=reasons, deleting=True)
    agreement = Agreement.objects.filter(meeting=meeting).first()
    if agreement is not None:
        remove_recorded(
            PartnerAgreement, list(agreement.partners.all()), user=user, when=timezone.now()
        )
        record_author(agreement, user)
        agreement.delete()
    record_author(meeting, user)
    meeting.delete()


# Agreements


@dataclass(frozen=True)
class AgreedFigures:
    """One partner's part of an agreement as entered: its immediate tranche and cap."""

    partner: Partner
    immediate: Decimal | None
    cap: Decimal | None


def _figure_problem(amount: Decimal | None, subject: str) -> str:
    """Say what is wrong with an agreed amount ("Broadland's cap must be £0 or more"), or ""."""
    if amount is None:
        return f"Enter {subject}"
    if not amount.is_finite():
        return f"{subject} must be an amount in pounds, like £15,000"
    if amount < 0:
        return f"{subject} must be £0 or more"
    if amount != amount.quantize(PENNY):
        return f"{subject} must be in pounds and pence, like 15,000.50"
    return ""


def agreement_problems(
    programme: Programme, parts: Sequence[AgreedFigures], invoiced: dict[int, Decimal]
) -> dict[str, list[str]]:
    """Say, by field, why the figures cannot be agreed; an empty dict when they can."""
    errors: dict[str, list[str]] = {}
    if not parts:
        errors["__all__"] = ["An agreement needs at least one contributing partner"]
    seen: set[int] = set()
    for part in parts:
        partner = part.partner
        immediate_key = agreement_field(partner.slug, "immediate")
        cap_key = agreement_field(partner.slug, "cap")
        if partner.partnership_id != programme.partnership_id or partner.pk in seen:
            errors.setdefault("__all__", []).append(
                f"{partner.name} cannot be in this agreement more than once, or at all if it is "
                "not a partner of the partnership"
            )
            continue
        seen.add(partner.pk)
        name = partner.name
        if problem := _figure_problem(part.immediate, f"{name}'s immediate tranche"):
            errors[immediate_key] = [problem]
        if problem := _figure_problem(part.cap, f"{name}'s cap"):
            errors[cap_key] = [problem]
        if immediate_key in errors or cap_key in errors:
            continue
        assert part.immediate is not None and part.cap is not None
        if part.immediate > part.cap:
            errors[immediate_key] = [
                f"{name}'s immediate tranche must not be more than its cap of {money(part.cap)}"
            ]
        already = invoiced.get(partner.pk, ZERO)
        if part.cap < already:
            errors[cap_key] = [
                f"{name}'s cap must be at least the {money(already)} it has already been invoiced"
            ]
    left_out = [pk for pk, total in invoiced.items() if total and pk not in seen]
    if left_out:
        for partner in Partner.objects.filter(pk__in=left_out).order_by("position", "name"):
            errors.setdefault("__all__", []).append(
                f"{partner.name} has already been invoiced {money(invoiced[partner.pk])}, so the "
                "agreement must give it a cap of at least that"
            )
    return errors


def _fingerprint(changes: list[PartChange]) -> str:
    key = "|".join(
        f"{c.partner}:{c.old_immediate}:{c.old_cap}:{c.new_immediate}:{c.new_cap}" for c in changes
    )
    return hashlib.sha256(key.encode()).hexdigest()


def _consent_of(part: PartnerAgreement) -> str:
    if part.consent_date is None:
        return ""
    text = f"consent recorded {long_date(part.consent_date)}"
    return f"{text} ({part.consent_reference})" if part.consent_reference else text


def replacement_changes(
    existing: list[PartnerAgreement], parts: Sequence[AgreedFigures]
) -> list[PartChange]:
    """Compare an agreement's parts with the figures replacing them, council by council."""
    old = {part.partner_id: part for part in existing}
    changes = []
    for new in parts:
        before = old.pop(new.partner.pk, None)
        moved = before is None or (before.immediate, before.cap) != (new.immediate, new.cap)
        changes.append(
            PartChange(
                partner=new.partner.name,
                old_immediate=before.immediate if before else None,
                old_cap=before.cap if before else None,
                new_immediate=new.immediate,
                new_cap=new.cap,
                consent_cleared=_consent_of(before) if before and moved else "",
            )
        )
    for before in old.values():
        changes.append(
            PartChange(
                partner=before.partner.name,
                old_immediate=before.immediate,
                old_cap=before.cap,
                new_immediate=None,
                new_cap=None,
                consent_cleared=_consent_of(before),
            )
        )
    return changes


@transaction.atomic
def agreement_record(
    *, meeting: Meeting, parts: Sequence[AgreedFigures], user: Author, confirmed: str = ""
) -> Agreement:
    """Record what the meeting agreed for each partner: its immediate tranche and cap.

    Replacing an agreement the meeting already has needs ``confirmed``, the fingerprint of the
    change as ``AgreementReplaceQuestion`` showed it; if the agreement changed since, it asks
    again. A council whose figures change loses the consent recorded for the old ones.
    """
    programme = meeting.programme
    errors = agreement_problems(programme, parts, invoiced_by_partner(programme=programme))
    if errors:
        raise ValidationError(errors)
    agreement = Agreement.objects.select_for_update().filter(meeting=meeting).first()
    existing: list[PartnerAgreement] = []
    if agreement is not None:
        existing = list(agreement.partners.select_related("partner"))
        changes = replacement_changes(existing, parts)
        if not any(change.changed for change in changes):
            return agreement  # the same figures again: nothing to replace
        fingerprint = _fingerprint(changes)
        if confirmed != fingerprint:
            raise AgreementReplaceQuestion(changes=changes, fingerprint=fingerprint)
    else:
        agreement = Agreement(meeting=meeting)
        full_clean_for_people(agreement)
        record_author(agreement, user)
        agreement.save()
    old = {part.partner_id: part for part in existing}
    for new in parts:
        assert new.immediate is not None and new.cap is not None
        part = old.pop(new.partner.pk, None)
        if part is None:
            part = PartnerAgreement(agreement=agreement, partner=new.partner)
        elif (part.immediate, part.cap) == (new.immediate, new.cap):
            continue
        else:  # the council consented to other figures
            part.consent_date, part.consent_reference = None, ""
        part.immediate, part.cap = new.immediate, new.cap
        full_clean_for_people(part)
        record_author(part, user)
        part.save()
    remove_recorded(PartnerAgreement, list(old.values()), user=user, when=timezone.now())
    return agreement


# Consent


@transaction.atomic
def consent_record(*, part: PartnerAgreement, data: dict, user: Author) -> PartnerAgreement:
    """Record, change or clear the date and reference of the council's own decision.

    Only the standing agreement's parts take consent: an older agreement's are history.
    """
    meeting = part.agreement.meeting
    standing = standing_agreement(programme=meeting.programme)
    if standing is None or standing.pk != part.agreement_id:
        raise ValidationError(
            "Consent is recorded against the agreement that stands"
            + (
                f", of {standing.meeting.body} on {long_date(standing.meeting.date)}"
                if standing is not None
                else ""
            )
        )
    values = {field: data[field] for field in CONSENT_FIELDS if field in data}
    day = values.get("consent_date", part.consent_date)
    reference = values.get("consent_reference", part.consent_reference) or ""
    errors = {}
    if day is None and reference.strip():
        errors["consent_date"] = (
            "Enter the date of the council's decision, because a reference is given"
        )
    elif day is not None and day > timezone.localdate():
        errors["consent_date"] = "Date of the council's decision must be today or in the past"
    if errors:
        raise ValidationError(errors)
    part.consent_date = day
    part.consent_reference = reference.strip()
    full_clean_for_people(part)
    record_author(part, user)
    part.save()
    return part
