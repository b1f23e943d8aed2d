/* adcli._cparse: init() — the grammar tables and primitive codes adcli.parse passes in,
 * loaded into the arrays the driver runs (see cparse.c). */
#include "cparse.h"

/* The regexes the hand-written matchers implement (init() checks the tables say the same). */
static const struct { const char *name; const char *regex; int matcher; } PATTERNS[] = {
    {"NUMBER", "(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?", M_NUMBER},
    {"NAME", "[A-Za-z_][A-Za-z0-9_]*", M_NAME},
    {"_SEP", "[;\n]([ \t\x0c\r;\n]|#[^\n]*)*", M_SEP},
    {"BLANK", "[ \t\x0c\r]+", M_BLANK},
    {"COMMENT", "#[^\n]*", M_COMMENT},
};

/* The grammar, as init() received it. */
int ready = 0;
Candidate candidates[256][MAX_CANDIDATES];
int ncandidates[256];
int32_t *actions = NULL; /* [state * nsymbols + symbol] */
int32_t *chains = NULL;  /* unit chains: [(below * nstates + top) * lookaheads + symbol] */
int nsymbols, nstates, end_symbol, start_state, end_state;
Rule *rules = NULL;
int nrules;
int input_code, const_code, where_add = -1, where_pick = -1, where_unpick = -1;
/* The primitive table's calls, (name, arity) -> code as primitives.CODES, hashed; and the
 * named constants. */
Function functions[FUNCTION_SLOTS];
Constant *constants = NULL; /* K_CONST + k in a Label: constants[k] */
int nconstants = 0;

uint8_t NAME_CHAR[256];
PyObject *array_type = NULL, *frombytes = NULL;

uint32_t function_hash(const char *name, Py_ssize_t len, int arity) {
    uint32_t h = 2166136261u ^ (uint32_t)arity;
    for (Py_ssize_t k = 0; k < len; k++) h = (h ^ (unsigned char)name[k]) * 16777619u;
    return h;
}

/* init(terminals, states, rules, start, end, codes, constants, binary, unary, input, const,
 *      where) --------------------------------------------------------------------------------- */
static int symbol_of(PyObject *symbols, PyObject *name) {
    PyObject *found = PyDict_GetItemWithError(symbols, name);
    if (found != NULL) return (int)PyLong_AsLong(found);
    if (PyErr_Occurred()) return -1;
    PyObject *index = PyLong_FromSsize_t(PyDict_GET_SIZE(symbols));
    if (index == NULL || PyDict_SetItem(symbols, name, index) < 0) {
        Py_XDECREF(index);
        return -1;
    }
    Py_DECREF(index);
    return (int)PyDict_GET_SIZE(symbols) - 1;
}

static int may_start(int matcher, int c) {
    switch (matcher) {
    case M_NUMBER: return DIGIT(c) || c == '.';
    case M_NAME: return ALPHA(c);
    case M_SEP: return c == ';' || c == '\n';
    case M_BLANK: return BLANKC(c);
    case M_COMMENT: return c == '#';
    }
    return 0;
}

static int add_candidate(int c, Candidate candidate) {
    if (ncandidates[c] >= MAX_CANDIDATES) {
        PyErr_SetString(PyExc_ValueError, "too many terminals start with one character");
        return -1;
    }
    candidates[c][ncandidates[c]++] = candidate;
    return 0;
}

static int load_terminals(PyObject *terminals, PyObject *ignore, PyObject *symbols) {
    memset(ncandidates, 0, sizeof(ncandidates));
    for (int ch = 0; ch < 256; ch++) NAME_CHAR[ch] = ALPHA(ch) || DIGIT(ch);
    Py_ssize_t count = PyList_Size(terminals);
    if (count < 0) return -1;
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *name, *regex, *texts;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(terminals, t), "UUO", &name, &regex, &texts))
            return -1;
        int symbol = symbol_of(symbols, name);
        if (symbol < 0) return -1;
        int ignored = PySequence_Contains(ignore, name);
        if (ignored < 0) return -1;
        Candidate c = {M_FIXED, ignored ? -1 : symbol, 0, {0}};
        if (texts == Py_None) {
            const char *n = PyUnicode_AsUTF8(name), *r = PyUnicode_AsUTF8(regex);
            if (n == NULL || r == NULL) return -1;
            size_t k;
            for (k = 0; k < sizeof(PATTERNS) / sizeof(PATTERNS[0]); k++)
                if (strcmp(PATTERNS[k].name, n) == 0 && strcmp(PATTERNS[k].regex, r) == 0) break;
            if (k == sizeof(PATTERNS) / sizeof(PATTERNS[0])) {
                PyErr_Format(PyExc_ValueError, "no compiled matcher for terminal %s: %s", n, r);
                return -1;
            }
            c.matcher = PATTERNS[k].matcher;
            for (int ch = 0; ch < 256; ch++)
                if (may_start(c.matcher, ch) && add_candidate(ch, c)) return -1;
            continue;
        }
        Py_ssize_t ntexts = PySequence_Size(texts);
        if (ntexts < 0) return -1;
        for (Py_ssize_t k = 0; k < ntexts; k++) {
            PyObject *item = PySequence_GetItem(texts, k);
            if (item == NULL) return -1;
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(item, &len);
            Py_DECREF(item);
            if (s == NULL) return -1;
            if (len < 1 || len >= (Py_ssize_t)sizeof(c.text) || (unsigned char)s[0] >= 128) {
                PyErr_Format(PyExc_ValueError, "unsupported fixed terminal text %R", name);
                return -1;
            }
            c.len = len;
            memset(c.text, 0, sizeof(c.text));
            memcpy(c.text, s, len);
            if (add_candidate((unsigned char)s[0], c)) return -1;
        }
    }
    PyObject *end = PyUnicode_FromString("$END");
    if (end == NULL) return -1;
    end_symbol = symbol_of(symbols, end);
    Py_DECREF(end);
    return end_symbol < 0 ? -1 : 0;
}

