# The text pass of _cnotes.pyx (included there; read its docstring first): step 5.

# -- 5. the text ----------------------------------------------------------------------------------------

cdef dict _entities = _entities_module.html5  # html.unescape's table: name (with or without ";") to text
cdef int32_t charref_map[256]  # html._invalid_charrefs, -1 where absent
cdef frozenset _invalid_codepoints = frozenset(_html_module._invalid_codepoints)
cdef Py_ssize_t entity_key_max = 0  # the longest name
cdef Py_ssize_t entity_legacy_max = 0  # the longest name without ";" (the only ones a prefix can be)


cdef struct Text:
    # collapse_whitespace as a stream: whitespace runs become " ", "\n" or "\n\n" (by the number of "\n"
    # in them), and are dropped at both ends.
    Buf out
    bint started
    bint space
    int newlines


cdef inline int text_content(Text *t, const unsigned char *p, Py_ssize_t length) except -1:
    buf_reserve(&t.out, length + 2)
    if t.started:
        if t.newlines:
            t.out.data[t.out.length] = c'\n'
            t.out.length += 1
            if t.newlines > 1:
                t.out.data[t.out.length] = c'\n'
                t.out.length += 1
        elif t.space:
            t.out.data[t.out.length] = c' '
            t.out.length += 1
    t.started = True
    t.space = False
    t.newlines = 0
    memcpy(t.out.data + t.out.length, p, <size_t>length)
    t.out.length += length
    return 0


cdef inline void text_newline(Text *t) noexcept:
    if t.newlines < 2:
        t.newlines += 1


cdef inline bint is_text_space(uint32_t cp) noexcept:
    """collapse_whitespace's spaces: _OTHER_SPACES (str.isspace up to U+3000, and there is none above)."""
    return cp <= 0x3000 and Py_UNICODE_ISSPACE(cp)


cdef int text_codepoint(Text *t, uint32_t cp) except -1:
    """A character that entity decoding produced."""
    cdef unsigned char utf8[4]
    if cp == 0x0A:
        text_newline(t)
        return 0
    if is_text_space(cp):
        t.space = True
        return 0
    return text_content(t, utf8, utf8_encode(cp, utf8))


cdef int text_literal(Text *t, const unsigned char *p, Py_ssize_t length) except -1:
    """Characters of an entity-like run that entity decoding leaves as they are (none is a line break: the
    name stops at those)."""
    cdef Py_ssize_t i = 0
    cdef int cp_len
    cdef uint32_t cp
    while i < length:
        cp = utf8_decode(p + i, length - i, &cp_len)
        if is_text_space(cp):
            t.space = True
        else:
            text_content(t, p + i, cp_len)
        i += cp_len
    return 0


cdef int text_numeric(Text *t, uint32_t value) except -1:
    if value < 256 and charref_map[value] >= 0:
        return text_codepoint(t, <uint32_t>charref_map[value])
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return text_codepoint(t, 0xFFFD)
    if value in _invalid_codepoints:
        return 0
    return text_codepoint(t, <uint32_t>value)


cdef object entity_lookup(const unsigned char *p, Py_ssize_t n):
    """The text of the entity named p[0:n] (ASCII), or None."""
    if n > entity_key_max:
        return None
    return _entities.get((<const char *>p)[:n].decode("ascii"))


cdef int text_entity_value(Text *t, str value) except -1:
    cdef uint32_t cp
    for cp in value:
        text_codepoint(t, cp)
    return 0


cdef inline bint name_stop(unsigned char c) noexcept:
    """What ends an entity name: html's r"[^\\t\\n\\f <&#;]", in the raw text ("\\r" and "\\n" are spaces
    there)."""
    return (c == c'\t' or c == c'\n' or c == c'\r' or c == c'\f' or c == c' ' or c == c'<' or c == c'&'
            or c == c'#' or c == c';' or c == SEPARATOR)


