"""TWO_FACTOR_REQUIRED: on in production unless DJANGO_TWO_FACTOR_REQUIRED says otherwise."""

from __future__ import annotations

import pytest

from tests.test_production import manage, production_env

SHOW = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"


@pytest.mark.parametrize(("value", "shown"), [(None, "True"), ("false", "False"), ("1", "True")])
def test_production_requires_two_factor_unless_told_not_to(tmp_path, value, shown):
    overrides = {} if value is None else {"DJANGO_TWO_FACTOR_REQUIRED": value}
    result = manage("shell", "-c", SHOW, env=production_env(tmp_path, **overrides))
    assert result.stdout.strip().splitlines()[-1] == shown


def test_the_demo_and_the_tests_do_not_require_it(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="norfolk_connect.settings.local")
    assert manage("shell", "-c", SHOW, env=env).stdout.strip().splitlines()[-1] == "False"
    env["DJANGO_SETTINGS_MODULE"] = "norfolk_connect.settings.test"
    assert manage("shell", "-c", SHOW, env=env).stdout.strip().splitlines()[-1] == "False"
