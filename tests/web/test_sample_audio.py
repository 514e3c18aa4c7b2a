"""The sample audio generator: bytes per range, equal to slices of the whole file, and a valid WAV."""

from __future__ import annotations

import io
import time
import wave

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.web.sample import audio

SHORT = 9  # seconds: small enough to build whole files in tests, longer than two cycles


def _whole(tone: str, seconds: int) -> bytes:
    return audio.wav_bytes(tone, seconds, 0, audio.wav_size(seconds))


@pytest.mark.parametrize("tone", sorted(audio.TONES))
def test_the_whole_file_is_a_wav_of_exactly_the_stated_length(tone: str) -> None:
    data = _whole(tone, SHORT)
    assert len(data) == audio.wav_size(SHORT) == 44 + 8000 * SHORT
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 1, 8000)
        assert reader.getnframes() == 8000 * SHORT
        assert reader.getnframes() / reader.getframerate() == SHORT
        frames = reader.readframes(reader.getnframes())
    assert frames == data[44:]


def test_the_header_sizes_are_right_for_a_long_file() -> None:
    seconds = 1 * 3600 + 27 * 60 + 12
    header = audio.wav_header(seconds)
    assert len(header) == audio.HEADER_SIZE == 44
    assert header[:4] == b"RIFF"
    assert header[8:16] == b"WAVEfmt "
    assert int.from_bytes(header[4:8], "little") == audio.wav_size(seconds) - 8
    assert header[36:40] == b"data"
    assert int.from_bytes(header[40:44], "little") == 8000 * seconds
    with wave.open(io.BytesIO(header + audio.wav_bytes("tone-a", seconds, 44, 4044))) as reader:
        assert reader.getnframes() / reader.getframerate() == seconds  # the header alone gives the duration


def test_the_sound_is_a_quiet_tone_then_silence() -> None:
    period = audio.cycle("tone-a")
    assert len(period) == 4 * 8000
    notes, rest = period[:16000], period[16000:]
    assert set(rest) == {audio.SILENCE}
    assert max(notes) - min(notes) >= 10  # audible
    assert max(abs(b - audio.SILENCE) for b in notes) <= 8  # and quiet (about -24 dBFS)
    assert notes[0] == notes[7999] == audio.SILENCE  # each note starts and ends at zero: no click
    assert audio.cycle("tone-a") != audio.cycle("tone-b")


@given(
    tone=st.sampled_from(sorted(audio.TONES)),
    start=st.integers(min_value=-10, max_value=audio.wav_size(SHORT) + 10),
    length=st.integers(min_value=0, max_value=audio.wav_size(SHORT) + 20),
)
def test_any_range_is_the_slice_of_the_whole(tone: str, start: int, length: int) -> None:
    whole = _WHOLE[tone]
    assert (
        audio.wav_bytes(tone, SHORT, start, start + length) == whole[max(0, start) : max(0, start + length)]
    )


_WHOLE = {tone: _whole(tone, SHORT) for tone in audio.TONES}


@given(
    start=st.integers(min_value=0, max_value=audio.wav_size(SHORT)),
    stop=st.integers(min_value=0, max_value=audio.wav_size(SHORT)),
    chunk=st.integers(min_value=256, max_value=50_000),
)
@settings(deadline=None)
def test_streamed_pieces_join_to_the_range(start: int, stop: int, chunk: int) -> None:
    pieces = list(audio.iter_wav("tone-b", SHORT, start, stop, chunk))
    assert b"".join(pieces) == _WHOLE["tone-b"][start:stop]
    assert all(0 < len(p) <= chunk for p in pieces)


def test_bytes_depend_on_the_offset_only_so_long_files_tile_the_short_one() -> None:
    long = 2 * 3600 + 34 * 60 + 15
    # The samples at a data offset are the same in every file, whatever its length.
    assert audio.wav_bytes("tone-a", long, 44, 44 + 8000 * SHORT) == _WHOLE["tone-a"][44:]
    offset = 8000 * 5000 + 123
    assert (
        audio.wav_bytes("tone-a", long, 44 + offset, 44 + offset + 100)
        == (audio.cycle("tone-a") * 2)[offset % 32000 : offset % 32000 + 100]
    )


def test_the_last_bytes_of_a_long_file_are_cheap() -> None:
    seconds = 1 * 3600 + 27 * 60 + 12
    size = audio.wav_size(seconds)
    started = time.process_time()
    for _ in range(20):
        tail = audio.wav_bytes("tone-a", seconds, size - 1_000_000, size + 50)
    spent = time.process_time() - started
    assert len(tail) == 1_000_000
    assert spent < 1.0  # a megabyte near the end is tiled, not computed sample by sample


@pytest.mark.parametrize(
    ("tone", "seconds", "message"),
    [
        ("tone-c", 60, "unknown sample tone 'tone-c'"),
        ("tone-a", 0, "0 s is outside 1..21600 s"),
        ("tone-a", 21601, "21601 s is outside"),
    ],
)
def test_what_it_does_not_make_is_refused_by_name(tone: str, seconds: int, message: str) -> None:
    with pytest.raises(audio.SampleAudioError, match=message):
        audio.wav_bytes(tone, seconds, 0, 10)