cdef int unescape_collapse(Text *t, const unsigned char *raw, Py_ssize_t m) except -1:
    """html.unescape then collapse_whitespace of raw[0:m] into t: 0, or UNDECIDED_TEXT."""
    cdef Py_ssize_t i = 0, j, k, digits, ascii, end, x
    cdef unsigned char c
    cdef int cp_len, count
    cdef bint semicolon
    cdef uint32_t value
    cdef uint32_t cp
    cdef object entity
    while i < m:
        c = raw[i]
        if plain_byte[c]:
            # a run of plain characters and single spaces between them, which collapsing leaves alone
            j = i + 1
            while True:
                while j < m and plain_byte[raw[j]]:
                    j += 1
                if j + 1 < m and raw[j] == c' ' and plain_byte[raw[j + 1]]:
                    j += 2
                else:
                    break
            text_content(t, raw + i, j - i)
            i = j
            continue
        if c == SEPARATOR:
            text_newline(t)
            i += 1
            continue
        if c >= 0x80:
            cp = utf8_decode(raw + i, m - i, &cp_len)
            if is_text_space(cp):
                t.space = True
            else:
                text_content(t, raw + i, cp_len)
            i += cp_len
            continue
        if c != c'&':  # ASCII whitespace, "\n" and "\r" among it
            t.space = True
            i += 1
            continue
        # html._charref: r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)'
        j = i + 1
        if j < m and raw[j] == c'#':
            k = j + 1
            value = 0
            if k < m and c'0' <= raw[k] <= c'9':
                digits = k
                while k < m and c'0' <= raw[k] <= c'9':
                    value = value if value > 0x10FFFF else value * 10 + (raw[k] - c'0')
                    k += 1
                if k - digits > 640:  # int() may refuse it: sys.get_int_max_str_digits()
                    return UNDECIDED_TEXT
            elif k + 1 < m and (raw[k] == c'x' or raw[k] == c'X') and is_hex(raw[k + 1]):
                k += 1
                while k < m and is_hex(raw[k]):
                    value = value if value > 0x10FFFF else value * 16 + hex_value(raw[k])
                    k += 1
            else:  # "&#" and no number: the "&" is text, and so is what follows
                text_content(t, raw + i, 1)
                i = j
                continue
            if k < m and raw[k] == c';':
                k += 1
            text_numeric(t, value)
            i = k
            continue
        # a name: up to 32 characters, then an optional ";"
        k = j
        ascii = -1
        count = 0
        while k < m and count < 32:
            if name_stop(raw[k]):
                break
            if raw[k] < 0x80:
                k += 1
            else:
                if ascii < 0:
                    ascii = k - j
                utf8_decode(raw + k, m - k, &cp_len)
                k += cp_len
            count += 1
        if count == 0:
            text_content(t, raw + i, 1)
            i = j
            continue
        semicolon = k < m and raw[k] == c';'
        end = k + semicolon
        # names are ASCII: a name with other characters in it is not one
        entity = entity_lookup(raw + j, end - j) if ascii < 0 else None
        if entity is not None:
            text_entity_value(t, entity)
            i = end
            continue
        if ascii < 0:
            ascii = k - j
        # the longest prefix that is a name (names are ASCII, so a prefix past a non-ASCII one is not)
        x = min(count + semicolon - 1, ascii, entity_legacy_max)
        while x >= 2:
            entity = entity_lookup(raw + j, x)
            if entity is not None:
                break
            x -= 1
        if entity is not None:
            text_entity_value(t, entity)
            text_literal(t, raw + j + x, end - j - x)
        else:
            text_literal(t, raw + i, end - i)
        i = end
    return 0


cdef object notes_text(const unsigned char *s, Py_ssize_t n, const Tags *tags, const char *errors):
    """_parts_text: a str, or None for no text; raises Undecided."""
    cdef Py_ssize_t raw_cap, m = 0, copied = 0, i, stop
    cdef int breaks, status
    cdef unsigned char *raw
    cdef Text t
    if tags.length > (PY_SSIZE_T_MAX - n - 1) // 2:
        raise MemoryError()
    raw_cap = n + 2 * tags.length + 1
    raw = <unsigned char *>PyMem_Malloc(<size_t>raw_cap)
    if raw == NULL:
        raise MemoryError()
    t.out.data = NULL
    t.out.length = 0
    t.out.cap = 0
    t.started = False
    t.space = False
    t.newlines = 0
    try:
        for i in range(tags.length + 1):
            stop = tags.items[i].start if i < tags.length else n
            memcpy(raw + m, s + copied, <size_t>(stop - copied))
            m += stop - copied
            if i < tags.length:
                breaks = separator(tags.items[i].tok)
                while breaks > 0:
                    raw[m] = SEPARATOR
                    m += 1
                    breaks -= 1
                copied = tags.items[i].end
        buf_grow(&t.out, m + 16)
        status = unescape_collapse(&t, raw, m)
        if status == UNDECIDED_TEXT:
            raise Undecided("a decimal character reference too long for this code")
        if t.out.length == 0:
            return None
        return PyUnicode_DecodeUTF8(<char *>t.out.data, t.out.length, errors)
    finally:
        PyMem_Free(raw)
        PyMem_Free(t.out.data)
