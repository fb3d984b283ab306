"""The figures read a programme in a fixed number of queries, whatever its size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.builders import large_document
from projects.models import Programme
from projects.selectors import programme_figures
from projects.services import programme_load

pytestmark = pytest.mark.django_db

MAX_QUERIES = 7


def count_queries(projects: int, partners: int) -> tuple[int, object]:
    programme_load(document=large_document(projects=projects, partners=partners))
    programme = Programme.objects.select_related("partnership").get(slug="large")
    with CaptureQueriesContext(connection) as context:
        figures = programme_figures(programme=programme)
    return len(context), figures


def test_figures_queries_do_not_grow_from_10_to_500_projects():
    small, small_figures = count_queries(10, 8)
    Programme.objects.all().delete()
    large, large_figures = count_queries(500, 8)
    assert small == large <= MAX_QUERIES
    assert small_figures.projects == 10 and large_figures.projects == 500
    # 500 projects x 1,250.50 existing; 700 shared minimum each; phase 2 known on 2 in 3
    assert large_figures.existing_total == Decimal("625250.00")
    assert large_figures.extra_min == Decimal("350000.00")
    assert large_figures.extra_max == Decimal("350000.00") + 333 * Decimal("1000.00")
    assert large_figures.tbc_phases == 167


def test_figures_queries_fixed_at_10_projects(django_assert_max_num_queries):
    programme_load(document=large_document(projects=10, partners=8))
    programme = Programme.objects.select_related("partnership").get(slug="large")
    with django_assert_max_num_queries(MAX_QUERIES):
        programme_figures(programme=programme)


def test_figures_queries_fixed_at_500_projects(django_assert_max_num_queries):
    programme_load(document=large_document(projects=500, partners=8))
    programme = Programme.objects.select_related("partnership").get(slug="large")
    with django_assert_max_num_queries(MAX_QUERIES):
        programme_figures(programme=programme)
