# cython: language_level=3, binding=False, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=False
"""The verified fast path of lytt.feeds.safe_notes in Cython.

safe_notes(source, with_text) answers what safe_notes._safe_notes_python answers, byte for byte:

  None           the notes are not provably inside the safe subset (the caller sends them to nh3);
  (html, text)   they are: html is the notes as sanitised, finish_notes(_with_rel(notes)): rel added to
                 every link, h1/h2 made h3, whitespace stripped around them; text is _parts_text of them
                 (None when empty, or when with_text is false);
  Undecided      raised for the one input whose exact result this code leaves to Python: text with a
                 decimal character reference longer than 640 digits (Python's int() may refuse it, and
                 html.unescape with it).

The checks are the ones safe_notes.py's regular expressions make (read the comment above its _WS first),
in a few linear passes over the notes' UTF-8: an ASCII str's own bytes (read through the public
PyUnicode_1BYTE_DATA), else a temporary UTF-8 copy. Lone surrogates, which a str allows and UTF-8 does not,
go through as "surrogatepass" UTF-8 (three bytes read as one character that is neither whitespace nor
markup, as the regexes read them).

  1. markers: the substrings of _NEVER_SAFE (" class=", 'href="/', ...), found from each "="; "<!--" and
     "<script" fail the tag grammar below, "<pre>" + line break is checked at that tag;
  2. tags: every "<" must start a tag of _SAFE_TAG_SPLIT's grammar whose name is in _SAFE_NAMES. A match
     of that pattern holds exactly one "<" and ends at the first ">" after it, so this is the same as its
     split finding one tag per "<";
  3. structure, on the tag names without br and img (the "skeleton"): _unwanted_blocks (a <p>, heading
     or link whose content is not inline), _orphan_items (an <li> not right after <ul>, <ol> or </li>; a
     <dt>/<dd> not right after <dl>, </dt> or </dd>), then balance without hr, at most _MAX_DEPTH (32)
     deep (what 32 passes of _EMPTY_PAIR accept);
  4. the HTML: each "<a" tag rewritten as _with_rel does (line break after "<a" made a space, trailing
     whitespace of the attributes dropped, rel last), <h1>/<h2> tags made <h3>, _STRIPPED cut from both
     ends; the notes object itself when none of that changes anything;
  5. the text: the text between tags ("\r" and "\n" made spaces) joined with _SEPARATORS, then
     html.unescape's rules (its entity table and invalid code points are the html module's, read at import,
     so they are the running Python's) and collapse_whitespace's (its spaces are str.isspace up to U+3000,
     i.e. Py_UNICODE_ISSPACE; "\n" the only line break) in one streaming pass.

Hostile input: every read is bounds-checked (by hand: the directives above turn Cython's own checks off
for speed, and the sanitizer pass of dev.sh builds this module with AddressSanitizer and UBSan), the
nesting check uses a fixed 32-entry stack, every pass is linear in the input (entity names are read at
most 32 characters ahead, prefixes at most the longest entity name), and buffers grow geometrically with
overflow checks.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.unicode cimport Py_UNICODE_ISSPACE, PyUnicode_1BYTE_DATA, PyUnicode_DecodeUTF8, PyUnicode_GET_LENGTH
from libc.stdint cimport int32_t, uint8_t, uint32_t
from libc.string cimport memchr, memcmp, memcpy

import html as _html_module
import html.entities as _entities_module


cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX
    bint PyUnicode_IS_ASCII(object o)


class Undecided(Exception):
    """Raised by safe_notes for the rare input whose answer it leaves to the Python implementation."""


# -- tag names ------------------------------------------------------------------------------------------

cdef enum:
    # block containers: their start and end tags separate text by a blank line
    T_P, T_DIV, T_UL, T_OL, T_H1, T_H2, T_H3, T_H4, T_H5, T_H6, T_BLOCKQUOTE, T_PRE, T_DL,
    # items: their start tags separate text by a line break
    T_LI, T_DT, T_DD,
    T_A,
    # inline: no separator
    T_STRONG, T_B, T_EM, T_I, T_U, T_S, T_SUB, T_SUP, T_SMALL, T_CODE, T_SPAN,
    # void: start tags only
    T_BR, T_HR, T_IMG

cdef enum:
    CLOSE = 0x80  # token flag: an end tag
    _DEPTH = 32
    SEPARATOR = 0xFF  # a tag's line break in the raw text: a byte UTF-8 never holds
    UNDECIDED_TEXT = 2
    LOCAL_TAGS = 128

LINK_REL = "noopener noreferrer nofollow"
MAX_DEPTH = _DEPTH
cdef const char *REL_ATTR = b'rel="noopener noreferrer nofollow">'
cdef Py_ssize_t REL_LEN = 35


cdef inline bint is_inline(uint8_t tok) noexcept:
    cdef uint8_t name = tok & ~CLOSE
    return T_STRONG <= name <= T_SPAN


cdef inline bint same(const unsigned char *p, const char *lit, Py_ssize_t n) noexcept:
    return memcmp(p, lit, <size_t>n) == 0


cdef int name_id(const unsigned char *p, Py_ssize_t n) noexcept:
    if n == 1:
        if p[0] == c'p':
            return T_P
        if p[0] == c'a':
            return T_A
        if p[0] == c'b':
            return T_B
        if p[0] == c'i':
            return T_I
        if p[0] == c'u':
            return T_U
        if p[0] == c's':
            return T_S
        return -1
    if n == 2:
        if p[0] == c'h' and c'1' <= p[1] <= c'6':
            return T_H1 + (p[1] - c'1')
        if same(p, "ul", 2):
            return T_UL
        if same(p, "ol", 2):
            return T_OL
        if same(p, "li", 2):
            return T_LI
        if same(p, "dl", 2):
            return T_DL
        if same(p, "dt", 2):
            return T_DT
        if same(p, "dd", 2):
            return T_DD
        if same(p, "em", 2):
            return T_EM
        if same(p, "br", 2):
            return T_BR
        if same(p, "hr", 2):
            return T_HR
        return -1
    if n == 3:
        if same(p, "div", 3):
            return T_DIV
        if same(p, "pre", 3):
            return T_PRE
        if same(p, "sub", 3):
            return T_SUB
        if same(p, "sup", 3):
            return T_SUP
        if same(p, "img", 3):
            return T_IMG
        return -1
    if n == 4:
        if same(p, "code", 4):
            return T_CODE
        if same(p, "span", 4):
            return T_SPAN
        return -1
    if n == 5:
        return T_SMALL if same(p, "small", 5) else -1
    if n == 6:
        return T_STRONG if same(p, "strong", 6) else -1
    if n == 10:
        return T_BLOCKQUOTE if same(p, "blockquote", 10) else -1
    return -1


cdef int separator(uint8_t tok) noexcept:
    """_SEPARATORS: the line breaks a tag leaves in the text."""
    if tok == T_BR or tok == T_LI or tok == T_DT or tok == T_DD:
        return 1
    if (tok & ~CLOSE) <= T_DL or tok == T_HR:
        return 2
    return 0


# -- character classes ----------------------------------------------------------------------------------

cdef unsigned char ascii_space[128]  # str.isspace, from Py_UNICODE_ISSPACE at import
cdef unsigned char plain_byte[256]  # ASCII, not whitespace, not "&": copied as they are


cdef inline bint is_ws(unsigned char c) noexcept:
    """_WS, r"[ \\t\\n\\r\\f]"."""
    return c == c' ' or c == c'\t' or c == c'\n' or c == c'\r' or c == c'\f'


cdef inline bint is_alnum(unsigned char c) noexcept:
    return c'a' <= c <= c'z' or c'A' <= c <= c'Z' or c'0' <= c <= c'9'


cdef inline bint is_hex(unsigned char c) noexcept:
    return c'0' <= c <= c'9' or c'a' <= c <= c'f' or c'A' <= c <= c'F'


cdef inline uint32_t hex_value(unsigned char c) noexcept:
    return c - c'0' if c <= c'9' else (c | 0x20) - c'a' + 10


cdef inline uint32_t utf8_decode(const unsigned char *p, Py_ssize_t avail, int *length) noexcept:
    """The code point at p (valid UTF-8, which is what the str's encoder and this module write), its length
    in length[0]; a truncated sequence reads as one byte."""
    cdef unsigned char c = p[0]
    if c < 0x80:
        length[0] = 1
        return c
    if c >= 0xF0 and avail >= 4:
        length[0] = 4
        return ((<uint32_t>(c & 0x07)) << 18) | ((<uint32_t>(p[1] & 0x3F)) << 12) | ((<uint32_t>(p[2] & 0x3F)) << 6) | (p[3] & 0x3F)
    if c >= 0xE0 and avail >= 3:
        length[0] = 3
        return ((<uint32_t>(c & 0x0F)) << 12) | ((<uint32_t>(p[1] & 0x3F)) << 6) | (p[2] & 0x3F)
    if c >= 0xC0 and avail >= 2:
        length[0] = 2
        return ((<uint32_t>(c & 0x1F)) << 6) | (p[1] & 0x3F)
    length[0] = 1
    return c


cdef inline int utf8_encode(uint32_t cp, unsigned char *out) noexcept:
    if cp < 0x80:
        out[0] = <unsigned char>cp
        return 1
    if cp < 0x800:
        out[0] = <unsigned char>(0xC0 | (cp >> 6))
        out[1] = <unsigned char>(0x80 | (cp & 0x3F))
        return 2
    if cp < 0x10000:
        out[0] = <unsigned char>(0xE0 | (cp >> 12))
        out[1] = <unsigned char>(0x80 | ((cp >> 6) & 0x3F))
        out[2] = <unsigned char>(0x80 | (cp & 0x3F))
        return 3
    out[0] = <unsigned char>(0xF0 | (cp >> 18))
    out[1] = <unsigned char>(0x80 | ((cp >> 12) & 0x3F))
    out[2] = <unsigned char>(0x80 | ((cp >> 6) & 0x3F))
    out[3] = <unsigned char>(0x80 | (cp & 0x3F))
    return 4


# -- growable buffers -----------------------------------------------------------------------------------

cdef struct Buf:
    unsigned char *data
    Py_ssize_t length
    Py_ssize_t cap


cdef int buf_grow(Buf *b, Py_ssize_t extra) except -1:
    if extra > PY_SSIZE_T_MAX // 2 - b.length:
        raise MemoryError()
    cdef Py_ssize_t cap = b.cap if b.cap > 0 else 256
    while cap < b.length + extra:
        cap = b.length + extra if cap > PY_SSIZE_T_MAX // 4 else cap * 2
    cdef unsigned char *data = <unsigned char *>PyMem_Realloc(b.data, <size_t>cap)
    if data == NULL:
        raise MemoryError()
    b.data = data
    b.cap = cap
    return 0


cdef inline int buf_reserve(Buf *b, Py_ssize_t extra) except -1:
    if b.length + extra <= b.cap:
        return 0
    return buf_grow(b, extra)


include "_cnotes_tags.pxi"


# -- 3. structure ---------------------------------------------------------------------------------------

cdef Py_ssize_t inline_link(const uint8_t *sk, Py_ssize_t m, Py_ssize_t j) noexcept:
    """At sk[j] == <a>: one past its </a> when only inline tokens are between, else -1."""
    j += 1
    while j < m and is_inline(sk[j]):
        j += 1
    return j + 1 if (j < m and sk[j] == (T_A | CLOSE)) else -1


cdef bint unwanted_blocks(const uint8_t *sk, Py_ssize_t m) noexcept:
    """_unwanted_blocks: a <p>, heading or link that _INLINE_ONLY does not remove."""
    cdef Py_ssize_t i = 0, j, k
    cdef uint8_t tok
    while i < m:
        tok = sk[i]
        if tok == T_A:
            i = inline_link(sk, m, i)
            if i < 0:
                return True
        elif tok == T_P or T_H1 <= tok <= T_H6:
            j = i + 1
            while j < m:
                if is_inline(sk[j]):
                    j += 1
                elif sk[j] == T_A:
                    k = inline_link(sk, m, j)
                    if k < 0:
                        break
                    j = k
                else:
                    break
            if j >= m or sk[j] != (tok | CLOSE):
                return True
            i = j + 1
        else:
            i += 1
    return False


cdef bint orphan_items(const uint8_t *sk, Py_ssize_t m) noexcept:
    """_orphan_items: an item not right after its list's start tag or a previous item's end tag."""
    cdef Py_ssize_t i
    cdef uint8_t tok, prev
    for i in range(m):
        tok = sk[i]
        prev = sk[i - 1] if i > 0 else 0xFF
        if tok == T_LI and prev != T_UL and prev != T_OL and prev != (T_LI | CLOSE):
            return True
        if (tok == T_DT or tok == T_DD) and prev != T_DL and prev != (T_DT | CLOSE) and prev != (T_DD | CLOSE):
            return True
    return False


cdef bint balanced(const uint8_t *sk, Py_ssize_t m) noexcept:
    """_EMPTY_PAIR's 32 passes: balanced, at most MAX_DEPTH deep (hr left out)."""
    cdef uint8_t stack[_DEPTH]
    cdef int depth = 0
    cdef Py_ssize_t i
    cdef uint8_t tok
    for i in range(m):
        tok = sk[i]
        if tok == T_HR:
            continue
        if not (tok & CLOSE):
            if depth == _DEPTH:
                return False
            stack[depth] = tok
            depth += 1
        else:
            if depth == 0:
                return False
            depth -= 1
            if stack[depth] != (tok & ~CLOSE):
                return False
    return depth == 0


cdef int check_structure(const Tags *tags) except -1:
    """0: not safe; 1: safe."""
    cdef uint8_t local[512]
    cdef uint8_t *sk = local
    cdef Py_ssize_t m = 0, i
    cdef uint8_t tok
    cdef bint safe
    if tags.length > 512:
        sk = <uint8_t *>PyMem_Malloc(<size_t>tags.length)
        if sk == NULL:
            raise MemoryError()
    for i in range(tags.length):
        tok = tags.items[i].tok
        if tok != T_BR and tok != T_IMG:
            sk[m] = tok
            m += 1
    safe = not unwanted_blocks(sk, m) and not orphan_items(sk, m) and balanced(sk, m)
    if sk != local:
        PyMem_Free(sk)
    return 1 if safe else 0


# -- 4. the HTML ----------------------------------------------------------------------------------------

cdef inline bint is_stripped(uint32_t cp) noexcept:
    """_STRIPPED: str.isspace up to U+3000 (there is none above), but the no-break space."""
    return cp <= 0x3000 and cp != 0xA0 and Py_UNICODE_ISSPACE(cp)


cdef inline bint is_demoted(uint8_t tok) noexcept:
    return (tok & ~CLOSE) == T_H1 or (tok & ~CLOSE) == T_H2


cdef object notes_html(object source, const unsigned char *s, Py_ssize_t n, const Tags *tags, const char *errors):
    """finish_notes(_with_rel(source)): rel added to links, h1/h2 made h3, the ends stripped of _STRIPPED.
    Tags lie inside the stripped range, since they start with "<" and end with ">"."""
    cdef Py_ssize_t first = 0, last = n, links = 0, headings = 0, at, i, cap, copied, attrs, attrs_end
    cdef Py_ssize_t length = 0
    cdef int cp_len
    cdef const Tag *tag
    cdef unsigned char *out
    while first < n and is_stripped(utf8_decode(s + first, n - first, &cp_len)):
        first += cp_len
    while last > first:
        at = last - 1
        while at > first and (s[at] & 0xC0) == 0x80:  # back to the start of the last character
            at -= 1
        if not is_stripped(utf8_decode(s + at, last - at, &cp_len)) or at + cp_len != last:
            break
        last = at
    for i in range(tags.length):
        links += tags.items[i].tok == T_A
        headings += is_demoted(tags.items[i].tok)
    if links == 0 and headings == 0 and first == 0 and last == n:
        return source
    if links > (PY_SSIZE_T_MAX - n) // (REL_LEN + 2):
        raise MemoryError()
    cap = (last - first) + links * (REL_LEN + 2)
    out = <unsigned char *>PyMem_Malloc(<size_t>cap + 1)
    if out == NULL:
        raise MemoryError()
    try:
        copied = first
        for i in range(tags.length):
            tag = &tags.items[i]
            if tag.tok != T_A and not is_demoted(tag.tok):
                continue
            memcpy(out + length, s + copied, <size_t>(tag.start - copied))
            length += tag.start - copied
            copied = tag.end
            if tag.tok & CLOSE:  # "</h1>" or "</h2>"
                memcpy(out + length, b"</h3>", 5)
                length += 5
                continue
            if tag.tok != T_A:  # "<h1>" or "<h2>"
                memcpy(out + length, b"<h3>", 4)
                length += 4
                continue
            memcpy(out + length, b"<a ", 3)
            length += 3
            if tag.end - tag.start > 3:  # "<a" + space or line break + attributes + ">"
                attrs = tag.start + 3
                attrs_end = tag.end - 1
                while attrs_end > attrs and is_ws(s[attrs_end - 1]):
                    attrs_end -= 1
                if attrs_end > attrs:
                    memcpy(out + length, s + attrs, <size_t>(attrs_end - attrs))
                    length += attrs_end - attrs
                    out[length] = c' '
                    length += 1
            memcpy(out + length, REL_ATTR, <size_t>REL_LEN)
            length += REL_LEN
        memcpy(out + length, s + copied, <size_t>(last - copied))
        length += last - copied
        return PyUnicode_DecodeUTF8(<char *>out, length, errors)
    finally:
        PyMem_Free(out)


include "_cnotes_text.pxi"


# -- the function ---------------------------------------------------------------------------------------

def safe_notes(str source not None, with_text, /):
    """(html, text) for notes provably inside the safe subset, None for others; raises Undecided for the
    rare input left to the Python implementation (lytt.feeds.safe_notes._safe_notes_python, which gives
    the same answers)."""
    cdef bytes encoded = None
    cdef const char *errors = NULL  # "surrogatepass" for a str with lone surrogates
    cdef const unsigned char *s
    cdef Py_ssize_t n
    cdef bint text_wanted = bool(with_text)
    cdef Tag local[LOCAL_TAGS]
    cdef Tags tags
    cdef int status
    cdef object html, text
    if PyUnicode_IS_ASCII(source):
        s = PyUnicode_1BYTE_DATA(source)  # ASCII: the str's own bytes are its UTF-8
        n = PyUnicode_GET_LENGTH(source)
    else:
        # a temporary copy, not PyUnicode_AsUTF8AndSize's, which would stay attached to the str
        try:
            encoded = source.encode("utf-8")
        except UnicodeEncodeError:
            errors = "surrogatepass"
            encoded = source.encode("utf-8", "surrogatepass")
        s = <const unsigned char *>(<const char *>encoded)
        n = len(encoded)
    if has_never_safe_marker(s, n):
        return None
    tags.items = local
    tags.local = local
    tags.length = 0
    tags.cap = LOCAL_TAGS
    try:
        status = scan_tags(s, n, &tags)
        if status > 0:
            status = check_structure(&tags)
        if status == 0:
            return None
        text = notes_text(s, n, &tags, errors) if text_wanted else None
        html = notes_html(source, s, n, &tags, errors)
        return (html, text)
    finally:
        if tags.items != local:
            PyMem_Free(tags.items)


# -- the module -----------------------------------------------------------------------------------------

cdef void _load_tables() except *:
    """The tables html.unescape uses, as fast lookups: so both paths decode with the running Python's."""
    global entity_key_max, entity_legacy_max
    cdef int c
    cdef str name
    for c in range(128):
        ascii_space[c] = Py_UNICODE_ISSPACE(c)
        plain_byte[c] = not ascii_space[c] and c != 0x26  # "&"
    for c in range(128, 256):
        plain_byte[c] = 0
    for c in range(256):
        charref_map[c] = -1
    for number, value in _html_module._invalid_charrefs.items():
        if not 0 <= number <= 255 or len(value) != 1:
            raise ImportError("html._invalid_charrefs has an unexpected entry")
        charref_map[number] = ord(value)
    for name in _entities:
        if not name.isascii() or not name:
            raise ImportError("html.entities.html5 has an unexpected entry")
        entity_key_max = max(entity_key_max, len(name))
        if not name.endswith(";"):
            entity_legacy_max = max(entity_legacy_max, len(name))


_load_tables()
