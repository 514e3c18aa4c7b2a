/* lytt.catalog._crows: `lytt.catalog.rows.episode_row` in C.
 *
 * `episode_row(episode)` gives what the Python function gives: an `EpisodeRow` (match key, field values,
 * people, content hash, slug base) for one parsed item, or None when the item has nothing to identify it
 * by. The crawler's parser processes turn every item of every changed feed into a row, and in Python the
 * cleaning of two dozen fields and the building of dicts and tuples around them cost as much as reading
 * the item from the XML (docs/benchmarks.md, "crawl").
 *
 * The Python module stays the definition. This file does natively only what is plain: strings (NULs
 * removed, whitespace stripped, cut to the column), integers within bounds, empty lists, ASCII slugs,
 * SHA-256 keys of guids. Everything else goes to the Python helper for that one value (person rows,
 * non-empty chapters and transcripts, a slug of a title that is not ASCII, the content hash itself), and
 * an item whose values are not of the types the model declares goes whole to the Python `episode_row`,
 * so the result is the same by construction. tests/catalog/test_crows.py compares the two on generated
 * items and on every test feed.
 */
#include "../_cext.h"

#include <stdlib.h>
#include <string.h>

/* -- configuration, set once by lytt.catalog.rows via configure() -------------------------------- */

static PyObject *py_episode_row;  /* rows._python_episode_row(episode): the definition, for odd items */
static PyObject *py_match_key;    /* rows.match_key(episode) */
static PyObject *py_content_hash; /* rows.content_hash(fields) */
static PyObject *py_person_rows;  /* rows.person_rows(persons) */
static PyObject *py_jsonable;     /* rows._jsonable(value) */
static PyObject *py_slug_base;    /* rows.slug_base(text, max_length, fallback) */
static PyObject *py_sha256;       /* hashlib.sha256 */
static PyObject *RowType;         /* rows.EpisodeRow */
static PyObject *extra_names;     /* rows._EPISODE_EXTRA */
static PyObject *unset_values;    /* rows._UNSET */
static unsigned char slug_table[256];
static unsigned char slug_dropped[256];

/* rows.EPISODE_FIELDS, in order: configure() checks that Python still has exactly these. */
enum {
    F_GUID,
    F_TITLE,
    F_LINK,
    F_PUBLISHED_AT,
    F_PUBLISHED_RAW,
    F_DURATION_SECONDS,
    F_ENCLOSURE_URL,
    F_ENCLOSURE_TYPE,
    F_ENCLOSURE_LENGTH,
    F_EPISODE_NUMBER,
    F_SEASON,
    F_EPISODE_TYPE,
    F_EXPLICIT,
    F_IMAGE_URL,
    F_DESCRIPTION_HTML,
    F_DESCRIPTION_TEXT,
    F_CHAPTERS_URL,
    F_CHAPTERS_TYPE,
    F_CHAPTERS,
    F_TRANSCRIPTS,
    F_SOUNDBITES,
    F_EXTRA,
    N_FIELDS
};
static const char *const FIELD_NAMES[N_FIELDS] = {
    "guid",          "title",          "link",          "published_at",     "published_raw",
    "duration_seconds", "enclosure_url", "enclosure_type", "enclosure_length", "episode_number",
    "season",        "episode_type",   "explicit",      "image_url",        "description_html",
    "description_text", "chapters_url", "chapters_type", "chapters",         "transcripts",
    "soundbites",    "extra",
};
static PyObject *field_keys[N_FIELDS];

#define INT32_MAX_ ((long long)2147483647)
#define INT64_MAX_ ((long long)9223372036854775807LL)
#define URL_MAX 2000
#define EPISODE_SLUG_MAX 120

/* Interned names and constant values. */
static PyObject *s_guid, *s_title, *s_link, *s_published, *s_published_raw, *s_duration_seconds;
static PyObject *s_enclosure, *s_url, *s_type, *s_length, *s_episode_number, *s_season, *s_episode_type;
static PyObject *s_explicit, *s_image, *s_description_html, *s_description_text, *s_chapters, *s_inline;
static PyObject *s_transcripts, *s_soundbites, *s_persons, *s_people, *s_hexdigest;
static PyObject *empty, *nul, *full, *untitled, *fallback_slug, *guid_prefix, *slug_max;

/* A step returns 0 when done, -1 on a Python error, ODD when the item goes whole to Python. */
#define ODD 1

