/* lytt.feeds._clift: long CDATA sections lifted out of the bytes before libxml2 reads them, and put back
 * into the tree after.
 *
 * libxml2 reads a CDATA section one character at a time, checking and copying each; for a feed whose
 * show notes are long HTML in CDATA (most of them) that was a third of the whole parse. A `Lifter` sits
 * between the clean UTF-8 chunks of `_xml.XmlInput` and lxml: it finds, with memchr, each CDATA section
 * that is the whole content of an element (`<tag><![CDATA[...]]></tag>`), is long, and holds only
 * characters XML allows, keeps its bytes and hands lxml a short marker in its place
 * (`<![CDATA[<prefix><n>]]>`, the prefix carrying a random nonce per parse). `restore(el)` then walks the
 * element's subtree and gives every marker's text node the section's bytes back (libxml2's own
 * xmlNodeSetContentLen when lxml's library exports it with the signature of the headers, else lxml's
 * setNodeText), so everything that reads the tree afterwards sees what libxml2 would have built: a text
 * node, as the parser strips CDATA.
 *
 * To know where CDATA sections are, the scanner follows XML's lexical structure: character data, tags
 * (with quoted attribute values, which may hold `>`), comments, processing instructions and CDATA
 * sections. Anything else (`<!DOCTYPE`) or a construct longer than CARRY_LIMIT turns lifting off for the
 * rest of the document, which is then passed through untouched. A construct cut by the end of a chunk is
 * carried to the next one. When the lifted reads fail, the parser (parse.py) reads the document again
 * without lifting, so error positions and recovery are those of the bytes as they came.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libxml/tree.h>
#include "etree_api.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#define CARRY_LIMIT (256 * 1024)
#define CDATA_OPEN "<![CDATA["
#define CDATA_OPEN_LEN 9
#define MAX_INDEX_DIGITS 20

static PyObject *LiftError;

typedef struct {
    PyObject_HEAD
    char *prefix;           /* the marker's start, e.g. "lytt-cdata-0123456789abcdef-" */
    Py_ssize_t prefix_len;
    Py_ssize_t min_length;  /* shorter sections stay where they are */
    PyObject *bodies;       /* dict: index -> bytes, lifted and not yet restored */
    int direct;             /* put the bytes into the text node with libxml2 (else through lxml) */
    PyObject *carry;        /* bytes of a construct cut by the end of the last chunk, or NULL */
    int carry_after_start;  /* the carry begins right after a start tag */
    int off;                /* lifting is off for the rest of the document */
    long long next_index;
} Lifter;

/* Find `c` followed by `rest` (rest_len bytes) in s[0:n]: memchr on the first byte, which for "]]>",
 * "-->" and "?>" is rare in the text around it, so this runs at memchr's speed (glibc's memmem does not). */
static const char *find(const char *s, Py_ssize_t n, char c, const char *rest, size_t rest_len) {
    const char *end = s + n;
    while (s < end) {
        const char *hit = memchr(s, c, (size_t)(end - s));
        if (hit == NULL || (size_t)(end - hit - 1) < rest_len) return NULL;
        if (memcmp(hit + 1, rest, rest_len) == 0) return hit;
        s = hit + 1;
    }
    return NULL;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* What a section's bytes hold, 8 bytes at a time: FORBIDDEN when a character XML 1.0 does not allow
 * (the bytes are valid UTF-8, XmlInput made sure, so that is a C0 control but tab, LF and CR, or
 * U+FFFE/U+FFFF), else a mix of NON_ASCII and CR. */
enum { FORBIDDEN = 1, NON_ASCII = 2, CR = 4 };

static int classify(const unsigned char *s, Py_ssize_t n) {
    int found = 0;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (((w - ONES * 0x20) & ~w & HIGHS) == 0 && (w & HIGHS) == 0) continue; /* plain ASCII text */
        for (int k = 0; k < 8; k++) {
            unsigned char b = s[i + k];
            if (b >= 0x80) found |= NON_ASCII;
            else if (b == '\r') found |= CR;
            else if (b < 0x20 && b != '\t' && b != '\n') return FORBIDDEN;
        }
    }
    for (; i < n; i++) {
        unsigned char b = s[i];
        if (b >= 0x80) found |= NON_ASCII;
        else if (b == '\r') found |= CR;
        else if (b < 0x20 && b != '\t' && b != '\n') return FORBIDDEN;
    }
    if (found & NON_ASCII) {
        const unsigned char *end = s + n, *hit = s;
        while ((hit = memchr(hit, 0xEF, (size_t)(end - hit))) != NULL) {
            if (end - hit >= 3 && hit[1] == 0xBF && (hit[2] == 0xBE || hit[2] == 0xBF)) return FORBIDDEN;
            hit++;
        }
    }
    return found;
}

