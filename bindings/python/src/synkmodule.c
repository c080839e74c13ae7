/* SPDX-License-Identifier: MIT */
/*
 * synk._synk: the CPython extension behind the `synk` package
 * (bindings/python/synk/__init__.py adds the NumPy views on top).
 *
 * Thin: every method is one synk.h call (plus the size query that sizes its
 * output); no logic the C API lacks. Arrays cross as buffers, never copied
 * on the way in: motions and events are read in place from any C-contiguous
 * buffer of the record layout (NumPy n x 4 / n x 6 int32 arrays or the
 * structured dtypes), and the world's columns are exported as read-only
 * buffers. Errors are synk.Error subclasses, one per synk_status, carrying
 * the status code and name.
 *
 * Lifetime: a column buffer keeps its World object alive, so a view never
 * outlives the memory it points into; World.close() refuses (BufferError)
 * while any column object (hence any view) is alive, and a closed world
 * exports nothing. A Ring keeps its world alive the same way.
 *
 * Threads: batch calls release the GIL (NOGIL below). A world is not
 * internally synchronized (synk.h), so a world whose call runs without the
 * GIL is marked busy and refuses other calls until it returns.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "synk.h"

/* ---------------------------------------------------------------- errors */

#define NSTATUS (SYNK_E_SPACE + 1)
static PyObject *Error;            /* synk.Error */
static PyObject *Errors[NSTATUS];  /* one subclass per status, [SYNK_OK] unused */
static const char *const error_names[NSTATUS] = {
    NULL,          "ArgError",    "RangeError",  "ExistsError",   "DeadError",
    "NoMemError",  "IsaError",    "FormatError", "MismatchError", "SpaceError"};
static const char *const error_docs[NSTATUS] = {
    NULL,
    "SYNK_E_ARG: a malformed argument or config.",
    "SYNK_E_RANGE: id >= max_entities, or property slot >= num_props.",
    "SYNK_E_EXISTS: spawn of an id that is already alive.",
    "SYNK_E_DEAD: despawn/move/set_prop/get of an id that is not alive.",
    "SYNK_E_NOMEM: the allocator returned NULL.",
    "SYNK_E_ISA: unknown ISA name, or an ISA this machine cannot run.",
    "SYNK_E_FORMAT: malformed bytes (bad magic/version, truncated, out-of-bound value, failed check).",
    "SYNK_E_MISMATCH: well-formed bytes that do not fit (hash, config, base world or frame differ).",
    "SYNK_E_SPACE: an output buffer is too small."};

/* Raise the exception of status st: "SYNK_E_DEAD: what". Optional
 * attributes (name/value pairs, NULL-terminated) locate the failure. */
static PyObject *raise_status(synk_status st, const char *what, ...) {
  PyObject *type = (st > 0 && st < NSTATUS) ? Errors[st] : Error;
  PyObject *exc = PyObject_CallFunction(type, "s", what);
  if (!exc) return NULL;
  va_list ap;
  va_start(ap, what);
  for (const char *key; (key = va_arg(ap, const char *)) != NULL;) {
    PyObject *v = PyLong_FromSize_t(va_arg(ap, size_t));
    if (!v || PyObject_SetAttrString(exc, key, v) < 0) {
      Py_XDECREF(v);
      Py_DECREF(exc);
      va_end(ap);
      return NULL;
    }
    Py_DECREF(v);
  }
  va_end(ap);
  if (!(st > 0 && st < NSTATUS)) { /* a status this module does not know yet */
    PyObject *code = PyLong_FromLong((long)st);
    if (code) PyObject_SetAttrString(exc, "status", code);
    Py_XDECREF(code);
  }
  PyErr_SetObject(type, exc);
  Py_DECREF(exc);
  return NULL;
}

/* Return the exception of st unless it is SYNK_OK: CHECK(st, "what"[, "attr", size_t value]...) */
#define CHECK(st, ...)                                                    \
  do {                                                                    \
    synk_status st_ = (st);                                               \
    if (st_ != SYNK_OK) return raise_status(st_, __VA_ARGS__, NULL);      \
  } while (0)

/* Function pointer casts through void (*)(void), which matches every type. */
#define FN(type, f) ((type)(void (*)(void))(f))

/* ---------------------------------------------------------------- GIL release */

/* Test seam (synk._synk._test_rendezvous): when armed with n, the next n
 * GIL-released sections meet here before their C call; each waits (at most
 * 10 s, a deadlock guard, never a measurement) until all n have arrived. They
 * can only all arrive if each released the GIL: a thread that held it would
 * keep the others from reaching their call. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int want, arrived, met;
} rv = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static void rendezvous(void) {
  pthread_mutex_lock(&rv.mu);
  if (rv.want > 0) {
    if (++rv.arrived == rv.want) {
      rv.met = 1;
      rv.want = 0;
      pthread_cond_broadcast(&rv.cv);
    } else {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += 10;
      while (!rv.met && rv.want > 0)
        if (pthread_cond_timedwait(&rv.cv, &rv.mu, &until) == ETIMEDOUT) {
          rv.want = 0; /* give up: the others never came */
          break;
        }
    }
  }
  pthread_mutex_unlock(&rv.mu);
}

static PyObject *test_rendezvous(PyObject *m, PyObject *arg) {
  (void)m;
  long n = PyLong_AsLong(arg);
  if (n == -1 && PyErr_Occurred()) return NULL;
  pthread_mutex_lock(&rv.mu);
  int met = rv.met;
  rv.want = (int)n;
  rv.arrived = 0;
  rv.met = 0;
  pthread_mutex_unlock(&rv.mu);
  return PyBool_FromLong(met); /* whether the previous rendezvous was met */
}

/* ---------------------------------------------------------------- World */

typedef struct {
  PyObject_HEAD
  synk_world *w;
  Py_ssize_t views; /* live column objects (each one backs NumPy views) */
  Py_ssize_t rings; /* live rings */
  int busy;         /* a call on this world runs without the GIL */
  PyObject *weakrefs;
} WorldObject;

static PyTypeObject WorldType;

/* Run stmt without the GIL, with the worlds given marked busy. */
#define NOGIL(a, b, stmt)              \
  do {                                 \
    if (a) (a)->busy = 1;              \
    if (b) (b)->busy = 1;              \
    Py_BEGIN_ALLOW_THREADS rendezvous(); \
    stmt;                              \
    Py_END_ALLOW_THREADS               \
    if (a) (a)->busy = 0;              \
    if (b) (b)->busy = 0;              \
  } while (0)

