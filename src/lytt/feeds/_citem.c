/* lytt.feeds._citem: the RSS item reader in C.
 *
 * `collect_item(el, episode, ctx)` does what `_rss.collect(el, episode, _rss.ITEM, ctx)` does in Python,
 * for the elements nearly every podcast item carries (title, guid, dates, enclosure, the iTunes tags,
 * Media RSS, Podcasting 2.0 transcripts, persons, soundbites and the like, Podlove chapters): it reads
 * libxml2's nodes under lxml's element directly instead of creating a Python proxy per child element and
 * calling a Python handler for it.
 *
 * The Python handlers stay the definition of what each element means. Anything this file does not
 * handle natively, or cannot handle with certainty (an element it does not know, raw markup inside a
 * description, an entity reference node, a relative or unusual URL, a non-ASCII spelling where Python's
 * Unicode rules would matter) goes to the Python code for that one element or value, through an lxml
 * proxy, so the result is the same by construction. tests/feeds/test_citem.py compares both readers on
 * every test feed and on generated items.
 *
 * The module never parses XML itself: lxml (libxml2, with entities, DTDs and network off) has already
 * built the tree. It only reads that tree, iteratively (no recursion on the document's depth).
 */
#include "../_cext.h"
#include <structmember.h>
#include <libxml/tree.h>
#include "etree_api.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* -- configuration, set once by lytt.feeds.parse via configure() ---------------------------------- */

static PyObject *ElementType;     /* lxml.etree._Element */
static PyObject *dispatch_child;  /* _rss.dispatch_item_child(child, episode, state, ctx) */
static PyObject *dispatch_media;  /* _rss.dispatch_media_child(child, episode, state, ctx) */
static PyObject *namespace_key;   /* _ns.namespace_key(uri) -> str */
static PyObject *py_to_int, *py_to_bool, *py_parse_npt, *py_round;
static PyObject *ChaptersType;

/* A model class of lytt.feeds.model (a dataclass with slots) and where each field's slot lives. Instances
 * are made by filling the slots directly: calling the class runs its Python __init__, which costs more
 * than all the rest of reading the element. configure() checks that the fields are the ones listed here,
 * in this order, each a plain slot, and that nothing else runs at construction (no __post_init__). */
#define MAX_FIELDS 10
typedef struct {
    const char *name;
    const char *fields[MAX_FIELDS];
    PyTypeObject *type;
    Py_ssize_t offsets[MAX_FIELDS];
} Model;

static Model Enclosure = {"Enclosure", {"url", "type", "length"}, NULL, {0}};
static Model Transcript = {"Transcript", {"url", "type", "language", "rel"}, NULL, {0}};
static Model Person = {"Person", {"name", "role", "group", "href", "img"}, NULL, {0}};
static Model Soundbite = {"Soundbite", {"start_seconds", "duration_seconds", "title"}, NULL, {0}};
static Model Location = {"Location", {"name", "geo", "osm"}, NULL, {0}};
static Model Chapter = {"Chapter", {"start_seconds", "title", "href", "image"}, NULL, {0}};
static Model AlternateEnclosure = {
    "AlternateEnclosure",
    {"type", "length", "bitrate", "height", "lang", "title", "rel", "default", "sources"},
    NULL,
    {0},
};
static Model *const MODELS[] = {&Enclosure, &Transcript, &Person, &Soundbite, &Location, &Chapter,
                                &AlternateEnclosure};
static long max_shared_strings;

/* Interned attribute names and state keys. */
static PyObject *s_strings, *s_url, *s_lower, *s_type, *s_keywords, *s_block, *s_transcripts;
static PyObject *s_chapters, *s_inline, *s_persons, *s_soundbites, *s_location, *s_season_name;
static PyObject *s_episode_display, *s_alternate_enclosures, *s_images;
static PyObject *s_enclosure, *s_guid, *s_guid_is_permalink, *s_itunes_image, *s_media_image;
static PyObject *s_media_enclosure, *s_media_duration, *s_media_thumbnail, *s_podcast_season;
static PyObject *s_podcast_episode, *s_start_seconds;

typedef struct {
    PyObject *episode;
    PyObject *state;
    PyObject *ctx;
    PyObject *strings; /* ctx.strings */
    struct LxmlDocument *doc;
} Item;

/* A handler returns 0 when done, -1 on a Python error, DELEGATE when Python must handle the element. */
#define DELEGATE 1

/* -- small helpers -------------------------------------------------------------------------------- */

static int ascii_ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (x != y) return 0; /* b is lower case */
    }
    return *a == *b;
}

static int is_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

/* Stripped text, or None when it is empty (the `value.strip() or None` of the Python helpers). */
static PyObject *stripped_or_none(const char *s, Py_ssize_t n) {
    PyObject *value = strip_steal(PyUnicode_DecodeUTF8(s, n, "strict"));
    if (value == NULL) return NULL;
    if (PyUnicode_GET_LENGTH(value) == 0) {
        Py_DECREF(value);
        Py_RETURN_NONE;
    }
    return value;
}

/* The value of an attribute node, or NULL with *complex set when it is not one plain text node. */
static const char *attr_value(xmlAttr *attr, int *complex) {
    xmlNode *child = attr->children;
    if (child == NULL) return "";
    if (child->next != NULL || child->type != XML_TEXT_NODE || child->content == NULL) {
        *complex = 1;
        return NULL;
    }
    return (const char *)child->content;
}

/* `_common.attr(el, name)`: the attribute without namespace named exactly `names[0]`, else the first of
 * its case variants `names[1..]` present; stripped; None when missing or blank. */
static PyObject *attr_exact(xmlNode *node, const char *const *names, int *complex) {
    for (; *names != NULL; names++) {
        for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
            if (attr->ns != NULL || strcmp((const char *)attr->name, *names) != 0) continue;
            const char *value = attr_value(attr, complex);
            if (value == NULL) return NULL;
            return stripped_or_none(value, (Py_ssize_t)strlen(value));
        }
    }
    Py_RETURN_NONE;
}

/* `_common.attributes(el).get(name) or None`: names compared lower-cased (the last spelling wins, as in
 * the dict), namespaced attributes never match. A non-ASCII name goes to Python (*complex). */
static PyObject *attr_ci(xmlNode *node, const char *name, int *complex) {
    xmlAttr *found = NULL;
    for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
        if (attr->ns != NULL) continue;
        const char *attr_name = (const char *)attr->name;
        if (ascii_ieq(attr_name, name))
            found = attr;
        else if (!is_ascii(attr_name)) {
            *complex = 1;
            return NULL;
        }
    }
    if (found == NULL) Py_RETURN_NONE;
    const char *value = attr_value(found, complex);
    if (value == NULL) return NULL;
    return stripped_or_none(value, (Py_ssize_t)strlen(value));
}

/* `_common.text(el)`: all descendant text, stripped, or None. Anything but elements, text and CDATA in
 * the subtree (an entity reference node) goes to Python (*complex). */
