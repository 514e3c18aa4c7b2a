# The tag grammar of _cnotes.pyx (included there; read its docstring first): steps 1 and 2.

# -- 1. markers -----------------------------------------------------------------------------------------

cdef inline bint ends_with(const unsigned char *s, Py_ssize_t e, const char *lit, Py_ssize_t n) noexcept:
    return e >= n and memcmp(s + e - n, lit, <size_t>n) == 0


cdef bint has_never_safe_marker(const unsigned char *s, Py_ssize_t n) noexcept:
    """True when a substring of _NEVER_SAFE that has a "=" occurs: each ends at (or holds) a "="."""
    cdef const unsigned char *p = s
    cdef const unsigned char *end = s + n
    cdef Py_ssize_t e
    while True:
        p = <const unsigned char *>memchr(p, c'=', <size_t>(end - p))
        if p == NULL:
            return False
        e = p - s
        if (ends_with(s, e, " class", 6) or ends_with(s, e, " style", 6) or ends_with(s, e, " id", 3)
                or ends_with(s, e, " target", 7) or ends_with(s, e, " rel", 4)):
            return True
        if ends_with(s, e, "href", 4) and end - p >= 3 and (p[1] == c'"' or p[1] == c"'") and p[2] == c'/':
            return True
        p += 1


# -- 2. tags --------------------------------------------------------------------------------------------

cdef struct Tag:
    Py_ssize_t start  # "<"
    Py_ssize_t end  # one past ">"
    uint8_t tok


cdef struct Tags:
    Tag *items
    Py_ssize_t length
    Py_ssize_t cap
    Tag *local


cdef int tags_push(Tags *t, Py_ssize_t start, Py_ssize_t end, uint8_t tok) except -1:
    cdef Py_ssize_t cap
    cdef Tag *items
    if t.length == t.cap:
        if t.cap > PY_SSIZE_T_MAX // 2 // <Py_ssize_t>sizeof(Tag):
            raise MemoryError()
        cap = t.cap * 2
        if t.items == t.local:
            items = <Tag *>PyMem_Malloc(<size_t>cap * sizeof(Tag))
            if items != NULL:
                memcpy(items, t.local, <size_t>t.length * sizeof(Tag))
        else:
            items = <Tag *>PyMem_Realloc(t.items, <size_t>cap * sizeof(Tag))
        if items == NULL:
            raise MemoryError()
        t.items = items
        t.cap = cap
    t.items[t.length].start = start
    t.items[t.length].end = end
    t.items[t.length].tok = tok
    t.length += 1
    return 0


