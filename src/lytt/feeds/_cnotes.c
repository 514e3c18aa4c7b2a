/* lytt.feeds._cnotes: the verified fast path of lytt.feeds.html, in C.
 *
 * safe_notes(source, with_text) answers what html._safe_notes_python answers, byte for byte:
 *
 *   None                  the notes are not provably inside the safe subset (the caller sends them to nh3);
 *   (html, text)          they are: html is the notes as sanitised, html._finish(html._with_rel(notes)):
 *                         rel added to every link, h1/h2 made h3, whitespace stripped around them; text is
 *                         html._parts_text of them (None when empty, or when with_text is false);
 *   raises Undecided      for the one input whose exact result this code leaves to Python: text with a
 *                         decimal character reference longer than 640 digits (Python's int() may refuse
 *                         it, and html.unescape with it).
 *
 * Lone surrogates, which Python's str allows and UTF-8 does not, go through as "surrogatepass" UTF-8 (three
 * bytes each, read as one character that is neither whitespace nor markup, as the regexes read them).
 *
 * The checks are the ones the regular expressions of html.py make (read the comment above html._WS first),
 * done in a few linear passes over the UTF-8 of the notes:
 *
 *   1. markers: the substrings of html._NEVER_SAFE (" class=", 'href="/', ...), found from each "=";
 *      "<!--" and "<script" fail the tag grammar below, "<pre>" + line break is checked at that tag;
 *   2. tags: every "<" must start a tag of html._SAFE_TAG_SPLIT's grammar whose name is in _SAFE_NAMES.
 *      A match of that pattern holds exactly one "<" and ends at the first ">" after it, so this is the
 *      same as its split finding one tag per "<";
 *   3. structure, on the tag names without br and img (html's "skeleton"): _unwanted_blocks (a <p>,
 *      heading or link whose content is not inline), _orphan_items (an <li> not right after <ul>, <ol>
 *      or </li>; a <dt>/<dd> not right after <dl>, </dt> or </dd>), then balance without hr, at most
 *      _MAX_DEPTH (32) deep (what 32 passes of _EMPTY_PAIR accept);
 *   4. the HTML: each "<a" tag rewritten as _with_rel does (line break after "<a" made a space, trailing
 *      whitespace of the attributes dropped, rel last), <h1>/<h2> tags made <h3>, html._STRIPPED cut from
 *      both ends; the notes object itself when none of that changes anything;
 *   5. the text: the text between tags ("\r" and "\n" made spaces) joined with _SEPARATORS, then
 *      html.unescape's rules (its entity table and invalid code point tables are read from the html
 *      module at import, so they are the running Python's) and _collapse_whitespace's (its spaces are
 *      str.isspace up to U+3000, i.e. Py_UNICODE_ISSPACE; "\n" the only line break) in one streaming pass.
 *
 * Hostile input: every read is bounds-checked, the nesting check uses a fixed 32-entry stack, every pass
 * is linear in the input (entity names are read at most 32 characters ahead, prefixes at most the longest
 * entity name), and buffers grow geometrically with overflow checks.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* -- tag names ---------------------------------------------------------------------------------------- */

enum {
    /* block containers: their start and end tags separate text by a blank line */
    T_P, T_DIV, T_UL, T_OL, T_H1, T_H2, T_H3, T_H4, T_H5, T_H6, T_BLOCKQUOTE, T_PRE, T_DL,
    /* items: their start tags separate text by a line break */
    T_LI, T_DT, T_DD,
    T_A,
    /* inline: no separator */
    T_STRONG, T_B, T_EM, T_I, T_U, T_S, T_SUB, T_SUP, T_SMALL, T_CODE, T_SPAN,
    /* void: start tags only */
    T_BR, T_HR, T_IMG,
};
#define CLOSE 0x80 /* token flag: an end tag */
#define MAX_DEPTH 32

static const char LINK_REL[] = "noopener noreferrer nofollow";
static const char REL_ATTR[] = "rel=\"noopener noreferrer nofollow\">";

#define IS_INLINE(tok) ((tok & ~CLOSE) >= T_STRONG && (tok & ~CLOSE) <= T_SPAN)

static int
name_id(const unsigned char *p, Py_ssize_t n)
{
#define IS(s) (memcmp(p, s, (size_t)n) == 0)
    switch (n) {
    case 1:
        switch (p[0]) {
        case 'p': return T_P;
        case 'a': return T_A;
        case 'b': return T_B;
        case 'i': return T_I;
        case 'u': return T_U;
        case 's': return T_S;
        }
        return -1;
    case 2:
        if (p[0] == 'h' && p[1] >= '1' && p[1] <= '6')
            return T_H1 + (p[1] - '1');
        if (IS("ul")) return T_UL;
        if (IS("ol")) return T_OL;
        if (IS("li")) return T_LI;
        if (IS("dl")) return T_DL;
        if (IS("dt")) return T_DT;
        if (IS("dd")) return T_DD;
        if (IS("em")) return T_EM;
        if (IS("br")) return T_BR;
        if (IS("hr")) return T_HR;
        return -1;
    case 3:
        if (IS("div")) return T_DIV;
        if (IS("pre")) return T_PRE;
        if (IS("sub")) return T_SUB;
        if (IS("sup")) return T_SUP;
        if (IS("img")) return T_IMG;
        return -1;
    case 4:
        if (IS("code")) return T_CODE;
        if (IS("span")) return T_SPAN;
        return -1;
    case 5:
        return IS("small") ? T_SMALL : -1;
    case 6:
        return IS("strong") ? T_STRONG : -1;
    case 10:
        return IS("blockquote") ? T_BLOCKQUOTE : -1;
    }
    return -1;
#undef IS
}

