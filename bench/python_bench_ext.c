/* SPDX-License-Identifier: MIT */
/*
 * _synk_bench: the C side of bench/python_bench.py. Times the C calls that
 * the Python benchmark makes through the bindings, on the same inputs, in
 * the same process, so that the two are measured interleaved, epoch by
 * epoch (a busy machine shifts both alike). Not part of the package.
 *
 *   c_moves(motions, cap, reps, isa)    ns per synk_move over the (n, 4) int32 rows, reps times
 *   c_batch(motions, cap, calls, isa)   ns per synk_apply_motions of the whole array
 *
 * This module links its own copy of the static library, so its backend is
 * its own: `isa` selects it (synk_use_isa) for the measurement.
 * Each builds its own world of `cap` live entities (as the Python benchmark's
 * world), runs one untimed pass, then times `reps` passes with CLOCK_MONOTONIC.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <time.h>

#include "synk.h"

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static synk_world *make(uint32_t cap) {
  synk_config cfg;
  memset(&cfg, 0, sizeof cfg); /* every field synk.h has or will have: 0 / NULL */
  cfg.max_entities = cap;
  cfg.seed = 2000u + cap;
  synk_world *w = NULL;
  if (synk_world_create(&cfg, &w) != SYNK_OK) return NULL;
  for (uint32_t i = 0; i < cap; i++) synk_spawn(w, i, 0, (int32_t)i, -(int32_t)i, 0);
  return w;
}

/* kind 0: moves, 1: batch */
static PyObject *run(PyObject *args, int kind) {
  Py_buffer b;
  unsigned int cap, reps;
  const char *isa;
  if (!PyArg_ParseTuple(args, "y*IIs", &b, &cap, &reps, &isa)) return NULL;
  if (synk_use_isa(isa) != SYNK_OK) {
    PyBuffer_Release(&b);
    PyErr_Format(PyExc_ValueError, "backend %s not runnable", isa);
    return NULL;
  }
  const synk_motion *m = (const synk_motion *)b.buf;
  size_t n = (size_t)b.len / sizeof *m;
  synk_world *w = make(cap);
  if (!w) {
    PyBuffer_Release(&b);
    return PyErr_NoMemory();
  }
  int bad = 0;
  double t0 = 0;
  for (unsigned r = 0; r <= reps; r++) {
    if (r == 1) t0 = now_ns(); /* pass 0 warms the world's scratch and caches, untimed */
    if (kind == 0) {
      for (size_t i = 0; i < n; i++) bad |= synk_move(w, m[i].id, m[i].dx, m[i].dy, m[i].dz);
    } else {
      bad |= synk_apply_motions(w, m, n, NULL);
    }
  }
  double t = now_ns() - t0;
  synk_world_destroy(w);
  PyBuffer_Release(&b);
  if (bad) {
    PyErr_SetString(PyExc_RuntimeError, "a C call failed");
    return NULL;
  }
  return PyFloat_FromDouble(t / (double)reps / (kind == 0 ? (double)n : 1.0));
}

static PyObject *c_moves(PyObject *m, PyObject *args) {
  (void)m;
  return run(args, 0);
}
static PyObject *c_batch(PyObject *m, PyObject *args) {
  (void)m;
  return run(args, 1);
}

static PyMethodDef methods[] = {{"c_moves", c_moves, METH_VARARGS, NULL},
                                {"c_batch", c_batch, METH_VARARGS, NULL},
                                {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_synk_bench", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__synk_bench(void);
PyMODINIT_FUNC PyInit__synk_bench(void) { return PyModule_Create(&def); }
