/* adcli._cparse: the parser's compiled path — scanner, LALR(1) driver and tape building.
 *
 * It runs the same automaton as adcli/parse.py over the same tables: adcli.parse passes the
 * frozen tables of adcli/_tables.py (terminals in scanning order, states, rules) and the
 * primitive table's codes to init() at import; nothing of the grammar is copied here except the
 * five pattern terminals' matchers, and init() refuses (raises) unless their regexes are exactly
 * the ones these matchers implement.  The actions mirror adcli/builder.py's for the scalar
 * language: numbers, names, the constants, + - * / ^ and the comparisons, unary - and +, calls
 * of table primitives, where(c, a, b), `name = expr` bindings.
 *
 * It handles only the success path of that subset.  On anything else — array syntax, any
 * syntax, name or arity error, a number too large for a double, text that is not one byte per
 * character — parse() returns None ("bail") and adcli.parse reruns the pure-Python parser from
 * scratch, which gives the identical Program or the identical error.  On success it returns
 * the tape's five arrays (array objects), the tape's names as events — bytes of int32 pairs
 * (node, label) in the order adcli's builder names nodes — and the labels' strings (a list), the
 * inputs and bindings dicts and the output node.
 *
 * Files: cparse.c (the scanner, the driver, parse()), cparse_tables.c (init(): loading the
 * tables), cparse_build.c (the builder's actions), cparse.h (what they share).
 */
#include "cparse.h"
#include "dictslot.h"

/* scanning ------------------------------------------------------------------------------------ */
static Py_ssize_t match(const Candidate *c, const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
    Py_ssize_t j = i;
    switch (c->matcher) {
    case M_FIXED: /* a candidate's first character is the one at i */
        if (c->len == 1) return i + 1;
        return (n - i >= c->len && memcmp(s + i, c->text, c->len) == 0) ? i + c->len : -1;
    case M_NUMBER:
        return match_number(s, i, n);
    case M_NAME:
        return match_name(s, i, n);
    case M_SEP:
        if (s[j] != ';' && s[j] != '\n') return -1;
        j++;
        while (j < n) {
            unsigned char ch = s[j];
            if (BLANKC(ch) || ch == ';' || ch == '\n') {
                j++;
            } else if (ch == '#') {
                while (j < n && s[j] != '\n') j++;
            } else {
                break;
            }
        }
        return j;
    case M_BLANK:
        if (!BLANKC(s[j])) return -1;
        while (j < n && BLANKC(s[j])) j++;
        return j;
    case M_COMMENT:
        if (s[j] != '#') return -1;
        while (j < n && s[j] != '\n') j++;
        return j;
    }
    return -1;
}

/* The next token at or after *pos that is not ignored: its symbol (or -1 at an unexpected
 * character), its start and end, and whether it is a NAME. */
static inline int scan(const unsigned char *s, Py_ssize_t n, Py_ssize_t *pos, Py_ssize_t *start,
                       int *name) {
    for (;;) {
        Py_ssize_t i = *pos;
        if (i >= n) {
            *start = n;
            return end_symbol;
        }
        unsigned char ch = s[i];
        const Candidate *c = candidates[ch];
        int k, count = ncandidates[ch];
        for (k = 0; k < count; k++, c++) {
            Py_ssize_t j = match(c, s, i, n);
            if (j > i) {
                *pos = j;
                break;
            }
        }
        if (k == count) return -1;
        if (c->symbol >= 0) {
            *start = i;
            *name = c->matcher == M_NAME;
            return c->symbol;
        }
    }
}

/* The scanner runs AHEAD tokens in front of the driver, and prefetches each NAME's slot in the
 * label table as it reads it: by the time the driver looks the name up, the slot is in cache (a
 * random read of a 4 MB table costs ~170 ns on this kind of machine). */
