"""Views of a programme's meetings, the agreement each made, and each council's consent."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin
from projects.models import Meeting, PartnerAgreement
from projects.views.programmes import ConflictMixin

from .agreement_forms import AgreementForm, ConsentForm, MeetingForm
from .agreement_selectors import (
    agreement_form_data,
    agreement_page,
    agreement_part,
    consent_text,
    long_date,
    meetings_for_list,
    programme_meeting,
)
from .agreements import (
    AgreementReplaceQuestion,
    MeetingDateQuestion,
    MeetingInUseError,
    agreement_record,
    consent_record,
    meeting_create,
    meeting_delete,
    meeting_problems,
    meeting_update,
)
from .tables import AgreementTable, MeetingTable

# Hidden fields that carry a confirmation back with the entries.
CONFIRM_DATE = "confirm_date"
CONFIRM_AGREEMENT = "confirm_agreement"


def meeting_name(meeting: Meeting) -> str:
    return f"{meeting.body}, {long_date(meeting.date)}"


class MeetingListView(ProgrammeMixin, TemplateView):
    template_name = "contributions/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = list(meetings_for_list(programme=self.programme))
        context["meetings"] = meetings
        context["table"] = MeetingTable(
            meetings, programme_slug=self.programme.slug, can_edit=self.can_edit
        )
        return context


class MeetingMixin:
    """Resolve the ``meeting`` URL kwarg to a meeting of the programme, or 404.

    Put it after ``ProgrammeMixin`` in the bases: the programme is resolved first.
    """

    def dispatch(self, request, *args, **kwargs):
        self.meeting  # noqa: B018 - another programme's meeting is a 404 whatever the method
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def meeting(self) -> Meeting:
        meeting = programme_meeting(programme=self.programme, slug=self.kwargs["meeting"])
        if meeting is None:
            raise Http404("No such meeting")
        return meeting

    def get_context_data(self, **kwargs):
        # A TemplateView passes the URL's arguments too: the meeting replaces its slug.
        kwargs.update(meeting=self.meeting, meeting_name=meeting_name(self.meeting))
        return super().get_context_data(**kwargs)


class MeetingFormMixin(ConflictMixin):
    """Save a meeting; ask first when its date is outside the programme's period."""

    form_class = MeetingForm
    template_name = "contributions/meeting_form.html"

    def date_confirmed(self, form) -> bool:
        day = form.cleaned_data.get("date")
        return day is not None and self.request.POST.get(CONFIRM_DATE, "")[:10] == day.isoformat()

    def ask(self, form, question: MeetingDateQuestion):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                date_question=question.question,
                confirm_field=CONFIRM_DATE,
                confirm_value=form.cleaned_data["date"].isoformat(),
            )
        )

    def save(self, form, write):
        try:
            meeting = write(date_confirmed=self.date_confirmed(form))
        except MeetingDateQuestion as question:
            return self.ask(form, question)
        except MeetingInUseError as error:
            form.add_error("date", f"{error}: {'; '.join(error.reasons)}")
            return self.form_invalid(form)
        except ValidationError as error:
            return self.refused(form, error)
        return meeting


class MeetingCreateView(ProgrammeMixin, MeetingFormMixin, FormView):
    edits = True

    def form_valid(self, form):
        result = self.save(
            form,
            lambda date_confirmed: meeting_create(
                programme=self.programme,
                data=form.cleaned_data,
                user=self.request.user,
                date_confirmed=date_confirmed,
            ),
        )
        if not isinstance(result, Meeting):
            return result
        messages.success(self.request, f"{meeting_name(result)} is added.")
        return redirect("contributions:meeting_list", self.programme.slug)