/* The world of o, or NULL with ValueError (closed) / RuntimeError (busy). */
static synk_world *W(WorldObject *o) {
  if (!o->w) {
    PyErr_SetString(PyExc_ValueError, "the world is closed");
    return NULL;
  }
  if (o->busy) {
    PyErr_SetString(PyExc_RuntimeError, "the world is in use by another thread (a call released the GIL)");
    return NULL;
  }
  return o->w;
}

static int u32_of(PyObject *o, uint32_t *out) {
  unsigned long v = PyLong_AsUnsignedLong(o);
  if (v == (unsigned long)-1 && PyErr_Occurred()) return -1;
  if (v > UINT32_MAX) {
    PyErr_SetString(PyExc_OverflowError, "value does not fit in uint32");
    return -1;
  }
  *out = (uint32_t)v;
  return 0;
}

static int i32_of(PyObject *o, int32_t *out) {
  long v = PyLong_AsLong(o);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_SetString(PyExc_OverflowError, "value does not fit in int32");
    return -1;
  }
  *out = (int32_t)v;
  return 0;
}

static int u64_of(PyObject *o, uint64_t *out) {
  unsigned long long v = PyLong_AsUnsignedLongLong(o); /* OverflowError when negative or too big */
  if (v == (unsigned long long)-1 && PyErr_Occurred()) return -1;
  *out = v;
  return 0;
}

/* A config from Python ints (max_entities, num_props, seed), range-checked:
 * PyArg's "I" and "K" would wrap silently. */
static int config_of(PyObject *cap, PyObject *np, PyObject *seed, synk_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  if (u32_of(cap, &cfg->max_entities) < 0) return -1;
  if (np && u32_of(np, &cfg->num_props) < 0) return -1;
  if (seed && u64_of(seed, &cfg->seed) < 0) return -1;
  return 0;
}

static int nargs(const char *name, Py_ssize_t n, Py_ssize_t want) {
  if (n == want) return 0;
  PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, want, n);
  return -1;
}

static int world_init(WorldObject *self, PyObject *args, PyObject *kw) {
  static char *kws[] = {"max_entities", "num_props", "seed", NULL};
  PyObject *cap, *np = NULL, *seed = NULL;
  synk_config cfg;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OO:World", kws, &cap, &np, &seed) ||
      config_of(cap, np, seed, &cfg) < 0)
    return -1;
  if (self->w) {
    PyErr_SetString(PyExc_RuntimeError, "World.__init__ called twice");
    return -1;
  }
  synk_status st = synk_world_create(&cfg, &self->w);
  if (st != SYNK_OK) {
    raise_status(st, "synk_world_create", NULL);
    return -1;
  }
  return 0;
}