static inline void scan_one(Parse *p) {
    Token *t = &p->ahead[(p->head + p->nahead++) & (AHEAD - 1)];
    Py_ssize_t start = 0;
    int name = 0;
    t->symbol = scan(p->s, p->n, &p->pos, &start, &name);
    t->start = (int32_t)start; /* the text's length fits (parse() checks) */
    t->end = (int32_t)p->pos;
    t->name = 0;
    t->hash = 0;
    if (t->symbol < 0 || t->symbol == end_symbol) {
        p->scanned = 1;
    } else if (name && !(p->pos < p->n && p->s[p->pos] == '(')) { /* not a call's name */
        t->name = 1;
        t->hash = name_hash(p->s + start, p->pos - start);
#if defined(__GNUC__)
        __builtin_prefetch(&p->slots[t->hash & (p->nslots - 1)]);
#endif
    }
}

static inline Token next_token(Parse *p) {
    while (p->nahead < AHEAD && !p->scanned) scan_one(p); /* one token, but at the start */
    Token t = p->ahead[p->head];
    if (p->nahead == 0) { /* past the end: the driver stops before, but bail if not */
        t.symbol = -1;
        return t;
    }
    p->head = (p->head + 1) & (AHEAD - 1);
    p->nahead--;
    if (t.name) p->recent[p->nrecent++ & 1] = t;
    return t;
}

static void release(Parse *p) {
    for (int k = 0; k < NFIELDS; k++) PyMem_Free(p->fields[k]);
    PyMem_Free(p->named);
    PyMem_Free(p->events);
    PyMem_Free(p->order);
    PyMem_Free(p->labels);
    PyMem_Free(p->slots);
    PyMem_Free(p->pool);
}

/* Where the unit reductions that `symbol` triggers on `top` above `below` end: *chain = that
 * state + 1; -1 if a goto is missing (tables this driver cannot run). */
static int unit_chain(int32_t below, int32_t top, int symbol, int32_t *chain) {
    int32_t action = actions[top * nsymbols + symbol];
    while (action < 0 && action != NO_ACTION && rules[~action].kind == PASS &&
           rules[~action].size == 1) {
        top = actions[below * nsymbols + rules[~action].origin];
        if (top < 0) return -1;
        action = actions[top * nsymbols + symbol];
    }
    *chain = top + 1;
    return 0;
}

/* Run the automaton; 0 on success, else p->failed says why. */
static int drive(Parse *p) {
    uint16_t *states = NULL; /* init() checks every state fits */
    Val *values = NULL;
    Py_ssize_t capstates = 0, capvalues = 0, top = 0, vtop = 0;
    if (grow((void **)&states, &capstates, 256, sizeof(uint16_t)) ||
        grow((void **)&values, &capvalues, 256, sizeof(Val))) {
        out_of_memory(p);
        goto done;
    }
    states[0] = (uint16_t)start_state;
    for (;;) {
        Token token = next_token(p);
        int symbol = token.symbol;
        if (symbol < 0) {
            p->failed = 1; /* an unexpected character */
            break;
        }
        int32_t action = actions[states[top] * nsymbols + symbol];
        while (action < 0 && action != NO_ACTION) {
            const Rule *r = &rules[~action];
            if (r->kind == PASS && r->size == 1) {
                /* A run of unit reductions (atom -> power -> unary -> product -> sum) changes
                 * only the top state, and where it ends depends on nothing but the state below,
                 * the top state and the lookahead: remember it and jump there in one step. */
                if (top < 1) {
                    p->failed = 1;
                    goto done;
                }
                int32_t *chain = &chains[((size_t)states[top - 1] * nstates + states[top]) *
                                             (end_symbol + 1) +
                                         symbol];
                if (*chain == 0 && unit_chain(states[top - 1], states[top], symbol, chain)) {
                    p->failed = 1;
                    goto done;
                }
                states[top] = (uint16_t)(*chain - 1);
            } else {
                if (r->size < 1 || r->size > vtop || r->size > top) {
                    p->failed = 1;
                    goto done;
                }
                Val value = reduce_value(p, r, values + vtop - r->size);
                if (p->failed) goto done;
                vtop -= r->size;
                top -= r->size;
                values[vtop++] = value;
                int32_t next = actions[states[top] * nsymbols + r->origin];
                if (next < 0) {
                    p->failed = 1;
                    goto done;
                }
                states[++top] = (uint16_t)next;
            }
            if (symbol == end_symbol && states[top] == end_state) goto done;
            action = actions[states[top] * nsymbols + symbol];
        }
        if (action == NO_ACTION || symbol == end_symbol) {
            p->failed = 1; /* a syntax error */
            break;
        }
        if (grow((void **)&states, &capstates, top + 2, sizeof(uint16_t)) ||
            grow((void **)&values, &capvalues, vtop + 1, sizeof(Val))) {
            out_of_memory(p);
            break;
        }
        states[++top] = (uint16_t)action;
        values[vtop++] = (Val)token.start; /* a token's value is its offset */
    }
done:
    PyMem_Free(states);
    PyMem_Free(values);
    return p->failed ? -1 : 0;
}

