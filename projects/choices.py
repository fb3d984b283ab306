"""The fixed vocabularies of a programme, shared by the models, the programme file and the maths."""

from django.db import models


class Apportionment(models.TextChoices):
    EQUAL = "equal", "Equal shares"
    WEIGHTS = "weights", "Agreed weights"
    POPULATION = "population", "Population"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETE = "complete", "Complete"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    PENDING = "pending", "Decision pending"
    APPROVED = "approved", "Approved"
    NOT_PROCEEDING = "not_proceeding", "Not proceeding"


class Borne(models.TextChoices):
    SHARED = "shared", "Jointly"
    INDIVIDUAL = "individual", "By each partner individually"


class FundingKind(models.TextChoices):
    LOCAL = "local", "Local"
    EXTERNAL = "external", "External"


class FundingStatus(models.TextChoices):
    SECURED = "secured", "Secured"
    PROSPECTIVE = "prospective", "Prospective"


class Grade(models.TextChoices):
    REQUIRED = "required", "Required"
    GOOD = "good", "Good"
    EXCELLENT = "excellent", "Excellent"


class Tranche(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    REVIEW = "review", "Subject to review"


class ContributionStatus(models.TextChoices):
    PLEDGED = "pledged", "Pledged"
    INVOICED = "invoiced", "Invoiced"
    RECEIVED = "received", "Received"
    RETURNED = "returned", "Returned"