static int action_of(const char *name, PyObject *binary, PyObject *unary, int *opcode) {
    static const struct { const char *name; int action; } NAMED[] = {
        {"start", A_START}, {"assign", A_ASSIGN}, {"number", A_NUMBER}, {"name", A_NAME},
        {"pos", A_POS},     {"call", A_CALL},     {"arguments", A_ARGUMENTS},
    };
    for (size_t k = 0; k < sizeof(NAMED) / sizeof(NAMED[0]); k++)
        if (strcmp(NAMED[k].name, name) == 0) return NAMED[k].action;
    PyObject *code = PyDict_GetItemString(binary, name);
    if (code != NULL) {
        *opcode = (int)PyLong_AsLong(code);
        return A_BINARY;
    }
    code = PyDict_GetItemString(unary, name);
    if (code != NULL) {
        *opcode = (int)PyLong_AsLong(code);
        return A_NEG;
    }
    return A_BAIL; /* array syntax */
}

static int load_rules(PyObject *list, PyObject *symbols, PyObject *binary, PyObject *unary) {
    nrules = (int)PyList_Size(list);
    if (nrules < 0) return -1;
    PyMem_Free(rules);
    rules = PyMem_Calloc((size_t)nrules + 1, sizeof(Rule));
    if (rules == NULL) return PyErr_NoMemory(), -1;
    for (int i = 0; i < nrules; i++) {
        PyObject *origin, *arg, *spliced, *kept = NULL;
        Rule *r = &rules[i];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(list, i), "UiiOO", &origin, &r->size, &r->kind,
                              &arg, &spliced))
            return -1;
        if ((r->origin = symbol_of(symbols, origin)) < 0) return -1;
        r->action = A_BAIL;
        if (r->kind == PASS) {
            r->pass_arg = (int)PyLong_AsLong(arg);
            if (r->pass_arg < 0 || r->pass_arg >= r->size) {
                PyErr_SetString(PyExc_ValueError, "bad PASS rule");
                return -1;
            }
        } else if (r->kind == CALL) {
            const char *name;
            if (!PyArg_ParseTuple(arg, "sO", &name, &kept)) return -1;
            r->action = action_of(name, binary, unary, &r->opcode);
        } else {
            kept = arg;
        }
        if (kept != NULL) {
            Py_ssize_t n = PySequence_Size(kept);
            if (n < 0 || n > MAX_KEPT) {
                if (n > MAX_KEPT) PyErr_SetString(PyExc_ValueError, "rule keeps too many children");
                return -1;
            }
            r->nkept = (int)n;
            for (Py_ssize_t k = 0; k < n; k++) {
                PyObject *item = PySequence_GetItem(kept, k);
                if (item == NULL) return -1;
                r->kept[k] = (int)PyLong_AsLong(item);
                Py_DECREF(item);
                if (r->kept[k] < 0 || r->kept[k] >= r->size || r->kept[k] >= 31) {
                    PyErr_SetString(PyExc_ValueError, "bad kept child");
                    return -1;
                }
            }
        }
        Py_ssize_t n = PySequence_Size(spliced);
        if (n < 0) return -1;
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *item = PySequence_GetItem(spliced, k);
            if (item == NULL) return -1;
            long bit = PyLong_AsLong(item);
            Py_DECREF(item);
            if (bit < 0 || bit >= 31) {
                PyErr_SetString(PyExc_ValueError, "bad spliced child");
                return -1;
            }
            r->spliced |= 1u << bit;
        }
    }
    return PyErr_Occurred() ? -1 : 0;
}