static void world_dealloc(WorldObject *self) {
  if (self->weakrefs) PyObject_ClearWeakRefs((PyObject *)self);
  synk_world_destroy(self->w); /* no view or ring can be alive: each holds a reference */
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *world_close(WorldObject *self, PyObject *unused) {
  (void)unused;
  if (!self->w) Py_RETURN_NONE;
  if (self->busy) {
    W(self); /* raises: in use */
    return NULL;
  }
  if (self->views) {
    PyErr_Format(PyExc_BufferError, "cannot close the world: %zd view object(s) of it are alive", self->views);
    return NULL;
  }
  if (self->rings) {
    PyErr_Format(PyExc_RuntimeError, "cannot close the world: %zd ring(s) attached (close them first)",
                 self->rings);
    return NULL;
  }
  synk_world_destroy(self->w);
  self->w = NULL;
  Py_RETURN_NONE;
}

static PyObject *world_closed(WorldObject *self, void *unused) {
  (void)unused;
  return PyBool_FromLong(self->w == NULL);
}

static PyObject *world_spawn(WorldObject *self, PyObject *const *a, Py_ssize_t n) {
  synk_world *w = W(self);
  uint32_t id, kind;
  int32_t x, y, z;
  if (!w || nargs("spawn", n, 5) || u32_of(a[0], &id) || u32_of(a[1], &kind) || i32_of(a[2], &x) ||
      i32_of(a[3], &y) || i32_of(a[4], &z))
    return NULL;
  CHECK(synk_spawn(w, id, kind, x, y, z), "synk_spawn");
  Py_RETURN_NONE;
}

static PyObject *world_despawn(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  uint32_t id;
  if (!w || u32_of(arg, &id)) return NULL;
  CHECK(synk_despawn(w, id), "synk_despawn");
  Py_RETURN_NONE;
}

static PyObject *world_move(WorldObject *self, PyObject *const *a, Py_ssize_t n) {
  synk_world *w = W(self);
  uint32_t id;
  int32_t dx, dy, dz;
  if (!w || nargs("move", n, 4) || u32_of(a[0], &id) || i32_of(a[1], &dx) || i32_of(a[2], &dy) ||
      i32_of(a[3], &dz))
    return NULL;
  CHECK(synk_move(w, id, dx, dy, dz), "synk_move");
  Py_RETURN_NONE;
}

static PyObject *world_set_prop(WorldObject *self, PyObject *const *a, Py_ssize_t n) {
  synk_world *w = W(self);
  uint32_t id, slot;
  int32_t v;
  if (!w || nargs("set_prop", n, 3) || u32_of(a[0], &id) || u32_of(a[1], &slot) || i32_of(a[2], &v))
    return NULL;
  CHECK(synk_set_prop(w, id, slot, v), "synk_set_prop");
  Py_RETURN_NONE;
}

static PyObject *world_tick(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  if (!w) return NULL;
  synk_tick(w);
  Py_RETURN_NONE;
}

static PyTypeObject EntityType, StreamInfoType, HeaderType;
static PyStructSequence_Field entity_fields[] = {
    {"id", NULL}, {"kind", NULL}, {"x", NULL}, {"y", NULL}, {"z", NULL},
    {"props", "tuple of num_props property values"}, {NULL, NULL}};
static PyStructSequence_Desc entity_desc = {"synk.Entity", "An entity, as synk_get returns it.",
                                            entity_fields, 6};
static PyStructSequence_Field info_fields[] = {
    {"pos", "offset where the call stopped (pass it to the next call)"},
    {"events", "events applied by the call"},
    {"end", "True when the stream's final check was reached"},
    {NULL, NULL}};
static PyStructSequence_Desc info_desc = {"synk.StreamInfo", "Where World.stream_apply stopped.",
                                          info_fields, 3};
static PyStructSequence_Field header_fields[] = {
    {"max_entities", NULL}, {"num_props", NULL}, {"seed", NULL}, {"frame", NULL},
    {"count", NULL},        {"hash", NULL},      {"size", NULL}, {NULL, NULL}};
static PyStructSequence_Desc header_desc = {"synk.SnapshotHeader", "A snapshot's header (synk_snapshot_inspect).",
                                            header_fields, 7};

/* Fill a struct sequence from "K"-style values: v[i] as unsigned long long. */
static PyObject *structseq(PyTypeObject *t, const unsigned long long *v, int n) {
  PyObject *s = PyStructSequence_New(t);
  if (!s) return NULL;
  for (int i = 0; i < n; i++) {
    PyObject *x = PyLong_FromUnsignedLongLong(v[i]);
    if (!x) {
      Py_DECREF(s);
      return NULL;
    }
    PyStructSequence_SET_ITEM(s, i, x);
  }
  return s;
}

static PyObject *world_get(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  uint32_t id;
  synk_entity e;
  if (!w || u32_of(arg, &id)) return NULL;
  CHECK(synk_get(w, id, &e), "synk_get");
  uint32_t np = synk_get_view(w).num_props;
  PyObject *props = PyTuple_New(np);
  if (!props) return NULL;
  for (uint32_t s = 0; s < np; s++) {
    PyObject *v = PyLong_FromLong(e.props[s]);
    if (!v) {
      Py_DECREF(props);
      return NULL;
    }
    PyTuple_SET_ITEM(props, s, v);
  }
  PyObject *ent = PyStructSequence_New(&EntityType);
  if (!ent) {
    Py_DECREF(props);
    return NULL;
  }
  PyStructSequence_SET_ITEM(ent, 0, PyLong_FromUnsignedLong(e.id));
  PyStructSequence_SET_ITEM(ent, 1, PyLong_FromUnsignedLong(e.kind));
  PyStructSequence_SET_ITEM(ent, 2, PyLong_FromLong(e.x));
  PyStructSequence_SET_ITEM(ent, 3, PyLong_FromLong(e.y));
  PyStructSequence_SET_ITEM(ent, 4, PyLong_FromLong(e.z));
  PyStructSequence_SET_ITEM(ent, 5, props);
  for (int i = 0; i < 5; i++)
    if (!PyStructSequence_GET_ITEM(ent, i)) {
      Py_DECREF(ent);
      return NULL;
    }
  return ent;
}

static PyObject *world_count(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  return w ? PyLong_FromSize_t(synk_count(w)) : NULL;
}

static PyObject *world_frame(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  return w ? PyLong_FromUnsignedLongLong(synk_frame(w)) : NULL;
}

static PyObject *world_hash(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  return w ? PyLong_FromUnsignedLongLong(synk_hash(w)) : NULL;
}

static PyObject *world_rehash(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  if (!w) return NULL;
  uint64_t h;
  NOGIL(self, (WorldObject *)NULL, h = synk_rehash(w));
  return PyLong_FromUnsignedLongLong(h);
}

static PyObject *world_entity_hash(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  uint32_t id;
  uint64_t h;
  if (!w || u32_of(arg, &id)) return NULL;
  CHECK(synk_entity_hash(w, id, &h), "synk_entity_hash");
  return PyLong_FromUnsignedLongLong(h);
}

/* chunk sums as a bytearray of host-order uint64 (synk.World.chunk_hashes wraps it as an array) */
static PyObject *world_chunk_hashes(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  if (!w) return NULL;
  size_t n = synk_chunk_hashes(w, NULL, 0);
  PyObject *out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
  if (!out) return NULL;
  uint64_t *p = (uint64_t *)(void *)PyByteArray_AS_STRING(out);
  NOGIL(self, (WorldObject *)NULL, synk_chunk_hashes(w, p, n));
  return out;
}

static PyObject *world_config(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  if (!w) return NULL;
  synk_config c = synk_get_config(w);
  return Py_BuildValue("(IIK)", c.max_entities, c.num_props, (unsigned long long)c.seed);
}

/* ---- input records: motions (16 bytes) and events (24 bytes) */

/* The record layouts accepted besides k int32 columns: NumPy's buffer format
 * of synk.MOTION_DTYPE / synk.EVENT_DTYPE, byte-order marks removed. */
static const char motion_struct[] = "T{I:id:i:dx:i:dy:i:dz:}";
static const char event_struct[] = "T{I:type:I:id:I:arg:i:a:i:b:i:c:}";

/* fmt equals want once native-order marks are dropped ('=', '@', and on a
 * little-endian host '<'); any other byte order never matches. */
static int format_is(const char *fmt, const char *want) {
  for (; *fmt; fmt++) {
    if (*fmt == '=' || *fmt == '@') continue;
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (*fmt == '<') continue;
#endif
    if (*fmt != *want++) return 0;
  }
  return *want == '\0';
}

/* Get obj's buffer as n records of `words` 32-bit words, in place (no copy):
 * a C-contiguous (n, words) array of int32/uint32, or n records of the
 * structured layout `st`. flags adds PyBUF_WRITABLE when the call writes. */
static int get_records(PyObject *obj, Py_buffer *b, size_t words, const char *st, int flags, size_t *n,
                       const char *what) {
  if (PyObject_GetBuffer(obj, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | flags) < 0) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError,
                 "%s: expected a C-contiguous array of shape (n, %zu) of int32 or a structured array of "
                 "synk.%s (writable when the call writes)",
                 what, words, words == 4 ? "MOTION_DTYPE" : "EVENT_DTYPE");
    return -1;
  }
  const char *fmt = b->format ? b->format : "B";
  int ok = 0;
  if (b->itemsize == 4 && (format_is(fmt, "i") || format_is(fmt, "I")))
    ok = b->ndim == 2 && b->shape[1] == (Py_ssize_t)words;
  else if (b->itemsize == (Py_ssize_t)(4 * words) && b->ndim == 1)
    ok = format_is(fmt, st);
  if (!ok) {
    PyErr_Format(PyExc_TypeError,
                 "%s: expected shape (n, %zu) of int32 or a 1-d array of synk.%s; got format '%s', "
                 "itemsize %zd, %d dimension(s)",
                 what, words, words == 4 ? "MOTION_DTYPE" : "EVENT_DTYPE", fmt, b->itemsize, b->ndim);
    PyBuffer_Release(b);
    return -1;
  }
  *n = (size_t)b->len / (4 * words);
  return 0;
}