/* parse(text) -> (op, arg0, arg1, at, const, events, labels, inputs, bindings, output) | None -- */
static PyObject *label_str(Parse *p, int32_t label) {
    const Label *l = &p->labels[label];
    PyObject *text = PyUnicode_New(l->len, 127);
    if (text != NULL) memcpy(PyUnicode_1BYTE_DATA(text), p->s + l->off, l->len); /* ASCII */
    return text;
}


/* Each input's string: `names`' own key where it is the same text, in order (the keys of a point
 * list the inputs in the order the program first uses them), so that the process holds one
 * string per name and comparing the point's names with the inputs' is an identity check; up to
 * the first input that differs (or none, `names` not a dict).  The other strings are made after. */
static void share(Parse *p, PyObject *strings, PyObject *names) {
    if (names == NULL || !PyDict_CheckExact(names)) return;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    for (Py_ssize_t k = 0; k < p->norder; k++) {
        int32_t label = p->order[k];
        const Label *l = &p->labels[label];
        if (l->kind != K_INPUT) continue;
        if (!PyDict_Next(names, &pos, &key, &value) || !PyUnicode_CheckExact(key) ||
            !PyUnicode_IS_COMPACT_ASCII(key) || PyUnicode_GET_LENGTH(key) != l->len ||
            memcmp(PyUnicode_1BYTE_DATA(key), p->s + l->off, l->len) != 0)
            return;
        PyList_SET_ITEM(strings, label, Py_NewRef(key));
    }
}