static int load_states(PyObject *list, PyObject *symbols) {
    nstates = (int)PyList_Size(list);
    if (nstates < 0) return -1;
    /* every symbol the states mention gets a column before the table is sized */
    for (int s = 0; s < nstates; s++) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        PyObject *row = PyList_GET_ITEM(list, s);
        if (!PyDict_Check(row)) return PyErr_SetString(PyExc_TypeError, "a state is a dict"), -1;
        while (PyDict_Next(row, &pos, &key, &value))
            if (symbol_of(symbols, key) < 0) return -1;
    }
    nsymbols = (int)PyDict_GET_SIZE(symbols);
    PyMem_Free(actions);
    actions = PyMem_Malloc((size_t)nstates * nsymbols * sizeof(int32_t));
    if (actions == NULL) return PyErr_NoMemory(), -1;
    for (Py_ssize_t k = 0; k < (Py_ssize_t)nstates * nsymbols; k++) actions[k] = NO_ACTION;
    for (int s = 0; s < nstates; s++) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        PyObject *row = PyList_GET_ITEM(list, s);
        while (PyDict_Next(row, &pos, &key, &value)) {
            long action = PyLong_AsLong(value);
            if (action == -1 && PyErr_Occurred()) return -1;
            if (action >= nstates || action < -nrules) {
                PyErr_SetString(PyExc_ValueError, "action out of range");
                return -1;
            }
            actions[s * nsymbols + symbol_of(symbols, key)] = (int32_t)action;
        }
    }
    return 0;
}

static int load_functions(PyObject *dict) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    for (int k = 0; k < FUNCTION_SLOTS; k++) PyMem_Free(functions[k].name);
    memset(functions, 0, sizeof(functions));
    if (PyDict_GET_SIZE(dict) >= FUNCTION_SLOTS / 2) {
        PyErr_SetString(PyExc_ValueError, "too many primitives");
        return -1;
    }
    while (PyDict_Next(dict, &pos, &key, &value)) {
        const char *name;
        Py_ssize_t len;
        int arity;
        if (!PyArg_ParseTuple(key, "s#i", &name, &len, &arity)) return -1;
        uint32_t slot = function_hash(name, len, arity) & (FUNCTION_SLOTS - 1);
        while (functions[slot].name != NULL) slot = (slot + 1) & (FUNCTION_SLOTS - 1);
        Function *f = &functions[slot];
        if ((f->name = PyMem_Malloc(len + 1)) == NULL) return PyErr_NoMemory(), -1;
        memcpy(f->name, name, len + 1);
        f->len = len;
        f->arity = arity;
        f->code = (int)PyLong_AsLong(value);
        if (f->code < 0 || f->code > 255) {
            PyErr_SetString(PyExc_ValueError, "op codes are bytes");
            return -1;
        }
    }
    return 0;
}

static int load_constants(PyObject *dict) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    for (int k = 0; k < nconstants; k++) PyMem_Free(constants[k].name);
    PyMem_Free(constants);
    nconstants = 0;
    constants = PyMem_Calloc((size_t)PyDict_GET_SIZE(dict) + 1, sizeof(Constant));
    if (constants == NULL) return PyErr_NoMemory(), -1;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(key, &len);
        if (name == NULL) return -1;
        Constant *c = &constants[nconstants];
        if ((c->name = PyMem_Malloc(len + 1)) == NULL) return PyErr_NoMemory(), -1;
        memcpy(c->name, name, len + 1);
        c->len = len;
        c->value = PyFloat_AsDouble(value);
        if (c->value == -1.0 && PyErr_Occurred()) return -1;
        nconstants++;
    }
    return 0;
}

PyObject *cparse_init(PyObject *self, PyObject *args) {
    PyObject *terminals, *ignore, *states, *rule_list, *codes, *consts, *binary, *unary, *where;
    ready = 0;
    if (!PyArg_ParseTuple(args, "O!OO!O!iiO!O!O!O!iiO", &PyList_Type, &terminals, &ignore,
                          &PyList_Type, &states, &PyList_Type, &rule_list, &start_state,
                          &end_state, &PyDict_Type, &codes, &PyDict_Type, &consts, &PyDict_Type,
                          &binary, &PyDict_Type, &unary, &input_code, &const_code, &where))
        return NULL;
    where_add = where_pick = where_unpick = -1;
    if (where != Py_None && !PyArg_ParseTuple(where, "iii", &where_add, &where_pick, &where_unpick))
        return NULL;
    PyObject *symbols = PyDict_New();
    if (symbols == NULL) return NULL;
    int failed = load_terminals(terminals, ignore, symbols) ||
                 load_rules(rule_list, symbols, binary, unary) || load_states(states, symbols) ||
                 load_functions(codes) || load_constants(consts);
    Py_DECREF(symbols);
    if (failed) return NULL;
    if (start_state < 0 || start_state >= nstates || end_state < 0 || end_state >= nstates) {
        PyErr_SetString(PyExc_ValueError, "start or end state out of range");
        return NULL;
    }
    if (nstates >= 65535) {
        PyErr_SetString(PyExc_ValueError, "too many states");
        return NULL;
    }
    if (array_type == NULL) {
        PyObject *module = PyImport_ImportModule("array");
        if (module == NULL) return NULL;
        array_type = PyObject_GetAttrString(module, "array");
        Py_DECREF(module);
        if (array_type == NULL) return NULL;
        if ((frombytes = PyUnicode_InternFromString("frombytes")) == NULL) return NULL;
    }
    PyMem_Free(chains);
    chains = PyMem_Calloc((size_t)nstates * nstates * (end_symbol + 1), sizeof(int32_t));
    if (chains == NULL) return PyErr_NoMemory();
    ready = 1;
    Py_RETURN_NONE;
}