static PyObject *node_text(xmlNode *node, int *complex) {
    xmlNode *first = node->children;
    if (first == NULL) Py_RETURN_NONE;
    if (first->next == NULL && (first->type == XML_TEXT_NODE || first->type == XML_CDATA_SECTION_NODE)) {
        const char *content = (const char *)first->content;
        return content ? stripped_or_none(content, (Py_ssize_t)strlen(content)) : Py_NewRef(Py_None);
    }
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    xmlNode *cur = first;
    while (cur != NULL && cur != node) {
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            if (cur->content != NULL) {
                PyObject *part = PyUnicode_DecodeUTF8((const char *)cur->content,
                                                      (Py_ssize_t)strlen((const char *)cur->content), "strict");
                if (part == NULL || PyList_Append(parts, part) < 0) {
                    Py_XDECREF(part);
                    Py_DECREF(parts);
                    return NULL;
                }
                Py_DECREF(part);
            }
        } else if (cur->type == XML_ELEMENT_NODE) {
            if (cur->children != NULL) {
                cur = cur->children;
                continue;
            }
        } else {
            Py_DECREF(parts);
            *complex = 1;
            return NULL;
        }
        while (cur != node && cur->next == NULL) cur = cur->parent;
        if (cur != node) cur = cur->next;
    }
    PyObject *empty = PyUnicode_FromStringAndSize("", 0);
    if (empty == NULL) {
        Py_DECREF(parts);
        return NULL;
    }
    PyObject *joined = PyUnicode_Join(empty, parts);
    Py_DECREF(empty);
    Py_DECREF(parts);
    joined = strip_steal(joined);
    if (joined != NULL && PyUnicode_GET_LENGTH(joined) == 0) {
        Py_DECREF(joined);
        Py_RETURN_NONE;
    }
    return joined;
}

/* `el.text` stripped for an element whose children are all text or CDATA (`_common.inner_html` without
 * markup inside); raw markup or anything else goes to Python (*complex). */
static PyObject *node_plain_html(xmlNode *node, int *complex) {
    for (xmlNode *child = node->children; child != NULL; child = child->next) {
        if (child->type != XML_TEXT_NODE && child->type != XML_CDATA_SECTION_NODE) {
            *complex = 1;
            return NULL;
        }
    }
    return node_text(node, complex);
}

/* `Context.shared(value)`: one copy per parse of a value repeated from episode to episode. Steals. */
static PyObject *shared(Item *it, PyObject *value) {
    if (value == NULL || value == Py_None) return value;
    PyObject *kept = PyDict_GetItemWithError(it->strings, value);
    if (kept != NULL) {
        Py_INCREF(kept);
        Py_DECREF(value);
        return kept;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(value);
        return NULL;
    }
    if (PyDict_GET_SIZE(it->strings) < max_shared_strings && PyDict_SetItem(it->strings, value, value) < 0) {
        Py_DECREF(value);
        return NULL;
    }
    return value;
}

/* `value.lower()` for a str, skipping the call for ASCII without capitals. Steals. */
static PyObject *lower_steal(PyObject *value) {
    if (value == NULL || value == Py_None) return value;
    if (PyUnicode_IS_ASCII(value)) {
        const Py_UCS1 *data = PyUnicode_1BYTE_DATA(value);
        Py_ssize_t n = PyUnicode_GET_LENGTH(value), i = 0;
        while (i < n && !(data[i] >= 'A' && data[i] <= 'Z')) i++;
        if (i == n) return value;
    }
    PyObject *lowered = PyObject_CallMethodNoArgs(value, s_lower);
    Py_DECREF(value);
    return lowered;
}

/* An lxml proxy for a node, for the Python side. */
static PyObject *proxy(Item *it, xmlNode *node) {
    return (PyObject *)elementFactory(it->doc, node);
}

/* `Context.url(value, el)`: an absolute http(s) URL that is already clean is returned as it is, as the
 * Python fast path does; anything else goes to `ctx.url` with a proxy of the element (for xml:base).
 * Steals `value`. */
static PyObject *ctx_url(Item *it, PyObject *value, xmlNode *node) {
    if (value == NULL || value == Py_None) return value;
    if (PyUnicode_IS_ASCII(value)) {
        const char *s = (const char *)PyUnicode_1BYTE_DATA(value);
        Py_ssize_t n = PyUnicode_GET_LENGTH(value);
        if (n <= 2048 && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)) {
            Py_ssize_t i = 0;
            while (i < n && s[i] > 0x20 && s[i] < 0x7f) i++;
            if (i == n) return value;
        }
    }
    PyObject *el = proxy(it, node);
    if (el == NULL) {
        Py_DECREF(value);
        return NULL;
    }
    PyObject *url = PyObject_CallMethodObjArgs(it->ctx, s_url, value, el, NULL);
    Py_DECREF(el);
    Py_DECREF(value);
    return url;
}

/* `_common.to_int`: plain digits here, everything else by the Python function. Steals. */
static PyObject *to_int(PyObject *value) {
    if (value == NULL || value == Py_None) return value;
    if (PyUnicode_IS_ASCII(value)) {
        const Py_UCS1 *data = PyUnicode_1BYTE_DATA(value);
        Py_ssize_t n = PyUnicode_GET_LENGTH(value);
        if (n > 0 && n <= 18) {
            long long number = 0;
            Py_ssize_t i = 0;
            for (; i < n && data[i] >= '0' && data[i] <= '9'; i++) number = number * 10 + (data[i] - '0');
            if (i == n) {
                Py_DECREF(value);
                return PyLong_FromLongLong(number);
            }
        }
    }
    PyObject *number = PyObject_CallOneArg(py_to_int, value);
    Py_DECREF(value);
    return number;
}

/* `_common.to_float`: float(value.strip()) if finite and >= 0, else None. Steals. */
static PyObject *to_float(PyObject *value) {
    if (value == NULL || value == Py_None) return value;
    PyObject *number = PyFloat_FromString(value); /* `value` is already stripped */
    Py_DECREF(value);
    if (number == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)) return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    double real = PyFloat_AS_DOUBLE(number);
    if (!isfinite(real) || real < 0) {
        Py_DECREF(number);
        Py_RETURN_NONE;
    }
    return number;
}

/* `_common.parse_npt`: "HH:MM:SS.mmm", "MM:SS" or "SS.s" in seconds. Up to three parts of ASCII digits
 * with at most one dot are read here, with the same strtod and the same arithmetic as float() and the
 * Python function; anything else goes to the Python function. Steals. */
static PyObject *npt_seconds(PyObject *value) {
    if (value == NULL || value == Py_None) return value;
    if (PyUnicode_IS_ASCII(value)) {
        const char *s = (const char *)PyUnicode_1BYTE_DATA(value);
        Py_ssize_t n = PyUnicode_GET_LENGTH(value), start = 0;
        int parts = 0, simple = n > 0;
        double total = 0.0;
        while (simple && start <= n) {
            Py_ssize_t end = start, digits = 0, dots = 0;
            for (; end < n && s[end] != ':'; end++) {
                if (s[end] >= '0' && s[end] <= '9')
                    digits++;
                else if (s[end] == '.')
                    dots++;
                else
                    break;
            }
            char part[32];
            simple = ++parts <= 3 && (end == n || s[end] == ':') && digits > 0 && dots <= 1 && end - start < 32;
            if (!simple) break;
            memcpy(part, s + start, (size_t)(end - start));
            part[end - start] = '\0';
            double number = PyOS_string_to_double(part, NULL, NULL);
            if (number == -1.0 && PyErr_Occurred()) {
                Py_DECREF(value);
                return NULL;
            }
            total = total * 60 + number;
            start = end + 1;
        }
        if (simple) {
            Py_DECREF(value);
            return PyFloat_FromDouble(total);
        }
    }
    PyObject *seconds = PyObject_CallOneArg(py_parse_npt, value);
    Py_DECREF(value);
    return seconds;
}

