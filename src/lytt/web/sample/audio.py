"""The sample catalogue's audio: a WAV file of any length, computed per byte range and never stored.

A sample episode plays exactly as long as its feed's `itunes:duration` says: its enclosure names a tone and a
length in whole seconds (`tone-a/5232.wav`), and every byte of that file is a pure function of its offset.
The format is 8 kHz 8-bit mono PCM: every browser and podcast app plays it, no encoder is needed, and its
size is exactly `HEADER_SIZE + RATE * seconds`, so the enclosure's `length` is known in advance. The sound is
a four-second cycle (two soft notes, then two seconds of silence) computed once per tone and tiled, so a
range anywhere in a long file costs a few slice copies.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Iterator

RATE = 8000  # samples per second; one byte each (8-bit mono)
HEADER_SIZE = 44
MAX_SECONDS = 6 * 3600  # longer than any sample episode; bounds what a request can ask for
CHUNK = 64 * 1024  # bytes per piece when a range is streamed
SILENCE = 0x80  # the zero level of unsigned 8-bit PCM
CONTENT_TYPE = "audio/wav"
VERSION = 1  # part of the ETag: raise it when the bytes for a URL change
# name: the two notes (Hz) of its cycle
TONES = {"tone-a": (220.0, 330.0), "tone-b": (261.6, 392.0)}
_CYCLE_SECONDS = 4


class SampleAudioError(ValueError):
    """A tone or length the generator does not make (the message names it)."""


def check(tone: str, seconds: int) -> None:
    """Raise `SampleAudioError` unless `tone` is known and `seconds` is within 1..MAX_SECONDS."""
    if tone not in TONES:
        raise SampleAudioError(f"unknown sample tone {tone!r} (known: {', '.join(sorted(TONES))})")
    if not 1 <= seconds <= MAX_SECONDS:
        raise SampleAudioError(f"sample audio length {seconds} s is outside 1..{MAX_SECONDS} s")


def wav_size(seconds: int) -> int:
    """The whole file's size in bytes: the enclosure `length` of a sample episode this long."""
    return HEADER_SIZE + RATE * seconds


def wav_header(seconds: int) -> bytes:
    """A canonical 44-byte RIFF/WAVE header for `seconds` of 8 kHz 8-bit mono PCM."""
    data = RATE * seconds
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        HEADER_SIZE - 8 + data,  # RIFF chunk size: everything after this field
        b"WAVE",
        b"fmt ",
        16,  # fmt chunk size
        1,  # PCM
        1,  # channels
        RATE,
        RATE,  # byte rate: rate * channels * bytes per sample
        1,  # block align
        8,  # bits per sample
        b"data",
        data,
    )


@functools.cache
def cycle(tone: str) -> bytes:
    """One cycle of `tone`'s samples: each note one second with soft edges (about -24 dBFS), then silence.

    Each note starts and ends at the zero level, so cycles tile without a click.
    """
    samples = bytearray()
    for frequency in TONES[tone]:
        for n in range(RATE):
            t = n / RATE
            envelope = min(t / 0.05, 1.0, (1.0 - t) / 0.2)
            samples.append(round(SILENCE + 127 * 0.06 * envelope * math.sin(2 * math.pi * frequency * t)))
    samples += bytes([SILENCE]) * (RATE * (_CYCLE_SECONDS - len(TONES[tone])))
    return bytes(samples)


def _samples(tone: str, start: int, stop: int) -> bytes:
    """Bytes `start` to `stop` (half-open) of the endless tiling of `tone`'s cycle."""
    period = cycle(tone)
    size = len(period)
    first = start % size
    if first + (stop - start) <= size:
        return period[first : first + stop - start]
    whole, rest = divmod(stop - start - (size - first), size)
    return b"".join((period[first:], period * whole, period[:rest]))


def wav_bytes(tone: str, seconds: int, start: int, stop: int) -> bytes:
    """Bytes `start` to `stop` (half-open, clipped to the file) of the WAV of `tone` lasting `seconds`."""
    check(tone, seconds)
    size = wav_size(seconds)
    start, stop = max(0, start), min(stop, size)
    if start >= stop:
        return b""
    head = wav_header(seconds)[start:stop] if start < HEADER_SIZE else b""
    data_start = max(start, HEADER_SIZE) - HEADER_SIZE
    data_stop = stop - HEADER_SIZE
    if data_stop <= data_start:
        return head
    return head + _samples(tone, data_start, data_stop)


def iter_wav(tone: str, seconds: int, start: int, stop: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """`wav_bytes(tone, seconds, start, stop)` in pieces of at most `chunk` bytes, for streaming."""
    check(tone, seconds)
    stop = min(stop, wav_size(seconds))
    for offset in range(max(0, start), stop, chunk):
        yield wav_bytes(tone, seconds, offset, min(offset + chunk, stop))