/* -- values --------------------------------------------------------------------------------------- */

/* `value.replace("\x00", "")`, a new reference. */
static PyObject *without_nul(PyObject *value) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    Py_ssize_t at = PyUnicode_FindChar(value, 0, 0, n, 1);
    if (at == -2) return NULL;
    if (at == -1) return Py_NewRef(value);
    return PyUnicode_Replace(value, nul, empty, -1);
}

/* rows.clean(value, max_length). */
static int clean(PyObject *value, Py_ssize_t max_length, PyObject **out) {
    if (value == Py_None || (PyUnicode_CheckExact(value) && PyUnicode_GET_LENGTH(value) == 0)) {
        *out = Py_NewRef(empty);
        return 0;
    }
    if (!PyUnicode_CheckExact(value)) return ODD;
    PyObject *text = strip_steal(without_nul(value));
    if (text == NULL) return -1;
    if (PyUnicode_GET_LENGTH(text) > max_length) Py_SETREF(text, PyUnicode_Substring(text, 0, max_length));
    *out = text;
    return text == NULL ? -1 : 0;
}

/* rows.clean_url(value): "" when the URL is longer than the column. */
static int clean_url(PyObject *value, PyObject **out) {
    int rc = clean(value, URL_MAX + 1, out);
    if (rc == 0 && PyUnicode_GET_LENGTH(*out) > URL_MAX) Py_SETREF(*out, Py_NewRef(empty));
    return rc;
}

/* rows.clean_text(value). */
static int clean_text(PyObject *value, PyObject **out) {
    if (value == Py_None || (PyUnicode_CheckExact(value) && PyUnicode_GET_LENGTH(value) == 0)) {
        *out = Py_NewRef(empty);
        return 0;
    }
    if (!PyUnicode_CheckExact(value)) return ODD;
    *out = without_nul(value);
    return *out == NULL ? -1 : 0;
}

/* rows.bounded_int(value, low, high). */
static int bounded_int(PyObject *value, long long low, long long high, PyObject **out) {
    if (value == Py_None) {
        *out = Py_NewRef(Py_None);
        return 0;
    }
    if (!PyLong_CheckExact(value)) return ODD;
    int overflow = 0;
    long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (number == -1 && PyErr_Occurred()) return -1;
    *out = Py_NewRef(overflow || number < low || number > high ? Py_None : value);
    return 0;
}

/* rows._jsonable(value): strings, numbers and lists here, everything else in Python. */
static PyObject *jsonable(PyObject *value) {
    if (PyUnicode_CheckExact(value)) return without_nul(value);
    if (value == Py_None || PyLong_CheckExact(value) || PyFloat_CheckExact(value) || PyBool_Check(value))
        return Py_NewRef(value);
    if (!PyList_CheckExact(value) && !PyTuple_CheckExact(value)) return PyObject_CallOneArg(py_jsonable, value);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
    PyObject *items = PyList_New(n);
    if (items == NULL) return NULL;
    if (Py_EnterRecursiveCall(" in _crows.jsonable")) {
        Py_DECREF(items);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        /* (a list may change while Python code for one of its items runs: index it afresh each time, and
         * hold the item while it is converted) */
        if (i >= PySequence_Fast_GET_SIZE(value)) {
            PyErr_SetString(PyExc_RuntimeError, "a list changed while it was turned into JSON values");
            goto fail;
        }
        PyObject *held = Py_NewRef(PySequence_Fast_GET_ITEM(value, i));
        PyObject *item = jsonable(held);
        Py_DECREF(held);
        if (item == NULL) goto fail;
        PyList_SET_ITEM(items, i, item);
    }
    Py_LeaveRecursiveCall();
    return items;
fail:
    Py_LeaveRecursiveCall();
    Py_DECREF(items);
    return NULL;
}

/* Whether `value in rows._UNSET` (None, "", [], {}, False, and so 0). */
static int is_unset(PyObject *value) {
    if (value == Py_None) return 1;
    if (PyUnicode_CheckExact(value)) return PyUnicode_GET_LENGTH(value) == 0;
    if (PyList_CheckExact(value)) return PyList_GET_SIZE(value) == 0;
    if (PyDict_CheckExact(value)) return PyDict_GET_SIZE(value) == 0;
    if (PyBool_Check(value)) return value == Py_False;
    return PySequence_Contains(unset_values, value);
}