/* `_common.to_bool`: 1, 0, or -1 for neither; -2 on error. Steals. */
static int to_bool(PyObject *value) {
    if (value == NULL) return -2;
    if (value == Py_None) {
        Py_DECREF(value);
        return -1;
    }
    PyObject *result = PyObject_CallOneArg(py_to_bool, value);
    Py_DECREF(value);
    if (result == NULL) return -2;
    int answer = result == Py_True ? 1 : result == Py_False ? 0 : -1;
    Py_DECREF(result);
    return answer;
}

static int set_new(PyObject *state, PyObject *key, PyObject *value) {
    if (value == NULL) return -1;
    int rc = PyDict_SetItem(state, key, value);
    Py_DECREF(value);
    return rc;
}

static int setdefault_new(PyObject *state, PyObject *key, PyObject *value) {
    if (value == NULL) return -1;
    PyObject *kept = PyDict_SetDefault(state, key, value);
    Py_DECREF(value);
    return kept == NULL ? -1 : 0;
}

static int append_new(PyObject *target, PyObject *field, PyObject *value) {
    if (value == NULL) return -1;
    PyObject *list = PyObject_GetAttr(target, field);
    if (list == NULL) {
        Py_DECREF(value);
        return -1;
    }
    int rc = PyList_Append(list, value);
    Py_DECREF(list);
    Py_DECREF(value);
    return rc;
}

static int set_attr_new(PyObject *target, PyObject *field, PyObject *value) {
    if (value == NULL) return -1;
    int rc = PyObject_SetAttr(target, field, value);
    Py_DECREF(value);
    return rc;
}

/* An instance of `model` with `args` as its fields in order; steals the args (a NULL arg means an error
 * is already raised). */
static PyObject *build(Model *model, PyObject **args, size_t n) {
    PyObject *result = NULL;
    size_t i;
    for (i = 0; i < n; i++)
        if (args[i] == NULL) goto fail;
    result = model->type->tp_alloc(model->type, 0);
    if (result == NULL) goto fail;
    for (i = 0; i < n; i++) *(PyObject **)((char *)result + model->offsets[i]) = args[i];
    return result;
fail:
    for (i = 0; i < n; i++) Py_XDECREF(args[i]);
    return NULL;
}

#define COMPLEX_CHECK(value)                         \
    do {                                             \
        if ((value) == NULL) return complex ? DELEGATE : -1; \
    } while (0)

/* -- handlers: each mirrors the Python handler named in its comment -------------------------------- */

typedef int (*Handler)(Item *, xmlNode *, PyObject *key);

/* _rss.first_text(key) */
static int h_first_text(Item *it, xmlNode *node, PyObject *key) {
    int has = PyDict_Contains(it->state, key);
    if (has != 0) return has < 0 ? -1 : 0;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    if (value == Py_None) {
        Py_DECREF(value);
        return 0;
    }
    return set_new(it->state, key, value);
}

/* _rss.first_html(key) */
static int h_first_html(Item *it, xmlNode *node, PyObject *key) {
    int has = PyDict_Contains(it->state, key);
    if (has != 0) return has < 0 ? -1 : 0;
    int complex = 0;
    PyObject *value = node_plain_html(node, &complex);
    COMPLEX_CHECK(value);
    if (value == Py_None) {
        Py_DECREF(value);
        return 0;
    }
    return set_new(it->state, key, value);
}

static const char *const HREF[] = {"href", "HREF", "Href", NULL};
static const char *const URL[] = {"url", "URL", "Url", NULL};
static const char *const TYPE[] = {"type", "TYPE", "Type", NULL};
static const char *const NAME[] = {"name", "NAME", "Name", NULL};
static const char *const DISPLAY[] = {"display", "DISPLAY", "Display", NULL};
static const char *const SRCSET[] = {"srcset", "SRCSET", "Srcset", NULL};
static const char *const URI[] = {"uri", "URI", "Uri", NULL};
static const char *const IS_PERMALINK[] = {"isPermaLink", "ispermalink", "ISPERMALINK", "Ispermalink", NULL};

/* The first of `attributes` (each a list of exact spellings, as `_common.attr`) that is present, else the
 * text when `text_fallback`; stored in state[key] when `ctx.url` makes a URL of it and the key is not
 * set yet. _rss.first_url, _rss._itunes_image, _rss._media_thumbnail. */
static int first_url(Item *it, xmlNode *node, PyObject *key, const char *const *const *attributes,
                     int text_fallback) {
    int has = PyDict_Contains(it->state, key);
    if (has != 0) return has < 0 ? -1 : 0;
    int complex = 0;
    PyObject *raw = Py_NewRef(Py_None);
    for (; *attributes != NULL && raw == Py_None; attributes++) {
        Py_DECREF(raw);
        raw = attr_exact(node, *attributes, &complex);
        COMPLEX_CHECK(raw);
    }
    if (raw == Py_None && text_fallback) {
        Py_DECREF(raw);
        raw = node_text(node, &complex);
        COMPLEX_CHECK(raw);
    }
    PyObject *url = ctx_url(it, raw, node);
    if (url == NULL) return -1;
    int keep = PyObject_IsTrue(url);
    if (keep <= 0) {
        Py_DECREF(url);
        return keep;
    }
    return set_new(it->state, key, url);
}

static const char *const *const HREF_ONLY[] = {HREF, NULL};
static const char *const *const HREF_OR_URL[] = {HREF, URL, NULL};
static const char *const *const URL_ONLY[] = {URL, NULL};

static int h_first_url_href(Item *it, xmlNode *node, PyObject *key) {
    return first_url(it, node, key, HREF_ONLY, 1);
}

/* _rss._guid */
static int h_guid(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int has = PyDict_Contains(it->state, s_guid);
    if (has != 0) return has < 0 ? -1 : 0;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    if (value == Py_None) {
        Py_DECREF(value);
        return 0;
    }
    PyObject *permalink = attr_exact(node, IS_PERMALINK, &complex);
    if (permalink == NULL) {
        Py_DECREF(value);
        return complex ? DELEGATE : -1;
    }
    PyObject *verdict = Py_None; /* no attribute: None */
    if (permalink != Py_None) {
        /* value.lower() != "false": only an ASCII spelling of "false" lowers to it. */
        const char *s = PyUnicode_AsUTF8(permalink);
        if (s == NULL) {
            Py_DECREF(permalink);
            Py_DECREF(value);
            return -1;
        }
        verdict = ascii_ieq(s, "false") ? Py_False : Py_True;
    }
    Py_DECREF(permalink);
    if (set_new(it->state, s_guid, value) < 0) return -1;
    return PyDict_SetItem(it->state, s_guid_is_permalink, verdict);
}