/* html._SEPARATORS: the line breaks a tag leaves in the text */
static int
separator(uint8_t tok)
{
    if (tok == T_BR || tok == T_LI || tok == T_DT || tok == T_DD)
        return 1;
    if ((tok & ~CLOSE) <= T_DL || tok == T_HR)
        return 2;
    return 0;
}

/* -- character classes -------------------------------------------------------------------------------- */

static unsigned char ascii_space[128]; /* str.isspace, from Py_UNICODE_ISSPACE at import */

/* _WS, r"[ \t\n\r\f]" */
static inline int
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline int
is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline int
is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int
hex_value(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The code point at p (valid UTF-8, which is what the str's encoder and this module write), its length in
   *len; a truncated sequence reads as one byte. */
static inline Py_UCS4
utf8_decode(const unsigned char *p, Py_ssize_t avail, int *len)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xF0 && avail >= 4) {
        *len = 4;
        return ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(p[1] & 0x3F) << 12) | ((Py_UCS4)(p[2] & 0x3F) << 6)
               | (p[3] & 0x3F);
    }
    if (c >= 0xE0 && avail >= 3) {
        *len = 3;
        return ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    if (c >= 0xC0 && avail >= 2) {
        *len = 2;
        return ((Py_UCS4)(c & 0x1F) << 6) | (p[1] & 0x3F);
    }
    *len = 1;
    return c;
}

