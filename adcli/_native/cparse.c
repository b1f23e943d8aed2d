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
 * the tape's five arrays as bytes plus the names, inputs and bindings dicts and the output node.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

#define NO_ACTION INT32_MIN
#define MAX_CANDIDATES 16
#define MAX_KEPT 8

enum { M_FIXED, M_NUMBER, M_NAME, M_SEP, M_BLANK, M_COMMENT };
enum { PASS = 0, CALL = 1, SPLICE = 2 };
enum {
    A_BAIL, A_START, A_ASSIGN, A_NUMBER, A_NAME, A_BINARY, A_NEG, A_POS, A_CALL, A_ARGUMENTS
};

/* The regexes the hand-written matchers implement (init() checks the tables say the same). */
static const struct { const char *name; const char *regex; int matcher; } PATTERNS[] = {
    {"NUMBER", "(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?", M_NUMBER},
    {"NAME", "[A-Za-z_][A-Za-z0-9_]*", M_NAME},
    {"_SEP", "[;\n]([ \t\x0c\r;\n]|#[^\n]*)*", M_SEP},
    {"BLANK", "[ \t\x0c\r]+", M_BLANK},
    {"COMMENT", "#[^\n]*", M_COMMENT},
};

typedef struct {
    int matcher;  /* M_* */
    int symbol;   /* column in the action table; -1 if ignored */
    Py_ssize_t len;
    char text[8]; /* a fixed terminal's text */
} Candidate;

typedef struct {
    int origin, size, kind, pass_arg, action, opcode, nkept;
    int kept[MAX_KEPT];
    unsigned spliced; /* bit i: child i is a spliced list */
} Rule;


/* The grammar, as init() received it. */
static int ready = 0;
static Candidate candidates[256][MAX_CANDIDATES];
static int ncandidates[256];
static int32_t *actions = NULL; /* [state * nsymbols + symbol] */
static int32_t *chains = NULL;  /* unit chains: [(below * nstates + top) * lookaheads + symbol] */
static int nsymbols, nstates, end_symbol, start_state, end_state;
static Rule *rules = NULL;
static int nrules;
static int input_code, const_code, where_add = -1, where_pick = -1, where_unpick = -1;
/* The primitive table's calls, (name, arity) -> code as primitives.CODES, hashed; and the
 * named constants. */
typedef struct { char *name; Py_ssize_t len; int arity, code; } Function;
#define FUNCTION_SLOTS 1024
static Function functions[FUNCTION_SLOTS];
typedef struct { char *name; Py_ssize_t len; double value; } Constant;
static Constant *constants = NULL; /* K_CONST + k in a Label: constants[k] */
static int nconstants = 0;

/* scanning ------------------------------------------------------------------------------------ */
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define BLANKC(c) ((c) == ' ' || (c) == '\t' || (c) == '\f' || (c) == '\r')

static Py_ssize_t match_number(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
    Py_ssize_t j = i;
    if (j < n && DIGIT(s[j])) {
        while (j < n && DIGIT(s[j])) j++;
        if (j < n && s[j] == '.') j++;
        while (j < n && DIGIT(s[j])) j++;
    } else if (j + 1 < n && s[j] == '.' && DIGIT(s[j + 1])) {
        j += 2;
        while (j < n && DIGIT(s[j])) j++;
    } else {
        return -1;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        Py_ssize_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < n && DIGIT(s[k])) {
            while (k < n && DIGIT(s[k])) k++;
            j = k;
        }
    }
    return j;
}

static uint8_t NAME_CHAR[256]; /* [A-Za-z0-9_], filled by init() */

static Py_ssize_t match_name(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
    if (i >= n || !ALPHA(s[i])) return -1;
    Py_ssize_t j = i + 1;
    while (j < n && NAME_CHAR[s[j]]) j++;
    return j;
}

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
 * character), its start and end. */
static inline int scan(const unsigned char *s, Py_ssize_t n, Py_ssize_t *pos, Py_ssize_t *start) {
    for (;;) {
        Py_ssize_t i = *pos;
        if (i >= n) return end_symbol;
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
            return c->symbol;
        }
    }
}