/* _rss._is_media: None, or a type starting with audio/ or video/ in any case. */
static int is_media(PyObject *kind) {
    if (kind == Py_None) return 1;
    const char *s = PyUnicode_AsUTF8(kind);
    if (s == NULL) return -1;
    return strncasecmp(s, "audio/", 6) == 0 || strncasecmp(s, "video/", 6) == 0;
}

/* _rss._enclosure */
static int h_enclosure(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    PyObject *current = PyDict_GetItemWithError(it->state, s_enclosure); /* borrowed */
    if (current == NULL && PyErr_Occurred()) return -1;
    int has_current = current != NULL && current != Py_None;
    if (has_current) {
        PyObject *kind = PyObject_GetAttr(current, s_type);
        if (kind == NULL) return -1;
        int media = is_media(kind);
        Py_DECREF(kind);
        if (media != 0) return media < 0 ? -1 : 0;
    }
    int complex = 0;
    PyObject *raw = attr_ci(node, "url", &complex);
    COMPLEX_CHECK(raw);
    PyObject *url = ctx_url(it, raw, node);
    if (url == NULL) return -1;
    if (!PyObject_IsTrue(url)) {
        Py_DECREF(url);
        return 0;
    }
    PyObject *kind = attr_ci(node, "type", &complex);
    if (kind == NULL) {
        Py_DECREF(url);
        return complex ? DELEGATE : -1;
    }
    kind = shared(it, kind);
    if (kind == NULL) {
        Py_DECREF(url);
        return -1;
    }
    int media = has_current ? is_media(kind) : 1;
    if (media <= 0) {
        Py_DECREF(url);
        Py_DECREF(kind);
        return media;
    }
    PyObject *length = attr_ci(node, "length", &complex);
    if (length == NULL) {
        Py_DECREF(url);
        Py_DECREF(kind);
        return complex ? DELEGATE : -1;
    }
    PyObject *args[] = {url, kind, to_int(length)};
    return set_new(it->state, s_enclosure, build(&Enclosure, args, 3));
}

static int h_itunes_image(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    return first_url(it, node, s_itunes_image, HREF_OR_URL, 1);
}

/* _rss._keywords */
static int h_keywords(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    if (value == Py_None) {
        Py_DECREF(value);
        return 0;
    }
    PyObject *current = PyObject_GetAttr(it->episode, s_keywords);
    if (current == NULL) {
        Py_DECREF(value);
        return -1;
    }
    int has = PyObject_IsTrue(current);
    Py_DECREF(current);
    if (has != 0) {
        Py_DECREF(value);
        return has < 0 ? -1 : 0;
    }
    PyObject *comma = PyUnicode_FromOrdinal(',');
    PyObject *words = comma ? PyUnicode_Split(value, comma, -1) : NULL;
    Py_XDECREF(comma);
    Py_DECREF(value);
    if (words == NULL) return -1;
    PyObject *keywords = PyList_New(0);
    if (keywords == NULL) {
        Py_DECREF(words);
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = strip_steal(Py_NewRef(PyList_GET_ITEM(words, i)));
        if (word != NULL && PyUnicode_GET_LENGTH(word) == 0) {
            Py_DECREF(word);
            continue;
        }
        word = shared(it, word);
        if (word == NULL || PyList_Append(keywords, word) < 0) {
            Py_XDECREF(word);
            Py_DECREF(words);
            Py_DECREF(keywords);
            return -1;
        }
        Py_DECREF(word);
    }
    Py_DECREF(words);
    return set_attr_new(it->episode, s_keywords, keywords);
}

/* _rss._block */
static int h_block(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    int flag = to_bool(value);
    if (flag == -2) return -1;
    return flag == 1 ? PyObject_SetAttr(it->episode, s_block, Py_True) : 0;
}

static int h_media_thumbnail(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    return first_url(it, node, s_media_thumbnail, URL_ONLY, 0);
}

static int media_child(Item *it, xmlNode *child);