/* The output of one feed(): `buf` with lifted sections replaced, written lazily (a chunk with nothing
 * to lift is returned as it is). */
typedef struct {
    const char *src;
    PyObject *out;        /* bytes being written, or NULL while nothing changed */
    Py_ssize_t written;   /* bytes of `out` written */
    Py_ssize_t copied;    /* bytes of `src` accounted for */
} Output;

static int output_copy_to(Output *o, Py_ssize_t upto, Py_ssize_t capacity) {
    if (o->out == NULL) {
        o->out = PyBytes_FromStringAndSize(NULL, capacity);
        if (o->out == NULL) return -1;
    }
    Py_ssize_t n = upto - o->copied;
    memcpy(PyBytes_AS_STRING(o->out) + o->written, o->src + o->copied, (size_t)n);
    o->written += n;
    o->copied = upto;
    return 0;
}

/* The bytes of a section as restore() puts them into the tree: line ends normalised as XML's end-of-line
 * handling does (CR LF and a lone CR become LF). */
static PyObject *section_text(const char *s, Py_ssize_t n, int kind) {
    if (!(kind & CR)) return PyBytes_FromStringAndSize(s, n);
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, n);
    if (bytes == NULL) return NULL;
    char *d = PyBytes_AS_STRING(bytes);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] != '\r') d[k++] = s[i];
        else if (i + 1 < n && s[i + 1] == '\n') continue;
        else d[k++] = '\n';
    }
    if (_PyBytes_Resize(&bytes, k) < 0) return NULL;
    return bytes;
}

/* Lift the section whose bytes are src[start:end] (between "<![CDATA[" and "]]>"). */
static int lift(Lifter *self, Output *o, Py_ssize_t start, Py_ssize_t end, int kind, Py_ssize_t capacity) {
    PyObject *text = section_text(o->src + start, end - start, kind);
    if (text == NULL) return -1;
    PyObject *key = PyLong_FromLongLong(self->next_index);
    if (key == NULL || PyDict_SetItem(self->bodies, key, text) < 0) {
        Py_XDECREF(key);
        Py_DECREF(text);
        return -1;
    }
    Py_DECREF(key);
    Py_DECREF(text);
    if (output_copy_to(o, start, capacity) < 0) return -1;
    char *dst = PyBytes_AS_STRING(o->out) + o->written;
    memcpy(dst, self->prefix, (size_t)self->prefix_len);
    int digits = snprintf(dst + self->prefix_len, MAX_INDEX_DIGITS + 1, "%lld", self->next_index);
    o->written += self->prefix_len + digits;
    o->copied = end;
    self->next_index++;
    return 0;
}

/* Where the construct the end of a chunk cuts begins; notes whether a start tag ended right there. */
static Py_ssize_t cut_at(Lifter *self, Py_ssize_t p, Py_ssize_t start_tag_end) {
    self->carry_after_start = p == start_tag_end;
    return p;
}

/* Scan `s[0:n]`. Returns the position of a construct the end of `s` cuts (to be carried), `n`, or -1 on
 * a Python error. */