/* rows._extra(episode, rows._EPISODE_EXTRA). */
static PyObject *extra(PyObject *episode) {
    PyObject *out = PyDict_New();
    if (out == NULL) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(extra_names);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(extra_names, i);
        PyObject *value = PyObject_GetAttr(episode, name);
        if (value == NULL) goto fail;
        int unset = is_unset(value);
        PyObject *item = unset == 0 ? jsonable(value) : NULL;
        Py_DECREF(value);
        if (unset < 0 || (unset == 0 && item == NULL)) goto fail;
        if (item != NULL) {
            int rc = PyDict_SetItem(out, name, item);
            Py_DECREF(item);
            if (rc < 0) goto fail;
        }
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* The hex SHA-256 of `text`'s UTF-8 bytes (lone surrogates passed through), as rows._hash. */
static PyObject *sha256_hex(PyObject *text) {
    PyObject *data = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
    if (data == NULL) return NULL;
    PyObject *digest = PyObject_CallOneArg(py_sha256, data);
    Py_DECREF(data);
    if (digest == NULL) return NULL;
    PyObject *hex = PyObject_CallMethodNoArgs(digest, s_hexdigest);
    Py_DECREF(digest);
    return hex;
}

/* rows.match_key(episode): the guid's key here, the fallbacks (enclosure, title and date) in Python.
 * Sets *out to the key, or to None when the item has none. */
static int match_key(PyObject *episode, PyObject *guid, PyObject **out) {
    if (guid != Py_None && !PyUnicode_CheckExact(guid)) return ODD;
    if (guid != Py_None) {
        PyObject *stripped = strip_steal(Py_NewRef(guid));
        if (stripped == NULL) return -1;
        if (PyUnicode_GET_LENGTH(stripped) > 0) {
            PyObject *text = PyUnicode_Concat(guid_prefix, stripped);
            Py_DECREF(stripped);
            if (text == NULL) return -1;
            *out = sha256_hex(text);
            Py_DECREF(text);
            return *out == NULL ? -1 : 0;
        }
        Py_DECREF(stripped);
    }
    *out = PyObject_CallOneArg(py_match_key, episode);
    return *out == NULL ? -1 : 0;
}

/* rows.slug_base(title, EPISODE_SLUG_MAX, "episode"): `_slugify_ascii` here for an ASCII title (its
 * translation table comes from rows), then the cut at a word boundary. */
static PyObject *slug_base(PyObject *title) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(title);
    if (n == 0 || !PyUnicode_IS_ASCII(title))
        return PyObject_CallFunctionObjArgs(py_slug_base, title, slug_max, fallback_slug, NULL);
    const unsigned char *text = PyUnicode_1BYTE_DATA(title);
    char *buffer = PyMem_Malloc((size_t)n);
    if (buffer == NULL) return PyErr_NoMemory();
    /* "-".join(kept.split()): runs of whitespace between words become one "-" */
    Py_ssize_t length = 0;
    int gap = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = text[i];
        if (slug_dropped[c]) continue;
        c = slug_table[c];
        if (Py_UNICODE_ISSPACE(c)) {
            gap = length > 0;
            continue;
        }
        if (gap) buffer[length++] = '-';
        gap = 0;
        buffer[length++] = (char)c;
    }
    Py_ssize_t start = 0, end = length;
    while (start < end && (buffer[start] == '-' || buffer[start] == '_')) start++; /* .strip("-_") */
    while (end > start && (buffer[end - 1] == '-' || buffer[end - 1] == '_')) end--;
    if (end - start > EPISODE_SLUG_MAX) end = start + EPISODE_SLUG_MAX;
    if (end - start == EPISODE_SLUG_MAX) { /* cut at the last "-", if any */
        Py_ssize_t dash = end - 1;
        while (dash >= start && buffer[dash] != '-') dash--;
        if (dash >= start) end = dash;
    }
    while (start < end && buffer[start] == '-') start++; /* .strip("-") */
    while (end > start && buffer[end - 1] == '-') end--;
    PyObject *slug = end > start ? PyUnicode_DecodeASCII(buffer + start, end - start, "strict")
                                 : Py_NewRef(fallback_slug);
    PyMem_Free(buffer);
    return slug;
}

/* -- the row ---------------------------------------------------------------------------------------- */