static int starts_with(PyObject *value, const char *prefix) {
    if (value == Py_None) return 0;
    const char *s = PyUnicode_AsUTF8(value);
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* _rss._media_content */
static int h_media_content(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    /* Read every attribute first: a value only Python can read sends the whole element there. */
    int complex = 0;
    PyObject *raw = attr_ci(node, "url", &complex);
    COMPLEX_CHECK(raw);
    PyObject *kind = attr_ci(node, "type", &complex);
    PyObject *medium = kind ? attr_ci(node, "medium", &complex) : NULL;
    PyObject *filesize = medium ? attr_ci(node, "filesize", &complex) : NULL;
    PyObject *duration = filesize ? attr_ci(node, "duration", &complex) : NULL;
    if (duration == NULL) {
        Py_DECREF(raw);
        Py_XDECREF(kind);
        Py_XDECREF(medium);
        Py_XDECREF(filesize);
        return complex ? DELEGATE : -1;
    }
    int rc = -1;
    PyObject *url = ctx_url(it, raw, node);
    if (url == NULL) goto done;
    if (!PyObject_IsTrue(url)) {
        rc = 0;
        goto done;
    }
    kind = shared(it, kind);
    medium = lower_steal(medium);
    if (kind == NULL || medium == NULL) goto done;
    const char *medium_s = medium == Py_None ? "" : PyUnicode_AsUTF8(medium);
    if (medium_s == NULL) goto done;
    if (strcmp(medium_s, "image") == 0 || starts_with(kind, "image/")) {
        if (PyDict_SetDefault(it->state, s_media_image, url) == NULL) goto done;
    } else {
        int has = PyDict_Contains(it->state, s_media_enclosure);
        if (has < 0) goto done;
        if (!has && (strcmp(medium_s, "audio") == 0 || strcmp(medium_s, "video") == 0 ||
                     starts_with(kind, "audio/") || starts_with(kind, "video/"))) {
            PyObject *args[] = {Py_NewRef(url), Py_NewRef(kind), to_int(Py_NewRef(filesize))};
            if (set_new(it->state, s_media_enclosure, build(&Enclosure, args, 3)) < 0) goto done;
            PyObject *seconds = to_float(Py_NewRef(duration));
            if (seconds == NULL) goto done;
            if (seconds != Py_None) {
                PyObject *rounded = PyObject_CallOneArg(py_round, seconds);
                Py_DECREF(seconds);
                if (setdefault_new(it->state, s_media_duration, rounded) < 0) goto done;
            } else {
                Py_DECREF(seconds);
            }
        }
    }
    rc = 0;
    for (xmlNode *child = node->children; child != NULL && rc == 0; child = child->next)
        if (child->type == XML_ELEMENT_NODE) rc = media_child(it, child);
done:
    Py_XDECREF(url);
    Py_XDECREF(kind);
    Py_XDECREF(medium);
    Py_XDECREF(filesize);
    Py_XDECREF(duration);
    return rc;
}

/* `episode.chapters`, made (an empty Chapters) when the episode has none yet; a new reference. */
static PyObject *episode_chapters(Item *it) {
    PyObject *chapters = PyObject_GetAttr(it->episode, s_chapters);
    if (chapters != Py_None) return chapters;
    Py_DECREF(chapters);
    chapters = PyObject_CallNoArgs(ChaptersType);
    if (chapters != NULL && PyObject_SetAttr(it->episode, s_chapters, chapters) < 0) Py_CLEAR(chapters);
    return chapters;
}

/* _rss._psc_chapters */
typedef struct {
    double start;
    Py_ssize_t index;
} ChapterKey;

static int chapter_order(const void *a, const void *b) {
    const ChapterKey *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static const char *local_name(xmlNode *node) {
    const char *name = (const char *)node->name;
    if (node->ns == NULL) {
        const char *colon = strchr(name, ':');
        if (colon != NULL) return colon + 1;
    }
    return name;
}

static int h_psc_chapters(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    PyObject *inline_ = PyList_New(0);
    if (inline_ == NULL) return -1;
    int complex = 0;
    for (xmlNode *child = node->children; child != NULL; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const char *name = local_name(child);
        if (!is_ascii(name)) goto delegate;
        if (!ascii_ieq(name, "chapter")) continue;
        PyObject *raw_start = attr_ci(child, "start", &complex);
        if (raw_start == NULL) goto fail;
        PyObject *start = npt_seconds(raw_start);
        if (start == NULL) goto fail;
        if (start == Py_None) {
            Py_DECREF(start);
            continue;
        }
        PyObject *title = attr_ci(child, "title", &complex);
        PyObject *href = title ? attr_ci(child, "href", &complex) : NULL;
        PyObject *image = href ? attr_ci(child, "image", &complex) : NULL;
        if (image == NULL) {
            Py_DECREF(start);
            Py_XDECREF(title);
            Py_XDECREF(href);
            goto fail;
        }
        href = shared(it, ctx_url(it, href, child));
        image = shared(it, ctx_url(it, image, child));
        PyObject *args[] = {start, shared(it, title), href, image};
        PyObject *chapter = build(&Chapter, args, 4);
        if (chapter == NULL || PyList_Append(inline_, chapter) < 0) {
            Py_XDECREF(chapter);
            goto fail;
        }
        Py_DECREF(chapter);
    }
    Py_ssize_t n = PyList_GET_SIZE(inline_);
    if (n == 0) {
        Py_DECREF(inline_);
        return 0;
    }
    if (n > 1) { /* a stable sort by start_seconds, as list.sort(key=...) */
        ChapterKey *keys = PyMem_Malloc(sizeof(ChapterKey) * (size_t)n);
        PyObject *sorted = PyList_New(n);
        if (keys == NULL || sorted == NULL) {
            PyMem_Free(keys);
            Py_XDECREF(sorted);
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *start = PyObject_GetAttr(PyList_GET_ITEM(inline_, i), s_start_seconds);
            keys[i].start = start ? PyFloat_AsDouble(start) : -1.0;
            keys[i].index = i;
            Py_XDECREF(start);
            if (PyErr_Occurred()) {
                PyMem_Free(keys);
                Py_DECREF(sorted);
                goto fail;
            }
        }
        qsort(keys, (size_t)n, sizeof(ChapterKey), chapter_order);
        for (Py_ssize_t i = 0; i < n; i++)
            PyList_SET_ITEM(sorted, i, Py_NewRef(PyList_GET_ITEM(inline_, keys[i].index)));
        PyMem_Free(keys);
        Py_SETREF(inline_, sorted);
    }
    PyObject *chapters = episode_chapters(it);
    if (chapters == NULL) goto fail;
    PyObject *current = PyObject_GetAttr(chapters, s_inline);
    int has = current ? PyObject_IsTrue(current) : -1;
    Py_XDECREF(current);
    int rc = has < 0 ? -1 : has ? 0 : PyObject_SetAttr(chapters, s_inline, inline_);
    Py_DECREF(chapters);
    Py_DECREF(inline_);
    return rc;
delegate:
    Py_DECREF(inline_);
    return DELEGATE;
fail:
    Py_DECREF(inline_);
    return complex && !PyErr_Occurred() ? DELEGATE : -1;
}

/* _podcast_ns._transcript */
static int h_transcript(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *raw = attr_ci(node, "url", &complex);
    PyObject *kind = raw ? attr_ci(node, "type", &complex) : NULL;
    PyObject *language = kind ? attr_ci(node, "language", &complex) : NULL;
    PyObject *rel = language ? attr_ci(node, "rel", &complex) : NULL;
    if (rel == NULL) {
        Py_XDECREF(raw);
        Py_XDECREF(kind);
        Py_XDECREF(language);
        return complex ? DELEGATE : -1;
    }
    PyObject *url = ctx_url(it, raw, node);
    if (url == NULL || !PyObject_IsTrue(url)) {
        Py_XDECREF(url);
        Py_DECREF(kind);
        Py_DECREF(language);
        Py_DECREF(rel);
        return url == NULL ? -1 : 0;
    }
    PyObject *args[] = {url, shared(it, kind), shared(it, language), shared(it, rel)};
    return append_new(it->episode, s_transcripts, build(&Transcript, args, 4));
}

/* _podcast_ns._chapters */
static int h_podcast_chapters(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *raw = attr_exact(node, URL, &complex);
    COMPLEX_CHECK(raw);
    PyObject *kind = attr_exact(node, TYPE, &complex);
    if (kind == NULL) {
        Py_DECREF(raw);
        return complex ? DELEGATE : -1;
    }
    PyObject *url = ctx_url(it, raw, node);
    if (url == NULL || !PyObject_IsTrue(url)) {
        Py_XDECREF(url);
        Py_DECREF(kind);
        return url == NULL ? -1 : 0;
    }
    int rc = -1;
    PyObject *chapters = episode_chapters(it);
    if (chapters != NULL) {
        PyObject *current = PyObject_GetAttr(chapters, s_url);
        if (current != NULL) {
            rc = 0;
            if (current == Py_None) {
                kind = shared(it, kind);
                rc = kind == NULL || PyObject_SetAttr(chapters, s_url, url) < 0 ||
                             PyObject_SetAttr(chapters, s_type, kind) < 0
                         ? -1
                         : 0;
            }
            Py_DECREF(current);
        }
        Py_DECREF(chapters);
    }
    Py_DECREF(url);
    Py_XDECREF(kind);
    return rc;
}

/* _podcast_ns._person */
static int h_person(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *name = node_text(node, &complex);
    COMPLEX_CHECK(name);
    if (name == Py_None) {
        Py_DECREF(name);
        return 0;
    }
    PyObject *role = attr_ci(node, "role", &complex);
    PyObject *group = role ? attr_ci(node, "group", &complex) : NULL;
    PyObject *href = group ? attr_ci(node, "href", &complex) : NULL;
    PyObject *img = href ? attr_ci(node, "img", &complex) : NULL;
    if (img == NULL) {
        Py_DECREF(name);
        Py_XDECREF(role);
        Py_XDECREF(group);
        Py_XDECREF(href);
        return complex ? DELEGATE : -1;
    }
    if (role == Py_None) Py_SETREF(role, PyUnicode_FromString("host"));
    if (group == Py_None) Py_SETREF(group, PyUnicode_FromString("cast"));
    PyObject *args[] = {
        shared(it, name),
        shared(it, lower_steal(role)),
        shared(it, lower_steal(group)),
        shared(it, ctx_url(it, href, node)),
        shared(it, ctx_url(it, img, node)),
    };
    return append_new(it->episode, s_persons, build(&Person, args, 5));
}

/* _podcast_ns._season */
static int h_podcast_season(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    PyObject *name = attr_exact(node, NAME, &complex);
    if (name == NULL) {
        Py_DECREF(value);
        return complex ? DELEGATE : -1;
    }
    if (setdefault_new(it->state, s_podcast_season, to_int(value)) < 0) {
        Py_DECREF(name);
        return -1;
    }
    return set_attr_new(it->episode, s_season_name, shared(it, name));
}

/* _podcast_ns._episode */
static int h_podcast_episode(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *value = node_text(node, &complex);
    COMPLEX_CHECK(value);
    PyObject *display = attr_exact(node, DISPLAY, &complex);
    if (display == NULL) {
        Py_DECREF(value);
        return complex ? DELEGATE : -1;
    }
    PyObject *number = to_int(Py_NewRef(value));
    if (number == NULL) {
        Py_DECREF(value);
        Py_DECREF(display);
        return -1;
    }
    if (display == Py_None && value != Py_None && number == Py_None) Py_SETREF(display, Py_NewRef(value));
    Py_DECREF(value);
    if (setdefault_new(it->state, s_podcast_episode, number) < 0) {
        Py_DECREF(display);
        return -1;
    }
    return set_attr_new(it->episode, s_episode_display, display);
}

/* _podcast_ns._soundbite */
static int h_soundbite(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *raw_start = attr_ci(node, "starttime", &complex);
    PyObject *raw_duration = raw_start ? attr_ci(node, "duration", &complex) : NULL;
    if (raw_duration == NULL) {
        Py_XDECREF(raw_start);
        return complex ? DELEGATE : -1;
    }
    PyObject *start = to_float(raw_start);
    PyObject *duration = to_float(raw_duration);
    if (start == NULL || duration == NULL || start == Py_None || duration == Py_None) {
        Py_XDECREF(start);
        Py_XDECREF(duration);
        return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *title = node_text(node, &complex);
    if (title == NULL) {
        Py_DECREF(start);
        Py_DECREF(duration);
        return complex ? DELEGATE : -1;
    }
    PyObject *args[] = {start, duration, shared(it, title)};
    return append_new(it->episode, s_soundbites, build(&Soundbite, args, 3));
}

/* _podcast_ns._location */
static int h_location(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *name = node_text(node, &complex);
    COMPLEX_CHECK(name);
    if (name == Py_None) {
        Py_DECREF(name);
        return 0;
    }
    PyObject *current = PyObject_GetAttr(it->episode, s_location);
    if (current == NULL || current != Py_None) {
        Py_XDECREF(current);
        Py_DECREF(name);
        return current == NULL ? -1 : 0;
    }
    Py_DECREF(current);
    PyObject *geo = attr_ci(node, "geo", &complex);
    PyObject *osm = geo ? attr_ci(node, "osm", &complex) : NULL;
    if (osm == NULL) {
        Py_DECREF(name);
        Py_XDECREF(geo);
        return complex ? DELEGATE : -1;
    }
    PyObject *args[] = {shared(it, name), shared(it, geo), shared(it, osm)};
    return set_attr_new(it->episode, s_location, build(&Location, args, 3));
}

/* _podcast_ns._alternate_enclosure */
static int h_alternate_enclosure(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    static const char *const names[] = {"type", "length", "bitrate", "height", "lang", "title", "rel", "default"};
    PyObject *values[8] = {NULL};
    int complex = 0, rc = -1;
    PyObject *sources = PyList_New(0);
    if (sources == NULL) return -1;
    for (int i = 0; i < 8; i++) {
        values[i] = attr_ci(node, names[i], &complex);
        if (values[i] == NULL) goto done;
    }
    for (xmlNode *child = node->children; child != NULL; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const char *name = (const char *)child->name;
        size_t n = strlen(name);
        if (n < 6 || !ascii_ieq(name + n - 6, "source")) continue;
        PyObject *url = ctx_url(it, attr_exact(child, URI, &complex), child);
        if (url == NULL) goto done;
        int keep = PyObject_IsTrue(url);
        if (keep < 0 || (keep && PyList_Append(sources, url) < 0)) {
            Py_DECREF(url);
            goto done;
        }
        Py_DECREF(url);
    }
    int flag = to_bool(Py_NewRef(values[7]));
    if (flag == -2) goto done;
    PyObject *args[] = {
        shared(it, Py_NewRef(values[0])), to_int(Py_NewRef(values[1])), to_float(Py_NewRef(values[2])),
        to_int(Py_NewRef(values[3])),     shared(it, Py_NewRef(values[4])), shared(it, Py_NewRef(values[5])),
        shared(it, Py_NewRef(values[6])), Py_NewRef(flag == 1 ? Py_True : Py_False), Py_NewRef(sources),
    };
    rc = append_new(it->episode, s_alternate_enclosures, build(&AlternateEnclosure, args, 9));
done:
    for (int i = 0; i < 8; i++) Py_XDECREF(values[i]);
    Py_DECREF(sources);
    if (rc < 0 && complex && !PyErr_Occurred()) return DELEGATE;
    return rc;
}

/* _podcast_ns._images */
static int h_images(Item *it, xmlNode *node, PyObject *key) {
    (void)key;
    int complex = 0;
    PyObject *srcset = attr_exact(node, SRCSET, &complex);
    COMPLEX_CHECK(srcset);
    if (srcset == Py_None) {
        Py_DECREF(srcset);
        return 0;
    }
    PyObject *comma = PyUnicode_FromOrdinal(',');
    PyObject *candidates = comma ? PyUnicode_Split(srcset, comma, -1) : NULL;
    Py_XDECREF(comma);
    Py_DECREF(srcset);
    if (candidates == NULL) return -1;
    PyObject *images = PyObject_GetAttr(it->episode, s_images);
    int rc = images == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(candidates); i++) {
        PyObject *candidate = strip_steal(Py_NewRef(PyList_GET_ITEM(candidates, i)));
        if (candidate == NULL) {
            rc = -1;
            break;
        }
        Py_ssize_t space = PyUnicode_FindChar(candidate, ' ', 0, PyUnicode_GET_LENGTH(candidate), 1);
        if (space == -2) {
            Py_DECREF(candidate);
            rc = -1;
            break;
        }
        if (space >= 0) Py_SETREF(candidate, PyUnicode_Substring(candidate, 0, space));
        candidate = strip_steal(candidate); /* ctx.url strips */
        if (candidate != NULL && PyUnicode_GET_LENGTH(candidate) == 0) Py_SETREF(candidate, Py_NewRef(Py_None));
        PyObject *url = ctx_url(it, candidate, node);
        if (url == NULL) {
            rc = -1;
        } else {
            int keep = PyObject_IsTrue(url);
            if (keep < 0 || (keep && PyList_Append(images, url) < 0)) rc = -1;
            Py_DECREF(url);
        }
    }
    Py_XDECREF(images);
    Py_DECREF(candidates);
    return rc;
}

/* -- dispatch ------------------------------------------------------------------------------------- */

enum { K_OTHER, K_RSS, K_CONTENT, K_ITUNES, K_GOOGLEPLAY, K_DC, K_DCTERMS, K_MEDIA, K_PSC, K_PODCAST };

typedef struct {
    int ns;
    const char *name; /* lower case */
    Handler handler;
    const char *state_key;
    PyObject *key; /* interned state_key */
} Rule;

static Rule RULES[] = {
    {K_RSS, "title", h_first_text, "title", NULL},
    {K_RSS, "link", h_first_url_href, "link", NULL},
    {K_RSS, "guid", h_guid, NULL, NULL},
    {K_RSS, "pubdate", h_first_text, "pubdate", NULL},
    {K_RSS, "description", h_first_html, "description", NULL},
    {K_RSS, "author", h_first_text, "author", NULL},
    {K_RSS, "enclosure", h_enclosure, NULL, NULL},
    {K_CONTENT, "encoded", h_first_html, "content_encoded", NULL},
    {K_ITUNES, "title", h_first_text, "itunes_title", NULL},
    {K_ITUNES, "author", h_first_text, "itunes_author", NULL},
    {K_ITUNES, "subtitle", h_first_text, "itunes_subtitle", NULL},
    {K_ITUNES, "summary", h_first_html, "itunes_summary", NULL},
    {K_ITUNES, "image", h_itunes_image, NULL, NULL},
    {K_ITUNES, "duration", h_first_text, "itunes_duration", NULL},
    {K_ITUNES, "explicit", h_first_text, "itunes_explicit", NULL},
    {K_ITUNES, "episode", h_first_text, "itunes_episode", NULL},
    {K_ITUNES, "season", h_first_text, "itunes_season", NULL},
    {K_ITUNES, "episodetype", h_first_text, "itunes_episode_type", NULL},
    {K_ITUNES, "block", h_block, NULL, NULL},
    {K_ITUNES, "keywords", h_keywords, NULL, NULL},
    {K_GOOGLEPLAY, "description", h_first_html, "googleplay_description", NULL},
    {K_GOOGLEPLAY, "explicit", h_first_text, "googleplay_explicit", NULL},
    {K_GOOGLEPLAY, "image", h_first_url_href, "googleplay_image", NULL},
    {K_GOOGLEPLAY, "author", h_first_text, "googleplay_author", NULL},
    {K_GOOGLEPLAY, "block", h_block, NULL, NULL},
    {K_DC, "creator", h_first_text, "dc_creator", NULL},
    {K_DC, "date", h_first_text, "dc_date", NULL},
    {K_DCTERMS, "created", h_first_text, "dc_date", NULL},
    {K_MEDIA, "content", h_media_content, NULL, NULL},
    {K_MEDIA, "thumbnail", h_media_thumbnail, NULL, NULL},
    {K_MEDIA, "title", h_first_text, "media_title", NULL},
    {K_MEDIA, "keywords", h_keywords, NULL, NULL},
    {K_PSC, "chapters", h_psc_chapters, NULL, NULL},
    {K_PODCAST, "transcript", h_transcript, NULL, NULL},
    {K_PODCAST, "chapters", h_podcast_chapters, NULL, NULL},
    {K_PODCAST, "person", h_person, NULL, NULL},
    {K_PODCAST, "season", h_podcast_season, NULL, NULL},
    {K_PODCAST, "episode", h_podcast_episode, NULL, NULL},
    {K_PODCAST, "soundbite", h_soundbite, NULL, NULL},
    {K_PODCAST, "location", h_location, NULL, NULL},
    {K_PODCAST, "alternateenclosure", h_alternate_enclosure, NULL, NULL},
    {K_PODCAST, "images", h_images, NULL, NULL},
};
#define N_RULES (sizeof(RULES) / sizeof(RULES[0]))

static const struct {
    const char *key;
    int ns;
} NS_KEYS[] = {
    {"", K_RSS},       {"content", K_CONTENT}, {"itunes", K_ITUNES}, {"googleplay", K_GOOGLEPLAY},
    {"dc", K_DC},      {"dcterms", K_DCTERMS}, {"media", K_MEDIA},   {"psc", K_PSC},
    {"podcast", K_PODCAST},
};

/* Namespace declarations seen last, with their key: items share the channel's declarations. The href is
 * compared too, since a freed declaration's address can be reused. */
#define NS_CACHE 8
static struct {
    const xmlNs *ns;
    char *href;
    int key;
} ns_cache[NS_CACHE];
static int ns_cache_next;

static int namespace_id(const xmlNs *ns) {
    if (ns == NULL) return K_RSS;
    const char *href = (const char *)ns->href;
    if (href == NULL) return K_OTHER;
    for (int i = 0; i < NS_CACHE; i++)
        if (ns_cache[i].ns == ns && strcmp(ns_cache[i].href, href) == 0) return ns_cache[i].key;
    PyObject *key = PyObject_CallFunction(namespace_key, "s", href);
    if (key == NULL) return -1;
    const char *key_s = PyUnicode_AsUTF8(key);
    int id = K_OTHER;
    if (key_s == NULL) {
        Py_DECREF(key);
        return -1;
    }
    for (size_t i = 0; i < sizeof(NS_KEYS) / sizeof(NS_KEYS[0]); i++)
        if (strcmp(NS_KEYS[i].key, key_s) == 0) id = NS_KEYS[i].ns;
    Py_DECREF(key);
    char *copy = PyMem_Malloc(strlen(href) + 1);
    if (copy == NULL) return id;
    strcpy(copy, href);
    PyMem_Free(ns_cache[ns_cache_next].href);
    ns_cache[ns_cache_next].ns = ns;
    ns_cache[ns_cache_next].href = copy;
    ns_cache[ns_cache_next].key = id;
    ns_cache_next = (ns_cache_next + 1) % NS_CACHE;
    return id;
}

/* The rule for an element, NULL when Python must handle it; sets *error on a Python error. */
static const Rule *rule_for(xmlNode *node, int *error) {
    const char *name = (const char *)node->name;
    if (node->ns == NULL && strchr(name, ':') != NULL) return NULL; /* undeclared prefix: _ns.split_tag */
    if (!is_ascii(name)) return NULL;
    int ns = namespace_id(node->ns);
    if (ns < 0) {
        *error = 1;
        return NULL;
    }
    if (ns == K_OTHER) return NULL;
    for (size_t i = 0; i < N_RULES; i++)
        if (RULES[i].ns == ns && ascii_ieq(name, RULES[i].name)) return &RULES[i];
    return NULL;
}

static int call_python(Item *it, PyObject *function, xmlNode *node) {
    PyObject *el = proxy(it, node);
    if (el == NULL) return -1;
    PyObject *result = PyObject_CallFunctionObjArgs(function, el, it->episode, it->state, it->ctx, NULL);
    Py_DECREF(el);
    if (result == NULL) return -1;
    Py_DECREF(result);
    return 0;
}

/* _rss._dispatch_media_child: media elements inside media:content/media:group. */
static int media_child(Item *it, xmlNode *child) {
    int error = 0;
    const Rule *rule = rule_for(child, &error);
    if (error) return -1;
    if (rule != NULL && rule->ns == K_MEDIA && rule->handler != h_media_content) {
        int rc = rule->handler(it, child, rule->key);
        if (rc != DELEGATE) return rc;
    }
    return call_python(it, dispatch_media, child);
}

static PyObject *collect_item(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "collect_item(el, episode, ctx) takes 3 arguments");
        return NULL;
    }
    if (ElementType == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lytt.feeds._citem is not configured");
        return NULL;
    }
    if (!PyObject_TypeCheck(args[0], (PyTypeObject *)ElementType)) {
        PyErr_SetString(PyExc_TypeError, "collect_item needs an lxml element");
        return NULL;
    }
    struct LxmlElement *el = (struct LxmlElement *)args[0];
    Item it = {args[1], PyDict_New(), args[2], NULL, el->_doc};
    if (it.state == NULL) return NULL;
    it.strings = PyObject_GetAttr(it.ctx, s_strings);
    if (it.strings == NULL || !PyDict_Check(it.strings)) {
        if (it.strings != NULL) PyErr_SetString(PyExc_TypeError, "ctx.strings must be a dict");
        goto fail;
    }
    for (xmlNode *child = el->_c_node->children; child != NULL; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        int error = 0, rc = DELEGATE;
        const Rule *rule = rule_for(child, &error);
        if (error) goto fail;
        if (rule != NULL) rc = rule->handler(&it, child, rule->key);
        if (rc == DELEGATE) rc = call_python(&it, dispatch_child, child);
        if (rc < 0) goto fail;
    }
    Py_DECREF(it.strings);
    return it.state;
fail:
    Py_XDECREF(it.strings);
    Py_DECREF(it.state);
    return NULL;
}

