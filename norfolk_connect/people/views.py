"""The People page and its changes, and the public page of an invitation's link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin, landing_url
from projects.models import Membership, Programme

from . import selectors, services
from .forms import AcceptForm, InviteForm, RoleForm
from .models import Invitation

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def people_url(view) -> str:
    return reverse("people:people", args=[view.programme.slug])


def show_refusal(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: at its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, said in error.message_dict.items():
            form.add_error(field if field in form.fields else None, said)
    else:
        form.add_error(None, error.messages)


class PeopleView(ProgrammeMixin, TemplateView):
    """The partnership's members, the invitations not yet used, and who gave or took access."""

    template_name = "people/people.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.programme.partnership
        context.update(
            members=selectors.members(partnership),
            invitations=selectors.open_invitations(partnership),
            history=selectors.access_history(partnership),
            history_rows=selectors.HISTORY_ROWS,
        )
        return context


class InviteView(ProgrammeMixin, FormView):
    """Invite a person by email, in a role; the email goes once the invitation is saved."""

    edits = True
    form_class = InviteForm
    template_name = "people/invite.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.programme.partnership}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invitation = services.invite(
                partnership=self.programme.partnership,
                name=data["name"],
                email=data["email"],
                role=data["role"],
                partner=data["partner"],
                invited_by=self.request.user,
                link=lambda token: self.request.build_absolute_uri(
                    reverse("people:invitation_accept", args=[token])
                ),
            )
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        if invitation.email_failed:
            messages.error(
                self.request,
                f"The invitation to {invitation.name} is saved, but the email to "
                f"{invitation.email} could not be sent: the mail server did not take it. "
                "Revoke the invitation and invite them again later, or tell the service desk.",
            )
        else:
            messages.success(
                self.request,
                f"An invitation is sent to {invitation.name} at {invitation.email}, "
                f"as {invitation.get_role_display().lower()}.",
            )
        return redirect(people_url(self))


class InvitationMixin:
    """Resolve the URL's invitation within the partnership; after ProgrammeMixin in the bases."""

    invitation: Invitation

    def dispatch(self, request, *args, **kwargs):
        invitation = selectors.invitation_of(self.programme.partnership, kwargs["invitation"])
        if invitation is None:
            raise Http404("No such invitation")
        self.invitation = invitation
        return super().dispatch(request, *args, **kwargs)


class MemberMixin:
    """Resolve the URL's member within the partnership; after ProgrammeMixin in the bases."""

    member: Membership

    def dispatch(self, request, *args, **kwargs):
        member = selectors.member_of(self.programme.partnership, kwargs["member"])
        if member is None:
            raise Http404("No such member")
        self.member = member
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            member=self.member,
            member_name=services.display_name(self.member.user),
            is_me=self.member.user_id == self.request.user.pk,
        )
        return context


class InvitationRevokeView(ProgrammeMixin, InvitationMixin, TemplateView):
    """Confirm, then stop an invitation's link working."""

    edits = True
    template_name = "people/invitation_revoke.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.invitation  # the object, not the URL's id
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.revoke(invitation=self.invitation, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(people_url(self))
        messages.success(
            request,
            f"The invitation to {self.invitation.email} is revoked: its link no longer works.",
        )
        return redirect(people_url(self))


class MemberRoleView(ProgrammeMixin, MemberMixin, FormView):
    """Change a member's role, warned that it signs them out at once."""

    edits = True
    form_class = RoleForm
    template_name = "people/member_role.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.programme.partnership}

    def get_initial(self):
        return {"role": self.member.role, "partner": self.member.partner_id}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            changed = services.change_role(
                membership=self.member,
                role=data["role"],
                partner=data["partner"],
                actor=self.request.user,
            )
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        name = services.display_name(changed.user)
        role = changed.get_role_display().lower()
        if changed.user_id == self.request.user.pk:
            logout(self.request)  # their session is gone: start a clean one
            messages.success(self.request, f"You are now {role}. Sign in again to continue.")
            return redirect("login")
        messages.success(self.request, f"{name} is now {role}, and has been signed out.")
        return redirect(people_url(self))


class MemberRemoveView(ProgrammeMixin, MemberMixin, TemplateView):
    """Confirm, then take a member out of the partnership and sign them out at once."""

    edits = True
    template_name = "people/member_remove.html"

    def post(self, request, *args, **kwargs):
        try:
            services.remove(membership=self.member, actor=request.user)
        except ValidationError as error:
            context = self.get_context_data(refusal=" ".join(error.messages))
            return self.render_to_response(context, status=409)
        name = services.display_name(self.member.user)
        if self.member.user_id == request.user.pk:
            logout(request)
            messages.success(request, "You have left the partnership and are signed out.")
            return redirect("login")
        messages.success(
            request, f"{name} is removed from {self.programme.partnership.name} and signed out."
        )
        return redirect(people_url(self))


# --- The invitation's link: public, since the person has no account yet ------------------


def gone(request) -> HttpResponse:
    """The one answer to a link that does not work, whatever the reason: nothing is revealed."""
    return render(request, "people/invitation_gone.html", status=410)


def after_joining(membership: Membership) -> str:
    """The new member's first page: their role's page of the partnership's programme."""
    programmes = list(
        Programme.objects.filter(partnership_id=membership.partnership_id).order_by("pk")[:2]
    )
    if len(programmes) == 1:
        return landing_url(programmes[0].slug, membership)
    return reverse("projects:home")


@method_decorator([login_not_required, never_cache], name="dispatch")
class AcceptView(View):
    """Accept an invitation: choose a username and password, or join with one's own account.

    No ``next`` is read from the request: a new member goes to their role's first page, so
    the link cannot be made to send anyone elsewhere.
    """

    template_name = "people/accept.html"

    def dispatch(self, request, *args, **kwargs):
        invitation = services.find_pending(kwargs["token"])
        if invitation is None:
            return gone(request)
        self.invitation = invitation
        user = request.user
        if user.is_authenticated:
            self.mode = (
                "join"
                if services.normalise_email(user.email or "") == invitation.email
                else "other_account"
            )
        elif services.account_for(invitation.email) is not None:
            self.mode = "sign_in"
        else:
            self.mode = "new_account"
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None) -> AcceptForm:
        return AcceptForm(
            data,
            initial={"username": self.invitation.email},
            email=self.invitation.email,
            name=self.invitation.name,
        )

    def page(self, form=None, refusal: str = "", status: int = 200) -> HttpResponse:
        here = reverse("people:invitation_accept", args=[self.kwargs["token"]])
        context = {
            "invitation": self.invitation,
            "role": self.invitation.get_role_display(),
            "mode": self.mode,
            "form": form if form is not None else self.form(),
            "refusal": refusal,
            "sign_in_url": f"{reverse('login')}?{urlencode({'next': here})}",
            "action": here,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        if self.mode == "join":
            try:
                membership = services.accept_as_user(invitation=self.invitation, user=request.user)
            except services.InvitationGone:
                return gone(request)
            except ValidationError as error:
                return self.page(refusal=" ".join(error.messages), status=409)
            messages.success(request, f"You have joined {self.invitation.partnership.name}.")
            return redirect(after_joining(membership))
        if self.mode != "new_account":
            return self.page(status=409)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form)
        try:
            user, membership = services.accept_with_new_account(
                invitation=self.invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationGone:
            return gone(request)
        except ValidationError as error:
            show_refusal(form, error)
            return self.page(form)
        login(request, user, backend=SIGN_IN_BACKEND)
        messages.success(request, f"Welcome to {self.invitation.partnership.name}.")
        return redirect(after_joining(membership))
