import pytest

from .helpers import demo_actors


@pytest.fixture(scope="module")
def actors():
    """The demo dataset's actors, with the gazetteer's forms of their names, without the database."""
    return demo_actors()
