/* adcli._cjson: a wide program's JSON in and out, in C (the success path of the common case),
 * and its point bound onto the tape (scatter: Program.bind's in-order case without a dict).
 *
 * point(text, arrays=False): an --at document that is a flat object of plain names to numbers,
 *   {"x0": 0.5, "x1": -2, ...} (with `arrays`, also to arrays of numbers, nested), read into the
 *   dict json.loads(text, parse_int=float) makes (the same keys in the same order, a later
 *   duplicate winning, each number float(token): the correctly rounded double,
 *   PyOS_string_to_double's or glibc strtod's).  Every key is [A-Za-z_][A-Za-z0-9_]* (an
 *   identifier).  None on anything else (another key, an array unless asked for, a string,
 *   true/false/null, NaN, a number too large for a double, non-ASCII text, invalid JSON): the
 *   caller then reads it with json, which gives the same dict or the error message.  No key
 *   memo, no substring per number: about half json.loads' work per binding.
 *
 * dumps(obj): environment.dumps' text (json.dumps') of a large value made of dicts with plain
 *   keys, lists, finite floats, ints, booleans and None; None for anything else.
 *
 * gradient(value, inputs, adjoint): the text environment.dumps_gradient writes for
 *   {"value": value, "gradient": {name: adjoint[node] for name, node in inputs.items()}}, i.e.
 *   json.dumps' very bytes (float.__repr__'s, by float_repr.h's put_float: Grisu3, or
 *   PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0) where Grisu3 declines), into one
 *   buffer: no float, str or list per input.  None where
 *   dumps_gradient would say None (a key JSON would escape, a value not finite, no inputs) or
 *   where the arguments are not as expected (no buffer of doubles, a node outside it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dictslot.h"

#include "float_repr.h" /* put_float: repr(x), by Grisu3 or else dtoa */

#define NUMBER_MAX 400 /* longer number tokens go to json (float() reads them the same) */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_name(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* The end of the JSON number token at p (RFC 8259 grammar), or NULL if there is none. */
static const char *number_end(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p >= end || !is_digit(*p))
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < end && is_digit(*p))
            p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    return p;
}

/* One binding's number: its float, or -1 (no error set) where json must read it.  `glibc`:
 * whether glibc's strtod may read it (the rounding mode is to nearest). */
