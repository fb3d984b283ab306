"""Pages of the money after the board decides: calls, their invoices, payments and refunds.

Facilitators and administrators change them; chief executives and partner officers read them.
Every call, invoice, payment and refund is found through the programme, so another
partnership's (or programme's) answers 404.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin, can_record_payment, own_council
from projects.models import Call, Invoice, Payment, Refund
from projects.money.formatting import money
from projects.money.vocabulary import RefundKind
from projects.views.programmes import ConflictMixin

from .call_forms import CallForm, ConfirmForm, PaymentForm, RefundForm
from .calls import (
    ConfirmationNeeded,
    call_cancel,
    call_raise,
    payment_delete,
    payment_record,
    refund_delete,
    refund_record,
)
from .ledger_selectors import (
    call_invoices,
    calls_with_totals,
    councils_without_finance_email,
    invoice_payment,
    invoice_payments,
    latest_agreement_of,
    paid_on,
    partner_surplus,
    payments_recorded_by,
    programme_call,
    programme_invoice,
    programme_refund,
    refunds_page,
)
from .selectors import contributing_partners

SURPLUS_REASON = "A phase did not proceed"
CHANGED = "The call changed after you checked it (someone else may have raised one): check it again"


class ConfirmMixin(ConflictMixin):
    """Ask the person to confirm a change the service warned about, keeping their entries."""

    def ask(self, form, needed: ConfirmationNeeded, **context):
        data = form.data.copy()
        data["confirmed"] = needed.key
        form.data = data
        return self.render_to_response(
            self.get_context_data(form=form, warnings=needed.warnings, **context)
        )


# Calls


class CallListView(ProgrammeMixin, TemplateView):
    template_name = "contributions/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calls"] = list(calls_with_totals(programme=self.programme))
        context["agreement"] = latest_agreement_of(self.programme)
        return context


class CallMixin:
    """Resolve the ``call`` URL kwarg to a call of the programme, or 404.

    After ProgrammeMixin in the bases: it runs once the programme is known, so another
    programme's call answers 404 to any method, never 405.
    """

    call: Call

    def dispatch(self, request, *args, **kwargs):
        call = programme_call(programme=self.programme, slug=kwargs["call"])
        if call is None:
            raise Http404("No such call")
        self.call = call
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["call"] = self.call  # in place of the URL's slug, which TemplateView passes
        return super().get_context_data(**kwargs)


class CallCreateView(ProgrammeMixin, ConfirmMixin, FormView):
    """Choose the tranche, year and dates; check the invoices it will create; raise it."""

    edits = True
    form_class = CallForm
    template_name = "contributions/call_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "programme": self.programme}

    def get_initial(self):
        years = sorted(self.programme.financial_years)
        today = timezone.localdate()
        current = next((y for y in years if y.startswith(str(today.year))), None)
        return {"financial_year": current or (years[0] if len(years) == 1 else None)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("agreement", latest_agreement_of(self.programme))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if "change" in request.POST:  # back from checking, entries kept
            form.data = form.data.copy()
            form.data["confirmed"] = ""
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            call = call_raise(
                programme=self.programme,
                tranche=data["tranche"],
                financial_year=data["financial_year"],
                issued=data["issued"],
                due=data["due"],
                confirmed=data["confirmed"],
                user=self.request.user,
            )
        except ConfirmationNeeded as needed:
            if data["confirmed"]:
                messages.warning(self.request, CHANGED)
            self.template_name = "contributions/call_check.html"
            response = self.ask(form, needed, plan=needed.plan)
            # The entries travel on as they were typed, with the key of what is shown.
            response.context_data["hidden_fields"] = [
                (name, value)
                for name, value in form.data.items()
                if name not in {"csrfmiddlewaretoken", "change"}
            ]
            return response
        except ValidationError as error:
            return self.refused(form, error)
        totals = call.invoices.aggregate(count=Count("pk"), total=Sum("amount"))
        count = totals["count"]
        messages.success(
            self.request,
            f"The call is raised: {count} invoice{'s' if count != 1 else ''}, "
            f"{money(totals['total'])} in all.",
        )
        return redirect("contributions:call_detail", self.programme.slug, call.slug)


class CallDetailView(ProgrammeMixin, CallMixin, TemplateView):
    template_name = "contributions/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = rows = call_invoices(call=self.call)
        # A partner officer records payments against their own council's invoice only.
        context["payable"] = {
            row.invoice.pk
            for row in rows
            if can_record_payment(self.membership, partner_id=row.invoice.partner_id)
        }
        # The facilitator is told which councils' invoices cannot be sent to anyone yet.
        context["without_finance_email"] = (
            councils_without_finance_email(rows) if self.can_edit else []
        )
        council = own_council(self.membership)
        # A partner officer downloads only their own council's invoices.
        context["pdf_for"] = None if council is None else council.pk
        return context


class CallCancelView(ProgrammeMixin, CallMixin, ConflictMixin, FormView):
    """Confirm, then cancel a call and its invoices: only while none of them is paid."""

    edits = True
    form_class = ConfirmForm
    template_name = "contributions/call_cancel.html"

    def form_valid(self, form):
        try:
            call_cancel(call=self.call, user=self.request.user)
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, f"The call {self.call} is cancelled, with its invoices.")
        return redirect("contributions:call_list", self.programme.slug)


# Payments


class InvoiceMixin:
    """Resolve the ``invoice`` URL kwarg to an invoice of the programme, or 404."""

    invoice: Invoice

    def dispatch(self, request, *args, **kwargs):
        invoice = programme_invoice(programme=self.programme, pk=kwargs["invoice"])
        if invoice is None:
            raise Http404("No such invoice")
        self.invoice = invoice
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        payments = invoice_payments(invoice=self.invoice)
        recorded_by = payments_recorded_by(payments=payments)
        kwargs.update(
            invoice=self.invoice,
            owed=self.invoice.amount - paid_on(self.invoice),
            payments=payments,
            payment_rows=[
                (payment, recorded_by.get(payment.pk, "Not known")) for payment in payments
            ],
        )
        return super().get_context_data(**kwargs)


class PaymentPermissionMixin:
    """Refuse (403) a payment against an invoice the member may not record one on.

    After InvoiceMixin in the bases: the invoice is known. A partner officer records payments
    against their own council's invoices only (projects.access.can_record_payment).
    """

    invoice: Invoice

    def dispatch(self, request, *args, **kwargs):
        if not can_record_payment(self.membership, partner_id=self.invoice.partner_id):
            raise PermissionDenied(
                "You can only record a payment against your own council's invoices."
            )
        return super().dispatch(request, *args, **kwargs)


class PaymentCreateView(
    ProgrammeMixin, InvoiceMixin, PaymentPermissionMixin, ConfirmMixin, FormView
):
    edits = True
    own_council_edits = True  # a partner officer, on their own council's invoice
    form_class = PaymentForm
    template_name = "contributions/payment_form.html"

    def get_initial(self):
        owed = self.invoice.amount - paid_on(self.invoice)
        return {"amount": owed if owed > 0 else None}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            payment = payment_record(
                invoice=self.invoice,
                date=data["date"],
                amount=data["amount"],
                reference=data["reference"],
                confirmed=data["confirmed"],
                user=self.request.user,
            )
        except ConfirmationNeeded as needed:
            return self.ask(form, needed)
        except ValidationError as error:
            return self.refused(form, error)
        owed = self.invoice.amount - paid_on(self.invoice) - payment.amount
        messages.success(
            self.request,
            f"A payment of {money(payment.amount)} is recorded against invoice "
            f"{self.invoice.number}. {self.invoice.partner.name} now owes {money(owed)} on it.",
        )
        return redirect("contributions:call_detail", self.programme.slug, self.invoice.call.slug)


class PaymentDeleteView(ProgrammeMixin, InvoiceMixin, FormView):
    """Confirm, then remove a payment recorded in error."""

    edits = True
    form_class = ConfirmForm
    template_name = "contributions/payment_delete.html"

    @cached_property
    def payment(self) -> Payment:
        payment = invoice_payment(invoice=self.invoice, pk=self.kwargs["payment"])
        if payment is None:
            raise Http404("No such payment")
        return payment

    def get_context_data(self, **kwargs):
        kwargs["payment"] = self.payment
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        payment = self.payment
        payment_delete(payment=payment, user=self.request.user)
        messages.success(
            self.request,
            f"The payment of {money(payment.amount)} on {payment.date.day} "
            f"{payment.date:%B %Y} is removed from invoice {self.invoice.number}.",
        )
        return redirect("contributions:call_detail", self.programme.slug, self.invoice.call.slug)


# Refunds and credits


class RefundListView(ProgrammeMixin, TemplateView):
    template_name = "contributions/refund_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = refunds_page(programme=self.programme)
        return context


class RefundCreateView(ProgrammeMixin, ConfirmMixin, FormView):
    """Give money back to a council; its surplus, when it has one, is offered."""

    edits = True
    form_class = RefundForm
    template_name = "contributions/refund_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "programme": self.programme}

    def get_initial(self):
        slug = self.request.GET.get("partner", "")[:50]
        partner = (
            contributing_partners(partnership=self.programme.partnership).filter(slug=slug).first()
            if slug
            else None
        )
        if partner is None:
            return {"kind": RefundKind.REFUND}
        surplus = partner_surplus(programme=self.programme, partner=partner)
        return {
            "partner": partner.pk,
            "kind": RefundKind.REFUND,
            "amount": surplus or None,
            "reason": SURPLUS_REASON if surplus else "",
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            refund = refund_record(
                programme=self.programme,
                partner=data["partner"],
                kind=data["kind"],
                date=data["date"],
                amount=data["amount"],
                reason=data["reason"],
                confirmed=data["confirmed"],
                user=self.request.user,
            )
        except ConfirmationNeeded as needed:
            return self.ask(form, needed)
        except ValidationError as error:
            return self.refused(form, error)
        kind = "refund" if refund.kind == RefundKind.REFUND else "credit"
        messages.success(
            self.request,
            f"A {kind} of {money(refund.amount)} to {refund.partner.name} is recorded.",
        )
        return redirect("contributions:refund_list", self.programme.slug)


class RefundDeleteView(ProgrammeMixin, FormView):
    """Confirm, then remove a refund or credit recorded in error."""

    edits = True
    form_class = ConfirmForm
    template_name = "contributions/refund_delete.html"

    @cached_property
    def refund(self) -> Refund:
        refund = programme_refund(programme=self.programme, pk=self.kwargs["refund"])
        if refund is None:
            raise Http404("No such refund or credit")
        return refund

    def get_context_data(self, **kwargs):
        kwargs["refund"] = self.refund
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        refund = self.refund
        label = str(refund)
        refund_delete(refund=refund, user=self.request.user)
        messages.success(self.request, f"The {label[0].lower()}{label[1:]} is removed.")
        return redirect("contributions:refund_list", self.programme.slug)
