/* adcli._cparse: the tape builder — adcli/builder.py's actions for the scalar language, one
 * node at a time into C buffers (arrays at the end), and the names, inputs and bindings (see
 * cparse.c). */
#include "cparse.h"

/* The fields as arrays, each buffer freed as soon as its array has it. */
int make_arrays(Parse *p, PyObject *arrays[NFIELDS]) {
    for (int k = NFIELDS - 1; k >= 0; k--) { /* the largest first: the least memory at once */
        arrays[k] = PyObject_CallFunction(array_type, "C", TYPECODES[k]);
        PyObject *view = NULL, *done = NULL;
        if (arrays[k] != NULL && p->count > 0 &&
            (view = PyMemoryView_FromMemory(p->fields[k], p->count * ITEM[k], PyBUF_READ)))
            done = PyObject_CallMethodOneArg(arrays[k], frombytes, view);
        Py_XDECREF(view);
        if (arrays[k] == NULL || (p->count > 0 && done == NULL)) {
            p->failed = -1;
            return -1;
        }
        Py_XDECREF(done);
        PyMem_Free(p->fields[k]);
        p->fields[k] = NULL;
    }
    return 0;
}

static int more_nodes(Parse *p) {
    Py_ssize_t cap = p->capnodes ? 2 * p->capnodes : 1024 + p->n / 4; /* most programs */
    for (int k = 0; k < NFIELDS; k++) {
        void *grown = PyMem_Realloc(p->fields[k], (size_t)cap * ITEM[k]);
        if (grown == NULL) return out_of_memory(p);
        p->fields[k] = grown;
    }
    Py_ssize_t old = p->capnamed;
    if (grow((void **)&p->named, &p->capnamed, cap / 8 + 1, 1)) return out_of_memory(p);
    memset(p->named + old, 0, p->capnamed - old);
    p->capnodes = cap;
    return 0;
}

static int32_t node(Parse *p, int code, int32_t a, int32_t b, int32_t at, double value) {
    if (p->count >= INT32_MAX) {
        p->failed = 1;
        return -1;
    }
    if (p->count == p->capnodes && more_nodes(p)) return -1;
    Py_ssize_t k = p->count;
    ((uint8_t *)p->fields[F_OP])[k] = (uint8_t)code;
    ((int32_t *)p->fields[F_ARG0])[k] = a;
    ((int32_t *)p->fields[F_ARG1])[k] = b;
    ((int32_t *)p->fields[F_AT])[k] = at;
    ((double *)p->fields[F_CONST])[k] = value;
    return (int32_t)p->count++;
}

#define NAMED(p, i) ((p)->named[(i) >> 3] & (1u << ((i) & 7)))

static int event(Parse *p, int32_t index, int32_t label) {
    if (grow((void **)&p->events, &p->capevents, 2 * (p->nevents + 1), sizeof(int32_t)))
        return out_of_memory(p);
    p->events[2 * p->nevents] = index;
    p->events[2 * p->nevents + 1] = label;
    p->nevents++;
    p->named[index >> 3] |= (uint8_t)(1u << (index & 7));
    return 0;
}

static int remember(Parse *p, int32_t label) {
    if (grow((void **)&p->order, &p->caporder, p->norder + 1, sizeof(int32_t)))
        return out_of_memory(p);
    p->order[p->norder++] = label;
    return 0;
}

