import os
import sys

import pytest
from golden import OPTION, Golden
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

collect_ignore = ["golden"]  # recorded text: the tests that record it import and run what they need


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, action="store_true", help="rewrite the golden files under tests/golden/ from the "
                     "generated text instead of comparing with them")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """``golden(path, text)``: ``text`` must equal tests/golden/<path>, byte for byte (see tests/golden.py)."""
    return Golden(update=request.config.getoption(OPTION))