static Py_ssize_t scan(Lifter *self, Output *o, Py_ssize_t n) {
    const char *s = o->src;
    Py_ssize_t i = 0, start_tag_end = self->carry_after_start ? 0 : -1;
    self->carry_after_start = 0;
    /* The output is never longer than the input: a marker is shorter than any section it replaces. */
    while (i < n) {
        const char *lt = memchr(s + i, '<', (size_t)(n - i));
        if (lt == NULL) return n;
        Py_ssize_t p = lt - s;
        if (n - p < 2) return cut_at(self, p, start_tag_end);
        char c = s[p + 1];
        if (c == '!') {
            if (n - p < CDATA_OPEN_LEN) return cut_at(self, p, start_tag_end);
            if (s[p + 2] == '-' && s[p + 3] == '-') {
                const char *close = find(s + p + 4, n - p - 4, '-', "->", 2);
                if (close == NULL) return cut_at(self, p, start_tag_end);
                i = close - s + 3;
            } else if (memcmp(s + p, CDATA_OPEN, CDATA_OPEN_LEN) == 0) {
                Py_ssize_t body = p + CDATA_OPEN_LEN;
                const char *close = find(s + body, n - body, ']', "]>", 2);
                if (close == NULL) return cut_at(self, p, start_tag_end);
                Py_ssize_t body_end = close - s, after = body_end + 3;
                if (p == start_tag_end && body_end - body >= self->min_length) {
                    if (n - after < 2) return cut_at(self, p, start_tag_end);
                    if (s[after] == '<' && s[after + 1] == '/') {
                        int kind = classify((const unsigned char *)s + body, body_end - body);
                        if (kind != FORBIDDEN && lift(self, o, body, body_end, kind, n) < 0) return -1;
                    }
                }
                i = after;
            } else {
                self->off = 1; /* a document type declaration: its internal subset is not scanned */
                return n;
            }
        } else if (c == '?') {
            const char *close = find(s + p + 2, n - p - 2, '?', ">", 1);
            if (close == NULL) return cut_at(self, p, start_tag_end);
            i = close - s + 2;
        } else {
            Py_ssize_t j = p + 1;
            char quote = 0;
            for (; j < n; j++) {
                char ch = s[j];
                if (quote) {
                    if (ch == quote) quote = 0;
                } else if (ch == '"' || ch == '\'') {
                    quote = ch;
                } else if (ch == '>') {
                    break;
                }
            }
            if (j == n) return cut_at(self, p, start_tag_end);
            i = j + 1;
            if (c != '/' && s[j - 1] != '/') start_tag_end = i;
        }
    }
    return cut_at(self, n, start_tag_end); /* the chunk may end right after a start tag */
}

static PyObject *Lifter_feed(Lifter *self, PyObject *chunk) {
    if (!PyBytes_Check(chunk)) {
        PyErr_Format(PyExc_TypeError, "feed() takes bytes, not %.100s", Py_TYPE(chunk)->tp_name);
        return NULL;
    }
    if (self->off && self->carry == NULL) return Py_NewRef(chunk);
    PyObject *buf;
    if (self->carry != NULL) {
        buf = PyBytes_FromStringAndSize(NULL, PyBytes_GET_SIZE(self->carry) + PyBytes_GET_SIZE(chunk));
        if (buf == NULL) return NULL;
        memcpy(PyBytes_AS_STRING(buf), PyBytes_AS_STRING(self->carry), (size_t)PyBytes_GET_SIZE(self->carry));
        memcpy(PyBytes_AS_STRING(buf) + PyBytes_GET_SIZE(self->carry), PyBytes_AS_STRING(chunk),
               (size_t)PyBytes_GET_SIZE(chunk));
        Py_CLEAR(self->carry);
    } else {
        buf = Py_NewRef(chunk);
    }
    Py_ssize_t n = PyBytes_GET_SIZE(buf);
    if (self->off) return buf;
    Output o = {PyBytes_AS_STRING(buf), NULL, 0, 0};
    Py_ssize_t cut = scan(self, &o, n);
    if (cut < 0) {
        Py_XDECREF(o.out);
        Py_DECREF(buf);
        return NULL;
    }
    if (cut < n) {
        if (n - cut > CARRY_LIMIT) {
            self->off = 1; /* a construct this long is passed through as it is, with the rest */
            self->carry_after_start = 0;
            cut = n;
        } else {
            self->carry = PyBytes_FromStringAndSize(o.src + cut, n - cut);
            if (self->carry == NULL) {
                Py_XDECREF(o.out);
                Py_DECREF(buf);
                return NULL;
            }
        }
    }
    if (o.out == NULL) {
        if (cut == n) return buf;
        PyObject *head = PyBytes_FromStringAndSize(o.src, cut);
        Py_DECREF(buf);
        return head;
    }
    if (output_copy_to(&o, cut, n) < 0) {
        Py_DECREF(o.out);
        Py_DECREF(buf);
        return NULL;
    }
    Py_DECREF(buf);
    if (_PyBytes_Resize(&o.out, o.written) < 0) return NULL;
    return o.out;
}