static inline int
utf8_encode(Py_UCS4 cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* -- growable buffers --------------------------------------------------------------------------------- */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

static int
buf_grow(Buf *b, Py_ssize_t extra)
{
    if (extra > PY_SSIZE_T_MAX / 2 - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = b->cap > 0 ? b->cap : 256;
    while (cap < b->len + extra)
        cap = cap > PY_SSIZE_T_MAX / 4 ? b->len + extra : cap * 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static inline int
buf_reserve(Buf *b, Py_ssize_t extra)
{
    return b->len + extra <= b->cap ? 0 : buf_grow(b, extra);
}

/* -- 1. markers --------------------------------------------------------------------------------------- */

/* True when a substring of html._NEVER_SAFE that has a "=" occurs: each ends at (or holds) a "=". */
static int
has_never_safe_marker(const unsigned char *s, Py_ssize_t n)
{
    const unsigned char *p = s, *end = s + n;
    while ((p = memchr(p, '=', (size_t)(end - p))) != NULL) {
        Py_ssize_t e = p - s;
#define ENDS_WITH(lit) (e >= (Py_ssize_t)sizeof(lit) - 1 && memcmp(p - (sizeof(lit) - 1), lit, sizeof(lit) - 1) == 0)
        if (ENDS_WITH(" class") || ENDS_WITH(" style") || ENDS_WITH(" id") || ENDS_WITH(" target")
            || ENDS_WITH(" rel"))
            return 1;
        if (ENDS_WITH("href") && end - p >= 3 && (p[1] == '"' || p[1] == '\'') && p[2] == '/')
            return 1;
#undef ENDS_WITH
        p++;
    }
    return 0;
}

/* -- 2. tags ------------------------------------------------------------------------------------------ */

typedef struct {
    Py_ssize_t start, end; /* "<" and one past ">" */
    uint8_t tok;
} Tag;

typedef struct {
    Tag *items;
    Py_ssize_t len, cap;
    Tag local[128];
} Tags;

static int
tags_push(Tags *t, Py_ssize_t start, Py_ssize_t end, uint8_t tok)
{
    if (t->len == t->cap) {
        if (t->cap > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)sizeof(Tag)) {
            PyErr_NoMemory();
            return -1;
        }
        Py_ssize_t cap = t->cap * 2;
        Tag *items;
        if (t->items == t->local) {
            items = PyMem_Malloc((size_t)cap * sizeof(Tag));
            if (items != NULL)
                memcpy(items, t->local, sizeof(t->local));
        }
        else {
            items = PyMem_Realloc(t->items, (size_t)cap * sizeof(Tag));
        }
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->items = items;
        t->cap = cap;
    }
    t->items[t->len].start = start;
    t->items[t->len].end = end;
    t->items[t->len].tok = tok;
    t->len++;
    return 0;
}

static inline Py_ssize_t
skip_ws(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    while (j < n && is_ws(s[j]))
        j++;
    return j;
}

static inline int
starts_with(const unsigned char *s, Py_ssize_t n, Py_ssize_t j, const char *lit, Py_ssize_t len)
{
    return n - j >= len && memcmp(s + j, lit, (size_t)len) == 0;
}
#define STARTS(lit) starts_with(s, n, j, lit, (Py_ssize_t)sizeof(lit) - 1)

/* r"""(?:[^\s"'<>&\\]|&amp;)*""" from j: where it stops (the caller wants the closing quote there) */
static Py_ssize_t
url_chars(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    while (j < n) {
        unsigned char c = s[j];
        if (c < 0x80) {
            if (c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || ascii_space[c])
                return j;
            if (c == '&') {
                if (!STARTS("&amp;"))
                    return j;
                j += 5;
            }
            else
                j++;
        }
        else {
            int len;
            Py_UCS4 cp = utf8_decode(s + j, n - j, &len);
            if (Py_UNICODE_ISSPACE(cp))
                return j;
            j += len;
        }
    }
    return j;
}

/* A quoted html._URL from j (at the quote): one past the closing quote, or -1. */
static Py_ssize_t
url_value(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    if (j >= n || (s[j] != '"' && s[j] != '\''))
        return -1;
    unsigned char quote = s[j++];
    if (STARTS("mailto:")) {
        Py_ssize_t first = j + 7;
        j = url_chars(s, n, first);
        return (j > first && j < n && s[j] == quote) ? j + 1 : -1;
    }
    if (STARTS("http://"))
        j += 7;
    else if (STARTS("https://"))
        j += 8;
    else
        return -1;
    /* host: dot-separated labels of [A-Za-z0-9-]+, none starting "xn--" in any case, the last starting
       with a letter; it has to be the whole run of those characters, since none of them can follow it */
    for (;;) {
        Py_ssize_t label = j;
        while (j < n && (is_alnum(s[j]) || s[j] == '-'))
            j++;
        if (j == label)
            return -1;
        if (j - label >= 4 && (s[label] | 0x20) == 'x' && (s[label + 1] | 0x20) == 'n' && s[label + 2] == '-'
            && s[label + 3] == '-')
            return -1;
        if (j < n && s[j] == '.') {
            j++;
            continue;
        }
        if (!((s[label] | 0x20) >= 'a' && (s[label] | 0x20) <= 'z'))
            return -1;
        break;
    }
    if (j < n && s[j] == ':') {
        Py_ssize_t digits = ++j;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == digits || j - digits > 4)
            return -1;
    }
    if (j < n && (s[j] == '/' || s[j] == '?' || s[j] == '#'))
        j = url_chars(s, n, j + 1);
    return (j < n && s[j] == quote) ? j + 1 : -1;
}

/* html._VALUE from j (at the quote): one past the closing quote, or -1. */
static Py_ssize_t
plain_value(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    if (j >= n || (s[j] != '"' && s[j] != '\''))
        return -1;
    unsigned char quote = s[j++];
    while (j < n) {
        unsigned char c = s[j];
        if (c == quote)
            return j + 1;
        if (c == '<' || c == '>')
            return -1;
        if (c == '&') {
            if (!STARTS("&amp;"))
                return -1;
            j += 5;
        }
        else
            j++;
    }
    return -1;
}

/* After "<a" + a space or line break: html._LINK_ATTR's, separated by whitespace, then ">". */
static Py_ssize_t
link_rest(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    j = skip_ws(s, n, j);
    if (j < n && s[j] == '>')
        return j + 1;
    for (;;) {
        if (STARTS("href="))
            j = url_value(s, n, j + 5);
        else if (STARTS("title="))
            j = plain_value(s, n, j + 6);
        else
            return -1;
        if (j < 0)
            return -1;
        Py_ssize_t k = skip_ws(s, n, j);
        if (k < n && s[k] == '>')
            return k + 1;
        if (k == j)
            return -1;
        j = k;
    }
}

/* After "<img": (whitespace, html._IMAGE_ATTR)*, whitespace, "/"?, ">". */
static Py_ssize_t
image_rest(const unsigned char *s, Py_ssize_t n, Py_ssize_t j)
{
    for (;;) {
        Py_ssize_t k = skip_ws(s, n, j);
        if (k >= n)
            return -1;
        if (s[k] == '>')
            return k + 1;
        if (s[k] == '/')
            return (k + 1 < n && s[k + 1] == '>') ? k + 2 : -1;
        if (k == j)
            return -1;
        j = k;
        if (STARTS("src="))
            j = url_value(s, n, j + 4);
        else if (STARTS("alt="))
            j = plain_value(s, n, j + 4);
        else if (STARTS("title="))
            j = plain_value(s, n, j + 6);
        else
            return -1;
        if (j < 0)
            return -1;
    }
}

/* The tag starting at s[i] == '<': one past its ">" and its token, or -1 when it is not an allowed tag. */
static Py_ssize_t
parse_tag(const unsigned char *s, Py_ssize_t n, Py_ssize_t i, uint8_t *tok)
{
    Py_ssize_t j = i + 1;
    int closing = 0;
    if (j < n && s[j] == '/') {
        closing = 1;
        j++;
    }
    Py_ssize_t name = j;
    if (j >= n || s[j] < 'a' || s[j] > 'z')
        return -1;
    j++;
    while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9')))
        j++;
    int id = name_id(s + name, j - name);
    if (id < 0 || j >= n)
        return -1;
    if (closing) {
        if (id >= T_BR)
            return -1;
        *tok = (uint8_t)(id | CLOSE);
        return s[j] == '>' ? j + 1 : -1;
    }
    *tok = (uint8_t)id;
    if (s[j] == '>')
        return j + 1;
    switch (id) {
    case T_A:
        /* a literal space in the pattern, which sees line breaks as spaces */
        if (s[j] != ' ' && s[j] != '\n' && s[j] != '\r')
            return -1;
        return link_rest(s, n, j + 1);
    case T_IMG:
        return image_rest(s, n, j);
    case T_BR:
    case T_HR:
        j = skip_ws(s, n, j);
        if (j < n && s[j] == '/')
            j++;
        return (j < n && s[j] == '>') ? j + 1 : -1;
    }
    return -1;
}
#undef STARTS

/* 0: not safe; 1: every "<" starts an allowed tag (collected in tags); -1: error set. */
static int
scan_tags(const unsigned char *s, Py_ssize_t n, Tags *tags)
{
    const unsigned char *p = s, *end = s + n;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        Py_ssize_t i = p - s;
        uint8_t tok = 0;
        Py_ssize_t close = parse_tag(s, n, i, &tok);
        if (close < 0)
            return 0;
        /* html._NEVER_SAFE's "<pre>\n" and "<pre>\r" (an open <pre> matches only as "<pre>") */
        if (tok == T_PRE && close < n && (s[close] == '\n' || s[close] == '\r'))
            return 0;
        if (tags_push(tags, i, close, tok) < 0)
            return -1;
        p = s + close;
    }
    return tags->len > 0; /* html's skeleton of no tags is "<>", which never reduces to nothing */
}

/* -- 3. structure ------------------------------------------------------------------------------------- */

