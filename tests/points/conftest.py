from tests.party.conftest import party, regulation_data  # noqa: F401 - the same cast