static PyObject *Lifter_close(Lifter *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *rest = self->carry != NULL ? self->carry : PyBytes_FromStringAndSize("", 0);
    self->carry = NULL;
    self->carry_after_start = 0;
    return rest;
}

/* The index of the marker `content` is, 0 when it is not a marker of this parse, -1 (with LiftError set)
 * when it begins like one and is not. */
static int marker_index(Lifter *self, const char *content, long long *index) {
    if (content == NULL || strncmp(content, self->prefix, (size_t)self->prefix_len) != 0) return 0;
    const char *digits = content + self->prefix_len;
    long long value = 0;
    int count = 0;
    for (; *digits >= '0' && *digits <= '9' && count < MAX_INDEX_DIGITS - 1; digits++, count++)
        value = value * 10 + (*digits - '0');
    if (count == 0 || *digits != '\0') {
        PyErr_SetString(LiftError, "a lifted CDATA marker was changed");
        return -1;
    }
    *index = value;
    return 1;
}

/* The lifted text for marker `index`, taken out of the table. */
static PyObject *take_body(Lifter *self, long long index) {
    PyObject *key = PyLong_FromLongLong(index);
    if (key == NULL) return NULL;
    PyObject *text = PyDict_GetItemWithError(self->bodies, key);
    if (text == NULL) {
        Py_DECREF(key);
        if (!PyErr_Occurred()) PyErr_Format(LiftError, "lifted CDATA section %lld is missing", index);
        return NULL;
    }
    Py_INCREF(text);
    int failed = PyDict_DelItem(self->bodies, key) < 0;
    Py_DECREF(key);
    if (failed) {
        Py_DECREF(text);
        return NULL;
    }
    return text;
}

static PyTypeObject *ElementType;

/* libxml2's xmlNodeSetContentLen, looked up in the library lxml loaded (lxml exports libxml2's API), or
 * NULL when it is not there: lxml's setNodeText then does the job, with a check of every character the
 * scan already made and a second copy (an order of magnitude more instructions per section).
 *
 * libxml2 2.13 changed its return type from void to int (-1 when out of memory). Calling a function
 * through a pointer of another type is undefined behaviour, so the pointer's type is the one libxml2's
 * header declares (__typeof__), the code below reads a result only from a header that declares one, and
 * PyInit uses the function only when the libxml2 lxml loaded is on the same side of 2.13 as the headers
 * (lytt.compiled loads this module only when the two versions are equal in any case). */
#define SET_CONTENT_RETURNS_INT (LIBXML_VERSION >= 21300)
typedef __typeof__(xmlNodeSetContentLen) *SetContentLen;
static SetContentLen set_content_len;

/* Give `parent` the text `body` (UTF-8 bytes) in place of its only child, the marker node `node`. */
static int put_back(Lifter *self, xmlNode *parent, xmlNode *node, PyObject *body) {
    if (self->direct && set_content_len != NULL && PyBytes_GET_SIZE(body) <= INT_MAX) {
        const xmlChar *content = (const xmlChar *)PyBytes_AS_STRING(body);
        int len = (int)PyBytes_GET_SIZE(body);
#if SET_CONTENT_RETURNS_INT
        if (set_content_len(node, content, len) < 0) {
#else
        /* before 2.13 a text node's new content is a copy, NULL when the copy could not be made */
        set_content_len(node, content, len);
        if (node->content == NULL) {
#endif
            PyErr_NoMemory();
            return -1;
        }
        return 0;
    }
    PyObject *text = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(body), PyBytes_GET_SIZE(body), "strict");
    if (text == NULL) return -1;
    int failed = setNodeText(parent, text) < 0;
    Py_DECREF(text);
    return failed ? -1 : 0;
}

