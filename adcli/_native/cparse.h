/* adcli._cparse's shared declarations: the grammar init() loads (cparse_tables.c), the
 * state of one parse and the tape builder (cparse_build.c), the scanner and the driver
 * (cparse.c).  See cparse.c for what the module does and when it bails. */
#ifndef ADCLI_CPARSE_H
#define ADCLI_CPARSE_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#pragma GCC visibility push(hidden) /* the module's own symbols: only PyInit__cparse is public */
#endif

#define NO_ACTION INT32_MIN
#define MAX_CANDIDATES 16
#define MAX_KEPT 8

enum { M_FIXED, M_NUMBER, M_NAME, M_SEP, M_BLANK, M_COMMENT };
enum { PASS = 0, CALL = 1, SPLICE = 2 };
enum {
    A_BAIL, A_START, A_ASSIGN, A_NUMBER, A_NAME, A_BINARY, A_NEG, A_POS, A_CALL, A_ARGUMENTS
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
extern int ready;
extern Candidate candidates[256][MAX_CANDIDATES];
extern int ncandidates[256];
extern int32_t *actions; /* [state * nsymbols + symbol] */
extern int32_t *chains; /* unit chains: [(below * nstates + top) * lookaheads + symbol] */
extern int nsymbols, nstates, end_symbol, start_state, end_state;
extern Rule *rules;
extern int nrules;
extern int input_code, const_code, where_add, where_pick, where_unpick;
/* The primitive table's calls, (name, arity) -> code as primitives.CODES, hashed; and the
 * named constants. */
typedef struct { char *name; Py_ssize_t len; int arity, code; } Function;
#define FUNCTION_SLOTS 1024
extern Function functions[FUNCTION_SLOTS];
typedef struct { char *name; Py_ssize_t len; double value; } Constant;
extern Constant *constants; /* K_CONST + k in a Label: constants[k] */
extern int nconstants;

extern uint8_t NAME_CHAR[256]; /* [A-Za-z0-9_] */
extern PyObject *array_type, *frombytes;

/* scanning ------------------------------------------------------------------------------------ */
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define BLANKC(c) ((c) == ' ' || (c) == '\t' || (c) == '\f' || (c) == '\r')

static inline Py_ssize_t match_number(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
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


static inline Py_ssize_t match_name(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
    if (i >= n || !ALPHA(s[i])) return -1;
    Py_ssize_t j = i + 1;
    while (j < n && NAME_CHAR[s[j]]) j++;
    return j;
}

/* Whether two short texts (names) are equal: a loop, not a call to memcmp. */
static inline int same_text(const void *a, const void *b, Py_ssize_t len) {
    const unsigned char *x = a, *y = b;
    for (Py_ssize_t k = 0; k < len; k++)
        if (x[k] != y[k]) return 0;
    return 1;
}

/* A NAME's hash in the label table: FNV-1a, then a finaliser, so that even names that differ in
 * one character land far apart (linear probing needs it). */
static inline uint32_t name_hash(const unsigned char *t, Py_ssize_t len) {
    uint32_t h = 2166136261u;
    for (Py_ssize_t k = 0; k < len; k++) h = (h ^ t[k]) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* A token the scanner has read ahead of the driver; name: a NAME, not a call's (`sin(`), with
 * its hash. */
typedef struct {
    int32_t symbol, start, end, name;
    uint32_t hash;
} Token;
#define AHEAD 16 /* tokens; a power of two */

/* one parse: the tape under construction ------------------------------------------------------ */
enum { K_NEW, K_INPUT, K_BINDING, K_CONST };

typedef struct {
    int32_t off, len, node, kind; /* kind K_CONST + k: the k-th named constant */
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

/* Nodes are written to one C buffer per field that doubles as it fills (realloc: a block glibc
 * has mmapped moves by remapping, not copying; doubling bounds the copies otherwise), and each becomes an array('B'/'i'/'d') once, at the
 * end: no array grows node by node (an array over-allocates by 1/16, so it would be copied
 * again and again). */
enum { F_OP, F_ARG0, F_ARG1, F_AT, F_CONST, NFIELDS };

typedef struct {
    const unsigned char *s;
    Py_ssize_t n;
    void *fields[NFIELDS]; /* op, arg0, arg1, at, const: capnodes items each */
    Py_ssize_t count, capnodes;
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
    Token ahead[AHEAD]; /* scanned, not yet read by the driver: from ahead[head], nahead */
    unsigned head, nahead;
    Py_ssize_t pos;     /* where the scanner goes on */
    int scanned;        /* the scanner met the end or an unexpected character */
    Token recent[2];    /* the last two NAMEs the driver read (label_at's are among them) */
    unsigned nrecent;
    List *pool;
    Py_ssize_t pooltop, poolcap;
    int32_t output;
    int failed; /* 1: bail; -1: a Python exception is set */
} Parse;

static inline int grow(void **buffer, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t cap2 = *cap ? *cap : 1024;
    while (cap2 < need) cap2 *= 2;
    void *p = PyMem_Realloc(*buffer, (size_t)cap2 * item);
    if (p == NULL) return -1;
    *buffer = p;
    *cap = cap2;
    return 0;
}

static inline int out_of_memory(Parse *p) {
    PyErr_NoMemory();
    p->failed = -1;
    return -1;
}

static const char TYPECODES[NFIELDS] = {'B', 'i', 'i', 'i', 'd'};
static const size_t ITEM[NFIELDS] = {1, 4, 4, 4, 8};

/* cparse_tables.c */
uint32_t function_hash(const char *name, Py_ssize_t len, int arity);
PyObject *cparse_init(PyObject *self, PyObject *args);
/* cparse_build.c */
int make_arrays(Parse *p, PyObject *arrays[NFIELDS]);
Val reduce_value(Parse *p, const Rule *r, const Val *children);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
#endif
