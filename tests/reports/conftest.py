from tests.activities.conftest import roster  # noqa: F401 - the roster fixture of the meeting tests