class MeetingUpdateView(ProgrammeMixin, MeetingMixin, MeetingFormMixin, FormView):
    edits = True

    def get_initial(self):
        return {"body": self.meeting.body, "date": self.meeting.date, "note": self.meeting.note}

    def form_valid(self, form):
        result = self.save(
            form,
            lambda date_confirmed: meeting_update(
                meeting=self.meeting,
                data=form.cleaned_data,
                user=self.request.user,
                date_confirmed=date_confirmed,
            ),
        )
        if not isinstance(result, Meeting):
            self.meeting.refresh_from_db()
            return result
        messages.success(self.request, f"{meeting_name(result)} is saved.")
        return redirect("contributions:meeting_list", self.programme.slug)


class MeetingDeleteView(ProgrammeMixin, MeetingMixin, TemplateView):
    """Confirm, then delete a meeting and its agreement; refused while calls depend on it."""

    edits = True
    template_name = "contributions/meeting_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "problems" not in context:
            context["problems"] = meeting_problems(self.meeting)
        context["has_agreement"] = hasattr(self.meeting, "agreement")
        return context

    def post(self, request, *args, **kwargs):
        name = meeting_name(self.meeting)
        try:
            meeting_delete(meeting=self.meeting, user=request.user)
        except MeetingInUseError as error:
            return self.render_to_response(
                self.get_context_data(refusal=str(error), problems=error.reasons), status=409
            )
        messages.success(request, f"{name} is deleted.")
        return redirect("contributions:meeting_list", self.programme.slug)


class AgreementView(ProgrammeMixin, MeetingMixin, TemplateView):
    """The agreement a meeting made, council by council, beside today's recommendation."""

    template_name = "contributions/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = agreement_page(programme=self.programme, meeting=self.meeting)
        context["page"] = page
        if page.agreement is not None:
            context["table"] = AgreementTable(
                page, programme_slug=self.programme.slug, can_edit=self.can_edit
            )
        return context


class AgreementRecordView(ProgrammeMixin, MeetingMixin, ConflictMixin, FormView):
    """Record the meeting's agreement; replacing one shows each council's old and new figures."""

    edits = True
    form_class = AgreementForm
    template_name = "contributions/agreement_form.html"

    @cached_property
    def data(self):
        return agreement_form_data(programme=self.programme, meeting=self.meeting)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rows": self.data.rows}

    def get_context_data(self, **kwargs):
        return super().get_context_data(data=self.data, **kwargs)

    def form_valid(self, form):
        try:
            agreement_record(
                meeting=self.meeting,
                parts=form.agreed(),
                user=self.request.user,
                confirmed=self.request.POST.get(CONFIRM_AGREEMENT, "")[:64],
            )
        except AgreementReplaceQuestion as question:
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    changes=question.changes,
                    confirm_field=CONFIRM_AGREEMENT,
                    confirm_value=question.fingerprint,
                    asked_again=bool(self.request.POST.get(CONFIRM_AGREEMENT)),
                )
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request, f"The agreement of {meeting_name(self.meeting)} is recorded."
        )
        return redirect("contributions:agreement", self.programme.slug, self.meeting.slug)


class ConsentUpdateView(ProgrammeMixin, MeetingMixin, ConflictMixin, FormView):
    """Record the date and reference of a council's own decision on the agreement."""

    edits = True
    form_class = ConsentForm
    template_name = "contributions/consent_form.html"

    @cached_property
    def part(self) -> PartnerAgreement:
        part = agreement_part(meeting=self.meeting, partner_slug=self.kwargs["partner"])
        if part is None:
            raise Http404("No such partner in the agreement")
        return part

    def get_initial(self):
        return {
            "consent_date": self.part.consent_date,
            "consent_reference": self.part.consent_reference,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(part=self.part, **kwargs)

    def form_valid(self, form):
        try:
            part = consent_record(part=self.part, data=form.cleaned_data, user=self.request.user)
        except ValidationError as error:
            self.part.refresh_from_db()
            return self.refused(form, error)
        messages.success(self.request, f"{part.partner.name}: {consent_text(part)}.")
        return redirect("contributions:agreement", self.programme.slug, self.meeting.slug)