typedef struct {
    PyObject *episode;
    PyObject *values[N_FIELDS];
    PyObject *key, *people, *digest, *slug;
} Row;

static void row_clear(Row *row) {
    for (int i = 0; i < N_FIELDS; i++) Py_CLEAR(row->values[i]);
    Py_CLEAR(row->key);
    Py_CLEAR(row->people);
    Py_CLEAR(row->digest);
    Py_CLEAR(row->slug);
}

/* `step(attribute of owner, ..., &values[field])` for the steps that take an attribute. */
#define FROM(owner, name, call)            \
    do {                                   \
        PyObject *value = PyObject_GetAttr(owner, name); \
        if (value == NULL) return -1;      \
        int rc_ = call;                    \
        Py_DECREF(value);                  \
        if (rc_) return rc_;               \
    } while (0)

/* The enclosure's values (`enclosure` may be None): URL, type, length. */
static int from_enclosure(Row *row, PyObject *enclosure) {
    int present = PyObject_IsTrue(enclosure);
    if (present < 0) return -1;
    if (!present) {
        row->values[F_ENCLOSURE_URL] = Py_NewRef(empty);
        row->values[F_ENCLOSURE_TYPE] = Py_NewRef(empty);
        row->values[F_ENCLOSURE_LENGTH] = Py_NewRef(Py_None);
        return 0;
    }
    FROM(enclosure, s_url, clean_url(value, &row->values[F_ENCLOSURE_URL]));
    FROM(enclosure, s_type, clean(value, 100, &row->values[F_ENCLOSURE_TYPE]));
    FROM(enclosure, s_length, bounded_int(value, 0, INT64_MAX_, &row->values[F_ENCLOSURE_LENGTH]));
    return 0;
}

/* The chapters' values (`chapters` may be None): URL, type, the inline chapters as JSON values. */
static int from_chapters(Row *row, PyObject *chapters) {
    int present = PyObject_IsTrue(chapters);
    if (present < 0) return -1;
    if (!present) {
        row->values[F_CHAPTERS_URL] = Py_NewRef(empty);
        row->values[F_CHAPTERS_TYPE] = Py_NewRef(empty);
        row->values[F_CHAPTERS] = PyList_New(0);
        return row->values[F_CHAPTERS] == NULL ? -1 : 0;
    }
    FROM(chapters, s_url, clean_url(value, &row->values[F_CHAPTERS_URL]));
    FROM(chapters, s_type, clean(value, 100, &row->values[F_CHAPTERS_TYPE]));
    FROM(chapters, s_inline, (row->values[F_CHAPTERS] = jsonable(value)) == NULL ? -1 : 0);
    return 0;
}

/* `clean(title) or published_raw or "Untitled episode"`, `published_raw` already cleaned. */
static int title_of(Row *row, PyObject *title) {
    int rc = clean(title, 1000, &row->values[F_TITLE]);
    if (rc || PyUnicode_GET_LENGTH(row->values[F_TITLE]) > 0) return rc;
    PyObject *raw = row->values[F_PUBLISHED_RAW];
    Py_SETREF(row->values[F_TITLE], Py_NewRef(PyUnicode_GET_LENGTH(raw) > 0 ? raw : untitled));
    return 0;
}

/* `value or default`. */
static int or_default(PyObject *value, PyObject *fallback, PyObject **out) {
    int truth = PyObject_IsTrue(value);
    if (truth < 0) return -1;
    *out = Py_NewRef(truth ? value : fallback);
    return 0;
}