/* -- configuration ------------------------------------------------------------------------------- */

/* Checks that `type` is the dataclass `model` describes and records where its slots are. */
static int bind_model(Model *model, PyObject *type) {
    if (type == NULL || !PyType_Check(type)) {
        PyErr_Format(PyExc_TypeError, "models[%s] must be the model class", model->name);
        return -1;
    }
    PyTypeObject *cls = (PyTypeObject *)type;
    PyObject *fields = PyObject_GetAttrString(type, "__dataclass_fields__");
    if (fields == NULL) return -1;
    int ok = PyDict_Check(fields) && PyObject_HasAttrString(type, "__post_init__") == 0 &&
             cls->tp_new == PyBaseObject_Type.tp_new;
    Py_ssize_t position = 0, i = 0;
    PyObject *name, *value;
    while (ok && PyDict_Next(fields, &position, &name, &value)) {
        const char *field = PyUnicode_AsUTF8(name);
        ok = field != NULL && i < MAX_FIELDS && model->fields[i] != NULL && strcmp(field, model->fields[i]) == 0;
        PyObject *slot = ok ? PyDict_GetItem(cls->tp_dict, name) : NULL;
        ok = ok && slot != NULL && Py_IS_TYPE(slot, &PyMemberDescr_Type);
        if (ok) {
            PyMemberDef *member = ((PyMemberDescrObject *)slot)->d_member;
            ok = member->type == T_OBJECT_EX && !(member->flags & READONLY);
            model->offsets[i++] = member->offset;
        }
    }
    ok = ok && (i == MAX_FIELDS || model->fields[i] == NULL);
    Py_DECREF(fields);
    if (!ok) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "lytt.feeds.model.%s is not the dataclass _citem.c was written for",
                         model->name);
        return -1;
    }
    Py_INCREF(type);
    Py_XSETREF(model->type, cls);
    return 0;
}