/* At sk[j] == <a>: one past its </a> when only inline tokens are between, else -1. */
static Py_ssize_t
inline_link(const uint8_t *sk, Py_ssize_t m, Py_ssize_t j)
{
    j++;
    while (j < m && IS_INLINE(sk[j]))
        j++;
    return (j < m && sk[j] == (T_A | CLOSE)) ? j + 1 : -1;
}

/* html._unwanted_blocks: a <p>, heading or link that _INLINE_ONLY does not remove */
static int
unwanted_blocks(const uint8_t *sk, Py_ssize_t m)
{
    Py_ssize_t i = 0;
    while (i < m) {
        uint8_t tok = sk[i];
        if (tok == T_A) {
            i = inline_link(sk, m, i);
            if (i < 0)
                return 1;
        }
        else if (tok == T_P || (tok >= T_H1 && tok <= T_H6)) {
            Py_ssize_t j = i + 1;
            while (j < m) {
                if (IS_INLINE(sk[j]))
                    j++;
                else if (sk[j] == T_A) {
                    Py_ssize_t k = inline_link(sk, m, j);
                    if (k < 0)
                        break;
                    j = k;
                }
                else
                    break;
            }
            if (j >= m || sk[j] != (tok | CLOSE))
                return 1;
            i = j + 1;
        }
        else
            i++;
    }
    return 0;
}

/* html._orphan_items: an item not right after its list's start tag or a previous item's end tag */
static int
orphan_items(const uint8_t *sk, Py_ssize_t m)
{
    for (Py_ssize_t i = 0; i < m; i++) {
        uint8_t tok = sk[i], prev = i > 0 ? sk[i - 1] : 0xFF;
        if (tok == T_LI && prev != T_UL && prev != T_OL && prev != (T_LI | CLOSE))
            return 1;
        if ((tok == T_DT || tok == T_DD) && prev != T_DL && prev != (T_DT | CLOSE) && prev != (T_DD | CLOSE))
            return 1;
    }
    return 0;
}

/* _EMPTY_PAIR's 32 passes: balanced, at most MAX_DEPTH deep (hr left out) */
static int
balanced(const uint8_t *sk, Py_ssize_t m)
{
    uint8_t stack[MAX_DEPTH];
    int depth = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        uint8_t tok = sk[i];
        if (tok == T_HR)
            continue;
        if (!(tok & CLOSE)) {
            if (depth == MAX_DEPTH)
                return 0;
            stack[depth++] = tok;
        }
        else if (depth == 0 || stack[--depth] != (tok & ~CLOSE))
            return 0;
    }
    return depth == 0;
}

/* 0: not safe; 1: safe; -1: error set */
static int
check_structure(const Tags *tags)
{
    uint8_t local[512];
    uint8_t *sk = tags->len <= (Py_ssize_t)sizeof(local) ? local : PyMem_Malloc((size_t)tags->len);
    if (sk == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < tags->len; i++) {
        uint8_t tok = tags->items[i].tok;
        if (tok != T_BR && tok != T_IMG)
            sk[m++] = tok;
    }
    int safe = !unwanted_blocks(sk, m) && !orphan_items(sk, m) && balanced(sk, m);
    if (sk != local)
        PyMem_Free(sk);
    return safe;
}

/* -- 4. the HTML -------------------------------------------------------------------------------------- */

/* html._STRIPPED: str.isspace up to U+3000 (there is none above), but the no-break space */
static inline int
is_stripped(Py_UCS4 cp)
{
    return cp <= 0x3000 && cp != 0xA0 && Py_UNICODE_ISSPACE(cp);
}

/* html._finish(html._with_rel(source)): rel added to links, h1/h2 made h3, the ends stripped of _STRIPPED.
   Tags lie inside the stripped range, since they start with "<" and end with ">". */
static PyObject *
notes_html(PyObject *source, const unsigned char *s, Py_ssize_t n, const Tags *tags, const char *errors)
{
    Py_ssize_t first = 0, last = n, links = 0, headings = 0;
    int len;
    while (first < n && is_stripped(utf8_decode(s + first, n - first, &len)))
        first += len;
    while (last > first) {
        Py_ssize_t at = last - 1;
        while (at > first && (s[at] & 0xC0) == 0x80) /* back to the start of the last character */
            at--;
        if (!is_stripped(utf8_decode(s + at, last - at, &len)) || at + len != last)
            break;
        last = at;
    }
    for (Py_ssize_t i = 0; i < tags->len; i++) {
        uint8_t tok = tags->items[i].tok;
        links += tok == T_A;
        headings += (tok & ~CLOSE) == T_H1 || (tok & ~CLOSE) == T_H2;
    }
    if (links == 0 && headings == 0 && first == 0 && last == n)
        return Py_NewRef(source);
    const Py_ssize_t rel = (Py_ssize_t)sizeof(REL_ATTR) - 1;
    if (links > (PY_SSIZE_T_MAX - n) / (rel + 2))
        return PyErr_NoMemory();
    Py_ssize_t cap = (last - first) + links * (rel + 2);
    Buf out = {PyMem_Malloc((size_t)cap + 1), 0, cap};
    if (out.data == NULL)
        return PyErr_NoMemory();
    Py_ssize_t copied = first;
    for (Py_ssize_t i = 0; i < tags->len; i++) {
        const Tag *tag = &tags->items[i];
        int heading = (tag->tok & ~CLOSE) == T_H1 || (tag->tok & ~CLOSE) == T_H2;
        if (tag->tok != T_A && !heading)
            continue;
        memcpy(out.data + out.len, s + copied, (size_t)(tag->start - copied));
        out.len += tag->start - copied;
        copied = tag->end;
        if (heading) { /* "<h1>" or "</h2>": the same length as their "<h3>" or "</h3>" */
            memcpy(out.data + out.len, tag->tok & CLOSE ? "</h3>" : "<h3>", (size_t)(tag->end - tag->start));
            out.len += tag->end - tag->start;
            continue;
        }
        memcpy(out.data + out.len, "<a ", 3);
        out.len += 3;
        if (tag->end - tag->start > 3) { /* "<a" + space or line break + attributes + ">" */
            Py_ssize_t attrs = tag->start + 3, attrs_end = tag->end - 1;
            while (attrs_end > attrs && is_ws(s[attrs_end - 1]))
                attrs_end--;
            if (attrs_end > attrs) {
                memcpy(out.data + out.len, s + attrs, (size_t)(attrs_end - attrs));
                out.len += attrs_end - attrs;
                out.data[out.len++] = ' ';
            }
        }
        memcpy(out.data + out.len, REL_ATTR, (size_t)rel);
        out.len += rel;
    }
    memcpy(out.data + out.len, s + copied, (size_t)(last - copied));
    out.len += last - copied;
    PyObject *result = PyUnicode_DecodeUTF8(out.data, out.len, errors);
    PyMem_Free(out.data);
    return result;
}