static int fields(Row *row) {
    PyObject *e = row->episode;
    PyObject **v = row->values;
    FROM(e, s_guid, clean(value, 2000, &v[F_GUID]));
    FROM(e, s_published_raw, clean(value, 200, &v[F_PUBLISHED_RAW]));
    FROM(e, s_title, title_of(row, value));
    FROM(e, s_link, clean_url(value, &v[F_LINK]));
    if ((v[F_PUBLISHED_AT] = PyObject_GetAttr(e, s_published)) == NULL) return -1;
    FROM(e, s_duration_seconds, bounded_int(value, 0, INT32_MAX_, &v[F_DURATION_SECONDS]));
    FROM(e, s_enclosure, from_enclosure(row, value));
    FROM(e, s_episode_number, bounded_int(value, -INT32_MAX_, INT32_MAX_, &v[F_EPISODE_NUMBER]));
    FROM(e, s_season, bounded_int(value, -INT32_MAX_, INT32_MAX_, &v[F_SEASON]));
    FROM(e, s_episode_type, or_default(value, full, &v[F_EPISODE_TYPE]));
    if ((v[F_EXPLICIT] = PyObject_GetAttr(e, s_explicit)) == NULL) return -1;
    FROM(e, s_image, clean_url(value, &v[F_IMAGE_URL]));
    FROM(e, s_description_html, clean_text(value, &v[F_DESCRIPTION_HTML]));
    FROM(e, s_description_text, clean_text(value, &v[F_DESCRIPTION_TEXT]));
    FROM(e, s_chapters, from_chapters(row, value));
    FROM(e, s_transcripts, (v[F_TRANSCRIPTS] = jsonable(value)) == NULL ? -1 : 0);
    FROM(e, s_soundbites, (v[F_SOUNDBITES] = jsonable(value)) == NULL ? -1 : 0);
    return (v[F_EXTRA] = extra(e)) == NULL ? -1 : 0;
}

static int people(Row *row) {
    PyObject *persons = PyObject_GetAttr(row->episode, s_persons);
    if (persons == NULL) return -1;
    if (PyList_CheckExact(persons) && PyList_GET_SIZE(persons) == 0)
        row->people = PyList_New(0);
    else
        row->people = PyObject_CallOneArg(py_person_rows, persons);
    Py_DECREF(persons);
    return row->people == NULL ? -1 : 0;
}

/* rows.content_hash({**fields, "people": people}). */
static int digest(Row *row) {
    PyObject *hashed = PyDict_New();
    if (hashed == NULL) return -1;
    for (int i = 0; i < N_FIELDS; i++)
        if (PyDict_SetItem(hashed, field_keys[i], row->values[i]) < 0) goto fail;
    if (PyDict_SetItem(hashed, s_people, row->people) < 0) goto fail;
    row->digest = PyObject_CallOneArg(py_content_hash, hashed);
    Py_DECREF(hashed);
    return row->digest == NULL ? -1 : 0;
fail:
    Py_DECREF(hashed);
    return -1;
}

/* The row, with `row->key` set; ODD when Python must make it. */
static int build(Row *row) {
    int rc = fields(row);
    if (rc) return rc;
    if (people(row) < 0 || digest(row) < 0) return -1;
    row->slug = slug_base(row->values[F_TITLE]);
    return row->slug == NULL ? -1 : 0;
}

static PyObject *episode_row(PyObject *module, PyObject *episode) {
    (void)module;
    if (RowType == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lytt.catalog._crows is not configured");
        return NULL;
    }
    Row row = {episode, {NULL}, NULL, NULL, NULL, NULL};
    PyObject *guid = PyObject_GetAttr(episode, s_guid);
    if (guid == NULL) return NULL;
    int rc = match_key(episode, guid, &row.key);
    Py_DECREF(guid);
    if (rc == 0 && row.key == Py_None) {
        row_clear(&row);
        Py_RETURN_NONE;
    }
    if (rc == 0) rc = build(&row);
    if (rc) {
        row_clear(&row);
        return rc == ODD ? PyObject_CallOneArg(py_episode_row, episode) : NULL;
    }
    PyObject *values = PyTuple_New(N_FIELDS);
    if (values == NULL) {
        row_clear(&row);
        return NULL;
    }
    for (int i = 0; i < N_FIELDS; i++) {
        PyTuple_SET_ITEM(values, i, row.values[i]);
        row.values[i] = NULL;
    }
    PyObject *args[] = {row.key, values, row.people, row.digest, row.slug};
    PyObject *result = PyObject_Vectorcall(RowType, args, 5, NULL);
    Py_DECREF(values);
    row_clear(&row);
    return result;
}

/* -- configuration ------------------------------------------------------------------------------- */

static int check_fields(PyObject *names) {
    if (!PyTuple_Check(names) || PyTuple_GET_SIZE(names) != N_FIELDS) goto wrong;
    for (int i = 0; i < N_FIELDS; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (!PyUnicode_Check(name) || PyUnicode_CompareWithASCIIString(name, FIELD_NAMES[i]) != 0) goto wrong;
    }
    return 0;
wrong:
    PyErr_SetString(PyExc_TypeError, "rows.EPISODE_FIELDS is not the list _crows.c was written for");
    return -1;
}