static PyObject *world_apply_motions(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  Py_buffer b;
  size_t n, bad = 0;
  if (!w || get_records(arg, &b, 4, motion_struct, 0, &n, "apply_motions") < 0) return NULL;
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_apply_motions(w, (const synk_motion *)b.buf, n, &bad));
  PyBuffer_Release(&b);
  CHECK(st, "synk_apply_motions", "index", bad);
  Py_RETURN_NONE;
}

static PyObject *world_events_apply(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  Py_buffer b;
  size_t n, bad = 0;
  if (!w || get_records(arg, &b, 6, event_struct, 0, &n, "events_apply") < 0) return NULL;
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_events_apply(w, (const synk_event *)b.buf, n, &bad));
  PyBuffer_Release(&b);
  CHECK(st, "synk_events_apply", "index", bad);
  Py_RETURN_NONE;
}

static PyObject *world_stream_apply(WorldObject *self, PyObject *args, PyObject *kw) {
  static char *kws[] = {"data", "pos", "max_ticks", NULL};
  synk_world *w = W(self);
  Py_buffer b;
  Py_ssize_t pos = 0;
  PyObject *ticks = NULL;
  uint64_t max_ticks = 0;
  if (!w || !PyArg_ParseTupleAndKeywords(args, kw, "y*|nO:stream_apply", kws, &b, &pos, &ticks)) return NULL;
  if (ticks && u64_of(ticks, &max_ticks) < 0) {
    PyBuffer_Release(&b);
    return NULL;
  }
  if (pos < 0) {
    PyBuffer_Release(&b);
    return raise_status(SYNK_E_ARG, "synk_stream_apply: pos < 0", NULL);
  }
  size_t p = (size_t)pos;
  synk_stream_info info;
  memset(&info, 0, sizeof info);
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_stream_apply(w, b.buf, (size_t)b.len, &p, max_ticks, &info));
  PyBuffer_Release(&b);
  CHECK(st, "synk_stream_apply", "bad_event", info.bad_event, "bad_offset", info.bad_offset);
  PyObject *s = PyStructSequence_New(&StreamInfoType);
  if (!s) return NULL;
  PyStructSequence_SET_ITEM(s, 0, PyLong_FromSize_t(p));
  PyStructSequence_SET_ITEM(s, 1, PyLong_FromSize_t(info.events));
  PyStructSequence_SET_ITEM(s, 2, PyBool_FromLong(info.end != 0));
  if (!PyStructSequence_GET_ITEM(s, 0) || !PyStructSequence_GET_ITEM(s, 1)) {
    Py_DECREF(s);
    return NULL;
  }
  return s;
}

static PyObject *world_snapshot(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  if (!w) return NULL;
  size_t len = synk_snapshot_size(w);
  PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
  if (!out) return NULL;
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_snapshot_save(w, PyBytes_AS_STRING(out), len, &len));
  if (st != SYNK_OK) {
    Py_DECREF(out);
    return raise_status(st, "synk_snapshot_save", NULL);
  }
  return out;
}

static PyObject *world_snapshot_size(WorldObject *self, PyObject *unused) {
  (void)unused;
  synk_world *w = W(self);
  return w ? PyLong_FromSize_t(synk_snapshot_size(w)) : NULL;
}

static PyObject *snapshot_load(PyObject *m, PyObject *args, PyObject *kw) {
  (void)m;
  static char *kws[] = {"cls", "data", "max_entities", "num_props", "seed", NULL};
  PyTypeObject *cls;
  Py_buffer b;
  PyObject *cap, *np = NULL, *seed = NULL;
  synk_config cfg;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O!y*O|OO:snapshot_load", kws, &PyType_Type, &cls, &b, &cap, &np,
                                   &seed))
    return NULL;
  if (config_of(cap, np, seed, &cfg) < 0) {
    PyBuffer_Release(&b);
    return NULL;
  }
  if (!PyType_IsSubtype(cls, &WorldType)) {
    PyBuffer_Release(&b);
    PyErr_SetString(PyExc_TypeError, "snapshot_load: cls must be a World type");
    return NULL;
  }
  WorldObject *o = (WorldObject *)cls->tp_alloc(cls, 0);
  if (!o) {
    PyBuffer_Release(&b);
    return NULL;
  }
  synk_status st;
  NOGIL((WorldObject *)NULL, (WorldObject *)NULL, st = synk_snapshot_load(b.buf, (size_t)b.len, &cfg, &o->w));
  PyBuffer_Release(&b);
  if (st != SYNK_OK) {
    Py_DECREF(o);
    return raise_status(st, "synk_snapshot_load", NULL);
  }
  return (PyObject *)o;
}

static PyObject *snapshot_inspect(PyObject *m, PyObject *arg) {
  (void)m;
  Py_buffer b;
  synk_snapshot_header h;
  if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
  synk_status st = synk_snapshot_inspect(b.buf, (size_t)b.len, &h);
  PyBuffer_Release(&b);
  CHECK(st, "synk_snapshot_inspect");
  unsigned long long v[7] = {h.max_entities, h.num_props, h.seed, h.frame, h.count, h.hash, h.size};
  return structseq(&HeaderType, v, 7);
}

static PyObject *world_delta_to(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self), *t;
  if (!w) return NULL;
  if (!PyObject_TypeCheck(arg, &WorldType)) {
    PyErr_SetString(PyExc_TypeError, "delta_to: the target must be a synk.World");
    return NULL;
  }
  WorldObject *to = (WorldObject *)arg;
  if (!(t = W(to))) return NULL;
  size_t len = 0;
  synk_status st;
  NOGIL(self, to == self ? NULL : to, st = synk_delta_encode(w, t, NULL, 0, &len));
  CHECK(st, "synk_delta_encode");
  PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
  if (!out) return NULL;
  NOGIL(self, to == self ? NULL : to, st = synk_delta_encode(w, t, PyBytes_AS_STRING(out), len, &len));
  if (st != SYNK_OK) {
    Py_DECREF(out);
    return raise_status(st, "synk_delta_encode", NULL);
  }
  return out;
}

