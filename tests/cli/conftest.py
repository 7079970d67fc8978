import pytest
from cliutil import write


@pytest.fixture
def module(tmp_path):
    """A Go module in a temporary directory."""
    write(tmp_path / "go.mod", "module example.com/m\n\ngo 1.22\n")
    return tmp_path