/* The label of the NAME token at `at` (found or added), or -1 (p->failed set). */
static int32_t label_at(Parse *p, int32_t at) {
    const Token *token = p->recent[0].start == at ? &p->recent[0]
                         : p->recent[1].start == at ? &p->recent[1]
                                                    : NULL;
    Py_ssize_t end = token ? token->end : match_name(p->s, at, p->n);
    if (end < 0) {
        p->failed = 1;
        return -1;
    }
    int32_t len = (int32_t)(end - at);
    const unsigned char *t = p->s + at;
    if (p->last >= 0) {
        const Label *l = &p->labels[p->last];
        if (l->len == len && same_text(p->s + l->off, t, len)) return p->last;
    }
    /* A long probe (names made to collide) bails to the pure parser, whose dicts are
     * randomised, rather than go quadratic. */
    uint32_t h = token ? token->hash : name_hash(t, len);
    Py_ssize_t mask = p->nslots - 1, slot = h & mask;
    for (int probes = 0;; probes++) {
        uint64_t found = p->slots[slot];
        if (found == 0) break;
        if ((uint32_t)(found >> 32) == h) {
            int32_t index = (int32_t)(uint32_t)found - 1;
            const Label *l = &p->labels[index];
            if (l->len == len && same_text(p->s + l->off, t, len)) return p->last = index;
        }
        if (probes > 200) {
            p->failed = 1;
            return -1;
        }
        slot = (slot + 1) & mask;
    }
    if (grow((void **)&p->labels, &p->caplabels, p->nlabels + 1, sizeof(Label)))
        return out_of_memory(p);
    int32_t index = (int32_t)p->nlabels++;
    Label *l = &p->labels[index];
    l->off = at;
    l->len = len;
    l->node = -1;
    l->kind = K_NEW;
    for (int k = 0; k < nconstants; k++)
        if (constants[k].len == len && same_text(constants[k].name, t, len)) l->kind = K_CONST + k;
    p->slots[slot] = (uint64_t)h << 32 | (uint32_t)(index + 1);
    if (2 * p->nlabels > p->nslots) { /* rehash at half full */
        Py_ssize_t nslots = p->nslots * 2;
        uint64_t *slots = PyMem_Calloc((size_t)nslots, sizeof(uint64_t));
        if (slots == NULL) return out_of_memory(p);
        for (Py_ssize_t k = 0; k < p->nslots; k++) {
            if (!p->slots[k]) continue;
            Py_ssize_t s2 = (p->slots[k] >> 32) & (nslots - 1);
            while (slots[s2]) s2 = (s2 + 1) & (nslots - 1);
            slots[s2] = p->slots[k];
        }
        PyMem_Free(p->slots);
        p->slots = slots;
        p->nslots = nslots;
    }
    return p->last = index;
}

static const Function *find_function(const char *name, Py_ssize_t len, int arity) {
    uint32_t slot = function_hash(name, len, arity) & (FUNCTION_SLOTS - 1);
    for (;;) {
        const Function *f = &functions[slot];
        if (f->name == NULL) return NULL;
        if (f->arity == arity && f->len == len && same_text(f->name, name, len)) return f;
        slot = (slot + 1) & (FUNCTION_SLOTS - 1);
    }
}

/* The common short number, exactly as float() reads it: at most 15 significant digits (so the
 * integer m is exact) and a power of ten 10^k with |k| <= 22 (exact too), so m * 10^k or
 * m / 10^-k is one correctly rounded operation — the same fast path as Python's own dtoa.c.
 * Returns 0 and sets *value, or -1 for the general conversion. */
static int short_number(const unsigned char *s, Py_ssize_t len, double *value) {
#if FLT_EVAL_METHOD == 0
    static const double TENS[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int digits = 0, scale = 0, exponent = 0, negative = 0;
    Py_ssize_t i = 0;
    for (; i < len && DIGIT(s[i]); i++) {
        if (m == 0 && s[i] == '0') continue; /* leading zeros are not significant */
        if (++digits > 15) return -1;
        m = m * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && DIGIT(s[i]); i++) {
            scale--;
            if (m == 0 && s[i] == '0') continue;
            if (++digits > 15) return -1;
            m = m * 10 + (s[i] - '0');
        }
    }
    if (i < len) { /* [eE][+-]?digits: the scanner matched it */
        i++;
        if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
        if (len - i > 4) return -1;
        for (; i < len; i++) exponent = exponent * 10 + (s[i] - '0');
        scale += negative ? -exponent : exponent;
    }
    if (m == 0) {
        *value = 0.0;
        return 0;
    }
    if (scale < -22 || scale > 22) return -1;
    *value = scale >= 0 ? (double)m * TENS[scale] : (double)m / TENS[-scale];
    return 0;
#else
    return -1; /* extended-precision intermediates: leave it all to the general conversion */
#endif
}