static PyObject *world_delta_apply(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  Py_buffer b;
  if (!w || PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_delta_apply(w, b.buf, (size_t)b.len));
  PyBuffer_Release(&b);
  CHECK(st, "synk_delta_apply");
  Py_RETURN_NONE;
}

/* ---- column views: read-only buffers into the world's storage */

typedef struct {
  PyObject_HEAD
  WorldObject *owner;
  const void *ptr;
  Py_ssize_t len, itemsize;
  const char *format;
} ColumnObject;

static PyTypeObject ColumnType;

/* which: 0 x, 1 y, 2 z, 3 kind, 4 alive, 5 + s property slot s */
static PyObject *world_column(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  long which = PyLong_AsLong(arg);
  if (!w || (which == -1 && PyErr_Occurred())) return NULL;
  synk_view v = synk_get_view(w);
  const void *p = NULL;
  Py_ssize_t len = v.capacity, itemsize = 4;
  const char *fmt = "i";
  switch (which) {
    case 0: p = v.x; break;
    case 1: p = v.y; break;
    case 2: p = v.z; break;
    case 3: p = v.kind, fmt = "I"; break;
    case 4: p = v.alive, fmt = "Q", itemsize = 8, len = (v.capacity + 63) / 64; break;
    default:
      if (which >= 5 && which - 5 < (long)v.num_props) p = v.props[which - 5];
  }
  if (!p) {
    PyErr_Format(PyExc_IndexError, "no column %ld (property slots: %u)", which, v.num_props);
    return NULL;
  }
  ColumnObject *c = PyObject_New(ColumnObject, &ColumnType);
  if (!c) return NULL;
  Py_INCREF(self);
  c->owner = self;
  c->ptr = p;
  c->len = len;
  c->itemsize = itemsize;
  c->format = fmt;
  self->views++;
  return (PyObject *)c;
}

static int column_getbuffer(ColumnObject *self, Py_buffer *view, int flags) {
  if (!self->owner->w) { /* unreachable while self lives; kept as the rule */
    PyErr_SetString(PyExc_BufferError, "the world is closed");
    return -1;
  }
  if (flags & PyBUF_WRITABLE) {
    PyErr_SetString(PyExc_BufferError, "synk views are read-only: change the world through its methods");
    return -1;
  }
  view->buf = (void *)self->ptr;
  view->obj = Py_NewRef((PyObject *)self);
  view->len = self->len * self->itemsize;
  view->readonly = 1;
  view->itemsize = self->itemsize;
  view->format = (flags & PyBUF_FORMAT) ? (char *)self->format : NULL;
  view->ndim = 1;
  view->shape = (flags & PyBUF_ND) ? &self->len : NULL;
  view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &self->itemsize : NULL;
  view->suboffsets = NULL;
  view->internal = NULL;
  return 0;
}

static void column_dealloc(ColumnObject *self) {
  self->owner->views--;
  Py_DECREF(self->owner);
  PyObject_Free(self);
}

static PyBufferProcs column_buffer = {FN(getbufferproc, column_getbuffer), NULL};

static PyTypeObject ColumnType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "synk._synk.Column",
    .tp_basicsize = sizeof(ColumnObject),
    .tp_dealloc = FN(destructor, column_dealloc),
    .tp_as_buffer = &column_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A read-only buffer over one column of a world (keeps the world alive).",
};

/* ---- rings */

typedef struct {
  PyObject_HEAD
  WorldObject *owner;
  synk_ring *r;
} RingObject;

static PyTypeObject RingType;

static PyObject *world_ring(WorldObject *self, PyObject *arg) {
  synk_world *w = W(self);
  uint32_t slots;
  if (!w || u32_of(arg, &slots)) return NULL;
  RingObject *r = PyObject_New(RingObject, &RingType);
  if (!r) return NULL;
  r->r = NULL;
  Py_INCREF(self);
  r->owner = self;
  self->rings++;
  synk_status st;
  NOGIL(self, (WorldObject *)NULL, st = synk_ring_create(w, slots, &r->r));
  if (st != SYNK_OK) {
    Py_DECREF(r);
    return raise_status(st, "synk_ring_create", NULL);
  }
  return (PyObject *)r;
}

static void ring_free(RingObject *self) {
  if (!self->owner) return;
  synk_ring_destroy(self->r);
  self->r = NULL;
  self->owner->rings--;
  Py_CLEAR(self->owner);
}

static void ring_dealloc(RingObject *self) {
  ring_free(self);
  PyObject_Free(self);
}

/* The ring of self, or NULL (closed ring, or its world busy). */
static synk_ring *R(RingObject *self) {
  if (!self->owner) {
    PyErr_SetString(PyExc_ValueError, "the ring is closed");
    return NULL;
  }
  return W(self->owner) ? self->r : NULL;
}

static PyObject *ring_close(RingObject *self, PyObject *unused) {
  (void)unused;
  if (self->owner && !R(self)) return NULL;
  ring_free(self);
  Py_RETURN_NONE;
}

static PyObject *ring_save(RingObject *self, PyObject *unused) {
  (void)unused;
  synk_ring *r = R(self);
  if (!r) return NULL;
  synk_status st;
  NOGIL(self->owner, (WorldObject *)NULL, st = synk_ring_save(r));
  CHECK(st, "synk_ring_save");
  Py_RETURN_NONE;
}

static PyObject *ring_has(RingObject *self, PyObject *arg) {
  synk_ring *r = R(self);
  unsigned long long f = PyLong_AsUnsignedLongLong(arg);
  if (!r || (f == (unsigned long long)-1 && PyErr_Occurred())) return NULL;
  return PyBool_FromLong(synk_ring_has(r, f));
}

static PyObject *ring_restore(RingObject *self, PyObject *arg) {
  synk_ring *r = R(self);
  unsigned long long f = PyLong_AsUnsignedLongLong(arg);
  if (!r || (f == (unsigned long long)-1 && PyErr_Occurred())) return NULL;
  synk_status st;
  NOGIL(self->owner, (WorldObject *)NULL, st = synk_ring_restore(r, f));
  CHECK(st, "synk_ring_restore");
  Py_RETURN_NONE;
}