static PyObject *results(Parse *p, PyObject *names) {
    PyObject *events = NULL, *strings = NULL, *inputs = NULL, *bindings = NULL, *out = NULL;
    PyObject *arrays[NFIELDS] = {NULL};
    Py_ssize_t ninputs = 0;
    for (Py_ssize_t k = 0; k < p->norder; k++) ninputs += p->labels[p->order[k]].kind == K_INPUT;
    if (!(events = PyBytes_FromStringAndSize((const char *)p->events,
                                             p->nevents * 2 * (Py_ssize_t)sizeof(int32_t))) ||
        !(strings = PyList_New(p->nlabels)) || !(inputs = _PyDict_NewPresized(ninputs)) ||
        !(bindings = _PyDict_NewPresized(p->norder - ninputs)))
        goto done;
    /* The labels' strings (shared with `names` where they can be), each hashed while in
     * cache; then each input's or binding's put in its dict, its slot prefetched PREFETCH_LAG labels
     * before. */
    share(p, strings, names);
    for (Py_ssize_t k = 0; k < p->nlabels; k++) {
        PyObject *text = PyList_GET_ITEM(strings, k);
        if (text == NULL) {
            if ((text = label_str(p, (int32_t)k)) == NULL) goto done;
            PyList_SET_ITEM(strings, k, text);
        }
        if (PyObject_Hash(text) == -1) goto done;
    }
    for (Py_ssize_t k = 0; k < p->norder; k++) {
        if (k + PREFETCH_LAG < p->norder) {
            const Label *ahead = &p->labels[p->order[k + PREFETCH_LAG]];
            PREFETCH_SLOT(ahead->kind == K_INPUT ? inputs : bindings,
                          PyObject_Hash(PyList_GET_ITEM(strings, p->order[k + PREFETCH_LAG])));
        }
        int32_t label = p->order[k];
        PyObject *index = PyLong_FromLong(p->labels[label].node);
        int failed = index == NULL ||
                     PyDict_SetItem(p->labels[label].kind == K_INPUT ? inputs : bindings,
                                    PyList_GET_ITEM(strings, label), index);
        Py_XDECREF(index);
        if (failed) goto done;
    }
    if (make_arrays(p, arrays)) goto done;
    out = Py_BuildValue("(OOOOOOOOOi)", arrays[0], arrays[1], arrays[2], arrays[3], arrays[4],
                        events, strings, inputs, bindings, (int)p->output);
done:
    for (int k = 0; k < NFIELDS; k++) Py_XDECREF(arrays[k]);
    Py_XDECREF(events);
    Py_XDECREF(strings);
    Py_XDECREF(inputs);
    Py_XDECREF(bindings);
    return out;
}

static PyObject *cparse_parse(PyObject *self, PyObject *args) {
    PyObject *text, *names = NULL;
    if (!PyArg_ParseTuple(args, "O|O:parse", &text, &names)) return NULL;
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "adcli._cparse.init() was not called");
        return NULL;
    }
    if (!PyUnicode_Check(text)) Py_RETURN_NONE; /* the pure parser says what it makes of it */
    if (PyUnicode_READY(text) < 0) return NULL;
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND || PyUnicode_GET_LENGTH(text) > INT32_MAX)
        Py_RETURN_NONE; /* offsets must be character offsets: the pure parser handles these */
    Parse p;
    memset(&p, 0, sizeof(p));
    p.s = PyUnicode_1BYTE_DATA(text);
    p.n = PyUnicode_GET_LENGTH(text);
    p.output = -1;
    p.last = -1;
    p.recent[0].start = p.recent[1].start = -1;
    /* half full at a name every 32 characters: denser names rebuild it once or twice */
    for (p.nslots = 1024; p.nslots < p.n / 16; p.nslots *= 2) {
    }
    PyObject *out = NULL;
    if ((p.slots = PyMem_Calloc((size_t)p.nslots, sizeof(uint64_t))) == NULL) {
        out_of_memory(&p);
        goto done;
    }
    if (drive(&p) == 0 && p.output >= 0) out = results(&p, names);
    else if (p.failed >= 0) out = Py_NewRef(Py_None);
done:
    release(&p);
    return out;
}

static PyMethodDef methods[] = {
    {"init", cparse_init, METH_VARARGS,
     "init(terminals, ignore, states, rules, start, end, codes, constants, binary, unary, "
     "input_code, const_code, where): load the grammar tables and the primitive codes."},
    {"parse", cparse_parse, METH_VARARGS,
     "parse(text[, names]) -> (op, arg0, arg1, at, const, events, labels, inputs, bindings, "
     "output): arrays, (node, label) int32 pairs as bytes, the labels' strings, dicts; or None "
     "when the pure-Python parser must run (anything but the scalar success path).  The inputs' "
     "strings are the keys of the dict `names` where they are the same text, in order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "adcli._cparse",
    "The parser's compiled path: scanner, LALR(1) driver and tape building (see adcli.parse).",
    -1, methods,
};

PyMODINIT_FUNC PyInit__cparse(void) { return PyModule_Create(&module); }