/* one parse: the tape under construction ------------------------------------------------------ */
enum { K_NEW, K_INPUT, K_BINDING, K_CONST };

typedef struct {
    int32_t off, len, node, kind; /* kind K_CONST + k: the k-th named constant */
    PyObject *str;                /* the label, made once when first needed */
} Label;

/* Values on the parser's stack are token offsets and node indices (>= 0), "none" (-1), or
 * lists (statements, call arguments): -2 - k for the k-th entry of a pool that is a stack too
 * (a reduction pops the newest lists), holding the first three items and the last. */
typedef int32_t Val;
typedef struct {
    int32_t n, last, a[3];
} List;
#define IS_LIST(v) ((v) <= -2)
#define LIST_AT(v) (-2 - (v))

/* Nodes are staged here and appended to the result's array('B'/'i'/'d') objects a chunk at a
 * time: the tape is written once, into memory it keeps (fresh pages cost more than copies). */
#define CHUNK 4096
typedef struct {
    uint8_t op[CHUNK];
    int32_t arg0[CHUNK], arg1[CHUNK], at[CHUNK];
    double cst[CHUNK];
} Staged;

typedef struct {
    const unsigned char *s;
    Py_ssize_t n;
    PyObject *arrays[5]; /* op, arg0, arg1, at, const */
    Staged *staged;
    Py_ssize_t count, nstaged;
    uint8_t *named; /* a bit per node: does the builder's tape.names have it yet */
    Py_ssize_t capnamed;
    int32_t *events; /* (node, label) pairs, in the order adcli's builder names nodes */
    Py_ssize_t nevents, capevents;
    int32_t *order; /* labels of inputs and bindings, as they are made */
    Py_ssize_t norder, caporder;
    Label *labels;
    uint64_t *slots; /* open addressing: hash << 32 | (label index + 1); 0 when empty */
    Py_ssize_t nlabels, caplabels, nslots;
    int32_t last; /* the label looked up last (x in `x*sin(x)`), or -1 */
    List *pool;
    Py_ssize_t pooltop, poolcap;
    int32_t output;
    int failed; /* 1: bail; -1: a Python exception is set */
} Parse;

static int grow(void **buffer, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t cap2 = *cap ? *cap : 1024;
    while (cap2 < need) cap2 *= 2;
    void *p = PyMem_Realloc(*buffer, (size_t)cap2 * item);
    if (p == NULL) return -1;
    *buffer = p;
    *cap = cap2;
    return 0;
}

static int out_of_memory(Parse *p) {
    PyErr_NoMemory();
    p->failed = -1;
    return -1;
}

static const char TYPECODES[5] = {'B', 'i', 'i', 'i', 'd'};
static const size_t ITEM[5] = {1, 4, 4, 4, 8};
static PyObject *array_type = NULL, *frombytes = NULL;

static int flush(Parse *p) {
    void *data[5] = {p->staged->op, p->staged->arg0, p->staged->arg1, p->staged->at,
                     p->staged->cst};
    for (int k = 0; k < 5 && p->nstaged; k++) {
        PyObject *view = PyMemoryView_FromMemory(data[k], p->nstaged * ITEM[k], PyBUF_READ);
        PyObject *done = view ? PyObject_CallMethodOneArg(p->arrays[k], frombytes, view) : NULL;
        Py_XDECREF(view);
        if (done == NULL) {
            p->failed = -1;
            return -1;
        }
        Py_DECREF(done);
    }
    p->nstaged = 0;
    return 0;
}

