"""The memory store keeps a body as the pieces received; any byte range reads back exactly."""

from hypothesis import given
from hypothesis import strategies as st

from emulator.storage.memory import MemoryBody


@given(st.lists(st.binary(min_size=1, max_size=50), max_size=8), st.data())
def test_any_range_of_the_pieces_reads_back(parts, data):
    whole = b"".join(parts)
    start = data.draw(st.integers(0, len(whole)))
    end = data.draw(st.integers(start, len(whole)))
    body = MemoryBody.of(parts)
    assert b"".join(bytes(p) for p in body.chunks(start, end)) == whole[start:end]