static int32_t act_number(Parse *p, int32_t at) {
    Py_ssize_t end = match_number(p->s, at, p->n);
    if (end < 0) {
        p->failed = 1;
        return -1;
    }
    Py_ssize_t len = end - at;
    double quick;
    if (short_number(p->s + at, len, &quick) == 0) return node(p, const_code, -1, -1, at, quick);
    char small[64], *buffer = small;
    if (len >= (Py_ssize_t)sizeof(small) && (buffer = PyMem_Malloc(len + 1)) == NULL)
        return out_of_memory(p);
    memcpy(buffer, p->s + at, len);
    buffer[len] = '\0';
    char *stop = NULL;
    /* what float(token) does for a str: the same correctly rounded conversion */
    double value = PyOS_string_to_double(buffer, &stop, NULL);
    int bad = (value == -1.0 && PyErr_Occurred()) || stop != buffer + len;
    if (buffer != small) PyMem_Free(buffer);
    if (bad || Py_IS_INFINITY(value) || Py_IS_NAN(value)) {
        PyErr_Clear();
        p->failed = 1; /* too large for a double: the pure parser says so */
        return -1;
    }
    return node(p, const_code, -1, -1, at, value);
}

static int32_t act_name(Parse *p, int32_t at) {
    int32_t label = label_at(p, at);
    if (label < 0) return -1;
    Label *l = &p->labels[label];
    if (l->kind == K_INPUT || l->kind == K_BINDING) return l->node;
    if (l->kind >= K_CONST) {
        int32_t index = node(p, const_code, -1, -1, at, constants[l->kind - K_CONST].value);
        if (index < 0 || event(p, index, label)) return -1;
        return index;
    }
    int32_t index = node(p, input_code, -1, -1, at, 0.0);
    if (index < 0 || event(p, index, label) || remember(p, label)) return -1;
    l->kind = K_INPUT;
    l->node = index;
    return index;
}

static int32_t act_assign(Parse *p, int32_t at, int32_t value) {
    int32_t label = label_at(p, at);
    if (label < 0) return -1;
    Label *l = &p->labels[label];
    if (l->kind != K_NEW) { /* a constant, or assigned or used before: the pure message */
        p->failed = 1;
        return -1;
    }
    l->kind = K_BINDING;
    l->node = value;
    if (remember(p, label)) return -1;
    if (!NAMED(p, value) && event(p, value, label)) return -1;
    return value;
}

static int32_t act_call(Parse *p, int32_t at, List args) {
    Py_ssize_t end = match_name(p->s, at, p->n);
    if (args.n < 1 || args.n > 3 || end < 0) {
        p->failed = 1;
        return -1;
    }
    const Function *f = find_function((const char *)p->s + at, end - at, args.n);
    if (f != NULL && args.n <= 2)
        return node(p, f->code, args.a[0], args.n == 2 ? args.a[1] : -1, at, 0.0);
    if (f == NULL && args.n == 3 && where_add >= 0 && end - at == 5 &&
        memcmp(p->s + at, "where", 5) == 0) {
        int32_t pick = node(p, where_pick, args.a[0], args.a[1], at, 0.0);
        if (pick < 0) return -1;
        int32_t unpick = node(p, where_unpick, args.a[0], args.a[2], at, 0.0);
        if (unpick < 0) return -1;
        return node(p, where_add, pick, unpick, at, 0.0);
    }
    p->failed = 1; /* array functions, unknown names, wrong arity */
    return -1;
}