static PyObject *ring_since(RingObject *self, PyObject *arg) {
  synk_ring *r = R(self);
  unsigned long long f = PyLong_AsUnsignedLongLong(arg);
  if (!r || (f == (unsigned long long)-1 && PyErr_Occurred())) return NULL;
  size_t len = 0;
  int snap = 0;
  synk_status st;
  NOGIL(self->owner, (WorldObject *)NULL, st = synk_ring_since(r, f, NULL, 0, &len, &snap));
  CHECK(st, "synk_ring_since");
  PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
  if (!out) return NULL;
  NOGIL(self->owner, (WorldObject *)NULL, st = synk_ring_since(r, f, PyBytes_AS_STRING(out), len, &len, &snap));
  if (st != SYNK_OK) {
    Py_DECREF(out);
    return raise_status(st, "synk_ring_since", NULL);
  }
  return Py_BuildValue("(NO)", out, snap ? Py_True : Py_False);
}

static PyMethodDef ring_methods[] = {
    {"save", FN(PyCFunction, ring_save), METH_NOARGS, "save()\n--\n\nSave the world's current frame (synk_ring_save)."},
    {"has", FN(PyCFunction, ring_has), METH_O, "has(frame)\n--\n\nTrue if the frame is saved in the ring."},
    {"restore", FN(PyCFunction, ring_restore), METH_O,
     "restore(frame)\n--\n\nRestore the world to a saved frame; RangeError if it is not in the ring."},
    {"since", FN(PyCFunction, ring_since), METH_O,
     "since(frame)\n--\n\n(bytes, is_snapshot): a delta from the frame to now, or a snapshot when the frame is gone."},
    {"close", FN(PyCFunction, ring_close), METH_NOARGS, "close()\n--\n\nDetach and free the ring (synk_ring_destroy)."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject RingType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "synk.Ring",
    .tp_basicsize = sizeof(RingObject),
    .tp_dealloc = FN(destructor, ring_dealloc),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Saved frames of one world (World.ring): rollback and catch-up. Keeps its world alive.",
    .tp_methods = ring_methods,
};

/* ---- World type */

#define FAST(name, doc) {#name, FN(PyCFunction, world_##name), METH_FASTCALL, doc}
static PyMethodDef world_methods[] = {
    FAST(spawn, "spawn(id, kind, x, y, z)\n--\n\nBring entity id to life (synk_spawn). "
                "RangeError, ExistsError."),
    {"despawn", FN(PyCFunction, world_despawn), METH_O, "despawn(id)\n--\n\nRemove entity id. RangeError, DeadError."},
    FAST(move, "move(id, dx, dy, dz)\n--\n\nAdd (dx, dy, dz) to id's position, wrapping mod 2**32 "
               "(synk_move). RangeError, DeadError."),
    FAST(set_prop, "set_prop(id, slot, value)\n--\n\nSet a property slot (synk_set_prop). "
                   "RangeError, DeadError."),
    {"tick", FN(PyCFunction, world_tick), METH_NOARGS, "tick()\n--\n\nAdvance the frame counter by one."},
    {"get", FN(PyCFunction, world_get), METH_O, "get(id)\n--\n\nEntity id as a synk.Entity. RangeError, DeadError."},
    {"count", FN(PyCFunction, world_count), METH_NOARGS, "count()\n--\n\nNumber of live entities."},
    {"frame", FN(PyCFunction, world_frame), METH_NOARGS, "frame()\n--\n\nFrames ticked since creation."},
    {"hash", FN(PyCFunction, world_hash), METH_NOARGS, "hash()\n--\n\nThe 64-bit world hash, O(1)."},
    {"rehash", FN(PyCFunction, world_rehash), METH_NOARGS,
     "rehash()\n--\n\nThe world hash recomputed from scratch (SIMD; releases the GIL); equals hash()."},
    {"entity_hash", FN(PyCFunction, world_entity_hash), METH_O, "entity_hash(id)\n--\n\nThe per-entity hash h(e)."},
    {"_chunk_hashes", FN(PyCFunction, world_chunk_hashes), METH_NOARGS, NULL},
    {"config", FN(PyCFunction, world_config), METH_NOARGS,
     "config()\n--\n\n(max_entities, num_props, seed), as the world was created."},
    {"_apply_motions", FN(PyCFunction, world_apply_motions), METH_O, NULL},
    {"_events_apply", FN(PyCFunction, world_events_apply), METH_O, NULL},
    {"stream_apply", FN(PyCFunction, world_stream_apply), METH_VARARGS | METH_KEYWORDS,
     "stream_apply(data, pos=0, max_ticks=0)\n--\n\nDecode and apply stream bytes atomically "
     "(synk_stream_apply); returns a synk.StreamInfo. max_ticks=0: to the stream's end; > 0: per-tick "
     "replay or a stream still arriving. FormatError, RangeError, ExistsError, DeadError carry "
     "bad_event and bad_offset. Releases the GIL."},
    {"snapshot", FN(PyCFunction, world_snapshot), METH_NOARGS,
     "snapshot()\n--\n\nThe world as snapshot bytes (synk_snapshot_save). Releases the GIL."},
    {"snapshot_size", FN(PyCFunction, world_snapshot_size), METH_NOARGS, "snapshot_size()\n--\n\nlen(snapshot())."},
    {"delta_to", FN(PyCFunction, world_delta_to), METH_O,
     "delta_to(target)\n--\n\nDelta bytes from this world to target (synk_delta_encode). MismatchError "
     "when their configs differ. Releases the GIL."},
    {"delta_apply", FN(PyCFunction, world_delta_apply), METH_O,
     "delta_apply(data)\n--\n\nApply a delta whose base is this world (synk_delta_apply). FormatError, "
     "MismatchError. Releases the GIL."},
    {"ring", FN(PyCFunction, world_ring), METH_O,
     "ring(slots)\n--\n\nAttach a synk.Ring of `slots` saved frames (synk_ring_create)."},
    {"_column", FN(PyCFunction, world_column), METH_O, NULL},
    {"close", FN(PyCFunction, world_close), METH_NOARGS,
     "close()\n--\n\nFree the world now (synk_world_destroy). BufferError while views of it are alive, "
     "RuntimeError while rings are attached. Closing twice is allowed; other methods of a closed world "
     "raise ValueError."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef world_getset[] = {
    {"closed", FN(getter, world_closed), NULL, "True once close() freed the world.", NULL}, {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject WorldType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "synk._synk.World",
    .tp_basicsize = sizeof(WorldObject),
    .tp_dealloc = FN(destructor, world_dealloc),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "World(max_entities, num_props=0, seed=0)\n--\n\nA synk world (synk_world_create).",
    .tp_weaklistoffset = offsetof(WorldObject, weakrefs),
    .tp_methods = world_methods,
    .tp_getset = world_getset,
    .tp_init = FN(initproc, world_init),
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------- streams */

static PyObject *stream_encode(PyObject *m, PyObject *arg) {
  (void)m;
  Py_buffer b;
  size_t n, len = 0;
  if (get_records(arg, &b, 6, event_struct, 0, &n, "stream_encode") < 0) return NULL;
  synk_status st = synk_stream_encode((const synk_event *)b.buf, n, NULL, 0, &len);
  PyObject *out = NULL;
  if (st == SYNK_OK && (out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len)) != NULL) {
    NOGIL((WorldObject *)NULL, (WorldObject *)NULL,
          st = synk_stream_encode((const synk_event *)b.buf, n, PyBytes_AS_STRING(out), len, &len));
  }
  PyBuffer_Release(&b);
  if (st != SYNK_OK) {
    Py_XDECREF(out);
    return raise_status(st, "synk_stream_encode", NULL);
  }
  return out;
}

static PyObject *stream_decode(PyObject *m, PyObject *arg) {
  (void)m;
  Py_buffer b;
  size_t n = 0;
  synk_stream_info info;
  memset(&info, 0, sizeof info);
  if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
  synk_status st;
  NOGIL((WorldObject *)NULL, (WorldObject *)NULL, st = synk_stream_decode(b.buf, (size_t)b.len, NULL, 0, &n, &info));
  PyObject *out = NULL;
  if (st == SYNK_OK && (out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(synk_event)))) != NULL)
    NOGIL((WorldObject *)NULL, (WorldObject *)NULL,
          st = synk_stream_decode(b.buf, (size_t)b.len, (synk_event *)(void *)PyByteArray_AS_STRING(out), n, &n,
                                  &info));
  PyBuffer_Release(&b);
  if (st != SYNK_OK) {
    Py_XDECREF(out);
    return raise_status(st, "synk_stream_decode", "bad_offset", info.bad_offset, "bad_event", info.bad_event);
  }
  return out;
}

static PyObject *events_coalesce(PyObject *m, PyObject *arg) {
  (void)m;
  Py_buffer b;
  size_t n;
  if (get_records(arg, &b, 6, event_struct, PyBUF_WRITABLE, &n, "events_coalesce") < 0) return NULL;
  synk_status st = synk_events_coalesce((synk_event *)b.buf, &n);
  PyBuffer_Release(&b);
  CHECK(st, "synk_events_coalesce");
  return PyLong_FromSize_t(n);
}

static PyObject *stream_bound(PyObject *m, PyObject *arg) {
  (void)m;
  size_t n = PyLong_AsSize_t(arg);
  if (n == (size_t)-1 && PyErr_Occurred()) return NULL;
  return PyLong_FromSize_t(synk_stream_bound(n));
}

typedef struct {
  PyObject_HEAD
  synk_stream_writer sw;
} WriterObject;

static PyObject *writer_write(WriterObject *self, PyObject *args, PyObject *kw) {
  static char *kws[] = {"events", "final", NULL};
  PyObject *ev;
  int final = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:write", kws, &ev, &final)) return NULL;
  Py_buffer b;
  size_t n, len = 0;
  if (get_records(ev, &b, 6, event_struct, 0, &n, "StreamWriter.write") < 0) return NULL;
  synk_status st = synk_stream_write(&self->sw, (const synk_event *)b.buf, n, final, NULL, 0, &len);
  PyObject *out = NULL;
  if (st == SYNK_OK && (out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len)) != NULL)
    st = synk_stream_write(&self->sw, (const synk_event *)b.buf, n, final, PyBytes_AS_STRING(out), len, &len);
  PyBuffer_Release(&b);
  if (st != SYNK_OK) {
    Py_XDECREF(out);
    return raise_status(st, "synk_stream_write", NULL);
  }
  return out;
}

static PyObject *writer_bytes(WriterObject *self, void *unused) {
  (void)unused;
  return PyLong_FromUnsignedLongLong(self->sw.bytes);
}

static PyObject *writer_finished(WriterObject *self, void *unused) {
  (void)unused;
  return PyBool_FromLong(self->sw.state == 2);
}

static PyMethodDef writer_methods[] = {
    {"write", FN(PyCFunction, writer_write), METH_VARARGS | METH_KEYWORDS,
     "write(events, final=False)\n--\n\nThe next piece of the stream as bytes (synk_stream_write): the "
     "header with the first piece, a check after every tick, the final check when final. A piece that "
     "is not final must end with a tick (else ArgError)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef writer_getset[] = {
    {"bytes", FN(getter, writer_bytes), NULL, "stream bytes written so far", NULL},
    {"finished", FN(getter, writer_finished), NULL, "True after the final piece", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject WriterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "synk.StreamWriter",
    .tp_basicsize = sizeof(WriterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "StreamWriter()\n--\n\nWrites one event stream in pieces, tick by tick (synk_stream_write).",
    .tp_methods = writer_methods,
    .tp_getset = writer_getset,
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------- backends, misc */

static PyObject *m_isa(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  return PyUnicode_FromString(synk_isa());
}

static PyObject *m_use_isa(PyObject *m, PyObject *arg) {
  (void)m;
  const char *name = PyUnicode_AsUTF8(arg);
  if (!name) return NULL;
  CHECK(synk_use_isa(name), "synk_use_isa");
  Py_RETURN_NONE;
}

/* a list of static names from a count-then-fill call */
static PyObject *name_list(size_t (*fn)(const char **, size_t)) {
  const char *names[32];
  size_t n = fn(names, 32);
  if (n > 32) n = 32;
  PyObject *l = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; l && i < n; i++) {
    PyObject *s = PyUnicode_FromString(names[i]);
    if (!s) {
      Py_CLEAR(l);
      break;
    }
    PyList_SET_ITEM(l, (Py_ssize_t)i, s);
  }
  return l;
}

static PyObject *m_isa_list(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  return name_list(synk_isa_list);
}

static PyObject *m_cpu_features(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  return name_list(synk_cpu_features);
}

static PyObject *m_isa_emulated(PyObject *m, PyObject *arg) {
  (void)m;
  const char *name = PyUnicode_AsUTF8(arg);
  return name ? PyLong_FromLong(synk_isa_emulated(name)) : NULL;
}

static PyObject *m_version(PyObject *m, PyObject *unused) {
  (void)m, (void)unused;
  return PyUnicode_FromString(synk_version());
}

static PyObject *m_status_str(PyObject *m, PyObject *arg) {
  (void)m;
  long s = PyLong_AsLong(arg);
  if (s == -1 && PyErr_Occurred()) return NULL;
  return PyUnicode_FromString(synk_status_str((synk_status)s));
}

static PyObject *m_crc32c(PyObject *m, PyObject *args) {
  (void)m;
  Py_buffer b;
  PyObject *from = NULL;
  uint32_t crc = 0;
  if (!PyArg_ParseTuple(args, "y*|O:crc32c", &b, &from)) return NULL;
  if (from && u32_of(from, &crc) < 0) {
    PyBuffer_Release(&b);
    return NULL;
  }
  uint32_t r = synk_crc32c(crc, b.buf, (size_t)b.len);
  PyBuffer_Release(&b);
  return PyLong_FromUnsignedLong(r);
}

static PyMethodDef module_methods[] = {
    {"isa", m_isa, METH_NOARGS, "isa()\n--\n\nName of the active kernel backend."},
    {"use_isa", m_use_isa, METH_O,
     "use_isa(name)\n--\n\nForce a backend by name ('scalar', 'avx2', ..., 'auto'); IsaError when unknown "
     "or not runnable here. Process-global."},
    {"isa_list", m_isa_list, METH_NOARGS, "isa_list()\n--\n\nBackends runnable here, best native first."},
    {"isa_emulated", m_isa_emulated, METH_O,
     "isa_emulated(name)\n--\n\n1 if a SIMDe emulation here, 0 if native, -1 if unknown or not runnable."},
    {"cpu_features", m_cpu_features, METH_NOARGS, "cpu_features()\n--\n\nCPU features synk detected."},
    {"version", m_version, METH_NOARGS, "version()\n--\n\nThe C library's version, 'MAJOR.MINOR.PATCH'."},
    {"status_str", m_status_str, METH_O, "status_str(code)\n--\n\nThe name of a status code ('SYNK_E_RANGE')."},
    {"crc32c", m_crc32c, METH_VARARGS, "crc32c(data, crc=0)\n--\n\nCRC-32C of data, continuing from crc."},
    {"stream_bound", stream_bound, METH_O, "stream_bound(n)\n--\n\nWorst-case stream size of n events."},
    {"_stream_encode", stream_encode, METH_O, NULL},
    {"_stream_decode", stream_decode, METH_O, NULL},
    {"_events_coalesce", events_coalesce, METH_O, NULL},
    {"_snapshot_load", FN(PyCFunction, snapshot_load), METH_VARARGS | METH_KEYWORDS, NULL},
    {"snapshot_inspect", snapshot_inspect, METH_O,
     "snapshot_inspect(data)\n--\n\nA snapshot's header (synk.SnapshotHeader) without loading it. FormatError."},
    {"_test_rendezvous", test_rendezvous, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "synk._synk",
                                        "The C extension behind the synk package.", -1, module_methods,
                                        NULL, NULL, NULL, NULL};

static int add_type(PyObject *m, PyTypeObject *t, const char *name) {
  if (PyType_Ready(t) < 0) return -1;
  Py_INCREF(t);
  if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
    Py_DECREF(t);
    return -1;
  }
  return 0;
}

static int add_errors(PyObject *m) {
  Error = PyErr_NewExceptionWithDoc("synk.Error",
                                    "A synk call failed: .status is the synk_status code, .name its name.",
                                    NULL, NULL);
  if (!Error || PyModule_AddObjectRef(m, "Error", Error) < 0) return -1;
  for (int s = 1; s < NSTATUS; s++) {
    char qual[64];
    snprintf(qual, sizeof qual, "synk.%s", error_names[s]);
    PyObject *dict = Py_BuildValue("{s:i,s:s}", "status", s, "name", synk_status_str((synk_status)s));
    if (!dict) return -1;
    Errors[s] = PyErr_NewExceptionWithDoc(qual, error_docs[s], Error, dict);
    Py_DECREF(dict);
    if (!Errors[s] || PyModule_AddObjectRef(m, error_names[s], Errors[s]) < 0) return -1;
  }
  return 0;
}

PyMODINIT_FUNC PyInit__synk(void);
PyMODINIT_FUNC PyInit__synk(void) {
  PyObject *m = PyModule_Create(&module_def);
  if (!m) return NULL;
  if (PyStructSequence_InitType2(&EntityType, &entity_desc) < 0 ||
      PyStructSequence_InitType2(&StreamInfoType, &info_desc) < 0 ||
      PyStructSequence_InitType2(&HeaderType, &header_desc) < 0 || add_type(m, &WorldType, "World") < 0 ||
      add_type(m, &ColumnType, "Column") < 0 || add_type(m, &RingType, "Ring") < 0 ||
      add_type(m, &WriterType, "StreamWriter") < 0 || add_type(m, &EntityType, "Entity") < 0 ||
      add_type(m, &StreamInfoType, "StreamInfo") < 0 || add_type(m, &HeaderType, "SnapshotHeader") < 0 ||
      add_errors(m) < 0 || PyModule_AddIntConstant(m, "MAX_PROPS", SYNK_MAX_PROPS) < 0 ||
      PyModule_AddIntConstant(m, "CHUNK_IDS", SYNK_CHUNK_IDS) < 0 ||
      PyModule_AddIntConstant(m, "MAX_ENTITIES_LIMIT", SYNK_MAX_ENTITIES_LIMIT) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