static PyObject *Lifter_restore(Lifter *self, PyObject *el) {
    if (!PyObject_TypeCheck(el, ElementType)) {
        PyErr_Format(PyExc_TypeError, "restore() takes an lxml element, not %.100s", Py_TYPE(el)->tp_name);
        return NULL;
    }
    xmlNode *top = ((struct LxmlElement *)el)->_c_node;
    if (top == NULL || PyDict_GET_SIZE(self->bodies) == 0) Py_RETURN_NONE;
    xmlNode *cur = top->children;
    while (cur != NULL) {
        if (cur->type == XML_ELEMENT_NODE && cur->children != NULL) {
            cur = cur->children;
            continue;
        }
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            /* lxml's parsers strip CDATA by default: the section is then a text node */
            long long index;
            int found = marker_index(self, (const char *)cur->content, &index);
            if (found < 0) return NULL;
            if (found) {
                xmlNode *parent = cur->parent;
                if (cur->prev != NULL || cur->next != NULL || parent == NULL || parent->type != XML_ELEMENT_NODE) {
                    PyErr_SetString(LiftError, "a lifted CDATA section is not the whole content of its element");
                    return NULL;
                }
                PyObject *body = take_body(self, index);
                if (body == NULL) return NULL;
                int failed = put_back(self, parent, cur, body);
                Py_DECREF(body);
                if (failed) return NULL;
                cur = parent->children;
                if (cur == NULL) cur = parent;
            }
        }
        while (cur != top && cur->next == NULL) cur = cur->parent;
        if (cur == top) break;
        cur = cur->next;
    }
    Py_RETURN_NONE;
}

static PyObject *Lifter_pending(Lifter *self, void *Py_UNUSED(closure)) {
    return PyLong_FromSsize_t(PyDict_GET_SIZE(self->bodies));
}