cdef inline Py_ssize_t skip_ws(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    while j < n and is_ws(s[j]):
        j += 1
    return j


cdef inline bint starts(const unsigned char *s, Py_ssize_t n, Py_ssize_t j, const char *lit, Py_ssize_t length) noexcept:
    return n - j >= length and memcmp(s + j, lit, <size_t>length) == 0


cdef Py_ssize_t url_chars(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    """r'(?:[^\\s"'<>&\\\\]|&amp;)*' from j: where it stops (the caller wants the closing quote there)."""
    cdef unsigned char c
    cdef int length
    while j < n:
        c = s[j]
        if c < 0x80:
            if c == c'"' or c == c"'" or c == c'<' or c == c'>' or c == c'\\' or ascii_space[c]:
                return j
            if c == c'&':
                if not starts(s, n, j, "&amp;", 5):
                    return j
                j += 5
            else:
                j += 1
        else:
            if Py_UNICODE_ISSPACE(utf8_decode(s + j, n - j, &length)):
                return j
            j += length
    return j


cdef Py_ssize_t url_value(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    """A quoted _URL from j (at the quote): one past the closing quote, or -1."""
    cdef unsigned char quote
    cdef Py_ssize_t first, label, digits
    if j >= n or (s[j] != c'"' and s[j] != c"'"):
        return -1
    quote = s[j]
    j += 1
    if starts(s, n, j, "mailto:", 7):
        first = j + 7
        j = url_chars(s, n, first)
        return j + 1 if (j > first and j < n and s[j] == quote) else -1
    if starts(s, n, j, "http://", 7):
        j += 7
    elif starts(s, n, j, "https://", 8):
        j += 8
    else:
        return -1
    # host: dot-separated labels of [A-Za-z0-9-]+, none starting "xn--" in any case, the last starting with
    # a letter; it has to be the whole run of those characters, since none of them can follow it
    while True:
        label = j
        while j < n and (is_alnum(s[j]) or s[j] == c'-'):
            j += 1
        if j == label:
            return -1
        if (j - label >= 4 and (s[label] | 0x20) == c'x' and (s[label + 1] | 0x20) == c'n'
                and s[label + 2] == c'-' and s[label + 3] == c'-'):
            return -1
        if j < n and s[j] == c'.':
            j += 1
            continue
        if not (c'a' <= (s[label] | 0x20) <= c'z'):
            return -1
        break
    if j < n and s[j] == c':':
        j += 1
        digits = j
        while j < n and c'0' <= s[j] <= c'9':
            j += 1
        if j == digits or j - digits > 4:
            return -1
    if j < n and (s[j] == c'/' or s[j] == c'?' or s[j] == c'#'):
        j = url_chars(s, n, j + 1)
    return j + 1 if (j < n and s[j] == quote) else -1


cdef Py_ssize_t plain_value(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    """_VALUE from j (at the quote): one past the closing quote, or -1."""
    cdef unsigned char quote, c
    if j >= n or (s[j] != c'"' and s[j] != c"'"):
        return -1
    quote = s[j]
    j += 1
    while j < n:
        c = s[j]
        if c == quote:
            return j + 1
        if c == c'<' or c == c'>':
            return -1
        if c == c'&':
            if not starts(s, n, j, "&amp;", 5):
                return -1
            j += 5
        else:
            j += 1
    return -1


cdef Py_ssize_t link_rest(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    """After "<a" + a space or line break: _LINK_ATTR's, separated by whitespace, then ">"."""
    cdef Py_ssize_t k
    j = skip_ws(s, n, j)
    if j < n and s[j] == c'>':
        return j + 1
    while True:
        if starts(s, n, j, "href=", 5):
            j = url_value(s, n, j + 5)
        elif starts(s, n, j, "title=", 6):
            j = plain_value(s, n, j + 6)
        else:
            return -1
        if j < 0:
            return -1
        k = skip_ws(s, n, j)
        if k < n and s[k] == c'>':
            return k + 1
        if k == j:
            return -1
        j = k


cdef Py_ssize_t image_rest(const unsigned char *s, Py_ssize_t n, Py_ssize_t j) noexcept:
    """After "<img": (whitespace, _IMAGE_ATTR)*, whitespace, "/"?, ">"."""
    cdef Py_ssize_t k
    while True:
        k = skip_ws(s, n, j)
        if k >= n:
            return -1
        if s[k] == c'>':
            return k + 1
        if s[k] == c'/':
            return k + 2 if (k + 1 < n and s[k + 1] == c'>') else -1
        if k == j:
            return -1
        j = k
        if starts(s, n, j, "src=", 4):
            j = url_value(s, n, j + 4)
        elif starts(s, n, j, "alt=", 4):
            j = plain_value(s, n, j + 4)
        elif starts(s, n, j, "title=", 6):
            j = plain_value(s, n, j + 6)
        else:
            return -1
        if j < 0:
            return -1


cdef Py_ssize_t parse_tag(const unsigned char *s, Py_ssize_t n, Py_ssize_t i, uint8_t *tok) noexcept:
    """The tag starting at s[i] == "<": one past its ">" and its token, or -1 when it is not an allowed
    tag."""
    cdef Py_ssize_t j = i + 1, name
    cdef bint closing = False
    cdef int id
    if j < n and s[j] == c'/':
        closing = True
        j += 1
    name = j
    if j >= n or s[j] < c'a' or s[j] > c'z':
        return -1
    j += 1
    while j < n and (c'a' <= s[j] <= c'z' or c'0' <= s[j] <= c'9'):
        j += 1
    id = name_id(s + name, j - name)
    if id < 0 or j >= n:
        return -1
    if closing:
        if id >= T_BR:
            return -1
        tok[0] = <uint8_t>(id | CLOSE)
        return j + 1 if s[j] == c'>' else -1
    tok[0] = <uint8_t>id
    if s[j] == c'>':
        return j + 1
    if id == T_A:
        # a literal space in the pattern, which sees line breaks as spaces
        if s[j] != c' ' and s[j] != c'\n' and s[j] != c'\r':
            return -1
        return link_rest(s, n, j + 1)
    if id == T_IMG:
        return image_rest(s, n, j)
    if id == T_BR or id == T_HR:
        j = skip_ws(s, n, j)
        if j < n and s[j] == c'/':
            j += 1
        return j + 1 if (j < n and s[j] == c'>') else -1
    return -1


cdef int scan_tags(const unsigned char *s, Py_ssize_t n, Tags *tags) except -1:
    """0: not safe; 1: every "<" starts an allowed tag (collected in tags)."""
    cdef const unsigned char *p = s
    cdef const unsigned char *end = s + n
    cdef Py_ssize_t i, close
    cdef uint8_t tok
    while True:
        p = <const unsigned char *>memchr(p, c'<', <size_t>(end - p))
        if p == NULL:
            break
        i = p - s
        tok = 0
        close = parse_tag(s, n, i, &tok)
        if close < 0:
            return 0
        # _NEVER_SAFE's "<pre>\n" and "<pre>\r" (an open <pre> matches only as "<pre>")
        if tok == T_PRE and close < n and (s[close] == c'\n' or s[close] == c'\r'):
            return 0
        tags_push(tags, i, close, tok)
        p = s + close
    return 1 if tags.length > 0 else 0  # a skeleton of no tags is "<>", which never reduces to nothing