static PyObject *configure(PyObject *module, PyObject *args, PyObject *kwargs) {
    (void)module;
    static char *names[] = {"python_row", "match_key", "content_hash", "person_rows", "jsonable",
                            "slug_base", "sha256", "row_type", "fields", "extra", "unset",
                            "slug_table", "slug_dropped", NULL};
    PyObject *row, *key, *hash, *persons, *json, *slug, *sha, *type, *fields_, *extra_, *unset;
    Py_buffer table, dropped;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOOOOOO!O!y*y*", names, &row, &key, &hash, &persons,
                                     &json, &slug, &sha, &type, &fields_, &PyTuple_Type, &extra_,
                                     &PyTuple_Type, &unset, &table, &dropped))
        return NULL;
    PyObject *result = NULL;
    if (check_fields(fields_) < 0) goto done;
    if (table.len != 256) {
        PyErr_SetString(PyExc_ValueError, "slug_table must be 256 bytes");
        goto done;
    }
    for (Py_ssize_t i = 0; i < 256; i++) {
        unsigned char c = ((const unsigned char *)table.buf)[i];
        if (i < 128 && c >= 128) {
            PyErr_SetString(PyExc_ValueError, "slug_table must map ASCII to ASCII");
            goto done;
        }
        slug_table[i] = c;
    }
    memset(slug_dropped, 0, sizeof(slug_dropped));
    for (Py_ssize_t i = 0; i < dropped.len; i++) slug_dropped[((const unsigned char *)dropped.buf)[i]] = 1;
    Py_XSETREF(py_episode_row, Py_NewRef(row));
    Py_XSETREF(py_match_key, Py_NewRef(key));
    Py_XSETREF(py_content_hash, Py_NewRef(hash));
    Py_XSETREF(py_person_rows, Py_NewRef(persons));
    Py_XSETREF(py_jsonable, Py_NewRef(json));
    Py_XSETREF(py_slug_base, Py_NewRef(slug));
    Py_XSETREF(py_sha256, Py_NewRef(sha));
    Py_XSETREF(extra_names, Py_NewRef(extra_));
    Py_XSETREF(unset_values, Py_NewRef(unset));
    Py_XSETREF(RowType, Py_NewRef(type));
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&table);
    PyBuffer_Release(&dropped);
    return result;
}

static PyMethodDef methods[] = {
    {"episode_row", episode_row, METH_O, "episode_row(episode) -> EpisodeRow | None: rows.episode_row in C."},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "configure(...): the Python helpers, class and tables the C code defers to or uses."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, .m_name = "_crows", .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__crows(void) {
    static const InternedName strings[] = {
        {&s_guid, "guid"},
        {&s_title, "title"},
        {&s_link, "link"},
        {&s_published, "published"},
        {&s_published_raw, "published_raw"},
        {&s_duration_seconds, "duration_seconds"},
        {&s_enclosure, "enclosure"},
        {&s_url, "url"},
        {&s_type, "type"},
        {&s_length, "length"},
        {&s_episode_number, "episode_number"},
        {&s_season, "season"},
        {&s_episode_type, "episode_type"},
        {&s_explicit, "explicit"},
        {&s_image, "image"},
        {&s_description_html, "description_html"},
        {&s_description_text, "description_text"},
        {&s_chapters, "chapters"},
        {&s_inline, "inline"},
        {&s_transcripts, "transcripts"},
        {&s_soundbites, "soundbites"},
        {&s_persons, "persons"},
        {&s_people, "people"},
        {&s_hexdigest, "hexdigest"},
        {&empty, ""},
        {&full, "full"},
        {&untitled, "Untitled episode"},
        {&fallback_slug, "episode"},
    };
    if (intern_names(strings, sizeof(strings) / sizeof(strings[0])) < 0) return NULL;
    for (int i = 0; i < N_FIELDS; i++)
        if ((field_keys[i] = PyUnicode_InternFromString(FIELD_NAMES[i])) == NULL) return NULL;
    nul = PyUnicode_FromStringAndSize("\0", 1);
    guid_prefix = PyUnicode_FromStringAndSize("g\0", 2);
    slug_max = PyLong_FromLong(EPISODE_SLUG_MAX);
    if (nul == NULL || guid_prefix == NULL || slug_max == NULL) return NULL;
    return PyModule_Create(&module_def);
}