static int32_t node(Parse *p, int code, int32_t a, int32_t b, int32_t at, double value) {
    if (p->count >= INT32_MAX) {
        p->failed = 1;
        return -1;
    }
    if (p->nstaged == CHUNK && flush(p)) return -1;
    if (p->count >= 8 * p->capnamed) {
        Py_ssize_t old = p->capnamed;
        if (grow((void **)&p->named, &p->capnamed, p->count / 8 + 1, 1)) return out_of_memory(p);
        memset(p->named + old, 0, p->capnamed - old);
    }
    Py_ssize_t k = p->nstaged++;
    p->staged->op[k] = (uint8_t)code;
    p->staged->arg0[k] = a;
    p->staged->arg1[k] = b;
    p->staged->at[k] = at;
    p->staged->cst[k] = value;
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
    Py_ssize_t end = match_name(p->s, at, p->n);
    if (end < 0) {
        p->failed = 1;
        return -1;
    }
    int32_t len = (int32_t)(end - at);
    const unsigned char *t = p->s + at;
    if (p->last >= 0) {
        const Label *l = &p->labels[p->last];
        if (l->len == len && memcmp(p->s + l->off, t, len) == 0) return p->last;
    }
    /* FNV-1a, then a finaliser: even names that differ in one character land far apart (linear
     * probing needs it).  A long probe (names made to collide) bails to the pure parser, whose
     * dicts are randomised, rather than go quadratic. */
    uint32_t h = 2166136261u;
    for (int32_t k = 0; k < len; k++) h = (h ^ t[k]) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    Py_ssize_t mask = p->nslots - 1, slot = h & mask;
    for (int probes = 0;; probes++) {
        uint64_t found = p->slots[slot];
        if (found == 0) break;
        if ((uint32_t)(found >> 32) == h) {
            int32_t index = (int32_t)(uint32_t)found - 1;
            const Label *l = &p->labels[index];
            if (l->len == len && memcmp(p->s + l->off, t, len) == 0) return p->last = index;
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
    l->str = NULL;
    for (int k = 0; k < nconstants; k++)
        if (constants[k].len == len && memcmp(constants[k].name, t, len) == 0) l->kind = K_CONST + k;
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

static uint32_t function_hash(const char *name, Py_ssize_t len, int arity) {
    uint32_t h = 2166136261u ^ (uint32_t)arity;
    for (Py_ssize_t k = 0; k < len; k++) h = (h ^ (unsigned char)name[k]) * 16777619u;
    return h;
}

static const Function *find_function(const char *name, Py_ssize_t len, int arity) {
    uint32_t slot = function_hash(name, len, arity) & (FUNCTION_SLOTS - 1);
    for (;;) {
        const Function *f = &functions[slot];
        if (f->name == NULL) return NULL;
        if (f->arity == arity && f->len == len && memcmp(f->name, name, len) == 0) return f;
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
static Val reduce_value(Parse *p, const Rule *r, const Val *children) {
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

static void release(Parse *p) {
    for (int k = 0; k < 5; k++) Py_CLEAR(p->arrays[k]);
    PyMem_Free(p->staged);
    PyMem_Free(p->named);
    PyMem_Free(p->events);
    PyMem_Free(p->order);
    for (Py_ssize_t k = 0; k < p->nlabels; k++) Py_XDECREF(p->labels[k].str);
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
    Py_ssize_t pos = 0, start = 0;
    if (grow((void **)&states, &capstates, 256, sizeof(uint16_t)) ||
        grow((void **)&values, &capvalues, 256, sizeof(Val))) {
        out_of_memory(p);
        goto done;
    }
    states[0] = (uint16_t)start_state;
    for (;;) {
        int symbol = scan(p->s, p->n, &pos, &start);
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
        if (start > INT32_MAX) {
            p->failed = 1;
            break;
        }
        states[++top] = (uint16_t)action;
        values[vtop++] = (Val)start; /* a token's value is its offset */
    }
done:
    PyMem_Free(states);
    PyMem_Free(values);
    return p->failed ? -1 : 0;
}

/* parse(text) -> (op, arg0, arg1, at, const, names, inputs, bindings, output) | None ---------- */
static PyObject *label_str(Parse *p, int32_t label) {
    Label *l = &p->labels[label];
    if (l->str == NULL && (l->str = PyUnicode_New(l->len, 127)) != NULL)
        memcpy(PyUnicode_1BYTE_DATA(l->str), p->s + l->off, l->len); /* NAME is ASCII */
    return l->str;
}

static PyObject *results(Parse *p) {
    PyObject *names = NULL, *inputs = NULL, *bindings = NULL, *out = NULL;
    Py_ssize_t ninputs = 0;
    for (Py_ssize_t k = 0; k < p->norder; k++) ninputs += p->labels[p->order[k]].kind == K_INPUT;
    if (!(names = _PyDict_NewPresized(p->nevents)) || !(inputs = _PyDict_NewPresized(ninputs)) ||
        !(bindings = _PyDict_NewPresized(p->norder - ninputs)))
        goto done;
    /* An input's node number is one int object, shared by tape.names and inputs. */
    PyObject **numbers = PyMem_Calloc((size_t)p->nlabels + 1, sizeof(PyObject *));
    if (numbers == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int failed = 0;
    for (Py_ssize_t k = 0; k < p->nevents && !failed; k++) {
        int32_t label = p->events[2 * k + 1];
        PyObject *key = PyLong_FromLong(p->events[2 * k]);
        PyObject *text = label_str(p, label);
        failed = key == NULL || text == NULL || PyDict_SetItem(names, key, text);
        if (!failed && p->labels[label].kind == K_INPUT && p->labels[label].node == p->events[2 * k])
            numbers[label] = Py_NewRef(key);
        Py_XDECREF(key);
    }
    for (Py_ssize_t k = 0; k < p->norder && !failed; k++) {
        int32_t label = p->order[k];
        Label *l = &p->labels[label];
        PyObject *text = label_str(p, label);
        PyObject *index = numbers[label] ? Py_NewRef(numbers[label]) : PyLong_FromLong(l->node);
        failed = index == NULL || text == NULL ||
                 PyDict_SetItem(l->kind == K_INPUT ? inputs : bindings, text, index);
        Py_XDECREF(index);
    }
    for (Py_ssize_t k = 0; k < p->nlabels; k++) Py_XDECREF(numbers[k]);
    PyMem_Free(numbers);
    if (failed || flush(p)) goto done;
    out = Py_BuildValue("(OOOOOOOOi)", p->arrays[0], p->arrays[1], p->arrays[2], p->arrays[3],
                        p->arrays[4], names, inputs, bindings, (int)p->output);
done:
    Py_XDECREF(names);
    Py_XDECREF(inputs);
    Py_XDECREF(bindings);
    return out;
}

static PyObject *cparse_parse(PyObject *self, PyObject *text) {
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "adcli._cparse.init() was not called");
        return NULL;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "parse() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) return NULL;
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND || PyUnicode_GET_LENGTH(text) > INT32_MAX)
        Py_RETURN_NONE; /* offsets must be character offsets: the pure parser handles these */
    Parse p;
    memset(&p, 0, sizeof(p));
    p.s = PyUnicode_1BYTE_DATA(text);
    p.n = PyUnicode_GET_LENGTH(text);
    p.output = -1;
    p.last = -1;
    p.nslots = 1024;
    PyObject *out = NULL;
    if ((p.slots = PyMem_Calloc((size_t)p.nslots, sizeof(uint64_t))) == NULL ||
        (p.staged = PyMem_Malloc(sizeof(Staged))) == NULL) {
        out_of_memory(&p);
        goto done;
    }
    for (int k = 0; k < 5; k++) {
        p.arrays[k] = PyObject_CallFunction(array_type, "C", TYPECODES[k]);
        if (p.arrays[k] == NULL) goto done;
    }
    if (drive(&p) == 0 && p.output >= 0) out = results(&p);
    else if (p.failed >= 0) out = Py_NewRef(Py_None);
done:
    release(&p);
    return out;
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

static PyObject *cparse_init(PyObject *self, PyObject *args) {
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

static PyMethodDef methods[] = {
    {"init", cparse_init, METH_VARARGS,
     "init(terminals, ignore, states, rules, start, end, codes, constants, binary, unary, "
     "input_code, const_code, where): load the grammar tables and the primitive codes."},
    {"parse", cparse_parse, METH_O,
     "parse(text) -> (op, arg0, arg1, at, const, names, inputs, bindings, output) as bytes and "
     "dicts, or None when the pure-Python parser must run (anything but the scalar success path)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "adcli._cparse",
    "The parser's compiled path: scanner, LALR(1) driver and tape building (see adcli.parse).",
    -1, methods,
};

PyMODINIT_FUNC PyInit__cparse(void) { return PyModule_Create(&module); }
