/* lytt.feeds._cdates: the RFC 822 fast path of `lytt.feeds.dates.parse_date` in C.
 *
 * `rfc822(text)` gives what `_strict(_RFC822_STRICT.fullmatch(text))` gives when that is a datetime: for
 * "Tue, 21 May 2024 10:00:00 +0200" and "... GMT" exactly (English month, four-digit year), the moment
 * in UTC. For anything else, or a value `_strict` turns down (a day the month does not have, an offset
 * out of range, a year outside MIN_YEAR..MAX_YEAR, which configure() hands over), it returns None and
 * dates.py goes on as it would without it, so the answer is the same by construction. Nearly every item
 * of a podcast feed has such a date; the regular expression, six int() calls and the datetime took a
 * seventh of reading the item. tests/feeds/test_dates.py compares the two.
 */
#include "../_cext.h"
#include <datetime.h>

static long min_year = 1970, max_year = 2100;

static const char *const MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int upper(char c) { return c >= 'A' && c <= 'Z'; }
static int lower(char c) { return c >= 'a' && c <= 'z'; }

/* The number in s[0..n), all digits (checked by the caller). */
static long number(const char *s, int n) {
    long value = 0;
    for (int i = 0; i < n; i++) value = value * 10 + (s[i] - '0');
    return value;
}

/* The `datetime` for the fields, moved back by `offset` minutes; None when Python's `_strict` would not
 * give one (its constructor or the subtraction failing, or the year out of bounds). */
static PyObject *moment(long year, int month, long day, long hour, long minute, long second, int offset) {
    PyObject *result = PyDateTimeAPI->DateTime_FromDateAndTime((int)year, month, (int)day, (int)hour,
                                                               (int)minute, (int)second, 0,
                                                               PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
    if (result != NULL && offset != 0) {
        PyObject *delta = PyDelta_FromDSU(0, offset * 60, 0);
        PyObject *moved = delta != NULL ? PyNumber_Subtract(result, delta) : NULL;
        Py_XDECREF(delta);
        Py_SETREF(result, moved);
    }
    if (result == NULL) {
        /* Python raises or returns None here: its own path decides which, as before */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    long y = PyDateTime_GET_YEAR(result);
    if (y < min_year || y > max_year) {
        Py_DECREF(result);
        Py_RETURN_NONE;
    }
    return result;
}

static PyObject *rfc822(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "rfc822() needs a str");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const char *s = (const char *)PyUnicode_1BYTE_DATA(arg);
    const char *end = s + n;
    /* (?:[A-Z][a-z]{2}, )? */
    if (n >= 5 && upper(s[0]) && lower(s[1]) && lower(s[2]) && s[3] == ',' && s[4] == ' ') s += 5;
    /* (\d{1,2}) followed by " " */
    int day_digits = (end - s >= 1 && is_digit(s[0])) ? ((end - s >= 2 && is_digit(s[1])) ? 2 : 1) : 0;
    if (day_digits == 0) Py_RETURN_NONE;
    long day = number(s, day_digits);
    s += day_digits;
    /* " Mon 2024 10:00:00 " is 19 characters, then the zone */
    if (end - s < 19 + 1 || s[0] != ' ' || s[4] != ' ' || s[9] != ' ' || s[12] != ':' || s[15] != ':' ||
        s[18] != ' ')
        Py_RETURN_NONE;
    int month = 0;
    if (upper(s[1]) && lower(s[2]) && lower(s[3]))
        for (int i = 0; i < 12 && month == 0; i++)
            if (memcmp(s + 1, MONTHS[i], 3) == 0) month = i + 1;
    if (month == 0) Py_RETURN_NONE;
    const int at[] = {5, 6, 7, 8, 10, 11, 13, 14, 16, 17};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
        if (!is_digit(s[at[i]])) Py_RETURN_NONE;
    long year = number(s + 5, 4), hour = number(s + 10, 2), minute = number(s + 13, 2),
         second = number(s + 16, 2);
    const char *zone = s + 19;
    Py_ssize_t zone_length = end - zone;
    int offset = 0;
    if (zone_length == 5 && (zone[0] == '+' || zone[0] == '-')) {
        for (int i = 1; i < 5; i++)
            if (!is_digit(zone[i])) Py_RETURN_NONE;
        long hours = number(zone + 1, 2), minutes = number(zone + 3, 2);
        if (hours > 18 || minutes > 59) Py_RETURN_NONE;
        offset = (int)(hours * 60 + minutes) * (zone[0] == '-' ? -1 : 1);
    } else if (!((zone_length == 3 && (memcmp(zone, "GMT", 3) == 0 || memcmp(zone, "UTC", 3) == 0)) ||
                 (zone_length == 2 && memcmp(zone, "UT", 2) == 0) || (zone_length == 1 && zone[0] == 'Z'))) {
        Py_RETURN_NONE;
    }
    return moment(year, month, day, hour, minute, second, offset);
}

static PyObject *configure(PyObject *module, PyObject *args, PyObject *kwargs) {
    (void)module;
    static char *names[] = {"min_year", "max_year", NULL};
    long low, high;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ll", names, &low, &high)) return NULL;
    min_year = low;
    max_year = high;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"rfc822", rfc822, METH_O, "rfc822(text) -> datetime | None: dates.py's strict RFC 822 path in C."},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "configure(min_year, max_year): the years dates.py accepts."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, .m_name = "_cdates", .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__cdates(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    return PyModule_Create(&module_def);
}
