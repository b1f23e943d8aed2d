/* adcli._csweep: the forward and reverse sweeps over a tape's arrays, in C.
 *
 * The same loops as adcli.engine.sweep.forward and .backward, operation for operation, so the
 * numbers are the same bits.  forward computes each node's value and the g_weights its activity
 * mask asks for, by the rules generated from the primitive table (rules.h); it handles only the
 * success path: at an op that is not compiled, a value or g_weight that is not finite, or an IEEE
 * exception that Python would have raised as an error (invalid, division by zero, overflow), it
 * returns False and the caller reruns the sweep in Python, which gives the same result or the
 * same error.  backward accumulates adjoint[arg] += adjoint[node] * g_weight from the output
 * down (arg0 first); a zero adjoint contributes nothing, even through an infinite g_weight.
 *
 * The arrays are Python array.array buffers: op and need 'B', arg0/arg1 'i', the rest 'd'.  A
 * tape that is not well formed (an argument not before its node) returns False too.  Built with
 * -ffp-contract=off (setup.py): no fused multiply-add, so a*b+c rounds twice, as in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define FIRST_PRIMITIVE 2

typedef struct {
    Py_buffer view[7];
    int held;
} Buffers;

static void release(Buffers *b)
{
    for (int k = 0; k < b->held; k++)
        PyBuffer_Release(&b->view[k]);
    b->held = 0;
}

/* Borrow the buffer of obj (writable or not), checking its item size and length >= n. */
static int borrow(Buffers *b, PyObject *obj, int writable, Py_ssize_t itemsize, Py_ssize_t n,
                  const char *what)
{
    Py_buffer *view = &b->view[b->held];
    if (PyObject_GetBuffer(obj, view, (writable ? PyBUF_WRITABLE : 0) | PyBUF_FORMAT) < 0)
        return -1;
    b->held++;
    if (view->itemsize != itemsize || view->len / itemsize < n) {
        PyErr_Format(PyExc_ValueError, "%s: need %zd items of %zd bytes", what, n, itemsize);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(forward_doc,
"forward(op, arg0, arg1, need, values, g0, g1) -> bool\n\n"
"Fill values (its leaves already hold the constants and inputs) and the g_weights g0, g1 that\n"
"need asks for, node by node.  False (arrays partly written) when Python must do it.");

#define RAISES (FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW)

static PyObject *forward(PyObject *self, PyObject *args)
{
    PyObject *o_op, *o_a0, *o_a1, *o_need, *o_values, *o_g0, *o_g1;
    Buffers b = {.held = 0};
    if (!PyArg_ParseTuple(args, "OOOOOOO:forward", &o_op, &o_a0, &o_a1, &o_need, &o_values, &o_g0,
                          &o_g1))
        return NULL;
    Py_ssize_t n = PyObject_Length(o_op);
    if (n < 0)
        return NULL;
    if (borrow(&b, o_op, 0, 1, n, "op") || borrow(&b, o_a0, 0, sizeof(int), n, "arg0")
        || borrow(&b, o_a1, 0, sizeof(int), n, "arg1") || borrow(&b, o_need, 0, 1, n, "need")
        || borrow(&b, o_values, 1, sizeof(double), n, "values")
        || borrow(&b, o_g0, 1, sizeof(double), n, "g0")
        || borrow(&b, o_g1, 1, sizeof(double), n, "g1")) {
        release(&b);
        return NULL;
    }
    const unsigned char *op = b.view[0].buf, *need = b.view[3].buf;
    const int *arg0 = b.view[1].buf, *arg1 = b.view[2].buf;
    double *values = b.view[4].buf, *g0 = b.view[5].buf, *g1 = b.view[6].buf;
    int ok = 1;
    Py_BEGIN_ALLOW_THREADS
    feclearexcept(RAISES);
    for (Py_ssize_t i = 0; i < n; i++) {
        int k = op[i];
        if (k < FIRST_PRIMITIVE) {
            if (!isfinite(values[i])) { /* a bound input Python refuses */
                ok = 0;
                break;
            }
            continue;
        }
        int a = arg0[i], c = arg1[i];
        if (a < 0 || a >= i || c >= i) {
            ok = 0;
            break;
        }
        double x = values[a], y = c >= 0 ? values[c] : 0.0, v, w0 = 0.0, w1 = 0.0;
        /* g_weights nobody needs stay 0.0, as in Python (written, not read: less traffic) */
        if (!adcli_rule(k, x, y, need[i], &v, &w0, &w1) || !isfinite(v) || !isfinite(w0)
            || !isfinite(w1)) {
            ok = 0;
            break;
        }
        values[i] = v;
        g0[i] = w0;
        g1[i] = w1;
    }
    if (fetestexcept(RAISES))
        ok = 0;
    Py_END_ALLOW_THREADS
    release(&b);
    return PyBool_FromLong(ok);
}

PyDoc_STRVAR(bind_doc,
"bind(values, inputs) -> bool\n\n"
"values[node] = value for each item of the dict inputs (INPUT node -> float), and for an\n"
"array('d') value, its elements into the consecutive nodes from node on.  False, having set\n"
"only some, at anything else (the caller's Python loop then sets them all).");

static PyObject *bind(PyObject *self, PyObject *args)
{
    PyObject *o_values, *inputs, *key, *value;
    Py_buffer view, block;
    Py_ssize_t pos = 0;
    if (!PyArg_ParseTuple(args, "OO!:bind", &o_values, &PyDict_Type, &inputs))
        return NULL;
    if (PyObject_GetBuffer(o_values, &view, PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return NULL;
    int ok = view.itemsize == sizeof(double) && view.format && view.format[0] == 'd';
    double *values = view.buf;
    Py_ssize_t n = view.len / sizeof(double);
    while (ok && PyDict_Next(inputs, &pos, &key, &value)) {
        Py_ssize_t node = PyLong_Check(key) ? PyLong_AsSsize_t(key) : -1;
        if (node < 0 || node >= n) {
            PyErr_Clear();
            ok = 0;
        } else if (PyFloat_CheckExact(value)) {
            values[node] = PyFloat_AS_DOUBLE(value);
        } else if (PyObject_CheckBuffer(value)
                   && PyObject_GetBuffer(value, &block, PyBUF_FORMAT) == 0) {
            Py_ssize_t count = block.len / sizeof(double);
            ok = block.itemsize == sizeof(double) && block.format && block.format[0] == 'd'
                 && count <= n - node;
            if (ok)
                memcpy(values + node, block.buf, count * sizeof(double));
            PyBuffer_Release(&block);
        } else {
            PyErr_Clear();
            ok = 0;
        }
    }
    PyBuffer_Release(&view);
    return PyBool_FromLong(ok);
}

PyDoc_STRVAR(needed_doc,
"needed(op, arg0, arg1, need) -> bool\n\n"
"The activity mask (adcli.engine.sweep.needed_partials): need[i] gets bit 0 when node i's\n"
"arg0 depends on an input, bit 1 when its arg1 does (need holds zeros on entry).  False when\n"
"the tape is not well formed.");

static PyObject *needed(PyObject *self, PyObject *args)
{
    PyObject *o_op, *o_a0, *o_a1, *o_need;
    Buffers b = {.held = 0};
    if (!PyArg_ParseTuple(args, "OOOO:needed", &o_op, &o_a0, &o_a1, &o_need))
        return NULL;
    Py_ssize_t n = PyObject_Length(o_op);
    if (n < 0)
        return NULL;
    if (borrow(&b, o_op, 0, 1, n, "op") || borrow(&b, o_a0, 0, sizeof(int), n, "arg0")
        || borrow(&b, o_a1, 0, sizeof(int), n, "arg1") || borrow(&b, o_need, 1, 1, n, "need")) {
        release(&b);
        return NULL;
    }
    const unsigned char *op = b.view[0].buf;
    const int *arg0 = b.view[1].buf, *arg1 = b.view[2].buf;
    unsigned char *need = b.view[3].buf;
    unsigned char *active = calloc(n ? n : 1, 1); /* depends on an input */
    if (active == NULL) {
        release(&b);
        return PyErr_NoMemory();
    }
    int ok = 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int k = op[i];
        if (k < FIRST_PRIMITIVE) {
            active[i] = k == 0; /* INPUT is op code 0, CONST 1 */
            continue;
        }
        int a = arg0[i], c = arg1[i];
        if (a < 0 || a >= i || c >= i) {
            ok = 0;
            break;
        }
        int m = active[a] | (c >= 0 ? active[c] << 1 : 0);
        need[i] = (unsigned char)m;
        active[i] = m != 0;
    }
    Py_END_ALLOW_THREADS
    free(active);
    release(&b);
    return PyBool_FromLong(ok);
}

PyDoc_STRVAR(backward_doc,
"backward(op, arg0, arg1, g0, g1, adjoint, output) -> bool\n\n"
"Accumulate the adjoints from node output down to node 0 into adjoint (adjoint[output] set by\n"
"the caller).  False when the tape is not well formed (then adjoint is partly written).");

static PyObject *backward(PyObject *self, PyObject *args)
{
    PyObject *o_op, *o_a0, *o_a1, *o_g0, *o_g1, *o_adj;
    Py_ssize_t output;
    Buffers b = {.held = 0};
    if (!PyArg_ParseTuple(args, "OOOOOOn:backward", &o_op, &o_a0, &o_a1, &o_g0, &o_g1, &o_adj,
                          &output))
        return NULL;
    Py_ssize_t n = output + 1;
    if (output < 0) {
        PyErr_SetString(PyExc_ValueError, "output must be a node");
        return NULL;
    }
    if (borrow(&b, o_op, 0, 1, n, "op") || borrow(&b, o_a0, 0, sizeof(int), n, "arg0")
        || borrow(&b, o_a1, 0, sizeof(int), n, "arg1")
        || borrow(&b, o_g0, 0, sizeof(double), n, "g0")
        || borrow(&b, o_g1, 0, sizeof(double), n, "g1")
        || borrow(&b, o_adj, 1, sizeof(double), n, "adjoint")) {
        release(&b);
        return NULL;
    }
    const unsigned char *op = b.view[0].buf;
    const int *arg0 = b.view[1].buf, *arg1 = b.view[2].buf;
    const double *g0 = b.view[3].buf, *g1 = b.view[4].buf;
    double *adjoint = b.view[5].buf;
    int ok = 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = output; i >= 0; i--) {
        double g = adjoint[i];
        if (g == 0.0 || op[i] < FIRST_PRIMITIVE)
            continue;
        int a = arg0[i], c = arg1[i];
        if (a < 0 || a >= i || c >= i) {
            ok = 0;
            break;
        }
        adjoint[a] += g * g0[i];
        if (c >= 0)
            adjoint[c] += g * g1[i];
    }
    Py_END_ALLOW_THREADS
    release(&b);
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_VARARGS, bind_doc},
    {"needed", needed, METH_VARARGS, needed_doc},
    {"forward", forward, METH_VARARGS, forward_doc},
    {"backward", backward, METH_VARARGS, backward_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "adcli._csweep",
    "adcli's sweeps in C (see adcli/engine/sweep.py, which falls back to Python).", -1, methods,
};

PyMODINIT_FUNC PyInit__csweep(void)
{
    PyObject *m = PyModule_Create(&module);
    /* ROWS: the table the rules came from; VERSION: the functions' signatures (bump on change). */
    if (m != NULL
        && (PyModule_AddStringConstant(m, "ROWS", ADCLI_ROWS) < 0
            || PyModule_AddIntConstant(m, "VERSION", 3) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