/* The kept children as one list, spliced lists' items in place; 0, or -1 if a child is not
 * what the rule says. */
static int gather(Parse *p, const Val *children, const Rule *r, List *out) {
    out->n = 0;
    out->last = -1;
    for (int k = 0; k < r->nkept; k++) {
        Val c = children[r->kept[k]];
        if (r->spliced & (1u << r->kept[k])) {
            if (!IS_LIST(c)) return -1;
            const List *l = &p->pool[LIST_AT(c)];
            for (int32_t m = 0; m < l->n && out->n + m < 3; m++) out->a[out->n + m] = l->a[m];
            if (l->n > 0) out->last = l->last;
            out->n += l->n;
        } else {
            if (IS_LIST(c)) return -1;
            if (out->n < 3) out->a[out->n] = c;
            out->last = c;
            out->n++;
        }
        if (out->n > (1 << 30)) return -1;
    }
    return 0;
}

/* A list result takes the pool's entry `base` (the first popped list's, or the next free). */
static Val push_list(Parse *p, Py_ssize_t base, const List *list) {
    if (grow((void **)&p->pool, &p->poolcap, base + 1, sizeof(List))) return out_of_memory(p);
    p->pool[base] = *list;
    p->pooltop = base + 1;
    return (Val)(-2 - base);
}

#define SCALAR(k) (r->nkept > (k) && !IS_LIST(children[r->kept[k]]))
#define ARG(k) (children[r->kept[k]])

/* The value of reducing `r` over `children`, or p->failed set. */
Val reduce_value(Parse *p, const Rule *r, const Val *children) {
    Py_ssize_t base = p->pooltop; /* the children's lists are the newest in the pool */
    for (int k = 0; k < r->size; k++)
        if (IS_LIST(children[k])) {
            base = LIST_AT(children[k]);
            break;
        }
    if (r->kind == PASS) {
        Val v = children[r->pass_arg];
        if (IS_LIST(v)) {
            List kept = p->pool[LIST_AT(v)];
            return push_list(p, base, &kept);
        }
        p->pooltop = base;
        return v;
    }
    if (r->kind == SPLICE || r->action == A_ARGUMENTS || r->action == A_START) {
        List out;
        if (gather(p, children, r, &out)) {
            p->failed = 1;
            return -1;
        }
        if (r->action != A_START) return push_list(p, base, &out);
        if (out.n < 1) p->failed = 1;
        p->output = out.last;
        p->pooltop = base;
        return -1;
    }
    p->pooltop = base; /* nothing is pushed before the children's lists are read below */
    if (r->spliced) goto bail;
    switch (r->action) {
    case A_NUMBER:
        if (r->nkept != 1 || !SCALAR(0)) break;
        return act_number(p, ARG(0));
    case A_NAME:
        if (r->nkept != 1 || !SCALAR(0)) break;
        return act_name(p, ARG(0));
    case A_BINARY:
        if (r->nkept != 3 || !SCALAR(0) || !SCALAR(1) || !SCALAR(2)) break;
        return node(p, r->opcode, ARG(0), ARG(2), ARG(1), 0.0);
    case A_NEG:
        if (r->nkept != 2 || !SCALAR(0) || !SCALAR(1)) break;
        return node(p, r->opcode, ARG(1), -1, ARG(0), 0.0);
    case A_POS:
        if (r->nkept != 2 || !SCALAR(0) || !SCALAR(1)) break;
        return ARG(1);
    case A_ASSIGN:
        if (r->nkept != 2 || !SCALAR(0) || !SCALAR(1)) break;
        return act_assign(p, ARG(0), ARG(1));
    case A_CALL:
        if (r->nkept != 2 || !SCALAR(0) || !IS_LIST(ARG(1))) break;
        return act_call(p, ARG(0), p->pool[LIST_AT(ARG(1))]);
    }
bail:
    p->failed = 1; /* array syntax, or a rule shape this file does not know */
    return -1;
}