/* -- 5. the text -------------------------------------------------------------------------------------- */

typedef struct {
    uint32_t key, key_len; /* offsets into entity_keys */
    uint32_t value, value_len; /* into entity_values */
} Entity;

static char *entity_keys;
static Py_UCS4 *entity_values;
static Entity *entities;
static int32_t *entity_slots; /* open addressing: index + 1, 0 for empty */
static uint32_t entity_mask;
static Py_ssize_t entity_key_max;   /* the longest name */
static Py_ssize_t entity_legacy_max; /* the longest name without ";" (the only ones a prefix can be) */
static int32_t charref_map[256]; /* html._invalid_charrefs, -1 where absent */
static uint32_t *invalid_codepoints; /* html._invalid_codepoints, sorted */
static Py_ssize_t invalid_count;

static inline uint32_t
entity_hash(const unsigned char *p, Py_ssize_t n)
{
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static const Entity *
entity_lookup(const unsigned char *p, Py_ssize_t n)
{
    if (n > entity_key_max)
        return NULL;
    for (uint32_t slot = entity_hash(p, n) & entity_mask;; slot = (slot + 1) & entity_mask) {
        int32_t index = entity_slots[slot];
        if (index == 0)
            return NULL;
        const Entity *e = &entities[index - 1];
        if (e->key_len == (uint32_t)n && memcmp(entity_keys + e->key, p, (size_t)n) == 0)
            return e;
    }
}

static int
is_invalid_codepoint(uint32_t cp)
{
    Py_ssize_t lo = 0, hi = invalid_count;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (invalid_codepoints[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < invalid_count && invalid_codepoints[lo] == cp;
}

/* _collapse_whitespace as a stream: whitespace runs become " ", "\n" or "\n\n" (by the number of "\n" in
   them), and are dropped at both ends. */
typedef struct {
    Buf out;
    int started, space, newlines;
} Text;

static inline int
text_content(Text *t, const unsigned char *p, Py_ssize_t len)
{
    if (buf_reserve(&t->out, len + 2) < 0)
        return -1;
    if (t->started) {
        if (t->newlines) {
            t->out.data[t->out.len++] = '\n';
            if (t->newlines > 1)
                t->out.data[t->out.len++] = '\n';
        }
        else if (t->space)
            t->out.data[t->out.len++] = ' ';
    }
    t->started = 1;
    t->space = t->newlines = 0;
    memcpy(t->out.data + t->out.len, p, (size_t)len);
    t->out.len += len;
    return 0;
}

static inline void
text_newline(Text *t)
{
    t->newlines += t->newlines < 2;
}

/* _collapse_whitespace's spaces: _OTHER_SPACES (str.isspace up to U+3000, and there is none above) */
static inline int
is_text_space(Py_UCS4 cp)
{
    return cp <= 0x3000 && Py_UNICODE_ISSPACE(cp);
}

/* a character entity decoding produced */
static int
text_codepoint(Text *t, Py_UCS4 cp)
{
    if (cp == '\n') {
        text_newline(t);
        return 0;
    }
    if (is_text_space(cp)) {
        t->space = 1;
        return 0;
    }
    char utf8[4];
    int len = utf8_encode(cp, utf8);
    return text_content(t, (const unsigned char *)utf8, len);
}

/* characters of an entity-like run that entity decoding leaves as they are (none is a line break: the
   name stops at those) */
static int
text_literal(Text *t, const unsigned char *p, Py_ssize_t len)
{
    Py_ssize_t i = 0;
    while (i < len) {
        int cp_len;
        Py_UCS4 cp = utf8_decode(p + i, len - i, &cp_len);
        if (is_text_space(cp))
            t->space = 1;
        else if (text_content(t, p + i, cp_len) < 0)
            return -1;
        i += cp_len;
    }
    return 0;
}

static int
text_numeric(Text *t, uint32_t value)
{
    if (value < 256 && charref_map[value] >= 0)
        return text_codepoint(t, (Py_UCS4)charref_map[value]);
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF)
        return text_codepoint(t, 0xFFFD);
    if (is_invalid_codepoint(value))
        return 0;
    return text_codepoint(t, (Py_UCS4)value);
}

static int
text_entity_value(Text *t, const Entity *e)
{
    for (uint32_t k = 0; k < e->value_len; k++)
        if (text_codepoint(t, entity_values[e->value + k]) < 0)
            return -1;
    return 0;
}

/* The raw text: the notes' text between tags as they are, and the separators of the tags written as
   SEPARATOR bytes, which UTF-8 never holds; for html._parts_text, "\r" and "\n" in the notes are spaces and
   the separators are its only line breaks. */
#define SEPARATOR 0xFF

/* what ends an entity name: html's r"[^\t\n\f <&#;]", in the raw text ("\r" and "\n" are spaces there) */
static inline int
name_stop(unsigned char c)
{
    return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#'
           || c == ';' || c == SEPARATOR;
}

static unsigned char plain_byte[256]; /* ASCII, not whitespace, not "&": copied as they are */

#define UNDECIDED_TEXT 2

/* html.unescape then _collapse_whitespace of raw[0:m] into t: 0, -1 with an error set, or UNDECIDED_TEXT */
static int
unescape_collapse(Text *t, const unsigned char *raw, Py_ssize_t m)
{
    Py_ssize_t i = 0;
    while (i < m) {
        unsigned char c = raw[i];
        if (plain_byte[c]) {
            /* a run of plain characters and single spaces between them, which collapsing leaves alone */
            Py_ssize_t j = i + 1;
            for (;;) {
                while (j < m && plain_byte[raw[j]])
                    j++;
                if (j + 1 < m && raw[j] == ' ' && plain_byte[raw[j + 1]])
                    j += 2;
                else
                    break;
            }
            if (text_content(t, raw + i, j - i) < 0)
                return -1;
            i = j;
            continue;
        }
        if (c == SEPARATOR) {
            text_newline(t);
            i++;
            continue;
        }
        if (c >= 0x80) {
            int len;
            Py_UCS4 cp = utf8_decode(raw + i, m - i, &len);
            if (is_text_space(cp))
                t->space = 1;
            else if (text_content(t, raw + i, len) < 0)
                return -1;
            i += len;
            continue;
        }
        if (c != '&') { /* ASCII whitespace, "\n" and "\r" among it */
            t->space = 1;
            i++;
            continue;
        }
        /* html._charref: r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)' */
        Py_ssize_t j = i + 1;
        if (j < m && raw[j] == '#') {
            Py_ssize_t k = j + 1, digits;
            uint32_t value = 0;
            if (k < m && raw[k] >= '0' && raw[k] <= '9') {
                digits = k;
                for (; k < m && raw[k] >= '0' && raw[k] <= '9'; k++)
                    value = value > 0x10FFFF ? value : value * 10 + (uint32_t)(raw[k] - '0');
                if (k - digits > 640) /* int() may refuse it: sys.get_int_max_str_digits() */
                    return UNDECIDED_TEXT;
            }
            else if (k + 1 < m && (raw[k] == 'x' || raw[k] == 'X') && is_hex(raw[k + 1])) {
                for (k++; k < m && is_hex(raw[k]); k++)
                    value = value > 0x10FFFF ? value : value * 16 + (uint32_t)hex_value(raw[k]);
            }
            else { /* "&#" and no number: the "&" is text, and so is what follows */
                if (text_content(t, raw + i, 1) < 0)
                    return -1;
                i = j;
                continue;
            }
            if (k < m && raw[k] == ';')
                k++;
            if (text_numeric(t, value) < 0)
                return -1;
            i = k;
            continue;
        }
        /* a name: up to 32 characters, then an optional ";" */
        Py_ssize_t k = j, ascii = -1;
        int count = 0;
        while (k < m && count < 32) {
            if (name_stop(raw[k]))
                break;
            if (raw[k] < 0x80)
                k++;
            else {
                int len;
                if (ascii < 0)
                    ascii = k - j;
                utf8_decode(raw + k, m - k, &len);
                k += len;
            }
            count++;
        }
        if (count == 0) {
            if (text_content(t, raw + i, 1) < 0)
                return -1;
            i = j;
            continue;
        }
        if (ascii < 0)
            ascii = k - j;
        int semicolon = k < m && raw[k] == ';';
        Py_ssize_t end = k + semicolon;
        const Entity *e = entity_lookup(raw + j, end - j);
        if (e != NULL) {
            if (text_entity_value(t, e) < 0)
                return -1;
            i = end;
            continue;
        }
        /* the longest prefix that is a name (names are ASCII, so a prefix past a non-ASCII one is not) */
        Py_ssize_t x = count + semicolon - 1;
        if (x > ascii)
            x = ascii;
        if (x > entity_legacy_max)
            x = entity_legacy_max;
        for (; x >= 2; x--)
            if ((e = entity_lookup(raw + j, x)) != NULL)
                break;
        if (e != NULL) {
            if (text_entity_value(t, e) < 0 || text_literal(t, raw + j + x, end - j - x) < 0)
                return -1;
        }
        else if (text_literal(t, raw + i, end - i) < 0)
            return -1;
        i = end;
    }
    return 0;
}

static PyObject *Undecided; /* the exception */

/* html._parts_text: a str, or Py_None for no text; NULL with an error set (Undecided among them) */

static PyObject *
notes_text(const unsigned char *s, Py_ssize_t n, const Tags *tags, const char *errors)
{
    if (tags->len > (PY_SSIZE_T_MAX - n - 1) / 2)
        return PyErr_NoMemory();
    Py_ssize_t raw_cap = n + 2 * tags->len + 1;
    unsigned char *raw = PyMem_Malloc((size_t)raw_cap);
    if (raw == NULL)
        return PyErr_NoMemory();
    Py_ssize_t m = 0, copied = 0;
    for (Py_ssize_t i = 0; i <= tags->len; i++) {
        Py_ssize_t stop = i < tags->len ? tags->items[i].start : n;
        memcpy(raw + m, s + copied, (size_t)(stop - copied));
        m += stop - copied;
        if (i < tags->len) {
            int breaks = separator(tags->items[i].tok);
            while (breaks-- > 0)
                raw[m++] = SEPARATOR;
            copied = tags->items[i].end;
        }
    }
    Text t = {{NULL, 0, 0}, 0, 0, 0};
    if (buf_grow(&t.out, m + 16) < 0) {
        PyMem_Free(raw);
        return NULL;
    }
    int status = unescape_collapse(&t, raw, m);
    PyMem_Free(raw);
    PyObject *result;
    if (status < 0)
        result = NULL;
    else if (status == UNDECIDED_TEXT) {
        PyErr_SetString(Undecided, "a decimal character reference too long for this code");
        result = NULL;
    }
    else if (t.out.len == 0)
        result = Py_NewRef(Py_None);
    else
        result = PyUnicode_DecodeUTF8(t.out.data, t.out.len, errors);
    PyMem_Free(t.out.data);
    return result;
}

/* -- the function ------------------------------------------------------------------------------------- */

PyDoc_STRVAR(safe_notes_doc,
"safe_notes(source, with_text, /)\n--\n\n"
"(html, text) for notes provably inside the safe subset, None for others; raises Undecided for the\n"
"rare input left to the Python implementation (lytt.feeds.html._safe_notes_python, which gives the\n"
"same answers).");

static PyObject *
safe_notes(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "safe_notes() takes 2 positional arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *source = args[0];
    if (!PyUnicode_Check(source)) {
        PyErr_Format(PyExc_TypeError, "safe_notes() argument 1 must be str, not %.100s",
                     Py_TYPE(source)->tp_name);
        return NULL;
    }
    int with_text = PyObject_IsTrue(args[1]);
    if (with_text < 0)
        return NULL;

    PyObject *encoded = NULL;
    const char *errors = NULL; /* "surrogatepass" for a str with lone surrogates */
    const unsigned char *s;
    Py_ssize_t n;
    if (PyUnicode_KIND(source) == PyUnicode_1BYTE_KIND && PyUnicode_MAX_CHAR_VALUE(source) < 0x80) {
        s = PyUnicode_1BYTE_DATA(source); /* ASCII: the str's own bytes are its UTF-8 */
        n = PyUnicode_GET_LENGTH(source);
    }
    else {
        /* a temporary copy, not PyUnicode_AsUTF8AndSize's, which would stay attached to the str */
        encoded = PyUnicode_AsUTF8String(source);
        if (encoded == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
                return NULL;
            PyErr_Clear();
            errors = "surrogatepass";
            encoded = PyUnicode_AsEncodedString(source, "utf-8", errors);
            if (encoded == NULL)
                return NULL;
        }
        s = (const unsigned char *)PyBytes_AS_STRING(encoded);
        n = PyBytes_GET_SIZE(encoded);
    }

    PyObject *result = NULL, *html = NULL, *text = NULL;
    Tags tags;
    tags.items = tags.local;
    tags.len = 0;
    tags.cap = (Py_ssize_t)(sizeof(tags.local) / sizeof(tags.local[0]));

    if (has_never_safe_marker(s, n)) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    int status = scan_tags(s, n, &tags);
    if (status > 0)
        status = check_structure(&tags);
    if (status < 0)
        goto done;
    if (status == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    if (with_text) {
        text = notes_text(s, n, &tags, errors);
        if (text == NULL)
            goto done;
    }
    else
        text = Py_NewRef(Py_None);
    html = notes_html(source, s, n, &tags, errors);
    if (html == NULL)
        goto done;
    result = PyTuple_Pack(2, html, text);

done:
    Py_XDECREF(html);
    Py_XDECREF(text);
    if (tags.items != tags.local)
        PyMem_Free(tags.items);
    Py_XDECREF(encoded);
    return result;
}

/* -- the module --------------------------------------------------------------------------------------- */

/* The entity table from html.entities.html5, the invalid code points from the html module: the tables
   html.unescape uses, so both paths decode with the running Python's. */
static int
load_entities(void)
{
    PyObject *entities_module = NULL, *html_module = NULL, *table = NULL, *charrefs = NULL, *invalid = NULL;
    PyObject *key, *value;
    Py_ssize_t pos = 0, key_bytes = 0, value_count = 0, count;
    int ok = -1;

    entities_module = PyImport_ImportModule("html.entities");
    if (entities_module == NULL)
        goto done;
    html_module = PyImport_ImportModule("html");
    if (html_module == NULL)
        goto done;
    table = PyObject_GetAttrString(entities_module, "html5");
    if (table == NULL)
        goto done;
    charrefs = PyObject_GetAttrString(html_module, "_invalid_charrefs");
    if (charrefs == NULL)
        goto done;
    invalid = PyObject_GetAttrString(html_module, "_invalid_codepoints");
    if (invalid == NULL)
        goto done;
    if (!PyDict_Check(table) || !PyDict_Check(charrefs) || !PyAnySet_Check(invalid)) {
        PyErr_SetString(PyExc_ImportError, "html's entity tables do not have the expected types");
        goto done;
    }

    count = PyDict_Size(table);
    while (PyDict_Next(table, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyUnicode_Check(value) || !PyUnicode_IS_ASCII(key)
            || PyUnicode_GET_LENGTH(key) == 0 || PyUnicode_GET_LENGTH(key) > 64) {
            PyErr_SetString(PyExc_ImportError, "html.entities.html5 has an unexpected entry");
            goto done;
        }
        key_bytes += PyUnicode_GET_LENGTH(key);
        value_count += PyUnicode_GET_LENGTH(value);
    }
    if (count <= 0 || count > (1 << 20) || value_count > (1 << 22)) {
        PyErr_SetString(PyExc_ImportError, "html.entities.html5 has an unexpected size");
        goto done;
    }
    uint32_t slots = 1;
    while (slots < (uint32_t)count * 2)
        slots <<= 1;
    entity_keys = PyMem_Malloc((size_t)key_bytes + 1);
    entity_values = PyMem_Malloc(((size_t)value_count + 1) * sizeof(Py_UCS4));
    entities = PyMem_Malloc((size_t)count * sizeof(Entity));
    entity_slots = PyMem_Calloc(slots, sizeof(int32_t));
    if (entity_keys == NULL || entity_values == NULL || entities == NULL || entity_slots == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    entity_mask = slots - 1;
    entity_key_max = entity_legacy_max = 0;
    Py_ssize_t key_at = 0, value_at = 0, index = 0;
    pos = 0;
    while (PyDict_Next(table, &pos, &key, &value) && index < count) {
        Py_ssize_t key_len = PyUnicode_GET_LENGTH(key), value_len = PyUnicode_GET_LENGTH(value);
        const char *name = (const char *)PyUnicode_1BYTE_DATA(key);
        Entity *e = &entities[index];
        e->key = (uint32_t)key_at;
        e->key_len = (uint32_t)key_len;
        e->value = (uint32_t)value_at;
        e->value_len = (uint32_t)value_len;
        memcpy(entity_keys + key_at, name, (size_t)key_len);
        key_at += key_len;
        for (Py_ssize_t k = 0; k < value_len; k++)
            entity_values[value_at++] = PyUnicode_READ_CHAR(value, k);
        if (key_len > entity_key_max)
            entity_key_max = key_len;
        if (name[key_len - 1] != ';' && key_len > entity_legacy_max)
            entity_legacy_max = key_len;
        uint32_t slot = entity_hash((const unsigned char *)name, key_len) & entity_mask;
        while (entity_slots[slot] != 0)
            slot = (slot + 1) & entity_mask;
        entity_slots[slot] = (int32_t)(index + 1);
        index++;
    }
    if (index != count) {
        PyErr_SetString(PyExc_ImportError, "html.entities.html5 changed while it was read");
        goto done;
    }

    for (int k = 0; k < 256; k++)
        charref_map[k] = -1;
    pos = 0;
    while (PyDict_Next(charrefs, &pos, &key, &value)) {
        long number = PyLong_Check(key) ? PyLong_AsLong(key) : -1;
        if (number == -1 && PyErr_Occurred())
            goto done;
        if (number < 0 || number > 255 || !PyUnicode_Check(value) || PyUnicode_GET_LENGTH(value) != 1) {
            PyErr_SetString(PyExc_ImportError, "html._invalid_charrefs has an unexpected entry");
            goto done;
        }
        charref_map[number] = (int32_t)PyUnicode_READ_CHAR(value, 0);
    }

    invalid_count = PySet_Size(invalid);
    if (invalid_count < 0)
        goto done;
    invalid_codepoints = PyMem_Malloc(((size_t)invalid_count + 1) * sizeof(uint32_t));
    if (invalid_codepoints == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        PyObject *iterator = PyObject_GetIter(invalid), *item;
        Py_ssize_t k = 0;
        if (iterator == NULL)
            goto done;
        while ((item = PyIter_Next(iterator)) != NULL) {
            long number = PyLong_Check(item) ? PyLong_AsLong(item) : -1;
            Py_DECREF(item);
            if (number == -1 && PyErr_Occurred())
                break;
            if (number < 0 || number > 0x10FFFF || k >= invalid_count) {
                PyErr_SetString(PyExc_ImportError, "html._invalid_codepoints has an unexpected entry");
                break;
            }
            /* insertion sort: a hundred-odd numbers, once */
            Py_ssize_t at = k++;
            while (at > 0 && invalid_codepoints[at - 1] > (uint32_t)number) {
                invalid_codepoints[at] = invalid_codepoints[at - 1];
                at--;
            }
            invalid_codepoints[at] = (uint32_t)number;
        }
        Py_DECREF(iterator);
        if (PyErr_Occurred())
            goto done;
        invalid_count = k;
    }
    ok = 0;

done:
    Py_XDECREF(entities_module);
    Py_XDECREF(html_module);
    Py_XDECREF(table);
    Py_XDECREF(charrefs);
    Py_XDECREF(invalid);
    return ok;
}

static void
free_tables(void)
{
    PyMem_Free(entity_keys);
    PyMem_Free(entity_values);
    PyMem_Free(entities);
    PyMem_Free(entity_slots);
    PyMem_Free(invalid_codepoints);
    entity_keys = NULL;
    entity_values = NULL;
    entities = NULL;
    entity_slots = NULL;
    invalid_codepoints = NULL;
    invalid_count = 0;
}

static PyMethodDef cnotes_methods[] = {
    {"safe_notes", (PyCFunction)(void (*)(void))safe_notes, METH_FASTCALL, safe_notes_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(cnotes_doc,
"The verified fast path of lytt.feeds.html in C: safe_notes(source, with_text) answers what\n"
"lytt.feeds.html._safe_notes_python answers, byte for byte.");

static struct PyModuleDef cnotes_module = {
    PyModuleDef_HEAD_INIT, "lytt.feeds._cnotes", cnotes_doc, -1, cnotes_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cnotes(void)
{
    for (int c = 0; c < 128; c++) {
        ascii_space[c] = (unsigned char)Py_UNICODE_ISSPACE(c);
        plain_byte[c] = !ascii_space[c] && c != '&';
    }
    if (entities == NULL) {
        if (load_entities() < 0) {
            free_tables();
            return NULL;
        }
    }
    if (Undecided == NULL) {
        Undecided = PyErr_NewExceptionWithDoc(
            "lytt.feeds._cnotes.Undecided",
            "Raised by safe_notes for the rare input whose answer it leaves to the Python implementation.",
            NULL, NULL);
        if (Undecided == NULL)
            return NULL;
    }
    PyObject *module = PyModule_Create(&cnotes_module);
    if (module == NULL)
        return NULL;
    if (PyModule_AddObjectRef(module, "Undecided", Undecided) < 0
        || PyModule_AddStringConstant(module, "LINK_REL", LINK_REL) < 0
        || PyModule_AddIntConstant(module, "MAX_DEPTH", MAX_DEPTH) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