static PyObject *configure(PyObject *module, PyObject *args, PyObject *kwargs) {
    (void)module;
    static char *names[] = {"element_type", "dispatch_child", "dispatch_media", "namespace_key",
                            "to_int", "to_bool", "parse_npt", "models", "max_shared_strings", NULL};
    PyObject *element_type, *child, *media, *ns_key, *int_, *bool_, *npt, *models;
    long max_shared;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOOOO!l", names, &element_type, &child, &media, &ns_key,
                                     &int_, &bool_, &npt, &PyDict_Type, &models, &max_shared))
        return NULL;
    if (!PyType_Check(element_type)) {
        PyErr_SetString(PyExc_TypeError, "element_type must be lxml.etree._Element");
        return NULL;
    }
    PyObject *chapters = PyDict_GetItemString(models, "Chapters");
    if (chapters == NULL) {
        PyErr_SetString(PyExc_KeyError, "models has no Chapters");
        return NULL;
    }
    for (size_t i = 0; i < sizeof(MODELS) / sizeof(MODELS[0]); i++)
        if (bind_model(MODELS[i], PyDict_GetItemString(models, MODELS[i]->name)) < 0) return NULL;
    Py_XSETREF(ChaptersType, Py_NewRef(chapters));
    Py_XSETREF(ElementType, Py_NewRef(element_type));
    Py_XSETREF(dispatch_child, Py_NewRef(child));
    Py_XSETREF(dispatch_media, Py_NewRef(media));
    Py_XSETREF(namespace_key, Py_NewRef(ns_key));
    Py_XSETREF(py_to_int, Py_NewRef(int_));
    Py_XSETREF(py_to_bool, Py_NewRef(bool_));
    Py_XSETREF(py_parse_npt, Py_NewRef(npt));
    max_shared_strings = max_shared;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"collect_item", (PyCFunction)(void (*)(void))collect_item, METH_FASTCALL,
     "collect_item(el, episode, ctx) -> state: _rss.collect(el, episode, _rss.ITEM, ctx) for an RSS item."},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "configure(...): the Python handlers, helpers and model classes the reader defers to."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, .m_name = "_citem", .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__citem(void) {
    if (import_lxml__etree() < 0) return NULL;
    static const InternedName strings[] = {
        {&s_strings, "strings"},
        {&s_url, "url"},
        {&s_lower, "lower"},
        {&s_type, "type"},
        {&s_keywords, "keywords"},
        {&s_block, "block"},
        {&s_transcripts, "transcripts"},
        {&s_chapters, "chapters"},
        {&s_inline, "inline"},
        {&s_persons, "persons"},
        {&s_soundbites, "soundbites"},
        {&s_location, "location"},
        {&s_season_name, "season_name"},
        {&s_episode_display, "episode_display"},
        {&s_alternate_enclosures, "alternate_enclosures"},
        {&s_images, "images"},
        {&s_enclosure, "enclosure"},
        {&s_guid, "guid"},
        {&s_guid_is_permalink, "guid_is_permalink"},
        {&s_itunes_image, "itunes_image"},
        {&s_media_image, "media_image"},
        {&s_media_enclosure, "media_enclosure"},
        {&s_media_duration, "media_duration"},
        {&s_media_thumbnail, "media_thumbnail"},
        {&s_podcast_season, "podcast_season"},
        {&s_podcast_episode, "podcast_episode"},
        {&s_start_seconds, "start_seconds"},
    };
    if (intern_names(strings, sizeof(strings) / sizeof(strings[0])) < 0) return NULL;
    for (size_t i = 0; i < N_RULES; i++)
        if (RULES[i].state_key != NULL && (RULES[i].key = PyUnicode_InternFromString(RULES[i].state_key)) == NULL)
            return NULL;
    PyObject *builtins = PyEval_GetBuiltins();
    py_round = builtins ? PyDict_GetItemString(builtins, "round") : NULL;
    if (py_round == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no builtin round");
        return NULL;
    }
    Py_INCREF(py_round);
    return PyModule_Create(&module_def);
}
