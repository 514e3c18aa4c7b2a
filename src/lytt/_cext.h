/* Helpers shared by Lytt's C extensions (the _c*.c files under src/lytt), included by each: every
 * extension is compiled on its own from its one .c file (hatch_build.py). */
#ifndef LYTT_CEXT_H
#define LYTT_CEXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* str.strip(), without a method call when there is nothing to strip. Steals `s`; NULL passes through. */
static inline PyObject *strip_steal(PyObject *s) {
    if (s == NULL) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n == 0) return s;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0)) &&
        !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, n - 1)))
        return s;
    PyObject *stripped = PyObject_CallMethod(s, "strip", NULL);
    Py_DECREF(s);
    return stripped;
}

/* A string a module keeps interned, and where. */
typedef struct {
    PyObject **slot;
    const char *text;
} InternedName;

/* Interns each of `names` into its slot; -1 with an error when one fails. */
static inline int intern_names(const InternedName *names, size_t count) {
    for (size_t i = 0; i < count; i++) {
        *names[i].slot = PyUnicode_InternFromString(names[i].text);
        if (*names[i].slot == NULL) return -1;
    }
    return 0;
}

#endif