static int Lifter_init(Lifter *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {"prefix", "min_length", "direct", NULL};
    const char *prefix;
    Py_ssize_t prefix_len, min_length;
    int direct = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y#n|$p", keywords, &prefix, &prefix_len, &min_length, &direct))
        return -1;
    if (prefix_len < 8 || prefix_len > 64 || memchr(prefix, ']', (size_t)prefix_len) != NULL ||
        memchr(prefix, '<', (size_t)prefix_len) != NULL || memchr(prefix, '\0', (size_t)prefix_len) != NULL) {
        PyErr_SetString(PyExc_ValueError, "the prefix must be 8 to 64 bytes of plain text");
        return -1;
    }
    if (min_length < prefix_len + MAX_INDEX_DIGITS) {
        PyErr_SetString(PyExc_ValueError, "min_length must be longer than a marker");
        return -1;
    }
    char *copy = PyMem_Malloc((size_t)prefix_len + 1);
    if (copy == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(copy, prefix, (size_t)prefix_len);
    copy[prefix_len] = '\0';
    PyMem_Free(self->prefix);
    self->prefix = copy;
    self->prefix_len = prefix_len;
    self->min_length = min_length;
    self->direct = direct;
    Py_XSETREF(self->bodies, PyDict_New());
    if (self->bodies == NULL) return -1;
    Py_CLEAR(self->carry);
    self->carry_after_start = 0;
    self->off = 0;
    self->next_index = 0;
    return 0;
}

static void Lifter_dealloc(Lifter *self) {
    PyMem_Free(self->prefix);
    Py_XDECREF(self->bodies);
    Py_XDECREF(self->carry);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Lifter_methods[] = {
    {"feed", (PyCFunction)Lifter_feed, METH_O,
     "feed(chunk) -> bytes: the chunk for lxml, long CDATA sections replaced by markers; a construct the "
     "chunk's end cuts is held back for the next call."},
    {"close", (PyCFunction)Lifter_close, METH_NOARGS, "close() -> bytes: what was held back."},
    {"restore", (PyCFunction)Lifter_restore, METH_O,
     "restore(el): give every element under `el` holding a marker its text back. Raises LiftError when a "
     "marker is not where it was put."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Lifter_getset[] = {
    {"pending", (getter)Lifter_pending, NULL, "how many lifted sections are not restored yet", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject LifterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "lytt.feeds._clift.Lifter",
    .tp_basicsize = sizeof(Lifter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("Lifter(prefix, min_length, *, direct=True): lifts long CDATA sections out of a "
                        "document's chunks; direct=False puts them back through lxml even when libxml2's "
                        "own call is there."),
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Lifter_init,
    .tp_dealloc = (destructor)Lifter_dealloc,
    .tp_methods = Lifter_methods,
    .tp_getset = Lifter_getset,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, .m_name = "lytt.feeds._clift",
    .m_doc = "Long CDATA sections lifted out of a feed's bytes before libxml2 reads them, and put back.",
    .m_size = -1};

/* 1 when the libxml2 lxml loaded (lxml.etree.LIBXML_VERSION) declares xmlNodeSetContentLen as returning
 * int, 0 when void, -1 when the version cannot be read. */
static int libxml_returns_int(PyObject *etree) {
    long major = -1, minor = -1;
    PyObject *version = PyObject_GetAttrString(etree, "LIBXML_VERSION");
    if (version != NULL && PyTuple_Check(version) && PyTuple_GET_SIZE(version) >= 2) {
        major = PyLong_AsLong(PyTuple_GET_ITEM(version, 0));
        minor = PyLong_AsLong(PyTuple_GET_ITEM(version, 1));
    }
    Py_XDECREF(version);
    PyErr_Clear();
    if (major < 0 || minor < 0) return -1;
    return major > 2 || (major == 2 && minor >= 13);
}

PyMODINIT_FUNC PyInit__clift(void) {
    if (import_lxml__etree() < 0) return NULL;
    PyObject *etree = PyImport_ImportModule("lxml.etree");
    if (etree == NULL) return NULL;
    PyObject *element = PyObject_GetAttrString(etree, "_Element");
    PyObject *path = PyObject_GetAttrString(etree, "__file__");
    int same_signature = libxml_returns_int(etree) == SET_CONTENT_RETURNS_INT;
    Py_DECREF(etree);
    if (path == NULL || !PyUnicode_Check(path) || !same_signature) {
        PyErr_Clear();
    } else {
        const char *file = PyUnicode_AsUTF8(path);
        void *library = file != NULL ? dlopen(file, RTLD_NOW | RTLD_NOLOAD) : NULL;
        if (library != NULL) set_content_len = (SetContentLen)dlsym(library, "xmlNodeSetContentLen");
        PyErr_Clear();
    }
    Py_XDECREF(path);
    if (element == NULL) return NULL;
    if (!PyType_Check(element)) {
        Py_DECREF(element);
        PyErr_SetString(PyExc_TypeError, "lxml.etree._Element is not a type");
        return NULL;
    }
    ElementType = (PyTypeObject *)element;
    if (LiftError == NULL) {
        LiftError = PyErr_NewExceptionWithDoc(
            "lytt.feeds._clift.LiftError",
            "A lifted CDATA section could not be put back where it was; the document is read again without "
            "lifting.",
            NULL, NULL);
        if (LiftError == NULL) return NULL;
    }
    if (PyType_Ready(&LifterType) < 0) return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    if (PyModule_AddObjectRef(module, "LiftError", LiftError) < 0 ||
        PyModule_AddIntConstant(module, "DIRECT", set_content_len != NULL) < 0 ||
        PyModule_AddIntConstant(module, "LIBXML_VERSION", LIBXML_VERSION) < 0 ||
        PyModule_AddObjectRef(module, "Lifter", (PyObject *)&LifterType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