static int read_number(const char *p, const char *q, double *out, int glibc)
{
    char buf[NUMBER_MAX + 1];
    Py_ssize_t len = q - p;
    if (len > NUMBER_MAX)
        return -1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *stop = NULL;
    double x;
#ifdef __GLIBC__
    /* glibc's strtod rounds correctly too (so the same double as Python's dtoa), at about twice
     * its speed; the token is JSON's grammar already, and a locale whose decimal point is not
     * '.' stops it short, which sends the document to json. */
    if (glibc)
        x = strtod(buf, &stop);
    else
#else
    (void)glibc;
#endif
        x = PyOS_string_to_double(buf, &stop, NULL);
    if (x == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    if (stop != buf + len || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

#define SKIP_SPACE()                                                                          \
    while (p < end && is_space(*p))                                                           \
    p++

/* After a value in an array or an object: 1 at a ',' (*at past it and the space after: another
 * value follows), 0 at `closer` (*at past it), -1 at anything else. */
static int next_item(const char **at, const char *end, char closer)
{
    const char *p = *at;
    SKIP_SPACE();
    if (p < end && *p == ',') {
        p++;
        SKIP_SPACE();
        *at = p;
        return 1;
    }
    if (p < end && *p == closer) {
        *at = p + 1;
        return 0;
    }
    return -1;
}

#define ARRAY_DEPTH_MAX 32 /* deeper arrays go to json */

static PyObject *read_value(const char **at, const char *end, int glibc, int depth, int arrays,
                            int *declined);

/* The JSON array at *p (a '['), of numbers or arrays of them, as json.loads(parse_int=float)
 * makes it: a list of floats (or of such lists); *p moved past it.  NULL with *declined set where
 * json must read it (anything else in it, a number not finite, too deep), or with an error. */
static PyObject *read_array(const char **at, const char *end, int glibc, int depth, int *declined)
{
    const char *p = *at + 1;
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    if (depth >= ARRAY_DEPTH_MAX)
        goto decline;
    SKIP_SPACE();
    if (p < end && *p == ']') {
        *at = p + 1;
        return list;
    }
    for (;;) {
        PyObject *item = read_value(&p, end, glibc, depth + 1, 1, declined);
        if (item == NULL)
            goto fail;
        int failed = PyList_Append(list, item);
        Py_DECREF(item);
        if (failed)
            goto fail;
        int more = next_item(&p, end, ']');
        if (more > 0)
            continue;
        if (more == 0) {
            *at = p;
            return list;
        }
        goto decline;
    }
decline:
    *declined = 1;
fail:
    Py_DECREF(list);
    return NULL;
}

/* The number at *at as a float, or (`arrays`) the array there as read_array reads it; *at moved
 * past it.  NULL with *declined set where json must read it, or with an error. */
static PyObject *read_value(const char **at, const char *end, int glibc, int depth, int arrays,
                            int *declined)
{
    if (arrays && *at < end && **at == '[')
        return read_array(at, end, glibc, depth, declined);
    const char *q = number_end(*at, end);
    double x;
    if (q == NULL || read_number(*at, q, &x, glibc) < 0) {
        *declined = 1;
        return NULL;
    }
    *at = q;
    return PyFloat_FromDouble(x);
}

/* The oldest binding read but not yet put (names[*put % PREFETCH_LAG]) put into the dict; -1
 * on error. */
static int put_one(PyObject *dict, PyObject **names, PyObject **numbers, Py_ssize_t *put)
{
    Py_ssize_t k = (*put)++ % PREFETCH_LAG;
    int status = PyDict_SetItem(dict, names[k], numbers[k]);
    Py_DECREF(names[k]);
    Py_DECREF(numbers[k]);
    return status;
}

/* Let go of the bindings read but not put. */
static void drop(PyObject **names, PyObject **numbers, Py_ssize_t put, Py_ssize_t read)
{
    for (; put < read; put++) {
        Py_DECREF(names[put % PREFETCH_LAG]);
        Py_DECREF(numbers[put % PREFETCH_LAG]);
    }
}

PyDoc_STRVAR(point_doc,
"point(text, arrays=False) -> dict | None\n\n"
"json.loads(text, parse_int=float) of a flat object of plain names to finite numbers (or, with\n"
"arrays, to arrays of them, nested); None for anything else (the caller reads it with json).");

static PyObject *point(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *text;
    int arrays = 0;
    if (!PyArg_ParseTuple(args, "O|p:point", &text, &arrays))
        return NULL;
    if (!PyUnicode_Check(text) || PyUnicode_READY(text) < 0 || !PyUnicode_IS_ASCII(text))
        Py_RETURN_NONE;
    const char *p = (const char *)PyUnicode_DATA(text);
    const char *end = p + PyUnicode_GET_LENGTH(text);
    int glibc = fegetround() == FE_TONEAREST;
    /* Not _PyDict_NewPresized: its table is the general kind (a third larger than json.loads'
     * str-keyed one, and slower to look names up in later), and it is capped at 2^17 slots. */
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    /* A binding is put into the dict once PREFETCH_LAG - 1 more are read, its slot prefetched
     * when it was read: a 250,000-name dict's slots are cache misses otherwise. */
    PyObject *names[PREFETCH_LAG], *numbers[PREFETCH_LAG];
    Py_ssize_t read = 0, put = 0;
    int declined = 0; /* a value json must read (bail), not an error (fail) */
    SKIP_SPACE();
    if (p >= end || *p++ != '{')
        goto bail;
    SKIP_SPACE();
    if (p < end && *p == '}') {
        p++;
        goto done;
    }
    for (;;) {
        if (p >= end || *p++ != '"')
            goto bail;
        const char *key = p;
        while (p < end && is_name(*p))
            p++;
        if (p == key || is_digit(*key) || p >= end || *p != '"')
            goto bail;
        Py_ssize_t len = p - key;
        p++;
        SKIP_SPACE();
        if (p >= end || *p++ != ':')
            goto bail;
        SKIP_SPACE();
        PyObject *number = read_value(&p, end, glibc, 0, arrays, &declined);
        if (number == NULL)
            goto bail_or_fail;
        PyObject *name = PyUnicode_New(len, 127);
        if (name == NULL || number == NULL) {
            Py_XDECREF(name);
            Py_XDECREF(number);
            goto fail;
        }
        memcpy(PyUnicode_DATA(name), key, len);
        PREFETCH_SLOT(out, PyObject_Hash(name)); /* a str's hash cannot fail */
        names[read % PREFETCH_LAG] = name;
        numbers[read % PREFETCH_LAG] = number;
        read++;
        if (read - put == PREFETCH_LAG && put_one(out, names, numbers, &put) < 0)
            goto fail;
        int more = next_item(&p, end, '}');
        if (more > 0)
            continue;
        if (more == 0)
            break;
        goto bail;
    }
done:
    SKIP_SPACE();
    if (p != end)
        goto bail;
    while (put < read)
        if (put_one(out, names, numbers, &put) < 0)
            goto fail;
    return out;
bail_or_fail:
    if (!declined)
        goto fail;
bail:
    drop(names, numbers, put, read);
    Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    drop(names, numbers, put, read);
    Py_DECREF(out);
    return NULL;
}

#define PUT(s) (memcpy(out, s, sizeof(s) - 1), out += sizeof(s) - 1)

/* A key json.dumps writes as it is between quotes: printable ASCII, no quote or backslash. */
static int plain(PyObject *key)
{
    if (!PyUnicode_CheckExact(key) || PyUnicode_READY(key) < 0 || !PyUnicode_IS_ASCII(key))
        return 0;
    const unsigned char *s = PyUnicode_DATA(key);
    for (Py_ssize_t k = 0, n = PyUnicode_GET_LENGTH(key); k < n; k++)
        if (s[k] < 0x20 || s[k] > 0x7e || s[k] == '"' || s[k] == '\\')
            return 0;
    return 1;
}

/* Whether a buffer holds C doubles (an array('d'), the sweeps' arrays). */
static int doubles(const Py_buffer *view)
{
    return view->itemsize == sizeof(double) && view->format && strcmp(view->format, "d") == 0;
}

PyDoc_STRVAR(gradient_doc,
"gradient(value, inputs, adjoint) -> str | None\n\n"
"dumps({\"value\": value, \"gradient\": {name: adjoint[node] for name, node in inputs.items()}})\n"
"as environment.dumps_gradient writes it; None where that cannot be promised.");

static PyObject *gradient(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *value, *inputs, *o_adjoint;
    if (!PyArg_ParseTuple(args, "OOO:gradient", &value, &inputs, &o_adjoint))
        return NULL;
    if (!PyFloat_CheckExact(value) || !isfinite(PyFloat_AS_DOUBLE(value))
        || !PyDict_CheckExact(inputs) || PyDict_GET_SIZE(inputs) == 0)
        Py_RETURN_NONE;
    Py_buffer view;
    if (PyObject_GetBuffer(o_adjoint, &view, PyBUF_FORMAT) < 0) {
        PyErr_Clear(); /* not an array('d') (a list from the Python sweep): dumps_gradient's */
        Py_RETURN_NONE;
    }
    PyObject *result = NULL, *key, *node;
    Py_ssize_t n = view.len / (Py_ssize_t)sizeof(double), pos = 0, size = 40 + FLOAT_MAX;
    const double *adjoint = view.buf;
    if (!doubles(&view))
        goto none;
    /* First the checks and the length it can take at most, then the text, in place. */
    while (PyDict_Next(inputs, &pos, &key, &node)) {
        if (!plain(key) || !PyLong_CheckExact(node))
            goto none;
        Py_ssize_t i = PyLong_AsSsize_t(node);
        if (i == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            goto none;
        }
        if (i < 0 || i >= n || !isfinite(adjoint[i]))
            goto none;
        size += PyUnicode_GET_LENGTH(key) + 6 + FLOAT_MAX;
    }
    result = PyUnicode_New(size, 127);
    if (result == NULL)
        goto done;
    char *start = PyUnicode_DATA(result), *out = start;
    PUT("{\"value\": ");
    if ((out = put_float(out, PyFloat_AS_DOUBLE(value))) == NULL)
        goto fail;
    PUT(", \"gradient\": {");
    pos = 0;
    for (int first = 1; PyDict_Next(inputs, &pos, &key, &node); first = 0) {
        if (!first)
            PUT(", ");
        PUT("\"");
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        memcpy(out, PyUnicode_DATA(key), len);
        out += len;
        PUT("\": ");
        if ((out = put_float(out, adjoint[PyLong_AsSsize_t(node)])) == NULL)
            goto fail;
    }
    PUT("}}");
    *out = '\0';
    if (PyUnicode_Resize(&result, out - start) < 0)
        goto fail;
    goto done;
fail:
    Py_CLEAR(result);
    goto done;
none:
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&view);
    return result;
}

PyDoc_STRVAR(scatter_doc,
"scatter(values, inputs, point) -> bool\n\n"
"values[node] = point[name] for each (name, node) of inputs, where point names the very inputs\n"
"in their order with floats (Program.bind's in-order case, without its dict of node -> value);\n"
"False, having written some or none, for anything else (the caller binds by Program.bind).");

static PyObject *scatter(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o_values, *inputs, *point, *name, *node, *key, *number;
    if (!PyArg_ParseTuple(args, "OO!O!:scatter", &o_values, &PyDict_Type, &inputs, &PyDict_Type,
                          &point))
        return NULL;
    if (PyDict_GET_SIZE(inputs) != PyDict_GET_SIZE(point))
        Py_RETURN_FALSE;
    Py_buffer view;
    if (PyObject_GetBuffer(o_values, &view, PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return NULL;
    int ok = doubles(&view);
    double *values = view.buf;
    Py_ssize_t n = view.len / (Py_ssize_t)sizeof(double), i = 0, j = 0;
    while (ok && PyDict_Next(inputs, &i, &name, &node)) {
        if (!PyDict_Next(point, &j, &key, &number) || !PyFloat_CheckExact(number)
            || !PyLong_CheckExact(node) || !PyUnicode_CheckExact(key)) {
            ok = 0;
            break;
        }
        if (key != name) {
            int same = PyUnicode_Compare(key, name);
            if (same != 0) {
                if (same == -1 && PyErr_Occurred())
                    PyErr_Clear();
                ok = 0;
                break;
            }
        }
        Py_ssize_t at = PyLong_AsSsize_t(node);
        if (at < 0 || at >= n) {
            PyErr_Clear();
            ok = 0;
            break;
        }
        values[at] = PyFloat_AS_DOUBLE(number);
    }
    PyBuffer_Release(&view);
    return PyBool_FromLong(ok);
}

PyDoc_STRVAR(finite_doc,
"finite(adjoint, inputs) -> bool | None\n\n"
"Whether adjoint[node] is finite for every node of inputs (name -> node); None where the\n"
"arguments are not as expected (the caller checks in Python).");

static PyObject *all_finite(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o_adjoint, *inputs, *name, *node;
    if (!PyArg_ParseTuple(args, "OO!:finite", &o_adjoint, &PyDict_Type, &inputs))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(o_adjoint, &view, PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    int ok = doubles(&view);
    const double *adjoint = view.buf;
    Py_ssize_t n = view.len / (Py_ssize_t)sizeof(double), pos = 0;
    int all = 1;
    while (ok && all && PyDict_Next(inputs, &pos, &name, &node)) {
        Py_ssize_t at = PyLong_CheckExact(node) ? PyLong_AsSsize_t(node) : -1;
        if (at < 0 || at >= n) {
            PyErr_Clear();
            ok = 0;
        } else {
            all = isfinite(adjoint[at]);
        }
    }
    PyBuffer_Release(&view);
    if (!ok)
        Py_RETURN_NONE;
    return PyBool_FromLong(all);
}

/* dumps(obj): environment.dumps' JSON of the values _small_json takes, without its budget ----- */
typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} Out;

/* Room for `more` bytes at o->buf + o->len; -1 (MemoryError set) if there is none to be had. */
static int reserve(Out *o, Py_ssize_t more)
{
    if (o->len + more <= o->cap)
        return 0;
    Py_ssize_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + more) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    char *buf = PyMem_Realloc(o->buf, (size_t)cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->buf = buf;
    o->cap = cap;
    return 0;
}

static int put(Out *o, const char *s, Py_ssize_t n)
{
    if (reserve(o, n) < 0)
        return -1;
    memcpy(o->buf + o->len, s, (size_t)n);
    o->len += n;
    return 0;
}

#define DEPTH_MAX 100 /* deeper than any shaped gradient; json.dumps writes the rest */

/* obj written as json.dumps(obj) writes it: 1; 0 where that is not promised here (another type,
 * a key JSON would escape, a number that is not finite, too deep); -1 on an error (set). */
static int put_value(Out *o, PyObject *obj, int depth)
{
    if (depth > DEPTH_MAX)
        return 0;
    if (PyFloat_CheckExact(obj)) {
        double x = PyFloat_AS_DOUBLE(obj);
        if (!isfinite(x))
            return 0; /* json.dumps(allow_nan=False) says what is wrong */
        if (reserve(o, FLOAT_MAX) < 0)
            return -1;
        char *end = put_float(o->buf + o->len, x);
        if (end == NULL)
            return -1;
        o->len = end - o->buf;
        return 1;
    }
    if (PyList_CheckExact(obj)) {
        if (put(o, "[", 1) < 0)
            return -1;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(obj); k++) {
            if (k && put(o, ", ", 2) < 0)
                return -1;
            int done = put_value(o, PyList_GET_ITEM(obj, k), depth + 1);
            if (done <= 0)
                return done;
        }
        return put(o, "]", 1) < 0 ? -1 : 1;
    }
    if (PyDict_CheckExact(obj)) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        if (put(o, "{", 1) < 0)
            return -1;
        for (int first = 1; PyDict_Next(obj, &pos, &key, &value); first = 0) {
            if (!plain(key))
                return 0;
            Py_ssize_t n = PyUnicode_GET_LENGTH(key);
            if ((!first && put(o, ", ", 2) < 0) || put(o, "\"", 1) < 0 ||
                put(o, PyUnicode_DATA(key), n) < 0 || put(o, "\": ", 3) < 0)
                return -1;
            int done = put_value(o, value, depth + 1);
            if (done <= 0)
                return done;
        }
        return put(o, "}", 1) < 0 ? -1 : 1;
    }
    if (PyLong_CheckExact(obj)) { /* int.__repr__, as json.dumps writes an int */
        PyObject *text = PyObject_Repr(obj);
        if (text == NULL) { /* more digits than int's limit: json.dumps raises its own error */
            PyErr_Clear();
            return 0;
        }
        int failed = put(o, PyUnicode_AsUTF8(text), PyUnicode_GET_LENGTH(text)) < 0;
        Py_DECREF(text);
        return failed ? -1 : 1;
    }
    if (obj == Py_None)
        return put(o, "null", 4) < 0 ? -1 : 1;
    if (obj == Py_True)
        return put(o, "true", 4) < 0 ? -1 : 1;
    if (obj == Py_False)
        return put(o, "false", 5) < 0 ? -1 : 1;
    return 0;
}

PyDoc_STRVAR(dumps_doc,
"dumps(obj) -> str | None\n\n"
"json.dumps(obj)'s very text where obj is made of dicts with plain ASCII string keys, lists,\n"
"finite floats, ints, booleans and None (environment._small_json's values, of any size);\n"
"None for anything else (the caller asks json.dumps, which writes it or says what is wrong).");

static PyObject *dumps(PyObject *self, PyObject *obj)
{
    (void)self;
    Out o = {NULL, 0, 0};
    PyObject *result = NULL;
    int done = put_value(&o, obj, 0);
    if (done > 0 && (result = PyUnicode_New(o.len, 127)) != NULL)
        memcpy(PyUnicode_DATA(result), o.buf, (size_t)o.len);
    else if (done == 0)
        result = Py_NewRef(Py_None);
    PyMem_Free(o.buf);
    return result;
}

static PyMethodDef methods[] = {
    {"dumps", dumps, METH_O, dumps_doc},
    {"finite", all_finite, METH_VARARGS, finite_doc},
    {"scatter", scatter, METH_VARARGS, scatter_doc},
    {"point", point, METH_VARARGS, point_doc},
    {"gradient", gradient, METH_VARARGS, gradient_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "adcli._cjson",
    "A wide program's JSON in and out, in C: the --at point, its binding, the gradient's text.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__cjson(void) { return PyModule_Create(&module); }
