"""Bytes in, clean UTF-8 chunks out: size cap, encoding detection, safety checks, prolog repairs.

The parser never hands raw input to lxml. `XmlInput.chunks()` reads the input in chunks (counting bytes as it
goes, so an oversized feed is refused before it is all read), decodes it with the detected encoding
(falling back to cp1252 for bytes that are not valid in a feed that claims UTF-8), re-encodes it as UTF-8,
strips characters XML forbids, turns HTML named entities into character references, refuses DTDs that
declare entities (billion laughs, XXE), and declares well-known namespace prefixes the feed forgot to
declare. `chunks()` can be called again for the recovery pass: bytes are sliced again, seekable files are
re-read from their start, and only unseekable streams are kept in memory.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Iterator
from typing import BinaryIO

from lytt.feeds._ns import WELL_KNOWN_PREFIXES
from lytt.feeds.errors import FeedError, FeedTooLarge, NotAFeed, UnsafeXML

# 32 KiB per read, and so per lxml feed(): the items lxml builds from one chunk are read while their nodes
# are still in the CPU's cache (the measurement against larger reads is in docs/benchmarks/).
READ_SIZE = 1 << 15
HEAD_SIZE = 1 << 16  # the prolog checks look at least this far into the document

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_XML_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_SINGLE_BYTE_WESTERN = {"latin-1", "iso8859-1", "ascii", "cp1252"}

_CONTROL_CHARS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NAMED_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8});)")
_ENTITY_TAIL = 34  # longest named entity we rewrite, plus "&" and ";"

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<(?![?!])")
# Attributes only after whitespace, so the name and the attributes cannot both match the same run of
# letters (that made `<aaaa...` quadratic).
_ROOT_TAG = re.compile(rb"""<([A-Za-z_][\w.:-]*)((?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?)/?>""")
PROLOG_LIMIT = 1 << 16  # the root start tag is looked for this far at most
_HTML_ROOT = re.compile(rb"<html[\s>]|<!doctype\s+html[\s>]", re.IGNORECASE)


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not valid UTF-8 as cp1252 (latin-1 where cp1252 has no character)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return "".join(_byte_as_cp1252(b) for b in bad), err.end


def _byte_as_cp1252(byte: int) -> str:
    try:
        return bytes((byte,)).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error("lytt-cp1252", _cp1252_fallback)


def _entity_to_charref(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    codepoint = html.entities.name2codepoint.get(name)
    if codepoint is None:
        # Unknown entity: keep its text literally rather than lose the rest of the element.
        return b"&amp;" + match.group(1) + b";"
    return b"&#%d;" % codepoint


def content_type_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET.search(content_type)
    return match.group(1) if match else None


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


class XmlInput:
    """One feed document, readable (and re-readable) as clean UTF-8 chunks."""

    def __init__(
        self,
        data: bytes | bytearray | memoryview | BinaryIO,
        *,
        source: str | None,
        content_type: str | None,
        max_bytes: int,
    ) -> None:
        self.source = source
        self.content_type = content_type
        self.max_bytes = max_bytes
        self.warnings: list[str] = []
        self._bytes: bytes | None = None
        self._stream: BinaryIO | None = None
        self._start: int | None = None
        self._kept: list[bytes] | None = None
        self._passes = 0
        if isinstance(data, bytes | bytearray | memoryview):
            self._bytes = bytes(data)
            if len(self._bytes) > max_bytes:
                raise self._too_large()
        elif not callable(getattr(data, "read", None)):
            raise FeedError(
                f"expected bytes or a binary stream, got {type(data).__name__}", source=self.source
            )
        else:
            self._stream = data
            try:
                if data.seekable():
                    self._start = data.tell()
            except (OSError, ValueError):
                self._start = None

    def _too_large(self) -> FeedTooLarge:
        return FeedTooLarge(f"feed is larger than the {self.max_bytes:,}-byte limit", source=self.source)

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- raw bytes -------------------------------------------------------------------------------------

    def _raw_chunks(self) -> Iterator[bytes]:
        if self._bytes is not None:
            data = self._bytes
            for start in range(0, len(data), READ_SIZE):
                yield data[start : start + READ_SIZE]
            return
        if self._kept is not None:
            yield from self._kept
            return
        stream = self._stream
        assert stream is not None
        if self._passes > 1:
            if self._start is None:
                return
            stream.seek(self._start)
        keep: list[bytes] | None = [] if self._start is None else None
        total = 0
        while True:
            try:
                chunk = stream.read(READ_SIZE)
            except OSError as exc:
                raise FeedError(f"could not read the feed: {exc}", source=self.source) from exc
            if not chunk:
                break
            if not isinstance(chunk, bytes | bytearray):
                raise FeedError("the feed must be read from a binary stream, not text", source=self.source)
            total += len(chunk)
            if total > self.max_bytes:
                raise self._too_large()
            if keep is not None:
                keep.append(chunk)
            yield chunk
        if keep is not None:
            self._kept = keep

    # -- decoding --------------------------------------------------------------------------------------

    def _detect(self, head: bytes) -> tuple[str, int]:
        """(codec name, BOM length) from the BOM, the XML declaration, the HTTP charset, else UTF-8."""
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name, len(bom)
        if head.startswith(b"<\x00?\x00") or head.startswith(b"<\x00\x00\x00"):
            return "utf-16-le", 0
        if head.startswith(b"\x00<\x00?"):
            return "utf-16-be", 0
        match = _XML_DECL_ENCODING.match(head.lstrip())
        label: str | None = (
            match.group(1).decode("ascii") if match else content_type_charset(self.content_type)
        )
        if label is None:
            return "utf-8", 0
        codec = _codec_name(label)
        if codec is None:
            self._warn(f"unknown encoding {label!r}; read as UTF-8")
            return "utf-8", 0
        if codec.startswith(("utf-16", "utf-32")) or codec == "ascii":
            # ASCII-looking bytes cannot be UTF-16; "ASCII" feeds with non-ASCII bytes are UTF-8 or cp1252,
            # which the UTF-8 path handles.
            return "utf-8", 0
        if codec in _SINGLE_BYTE_WESTERN and _looks_like_utf8(head):
            self._warn(f"declared {label}, but the bytes are UTF-8; read as UTF-8")
            return "utf-8", 0
        return codec, 0

    def _utf8_chunks(self) -> Iterator[bytes]:
        raw = self._raw_chunks()
        head = b""
        for chunk in raw:
            head += chunk
            if len(head) >= HEAD_SIZE:
                break
        encoding, bom = self._detect(head)
        if encoding == "utf-8":
            yield from self._from_utf8(head[bom:], raw)
            return
        errors = "lytt-cp1252" if encoding in _SINGLE_BYTE_WESTERN else "replace"
        if encoding in _SINGLE_BYTE_WESTERN:
            encoding = "cp1252"
        decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        yield decoder.decode(head[bom:]).encode("utf-8")
        for chunk in raw:
            yield decoder.decode(chunk).encode("utf-8")
        yield decoder.decode(b"", True).encode("utf-8")

    def _from_utf8(self, head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
        carry = b""
        for chunk in _chain(head, rest):
            buf = carry + chunk if carry else chunk
            cut = _utf8_cut(buf)
            carry = buf[cut:]
            yield self._valid_utf8(buf[:cut])
        if carry:
            yield self._valid_utf8(carry)

    def _valid_utf8(self, buf: bytes) -> bytes:
        try:
            buf.decode("utf-8")
        except UnicodeDecodeError:
            self._warn("bytes that are not UTF-8 were read as cp1252")
            return buf.decode("utf-8", "lytt-cp1252").encode("utf-8")
        return buf

    # -- clean-up and safety ---------------------------------------------------------------------------

    def chunks(self, *, repair: bool = False) -> Iterator[bytes]:
        """UTF-8 chunks for lxml (configured with encoding="utf-8"). Restartable.

        With `repair`, characters XML forbids are dropped, bare ampersands are escaped and HTML named
        entities (&nbsp;, &eacute;...) become character references. That costs a scan of every byte, so
        the first pass goes without and the parser asks for it only when strict parsing failed."""
        self._passes += 1
        first = True
        carry = b""
        for chunk in self._utf8_chunks():
            buf = carry + chunk if carry else chunk
            if first:
                buf = buf.lstrip()
                if not buf:
                    continue
                if len(buf) < HEAD_SIZE:
                    carry = buf
                    continue
                buf = self._check_prolog(buf)
                first = False
            amp = buf.rfind(b"&", -_ENTITY_TAIL)
            if amp != -1 and buf.find(b";", amp) == -1:
                carry, buf = buf[amp:], buf[:amp]
            else:
                carry = b""
            yield self._clean(buf) if repair else buf
        if first and carry:
            carry = self._check_prolog(carry)
        if carry:
            yield self._clean(carry) if repair else carry

    def _clean(self, buf: bytes) -> bytes:
        if _CONTROL_CHARS.search(buf):
            buf = _CONTROL_CHARS.sub(b"", buf)
            self._warn("removed control characters that XML does not allow")
        if b"&" in buf:
            # "Q&A" in a title: a bare ampersand is text, not the start of an entity.
            if _BARE_AMPERSAND.search(buf):
                buf = _BARE_AMPERSAND.sub(b"&amp;", buf)
            if _NAMED_ENTITY.search(buf):
                buf = _NAMED_ENTITY.sub(_entity_to_charref, buf)
        return buf

    def _check_prolog(self, head: bytes) -> bytes:
        """Refuse entity declarations and HTML pages; declare undeclared well-known prefixes."""
        if not head.startswith(b"<?xml"):
            # Junk before the declaration (a PHP warning, say) makes the whole document invalid.
            declaration = head.find(b"<?xml", 0, 4096)
            if declaration > 0:
                head = head[declaration:]
                self._warn("ignored text before the XML declaration")
        root_at = _ROOT_START.search(head)
        root_pos = root_at.start() if root_at else len(head)
        doctype = _DOCTYPE.search(head, 0, root_pos)
        if doctype is not None:
            if root_at is None:
                raise UnsafeXML("document type declaration is too long", source=self.source)
            if _ENTITY_DECL.search(head, doctype.start(), root_pos):
                raise UnsafeXML(
                    "the document declares XML entities (entity expansion and external entities are refused)",
                    source=self.source,
                )
        if _HTML_ROOT.search(head, 0, root_pos + 6):
            raise NotAFeed("this is an HTML page, not an RSS or Atom feed", source=self.source)
        tag = _ROOT_TAG.match(head, root_pos, root_pos + PROLOG_LIMIT)
        if tag is None:
            return head
        attrs = tag.group(2)
        missing = [
            b' xmlns:%s="%s"' % (prefix.encode(), uri.encode())
            for prefix, uri in WELL_KNOWN_PREFIXES.items()
            if b"xmlns:" + prefix.encode() + b"=" not in attrs
            and b"xmlns:" + prefix.encode() + b" " not in attrs
        ]
        if not missing:
            return head
        insert_at = tag.end(1)
        return head[:insert_at] + b"".join(missing) + head[insert_at:]


def _looks_like_utf8(head: bytes) -> bool:
    """Non-ASCII bytes that all form valid UTF-8 sequences: text in a single-byte encoding almost never
    does that by accident."""
    if head.isascii():
        return False
    try:
        head[: _utf8_cut(head)].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _chain(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from rest


def _utf8_cut(buf: bytes) -> int:
    """Length of `buf` without a trailing incomplete UTF-8 sequence."""
    n = len(buf)
    for back in range(1, min(4, n) + 1):
        byte = buf[n - back]
        if byte < 0x80:
            return n
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return n - back if need > back else n
    return n
