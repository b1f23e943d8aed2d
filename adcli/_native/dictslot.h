/* A hint for the cache when a C loop fills a large dict: PREFETCH_SLOT(dict, hash) prefetches
 * `hash`'s first slot in `dict`'s index table (a large dict's slots are random reads, ~170 ns
 * each on a cache miss here), a few insertions before the one that probes it.  The table's
 * layout is known for CPython 3.11-3.13's PyDictKeysObject, and the hint is nothing elsewhere.
 * Only ever prefetched, never read: a prefetch does not fault, so a wrong guess (a dict resized
 * since, another layout) costs time, not correctness.  (A macro: a prefetch in a function of its
 * own is optimised away.) */
#ifndef ADCLI_DICTSLOT_H
#define ADCLI_DICTSLOT_H
#include <Python.h>
#include <stdint.h>

#if defined(__GNUC__) && PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && \
    !defined(Py_GIL_DISABLED) && !defined(Py_LIMITED_API)
typedef struct {
    Py_ssize_t dk_refcnt;
    uint8_t dk_log2_size, dk_log2_index_bytes, dk_kind;
    uint32_t dk_version;
    Py_ssize_t dk_usable, dk_nentries;
    char dk_indices[];
} DictKeysLayout;
static inline const char *dict_slot(PyObject *dict, Py_hash_t hash) {
    const DictKeysLayout *keys = (const DictKeysLayout *)((PyDictObject *)dict)->ma_keys;
    unsigned log2 = keys->dk_log2_size & 63, width = (keys->dk_log2_index_bytes - log2) & 3;
    return keys->dk_indices + (((size_t)hash & (((size_t)1 << log2) - 1)) << width);
}
#define PREFETCH_SLOT(dict, hash) __builtin_prefetch(dict_slot((dict), (hash)))
#else
#define PREFETCH_SLOT(dict, hash) ((void)(dict), (void)(hash)) /* still evaluated */
#endif
#define PREFETCH_LAG 16 /* insertions between a slot's prefetch and the one that probes it */

#endif
