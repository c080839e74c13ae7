/* SPDX-License-Identifier: MIT */
/*
 * The server endpoint: one authoritative world, view groups with exact
 * incremental view hashes, per-connection bounded queues, sans-IO.
 * docs/protocol.md specifies the messages; docs/hash.md "View hashes" the
 * hashes the server expects.
 *
 * Per tick the work is driven by the entities changed since the previous
 * tick (a bitmap, so they come out in id order): each one's old state was
 * recorded when it was first changed; its groups -- those subscribed to its
 * old or new cell, watching its id, seeing the whole world or asking the
 * callback -- get a record (stay / enter / leave) and their visibility bit,
 * chunk sum, sum and count are updated. Then each group with live members
 * turns its records into events, encodes them once and queues the piece to
 * every member.
 */
#include "net_internal.h"

enum { C_FREE = 0, C_JOINED = 1, C_GRACE = 2 };                    /* client slot */
enum { F_NONE = 0, F_WANT_SNAP = 1, F_LIVE = 2, F_AWAIT_SYNC = 3 }; /* client's flow */
enum { K_FREE = 0, K_HELLO = 1, K_JOINED = 2, K_CLOSING = 3 };     /* connection */
enum { R_FRAME = 1, R_PIECE = 2, R_BULK = 3 };                       /* ordered records */
enum { REC_STAY = 0, REC_ENTER = 1, REC_LEAVE = 2 };

#define REC_HDR 13u /* u8 kind, u32 len, u64 frame */

typedef struct trec {
  synk_entity old;
  synk_entity now;        /* the state after the tick (route fills it) */
  uint64_t old_hash;
  uint32_t old_cell;
  uint32_t old_alive;
} trec;

typedef struct group {
  uint32_t refs;          /* clients pointing at it (joined or in grace); 0: free */
  uint32_t members;       /* head of its client list */
  uint64_t fp;            /* fingerprint of the definition */
  int all, use_cb;
  uint64_t kmask;
  uint32_t cb_client;
  uint32_t n_cells, n_ids;
  uint32_t *cells, *ids;  /* sorted, unique (slices of the server's arrays) */
  uint64_t *vis;          /* visibility bitmap */
  uint64_t *csum;         /* per-chunk sums of visible h(e) */
  uint64_t sum, count, hash;
  uint64_t stamp;         /* candidate dedupe: last entity sequence seen */
  uint32_t n_rec;
  int overflow;
  uint32_t *rec;          /* (trec index << 2) | REC_* */
  uint32_t live_pos;      /* index in s->glist */
  /* the last encoded pieces, a byte ring of records [u64 frame][u32 len][piece] */
  uint8_t *log;
  size_t lstart, lused;
  uint32_t lcount;
  uint64_t lfirst, llast; /* frames of the oldest and newest piece kept */
} group;

typedef struct bulk {
  uint32_t conn;          /* NET_NONE: free */
  uint32_t kind;
  uint8_t *buf;
  size_t len, sent;
  int started;
  uint64_t frame, hash;
  uint64_t moved;         /* when it was assigned or last polled (a connection that stops
                             taking it is closed after timeout_ms: it holds a job) */
} bulk;

typedef struct sclient {
  uint32_t state, flow;
  uint32_t conn, group;
  uint32_t next, prev;    /* group member list */
  uint64_t token;         /* resume token */
  uint64_t prev_token;    /* the token it resumed with, until it is heard on the new connection (0: none) */
  uint64_t grace_until;
  uint64_t view_since;    /* frame from which its world follows its current group */
  uint64_t *hframe, *hhash;
  uint32_t hpos, hn;
  uint64_t bytes, ticks;
  uint32_t commands;      /* applied since the last tick */
  uint32_t requests;      /* VIEW and SYNC messages handled since the last tick */
  uint32_t last_seq;      /* the last command it sent that the server handled */
  uint32_t *outcome;      /* the last result_history commands handled: (seq, reason) pairs, a ring */
  uint32_t opos, on;
  int desync_reported;
} sclient;

typedef struct sconn {
  uint32_t state, client;
  net_rx rx;
  net_fifo ctl, ord;
  uint64_t last_heard, last_sent, last_tick;
  uint32_t close_reason;
  int welcome_due;        /* its WELCOME is queued (the head of ord), not yet polled: control
                             frames wait behind it -- a client in HELLO takes nothing else */
} sconn;

struct synk_server {
  synk_server_config cfg;
  const synk_allocator *alloc;
  synk_world *w;
  synk_view v;            /* zero-copy view of w (valid for w's life) */
  synk_config wcfg;
  uint32_t cap, np, nchunks, nwords, ncells;
  uint64_t seq;           /* per-entity routing sequence (group stamps) */
  uint64_t token_state;   /* resume tokens issued (keyed by cfg.resume_key) */

  /* entities */
  uint64_t *eh;           /* h(e) of live ids */
  uint32_t *ecell;        /* cell of live ids */
  uint32_t *enext, *eprev, *cell_ents;
  /* changed since the last tick */
  uint64_t *tbits;
  uint32_t *tidx;
  trec *tr;
  uint32_t nt;
  synk_motion *mscratch;
  size_t mcap;

  /* groups */
  group *g;
  uint32_t *glist, ng;     /* groups in use */
  uint32_t *gcells, *gids; /* definitions: max_view_cells / max_view_ids per group */
  uint32_t *cnode_next, *cnode_prev, *cell_head; /* cell subscriptions (node = group*mvc + k) */
  uint32_t *inode_next, *inode_prev, *id_head;   /* id watchers (node = group*mvi + k) */
  uint32_t *all_list, n_all, *cb_list, n_cb;
  uint64_t *gbits;        /* g->vis storage */
  uint64_t *gcsum;        /* g->csum storage */
  uint32_t *grec;         /* g->rec storage */
  uint8_t *glog;          /* g->log storage */

  sclient *cl;
  sconn *cn;
  bulk *bk;
  uint32_t bulk_rr;       /* round-robin start for waiting snapshots */
  size_t bulk_cap;        /* bytes of each job's buffer */
  synk_world *proj;       /* scratch: a view's projection for snapshots */
  synk_event *ev;         /* scratch: one group's events */
  size_t ev_cap;
  uint8_t *piece;         /* scratch: one encoded piece */
  size_t piece_cap;
  uint8_t *part;          /* scratch: the piece's event stream before assembly */
  synk_event *mev;        /* scratch: one group's motions, by view rank */
  size_t mev_cap;
  uint8_t *msg;           /* scratch: one control message */
  size_t msg_cap;
  uint32_t *vcells, *vids; /* scratch: normalized views */
  uint32_t *rcells, *rids; /* scratch: views decoded from VIEW messages */
  synk_event *cmd_ev;
  uint64_t now;
  synk_server_stats st;
};

/* ---- small helpers ----------------------------------------------------------- */

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int bit_get(const uint64_t *b, uint32_t i) { return (int)((b[i >> 6] >> (i & 63)) & 1u); }
static void bit_set(uint64_t *b, uint32_t i) { b[i >> 6] |= UINT64_C(1) << (i & 63); }
static void bit_clr(uint64_t *b, uint32_t i) { b[i >> 6] &= ~(UINT64_C(1) << (i & 63)); }


/* Entity id of the world, read through the zero-copy view; 0 if dead. */
static int load(const synk_server *s, uint32_t id, synk_entity *e) {
  const synk_view *v = &s->v;
  e->id = id;
  if (!((v->alive[id >> 6] >> (id & 63)) & 1u)) {
    memset(e, 0, sizeof *e);
    e->id = id;
    return 0;
  }
  e->kind = v->kind[id];
  e->x = v->x[id];
  e->y = v->y[id];
  e->z = v->z[id];
  uint32_t p = 0;
  for (; p < v->num_props; p++) e->props[p] = v->props[p][id];
  for (; p < SYNK_MAX_PROPS; p++) e->props[p] = 0;
  return 1;
}

/* Entity id as of the last tick: everything the server hands out (snapshots,
 * repairs, view changes, view groups) is of that state, so that the next
 * tick's pieces carry exactly the changes made since. An entity changed
 * since has its old state in its record. */
static int ticked(const synk_server *s, uint32_t id, synk_entity *e) {
  if ((s->tbits[id >> 6] >> (id & 63)) & 1u) {
    const trec *r = &s->tr[s->tidx[id]];
    *e = r->old;
    return (int)r->old_alive;
  }
  return load(s, id, e);
}

static void emit(synk_server *s, const synk_net_event *ev) {
  if (s->cfg.on_event) s->cfg.on_event(s->cfg.ctx, ev);
}
static void emit_simple(synk_server *s, uint32_t type, uint32_t cid, uint32_t kcn, uint32_t reason,
                        uint64_t frame) {
  synk_net_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = type;
  ev.client = cid;
  ev.conn = kcn;
  ev.reason = reason;
  ev.frame = frame;
  emit(s, &ev);
}


/* ---- connection queues --------------------------------------------------------- */

/* Queue a control frame (priority, not ordered with ticks). */
static int ctl_frame(synk_server *s, sconn *k, uint32_t type, const void *body, size_t len) {
  (void)s;
  return net_fifo_frame(&k->ctl, type, body, len);
}

/* Queue an ordered record. */
static int ord_record(sconn *k, uint32_t kind, uint64_t frame, const void *payload, size_t len) {
  uint8_t *q = net_fifo_reserve(&k->ord, REC_HDR + len);
  if (!q) return -1;
  nw w;
  nw_init(&w, q, REC_HDR + len);
  nw_u8(&w, kind);
  nw_u32(&w, (uint32_t)len);
  nw_u64(&w, frame);
  nw_bytes(&w, payload, len);
  return 0;
}

static int ord_frame(synk_server *s, sconn *k, uint32_t type, const void *body, size_t len) {
  nw w;
  nw_init(&w, s->msg, s->msg_cap);
  net_frame(&w, type, body, len);
  if (w.err) return -1;
  return ord_record(k, R_FRAME, 0, s->msg, w.n);
}

static uint32_t rec_len(const uint8_t *rec) { return net_le32(rec + 1); }
static uint64_t rec_frame(const uint8_t *rec) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)rec[5 + i] << (8 * i);
  return v;
}

/* Drop the queued pieces of k (a client moved to catch-up), keeping the
 * ordered frames (command results, view answers) and an active bulk. */
static void purge_pieces(sconn *k) {
  size_t r = k->ord.head, wpos = k->ord.head;
  while (r < k->ord.tail) {
    uint8_t *rec = k->ord.buf + r;
    size_t sz = REC_HDR + rec_len(rec);
    if (rec[0] != R_PIECE) {
      if (wpos != r) memmove(k->ord.buf + wpos, rec, sz);
      wpos += sz;
    }
    r += sz;
  }
  k->ord.tail = wpos;
}

static void close_conn(synk_server *s, uint32_t kc, uint32_t reason);

/* Close kc with SYNK_NET_R_OVERFLOW: it does not take what the server must
 * send it (a reply it waits for, a payload that holds a job). Returns 1, as
 * a message handler does to stop reading from a connection. */
static int overflow(synk_server *s, uint32_t kc) {
  close_conn(s, kc, SYNK_NET_R_OVERFLOW);
  return 1;
}

/* Queue an ordered reply on kc (WELCOME, RESULT, VIEWRES): 0 queued; 1 the
 * connection is closing (closed while its message was handled, or now, for
 * not reading even its replies: never a reply silently lost). */
static int reply(synk_server *s, uint32_t kc, uint32_t type, const void *body, size_t len) {
  if (s->cn[kc].state == K_CLOSING) return 1;
  return ord_frame(s, &s->cn[kc], type, body, len) ? overflow(s, kc) : 0;
}

/* ---- client history of expected hashes ------------------------------------------- */

static void hist_push(synk_server *s, sclient *c, uint64_t frame, uint64_t hash) {
  uint32_t H = s->cfg.history;
  c->hframe[c->hpos] = frame;
  c->hhash[c->hpos] = hash;
  c->hpos = (c->hpos + 1) % H;
  if (c->hn < H) c->hn++;
}

/* Record what the server decided about client c's command seq (reason 0:
 * accepted): a resuming client's WELCOME carries the last result_history. */
static void outcome_push(synk_server *s, sclient *c, uint32_t seq, uint32_t reason) {
  uint32_t H = s->cfg.result_history;
  c->outcome[2 * c->opos] = seq;
  c->outcome[2 * c->opos + 1] = reason;
  c->opos = (c->opos + 1) % H;
  if (c->on < H) c->on++;
  c->last_seq = seq;
}

/* newest entry for frame; 1 found */
static int hist_find(const synk_server *s, const sclient *c, uint64_t frame, uint64_t *hash) {
  uint32_t H = s->cfg.history;
  for (uint32_t i = 0; i < c->hn; i++) {
    uint32_t j = (c->hpos + H - 1 - i) % H;
    if (c->hframe[j] == frame) {
      *hash = c->hhash[j];
      return 1;
    }
  }
  return 0;
}

/* ---- entity cells ----------------------------------------------------------------- */

static void cell_link(synk_server *s, uint32_t id, uint32_t cell) {
  s->ecell[id] = cell;
  s->eprev[id] = NET_NONE;
  s->enext[id] = s->cell_ents[cell];
  if (s->cell_ents[cell] != NET_NONE) s->eprev[s->cell_ents[cell]] = id;
  s->cell_ents[cell] = id;
}
static void cell_unlink(synk_server *s, uint32_t id) {
  uint32_t cell = s->ecell[id];
  if (cell == NET_NONE) return;
  if (s->eprev[id] != NET_NONE)
    s->enext[s->eprev[id]] = s->enext[id];
  else
    s->cell_ents[cell] = s->enext[id];
  if (s->enext[id] != NET_NONE) s->eprev[s->enext[id]] = s->eprev[id];
  s->ecell[id] = NET_NONE;
}

/* ---- views and groups ------------------------------------------------------------- */

static void sift_down(uint32_t *a, uint32_t i, uint32_t n) {
  uint32_t v = a[i];
  for (uint32_t c; (c = 2 * i + 1) < n; i = c) {
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[c] <= v) break;
    a[i] = a[c];
  }
  a[i] = v;
}

static int u32_cmp_sorted_unique(uint32_t *a, uint32_t n) {
  /* heapsort: in place, O(n log n) whatever the order (a client's VIEW may
     hold 4096 cells), then drop repeats; returns new n */
  for (uint32_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (uint32_t end = n; end > 1;) {
    uint32_t top = a[0];
    a[0] = a[--end];
    a[end] = top;
    sift_down(a, 0, end);
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++)
    if (k == 0 || a[k - 1] != a[i]) a[k++] = a[i];
  return (int)k;
}

static int contains_sorted(const uint32_t *a, uint32_t n, uint32_t v) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (a[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && a[lo] == v;
}

/* a normalized view definition */
typedef struct vdef {
  int all, use_cb;
  uint64_t kmask;
  uint32_t cb_client;
  uint32_t n_cells, n_ids;
  uint32_t *cells, *ids;
} vdef;

static uint64_t vdef_fp(const vdef *d) {
  uint64_t h = mix64((uint64_t)d->all * 3 + (uint64_t)d->use_cb * 5 + d->kmask);
  if (d->use_cb) h = mix64(h ^ (d->cb_client + 0x1234567ull));
  for (uint32_t i = 0; i < d->n_cells; i++) h = mix64(h ^ (d->cells[i] + 0x9E3779B97F4A7C15ull));
  h = mix64(h ^ d->n_cells);
  for (uint32_t i = 0; i < d->n_ids; i++) h = mix64(h ^ (d->ids[i] + 0xC2B2AE3D27D4EB4Full));
  return mix64(h ^ d->n_ids);
}

static int group_is(const group *g, const vdef *d, uint64_t fp) {
  if (g->fp != fp || g->all != d->all || g->use_cb != d->use_cb || g->kmask != d->kmask) return 0;
  if (d->use_cb && g->cb_client != d->cb_client) return 0;
  if (g->n_cells != d->n_cells || g->n_ids != d->n_ids) return 0;
  if (d->n_cells && memcmp(g->cells, d->cells, d->n_cells * sizeof *d->cells)) return 0;
  if (d->n_ids && memcmp(g->ids, d->ids, d->n_ids * sizeof *d->ids)) return 0;
  return 1;
}

/* Visible in g: the kind mask filters the whole world and the cells; a
 * listed id and the callback's answer stand whatever the kind. */
static int pred(synk_server *s, const group *g, const synk_entity *e, uint32_t cell) {
  if (g->all) return net_kind_ok(g->kmask, e->kind);
  if (g->n_cells && net_kind_ok(g->kmask, e->kind) && contains_sorted(g->cells, g->n_cells, cell)) return 1;
  if (g->n_ids && contains_sorted(g->ids, g->n_ids, e->id)) return 1;
  if (g->use_cb && s->cfg.view_fn) return s->cfg.view_fn(s->cfg.ctx, g->cb_client, e) != 0;
  return 0;
}

static void list_remove(uint32_t *list, uint32_t *n, uint32_t v) {
  for (uint32_t i = 0; i < *n; i++)
    if (list[i] == v) {
      list[i] = list[--*n];
      return;
    }
}

static void vis_add(synk_server *s, group *g, uint32_t id) {
  if (bit_get(g->vis, id)) return;
  bit_set(g->vis, id);
  uint64_t h = s->eh[id];
  g->sum += h;
  g->csum[id / SYNK_CHUNK_IDS] += h;
  g->count++;
}

static void group_fill(synk_server *s, group *g) {
  const synk_view *v = &s->v;
  synk_entity e;
  if (g->all || g->use_cb) {
    /* alive at the last tick: alive now or changed since */
    for (uint32_t wd = 0; wd < s->nwords; wd++) {
      uint64_t b = v->alive[wd] | s->tbits[wd];
      while (b) {
        uint32_t id = wd * 64 + ctz64(b);
        b &= b - 1;
        if (ticked(s, id, &e) && pred(s, g, &e, s->ecell[id])) vis_add(s, g, id);
      }
    }
    return;
  }
  for (uint32_t i = 0; i < g->n_cells; i++)
    for (uint32_t id = s->cell_ents[g->cells[i]]; id != NET_NONE; id = s->enext[id])
      if (ticked(s, id, &e) && net_kind_ok(g->kmask, e.kind)) vis_add(s, g, id);
  for (uint32_t i = 0; i < g->n_ids; i++) {
    uint32_t id = g->ids[i];
    if (ticked(s, id, &e)) vis_add(s, g, id);
  }
}

/* A new group for d (fingerprint fp), with one reference (NET_NONE: none free). */
static uint32_t group_new(synk_server *s, const vdef *d, uint64_t fp) {
  uint32_t gi = NET_NONE;
  for (uint32_t i = 0; i <= s->cfg.max_clients; i++)
    if (!s->g[i].refs) {
      gi = i;
      break;
    }
  if (gi == NET_NONE) return NET_NONE;
  group *g = &s->g[gi];
  g->fp = fp;
  g->all = d->all;
  g->use_cb = d->use_cb;
  g->kmask = d->kmask;
  g->cb_client = d->cb_client;
  g->n_cells = d->n_cells;
  g->n_ids = d->n_ids;
  if (d->n_cells) memcpy(g->cells, d->cells, d->n_cells * sizeof *d->cells);
  if (d->n_ids) memcpy(g->ids, d->ids, d->n_ids * sizeof *d->ids);
  g->sum = g->count = 0;
  g->n_rec = 0;
  g->overflow = 0;
  g->stamp = 0;
  g->members = NET_NONE;
  g->lstart = g->lused = 0;
  g->lcount = 0;
  g->refs = 1; /* the caller's reference */
  uint32_t mvc = s->cfg.max_view_cells, mvi = s->cfg.max_view_ids;
  for (uint32_t k = 0; k < g->n_cells; k++) {
    uint32_t node = gi * mvc + k, c = g->cells[k];
    s->cnode_prev[node] = NET_NONE;
    s->cnode_next[node] = s->cell_head[c];
    if (s->cell_head[c] != NET_NONE) s->cnode_prev[s->cell_head[c]] = node;
    s->cell_head[c] = node;
  }
  for (uint32_t k = 0; k < g->n_ids; k++) {
    uint32_t node = gi * mvi + k, id = g->ids[k];
    s->inode_prev[node] = NET_NONE;
    s->inode_next[node] = s->id_head[id];
    if (s->id_head[id] != NET_NONE) s->inode_prev[s->id_head[id]] = node;
    s->id_head[id] = node;
  }
  if (g->all) s->all_list[s->n_all++] = gi;
  else if (g->use_cb) s->cb_list[s->n_cb++] = gi;
  g->live_pos = s->ng;
  s->glist[s->ng++] = gi;
  group_fill(s, g);
  g->hash = synk_hash_compose(s->w, g->sum, synk_frame(s->w), g->count);
  s->st.groups = s->ng;
  return gi;
}

static void group_unref(synk_server *s, uint32_t gi) {
  group *g = &s->g[gi];
  if (--g->refs) return;
  uint32_t mvc = s->cfg.max_view_cells, mvi = s->cfg.max_view_ids;
  for (uint32_t k = 0; k < g->n_cells; k++) {
    uint32_t node = gi * mvc + k, c = g->cells[k];
    if (s->cnode_prev[node] != NET_NONE)
      s->cnode_next[s->cnode_prev[node]] = s->cnode_next[node];
    else
      s->cell_head[c] = s->cnode_next[node];
    if (s->cnode_next[node] != NET_NONE) s->cnode_prev[s->cnode_next[node]] = s->cnode_prev[node];
  }
  for (uint32_t k = 0; k < g->n_ids; k++) {
    uint32_t node = gi * mvi + k, id = g->ids[k];
    if (s->inode_prev[node] != NET_NONE)
      s->inode_next[s->inode_prev[node]] = s->inode_next[node];
    else
      s->id_head[id] = s->inode_next[node];
    if (s->inode_next[node] != NET_NONE) s->inode_prev[s->inode_next[node]] = s->inode_prev[node];
  }
  if (g->all) list_remove(s->all_list, &s->n_all, gi);
  else if (g->use_cb) list_remove(s->cb_list, &s->n_cb, gi);
  uint32_t pos = g->live_pos;
  s->glist[pos] = s->glist[--s->ng];
  s->g[s->glist[pos]].live_pos = pos;
  memset(g->vis, 0, s->nwords * sizeof *g->vis);
  memset(g->csum, 0, s->nchunks * sizeof *g->csum);
  s->st.groups = s->ng;
}

static void member_add(synk_server *s, uint32_t ci, uint32_t gi) {
  sclient *c = &s->cl[ci];
  group *g = &s->g[gi];
  c->group = gi;
  c->view_since = synk_frame(s->w);
  c->prev = NET_NONE;
  c->next = g->members;
  if (g->members != NET_NONE) s->cl[g->members].prev = ci;
  g->members = ci;
}
static void member_remove(synk_server *s, uint32_t ci) {
  sclient *c = &s->cl[ci];
  group *g = &s->g[c->group];
  if (c->prev != NET_NONE)
    s->cl[c->prev].next = c->next;
  else
    g->members = c->next;
  if (c->next != NET_NONE) s->cl[c->next].prev = c->prev;
  c->group = NET_NONE;
}

/* Normalize v into d using the scratch arrays; 0 ok. */
static int view_normalize(synk_server *s, uint32_t cid, const synk_net_view *v, vdef *d) {
  if (!v) return -1;
  if (v->n_cells > s->cfg.max_view_cells || v->n_ids > s->cfg.max_view_ids) return -1;
  if ((v->n_cells && !v->cells) || (v->n_ids && !v->ids)) return -1;
  memset(d, 0, sizeof *d);
  d->all = v->all != 0;
  d->kmask = v->kind_mask ? v->kind_mask : ~UINT64_C(0);
  d->cells = s->vcells;
  d->ids = s->vids;
  if (!d->all) {
    for (uint32_t i = 0; i < v->n_cells; i++) {
      if (v->cells[i] >= s->ncells) return -1;
      s->vcells[i] = v->cells[i];
    }
    for (uint32_t i = 0; i < v->n_ids; i++) {
      if (v->ids[i] >= s->cap) return -1;
      s->vids[i] = v->ids[i];
    }
    d->n_cells = (uint32_t)u32_cmp_sorted_unique(s->vcells, v->n_cells);
    d->n_ids = (uint32_t)u32_cmp_sorted_unique(s->vids, v->n_ids);
    d->use_cb = v->use_callback != 0;
    if (d->use_cb && !s->cfg.view_fn) return -1;
    d->cb_client = cid;
  }
  return 0;
}

/* ---- encoding a piece ------------------------------------------------------------- */

static size_t entity_events(synk_server *s, const synk_entity *e, synk_event *ev) {
  size_t n = 0;
  synk_event sp = {SYNK_EV_SPAWN, e->id, e->kind, e->x, e->y, e->z};
  ev[n++] = sp;
  for (uint32_t p = 0; p < s->np; p++)
    if (e->props[p]) {
      synk_event pe = {SYNK_EV_PROP, e->id, p, e->props[p], 0, 0};
      ev[n++] = pe;
    }
  return n;
}

static int queue_piece(synk_server *s, uint32_t ci, const uint8_t *piece, size_t len, uint64_t frame);
static void want_snapshot_later(synk_server *s, uint32_t ci);

/* Move client ci to catch-up: no more pieces until it sent its chunk sums
 * (CHECK asks for them) and got its repair. `bound`: a bound caused it. */
static void to_catchup(synk_server *s, uint32_t ci, int bound) {
  sclient *c = &s->cl[ci];
  sconn *k = &s->cn[c->conn];
  purge_pieces(k);
  c->flow = F_AWAIT_SYNC;
  if (bound) s->st.catchups++;
  if (ctl_frame(s, k, NM_CHECK, NULL, 0)) overflow(s, c->conn); /* it would wait for nothing */
}


/* Assemble a piece (docs/protocol.md, "TICK pieces") into s->piece: u8 flags
 * (bit 0: an event stream follows, bit 1: a motion stream follows, bit 2: a
 * tick ends the piece), [varint length, the stream of ev[0..n): spawns,
 * despawns, properties, by entity id], [the stream of mv[0..m): motions whose
 * id is the entity's rank among the view's entities after this piece's
 * spawns and despawns]. Both streams are complete (synk_stream_encode). */
static int make_piece(synk_server *s, const synk_event *ev, size_t n, const synk_event *mv, size_t m, int tick,
                      size_t *len) {
  nw w;
  nw_init(&w, s->piece, s->piece_cap);
  nw_u8(&w, (n ? 1u : 0u) | (m ? 2u : 0u) | (tick ? 4u : 0u));
  size_t l = 0;
  if (n) {
    if (synk_stream_encode(ev, n, s->part, s->piece_cap, &l) != SYNK_OK) return -1;
    nw_var(&w, l);
    nw_bytes(&w, s->part, l);
  }
  if (m) {
    if (w.err || synk_stream_encode(mv, m, w.p + w.n, w.cap - w.n, &l) != SYNK_OK) return -1;
    w.n += l;
  }
  if (w.err) return -1;
  *len = w.n;
  return 0;
}

/* Enter/leave events between two visibility sets (a client changing view),
 * queued to client ci as a piece without a tick. */
static void transition(synk_server *s, uint32_t ci, const group *a, const group *b) {
  size_t n = 0, cap = s->ev_cap;
  int too_many = 0;
  synk_entity e;
  for (uint32_t wd = 0; wd < s->nwords && !too_many; wd++) {
    uint64_t va = a ? a->vis[wd] : 0, vb = b->vis[wd];
    uint64_t d = va ^ vb;
    while (d) {
      uint32_t id = wd * 64 + ctz64(d);
      d &= d - 1;
      if (n + 1 + s->np > cap) {
        too_many = 1;
        break;
      }
      if ((vb >> (id & 63)) & 1u) {
        ticked(s, id, &e);
        n += entity_events(s, &e, s->ev + n);
      } else {
        synk_event de = {SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
        s->ev[n++] = de;
      }
    }
  }
  size_t len = 0;
  if (too_many || make_piece(s, s->ev, n, NULL, 0, 0, &len) || queue_piece(s, ci, s->piece, len, synk_frame(s->w))) {
    /* too big a change for one piece: the new view's snapshot (the client's
       chunks would all differ anyway) */
    want_snapshot_later(s, ci);
  }
}

/* ---- bulk payloads: snapshots and repairs ------------------------------------------- */

static uint32_t bulk_free(synk_server *s) {
  for (uint32_t i = 0; i < s->cfg.max_bulk_jobs; i++)
    if (s->bk[i].conn == NET_NONE) return i;
  return NET_NONE;
}

/* Build the projection of group gi into s->proj and snapshot it into job b. */
static int build_snapshot(synk_server *s, uint32_t gi, bulk *b) {
  group *g = &s->g[gi];
  synk_world *p = s->proj;
  synk_view pv = synk_get_view(p);
  synk_entity e;
  /* empty the projection (its frame only grows, as the world's) */
  for (uint32_t wd = 0; wd < s->nwords; wd++) {
    uint64_t bits = pv.alive[wd];
    while (bits) {
      uint32_t id = wd * 64 + ctz64(bits);
      bits &= bits - 1;
      synk_despawn(p, id);
    }
  }
  for (uint32_t wd = 0; wd < s->nwords; wd++) {
    uint64_t bits = g->vis[wd];
    while (bits) {
      uint32_t id = wd * 64 + ctz64(bits);
      bits &= bits - 1;
      ticked(s, id, &e);
      synk_spawn(p, id, e.kind, e.x, e.y, e.z);
      for (uint32_t q = 0; q < s->np; q++)
        if (e.props[q]) synk_set_prop(p, id, q, e.props[q]);
    }
  }
  uint64_t frame = synk_frame(s->w);
  while (synk_frame(p) < frame) {
    uint64_t d = frame - synk_frame(p);
    synk_event t = {SYNK_EV_TICK, 0, d > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)d, 0, 0, 0};
    synk_events_apply(p, &t, 1, NULL);
  }
  size_t len = 0;
  if (synk_snapshot_save(p, b->buf, s->bulk_cap, &len) != SYNK_OK) return -1;
  b->len = len;
  b->kind = NB_SNAPSHOT;
  b->frame = frame;
  b->hash = synk_hash(p);
  return 0;
}

/* Repair: every chunk whose sum differs from the client's. -1: too many
 * chunks differ (a snapshot is cheaper) or the sums are not usable. */
static int build_repair(synk_server *s, uint32_t gi, const uint8_t *sums, uint64_t base, bulk *b) {
  group *g = &s->g[gi];
  uint32_t differ = 0;
  uint64_t in_differing = 0;
  for (uint32_t c = 0; c < s->nchunks; c++) {
    nr r;
    nr_init(&r, sums + 8 * (size_t)c, 8);
    if (nr_u64(&r) == g->csum[c]) continue;
    differ++;
    for (uint32_t wd = c * (SYNK_CHUNK_IDS / 64); wd < (c + 1) * (SYNK_CHUNK_IDS / 64) && wd < s->nwords; wd++)
      in_differing += popcount64(g->vis[wd]);
  }
  /* a repair only when it is smaller than the view's snapshot */
  uint64_t rbytes = 28 + 8ull * differ + in_differing * 4 * (5 + s->np);
  uint64_t sbytes = 52 + 8ull * s->nwords + g->count * 4 * (4 + s->np);
  if (rbytes >= sbytes) return -1;
  uint64_t frame = synk_frame(s->w);
  nw w;
  nw_init(&w, b->buf, s->bulk_cap);
  nw_u64(&w, base);
  nw_u64(&w, frame);
  nw_u64(&w, g->count);
  nw_u32(&w, differ);
  synk_entity e;
  for (uint32_t c = 0; c < s->nchunks; c++) {
    nr r;
    nr_init(&r, sums + 8 * (size_t)c, 8);
    if (nr_u64(&r) == g->csum[c]) continue;
    nw_u32(&w, c);
    size_t count_at = w.n;
    nw_u32(&w, 0);
    uint32_t n = 0;
    uint32_t first = c * SYNK_CHUNK_IDS, end = first + SYNK_CHUNK_IDS;
    if (end > s->cap) end = s->cap;
    for (uint32_t id = first; id < end; id++)
      if (bit_get(g->vis, id)) {
        ticked(s, id, &e);
        net_put_entity(&w, &e, s->np);
        n++;
      }
    if (!w.err)
      for (int i = 0; i < 4; i++) w.p[count_at + (size_t)i] = (uint8_t)(n >> (8 * i));
  }
  if (w.err) return -1;
  b->len = w.n;
  b->kind = NB_REPAIR;
  b->frame = frame;
  b->hash = g->hash = synk_hash_compose(s->w, g->sum, frame, g->count);
  s->st.repair_chunks += differ;
  return (int)differ;
}

/* Start sending the payload built in job bi to client ci (its pieces so far
 * dropped, the payload ordered with its stream, its hash expected at its
 * frame, the client live) and report it: a REPAIR event with the frame it
 * brings the client to, its hash, the kind (snapshot, repair, replay) and
 * the kind's value. -1: its queue is full of replies it did not read -- the
 * job stays free and the connection is closed (SYNK_NET_R_OVERFLOW). */
static int send_bulk(synk_server *s, uint32_t ci, uint32_t bi, uint64_t frame, uint32_t kind, uint64_t value) {
  sclient *c = &s->cl[ci];
  sconn *k = &s->cn[c->conn];
  bulk *b = &s->bk[bi];
  purge_pieces(k);
  if (ord_record(k, R_BULK, b->frame, &bi, sizeof bi)) {
    overflow(s, c->conn);
    return -1;
  }
  b->conn = c->conn;
  b->sent = 0;
  b->started = 0;
  b->moved = s->now;
  hist_push(s, c, b->frame, b->hash);
  c->flow = F_LIVE;
  c->desync_reported = 0;
  synk_net_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = SYNK_NET_EV_REPAIR;
  ev.client = ci;
  ev.conn = c->conn;
  ev.frame = frame;
  ev.hash = b->hash;
  ev.value = value;
  ev.reason = kind;
  emit(s, &ev);
  return 0;
}

/* Send client ci a snapshot now if a job is free, else queue it. */
static void want_snapshot(synk_server *s, uint32_t ci) {
  sclient *c = &s->cl[ci];
  purge_pieces(&s->cn[c->conn]);
  uint32_t bi = bulk_free(s);
  if (bi == NET_NONE) {
    c->flow = F_WANT_SNAP;
    return;
  }
  if (build_snapshot(s, c->group, &s->bk[bi])) {
    c->flow = F_WANT_SNAP;
    return;
  }
  if (!send_bulk(s, ci, bi, s->bk[bi].frame, NB_SNAPSHOT, 0)) s->st.snapshots++;
}

/* ---- the groups' piece logs (replays) ---- */

static void log_put(synk_server *s, group *g, const uint8_t *p, size_t n) {
  size_t cap = s->cfg.resume_bytes, pos = (g->lstart + g->lused) % cap;
  size_t k = cap - pos < n ? cap - pos : n;
  memcpy(g->log + pos, p, k);
  memcpy(g->log, p + k, n - k);
  g->lused += n;
}
static void log_get(const synk_server *s, const group *g, size_t off, uint8_t *p, size_t n) {
  size_t cap = s->cfg.resume_bytes, pos = (g->lstart + off) % cap;
  size_t k = cap - pos < n ? cap - pos : n;
  memcpy(p, g->log + pos, k);
  memcpy(p + k, g->log, n - k);
}
static void log_rec(const synk_server *s, const group *g, size_t off, uint64_t *frame, uint32_t *len) {
  uint8_t h[12];
  log_get(s, g, off, h, sizeof h);
  nr r;
  nr_init(&r, h, sizeof h);
  *frame = nr_u64(&r);
  *len = nr_u32(&r);
}

/* Keep the piece of `frame` (NULL: a gap -- forget everything before). */
static void log_append(synk_server *s, group *g, uint64_t frame, const uint8_t *piece, size_t len) {
  size_t need = 12 + len;
  if (!piece || need > s->cfg.resume_bytes) {
    g->lstart = g->lused = 0;
    g->lcount = 0;
    return;
  }
  while (g->lused + need > s->cfg.resume_bytes) {
    uint64_t f;
    uint32_t l;
    log_rec(s, g, 0, &f, &l);
    g->lstart = (g->lstart + 12 + l) % s->cfg.resume_bytes;
    g->lused -= 12 + l;
    g->lcount--;
  }
  uint8_t h[12];
  nw w;
  nw_init(&w, h, sizeof h);
  nw_u64(&w, frame);
  nw_u32(&w, (uint32_t)len);
  log_put(s, g, h, 12);
  log_put(s, g, piece, len);
  if (!g->lcount) g->lfirst = frame;
  else {
    uint64_t f;
    uint32_t l;
    log_rec(s, g, 0, &f, &l);
    g->lfirst = f;
  }
  g->llast = frame;
  g->lcount++;
}

/* A replay of group gi's pieces after frame base into job b: [u64 base][u32 n]
 * then n x [u32 len][piece]. -1 when the log does not reach back to base. */
static int build_replay(synk_server *s, uint32_t gi, uint64_t base, bulk *b) {
  group *g = &s->g[gi];
  uint64_t frame = synk_frame(s->w);
  if (base != frame && (!g->lcount || g->lfirst > base + 1 || g->llast != frame)) return -1;
  nw w;
  nw_init(&w, b->buf, s->bulk_cap);
  nw_u64(&w, base);
  size_t count_at = w.n;
  nw_u32(&w, 0);
  uint32_t n = 0;
  for (size_t off = 0; off < g->lused;) {
    uint64_t f;
    uint32_t l;
    log_rec(s, g, off, &f, &l);
    if (f > base) {
      nw_u32(&w, l);
      uint8_t *q = nw_room(&w, l);
      if (!q) return -1;
      log_get(s, g, off + 12, q, l);
      n++;
    }
    off += 12 + l;
  }
  if (w.err) return -1;
  for (int i = 0; i < 4; i++) w.p[count_at + (size_t)i] = (uint8_t)(n >> (8 * i));
  b->len = w.n;
  b->kind = NB_REPLAY;
  b->frame = frame;
  b->hash = g->hash;
  return (int)n;
}

/* A snapshot for ci once its new group is in place (a view change too big
 * for one piece): no pieces until then. */
static void want_snapshot_later(synk_server *s, uint32_t ci) {
  sclient *c = &s->cl[ci];
  purge_pieces(&s->cn[c->conn]);
  c->flow = F_WANT_SNAP;
  s->st.catchups++;
}

/* Send the replay or repair built in job bi to client ci, and say so. */
static void send_delta(synk_server *s, uint32_t ci, uint32_t bi, uint32_t kind, uint64_t value) {
  if (!send_bulk(s, ci, bi, synk_frame(s->w), kind, value)) s->st.repairs++;
}

/* The client sent its state (chunk sums at frame base, or none): repair or snapshot. */
static void catch_up(synk_server *s, uint32_t ci, const uint8_t *sums, uint32_t nsums, uint64_t base,
                     uint64_t hash) {
  sclient *c = &s->cl[ci];
  uint64_t frame = synk_frame(s->w), expect = 0;
  if (base <= frame && frame - base <= s->cfg.resume_frames) {
    uint32_t bi = bulk_free(s);
    /* a replay: the client is exactly where the server thinks, in the same group */
    /* (at the frame of a view change the client may hold either view: not then) */
    if (bi != NET_NONE && sums && base > c->view_since && hist_find(s, c, base, &expect) && expect == hash) {
      int n = build_replay(s, c->group, base, &s->bk[bi]);
      if (n >= 0) {
        send_delta(s, ci, bi, NB_REPLAY, (uint64_t)n);
        return;
      }
    }
    if (bi != NET_NONE && sums && nsums == s->nchunks) {
      int differ = build_repair(s, c->group, sums, base, &s->bk[bi]);
      if (differ >= 0) {
        send_delta(s, ci, bi, NB_REPAIR, (uint64_t)differ);
        return;
      }
    }
  }
  want_snapshot(s, ci);
}

static void assign_waiting(synk_server *s) {
  uint32_t n = s->cfg.max_clients;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t ci = (s->bulk_rr + i) % n;
    sclient *c = &s->cl[ci];
    if (c->state != C_JOINED || c->flow != F_WANT_SNAP) continue;
    if (c->requests > s->cfg.max_requests) continue; /* a SYNC past the bound: after the tick */
    if (bulk_free(s) == NET_NONE) {
      s->bulk_rr = ci;
      return;
    }
    want_snapshot(s, ci);
  }
}

/* ---- pieces to clients --------------------------------------------------------------- */

static int queue_piece(synk_server *s, uint32_t ci, const uint8_t *piece, size_t len, uint64_t frame) {
  sclient *c = &s->cl[ci];
  sconn *k = &s->cn[c->conn];
  if (len > s->cfg.frag_size - 32) return -1;
  if (ord_record(k, R_PIECE, frame, piece, len)) return -1;
  return 0;
}

/* ---- create / destroy ---------------------------------------------------------------- */

#define ALLOC(ptr, count)                                                  \
  do {                                                                     \
    (ptr) = net_alloc(s->alloc, (size_t)(count) * sizeof *(ptr));          \
    if (!(ptr)) goto nomem;                                                \
  } while (0)

synk_status synk_server_create(const synk_server_config *cfg, synk_server **out) {
  if (out) *out = NULL;
  if (!cfg || !out || !cfg->world) return SYNK_E_ARG;
  synk_server_config c = *cfg;
  if (c.max_clients < 1 || c.max_clients > 65535) return SYNK_E_ARG;
  if (!c.max_connections) c.max_connections = c.max_clients + 16;
  if (!c.max_view_cells) c.max_view_cells = 64;
  if (!c.max_view_ids) c.max_view_ids = 64;
  if (!c.max_group_events) c.max_group_events = 4096;
  if (!c.frag_size) c.frag_size = 16384;
  if (c.frag_size < 256) return SYNK_E_ARG;
  if (!c.resume_key[0] && !c.resume_key[1]) return SYNK_E_ARG; /* tokens anyone could forge */
  if (!c.max_requests) c.max_requests = 4;
  /* a resuming client's WELCOME carries the outcomes: one fragment at most */
  uint32_t max_outcomes = (c.frag_size - 64) / 8;
  if (!c.result_history) c.result_history = max_outcomes < 64 ? max_outcomes : 64;
  if (c.result_history > max_outcomes) return SYNK_E_ARG;
  if (!c.queue_bytes) c.queue_bytes = 262144;
  if (!c.max_bulk_jobs) c.max_bulk_jobs = 4;
  if (!c.ack_interval) c.ack_interval = 10;
  if (!c.history) c.history = 64;
  if (!c.resume_frames) c.resume_frames = 300;
  if (!c.resume_bytes) c.resume_bytes = 32768;
  if (c.resume_bytes < 64) c.resume_bytes = 64;
  if (!c.heartbeat_ms) c.heartbeat_ms = 1000;
  if (!c.timeout_ms) c.timeout_ms = 5000;
  if (!c.grace_ms) c.grace_ms = 10000;
  if (!c.max_command) c.max_command = 1024;
  if (!c.max_command_events) c.max_command_events = 64;
  if (!c.max_commands) c.max_commands = 16;
  if (c.grid.cell_size == 0) {
    c.grid.cols = c.grid.rows = 1;
  }
  if (!c.grid.cols || !c.grid.rows || (uint64_t)c.grid.cols * c.grid.rows > (1u << 20)) return SYNK_E_ARG;
  if (c.max_view_cells > 4096 || c.max_view_ids > 4096 || c.max_bulk_jobs > 1024 ||
      c.max_command > (1u << 20) || c.max_command_events > (1u << 16) || c.max_group_events > (1u << 26))
    return SYNK_E_ARG;
  if (c.queue_bytes < c.frag_size + REC_HDR) c.queue_bytes = c.frag_size + REC_HDR;
  synk_config wc = synk_get_config(cfg->world);
  if (!c.max_changes) c.max_changes = 65536;
  if (c.max_changes > wc.max_entities) c.max_changes = wc.max_entities;

  const synk_allocator *al = c.allocator ? c.allocator : wc.allocator;
  synk_server *s = net_alloc(al, sizeof *s);
  if (!s) return SYNK_E_NOMEM;
  s->alloc = al;
  s->cfg = c;
  s->w = cfg->world;
  s->v = synk_get_view(cfg->world);
  s->wcfg = wc;
  s->cap = wc.max_entities;
  s->np = wc.num_props;
  s->nchunks = (s->cap + SYNK_CHUNK_IDS - 1) / SYNK_CHUNK_IDS;
  s->nwords = (s->cap + 63) / 64;
  s->ncells = c.grid.cols * c.grid.rows;
  s->token_state = 0;
  uint32_t G = c.max_clients;      /* client slots */
  uint32_t NG = c.max_clients + 1; /* groups: one per client, + one while a client changes view */

  ALLOC(s->eh, s->cap);
  ALLOC(s->ecell, s->cap);
  ALLOC(s->enext, s->cap);
  ALLOC(s->eprev, s->cap);
  ALLOC(s->cell_ents, s->ncells);
  ALLOC(s->tbits, s->nwords);
  ALLOC(s->tidx, s->cap);
  ALLOC(s->tr, c.max_changes);
  s->mcap = (size_t)c.max_changes * 4 < 65536 ? 65536 : (size_t)c.max_changes * 4;
  ALLOC(s->mscratch, s->mcap);
  ALLOC(s->g, NG);
  ALLOC(s->glist, NG);
  ALLOC(s->gcells, (size_t)NG * c.max_view_cells);
  ALLOC(s->gids, (size_t)NG * c.max_view_ids);
  ALLOC(s->cnode_next, (size_t)NG * c.max_view_cells);
  ALLOC(s->cnode_prev, (size_t)NG * c.max_view_cells);
  ALLOC(s->cell_head, s->ncells);
  ALLOC(s->inode_next, (size_t)NG * c.max_view_ids);
  ALLOC(s->inode_prev, (size_t)NG * c.max_view_ids);
  ALLOC(s->id_head, s->cap);
  ALLOC(s->all_list, NG);
  ALLOC(s->cb_list, NG);
  ALLOC(s->gbits, (size_t)NG * s->nwords);
  ALLOC(s->gcsum, (size_t)NG * s->nchunks);
  ALLOC(s->grec, (size_t)NG * c.max_group_events);
  ALLOC(s->glog, (size_t)NG * c.resume_bytes);
  ALLOC(s->cl, G);
  ALLOC(s->cn, c.max_connections);
  ALLOC(s->bk, c.max_bulk_jobs);
  s->ev_cap = (size_t)c.max_group_events * (2 + s->np) + 2;
  if (s->ev_cap < (size_t)c.max_command_events) s->ev_cap = c.max_command_events;
  ALLOC(s->ev, s->ev_cap);
  s->piece_cap = c.frag_size;
  ALLOC(s->piece, s->piece_cap);
  ALLOC(s->part, s->piece_cap);
  s->mev_cap = (size_t)c.max_group_events + 1;
  ALLOC(s->mev, s->mev_cap);
  s->msg_cap = c.max_command + 64 + c.frag_size;
  ALLOC(s->msg, s->msg_cap);
  ALLOC(s->vcells, c.max_view_cells);
  ALLOC(s->vids, c.max_view_ids);
  ALLOC(s->rcells, c.max_view_cells);
  ALLOC(s->rids, c.max_view_ids);
  ALLOC(s->cmd_ev, c.max_command_events);
  for (uint32_t i = 0; i < G; i++) {
    sclient *cl = &s->cl[i];
    ALLOC(cl->hframe, c.history);
    ALLOC(cl->hhash, c.history);
    ALLOC(cl->outcome, 2 * (size_t)c.result_history);
    cl->conn = cl->group = NET_NONE;
  }
  for (uint32_t i = 0; i < NG; i++) {
    group *g = &s->g[i];
    g->cells = s->gcells + (size_t)i * c.max_view_cells;
    g->ids = s->gids + (size_t)i * c.max_view_ids;
    g->vis = s->gbits + (size_t)i * s->nwords;
    g->csum = s->gcsum + (size_t)i * s->nchunks;
    g->rec = s->grec + (size_t)i * c.max_group_events;
    g->log = s->glog + (size_t)i * c.resume_bytes;
    g->members = NET_NONE;
  }
  size_t rx_body = 64 + 256 + (size_t)s->nchunks * 8 + c.max_command + 8ull * c.max_view_cells +
                   4ull * c.max_view_ids;
  for (uint32_t i = 0; i < c.max_connections; i++) {
    sconn *k = &s->cn[i];
    k->rx.max_body = (uint32_t)rx_body;
    k->rx.cap = rx_body + NET_FRAME_OVERHEAD;
    ALLOC(k->rx.buf, k->rx.cap);
    k->ctl.cap = 4 * ((size_t)c.max_command + 64) + 4096;
    ALLOC(k->ctl.buf, k->ctl.cap);
    k->ord.cap = c.queue_bytes;
    ALLOC(k->ord.buf, k->ord.cap);
    k->client = NET_NONE;
  }
  size_t bcap = net_snapshot_bound(s->cap, s->np);
  size_t rcap = net_repair_bound(s->cap, s->np);
  if (rcap > bcap) bcap = rcap;
  if ((size_t)c.resume_bytes + 16 > bcap) bcap = (size_t)c.resume_bytes + 16;
  s->bulk_cap = bcap;
  for (uint32_t i = 0; i < c.max_bulk_jobs; i++) {
    ALLOC(s->bk[i].buf, bcap);
    s->bk[i].conn = NET_NONE;
  }
  memset(s->cell_head, 0xFF, s->ncells * sizeof *s->cell_head);
  memset(s->cell_ents, 0xFF, s->ncells * sizeof *s->cell_ents);
  memset(s->id_head, 0xFF, (size_t)s->cap * sizeof *s->id_head);
  memset(s->ecell, 0xFF, (size_t)s->cap * sizeof *s->ecell);
  {
    synk_config pc = wc;
    pc.jobs = NULL;
    pc.allocator = al;
    if (synk_world_create(&pc, &s->proj) != SYNK_OK) goto nomem;
  }
  /* the entities already alive */
  synk_view v = synk_get_view(s->w);
  for (uint32_t wd = 0; wd < s->nwords; wd++) {
    uint64_t b = v.alive[wd];
    while (b) {
      uint32_t id = wd * 64 + ctz64(b);
      b &= b - 1;
      synk_entity_hash(s->w, id, &s->eh[id]);
      cell_link(s, id, net_cell_of(&c.grid, v.x[id], v.y[id]));
    }
  }
  *out = s;
  return SYNK_OK;
nomem:
  synk_server_destroy(s);
  return SYNK_E_NOMEM;
}

void synk_server_destroy(synk_server *s) {
  if (!s) return;
  const synk_allocator *al = s->alloc;
  if (s->cl)
    for (uint32_t i = 0; i < s->cfg.max_clients; i++) {
      net_free(al, s->cl[i].hframe);
      net_free(al, s->cl[i].hhash);
      net_free(al, s->cl[i].outcome);
    }
  if (s->cn)
    for (uint32_t i = 0; i < s->cfg.max_connections; i++) {
      net_free(al, s->cn[i].rx.buf);
      net_free(al, s->cn[i].ctl.buf);
      net_free(al, s->cn[i].ord.buf);
    }
  if (s->bk)
    for (uint32_t i = 0; i < s->cfg.max_bulk_jobs; i++) net_free(al, s->bk[i].buf);
  synk_world_destroy(s->proj);
  void *ptrs[] = {s->eh,       s->ecell,      s->enext,      s->eprev,     s->cell_ents, s->tbits,
                  s->tidx,     s->tr,         s->mscratch,   s->g,         s->glist,     s->gcells,
                  s->gids,     s->cnode_next, s->cnode_prev, s->cell_head, s->inode_next, s->inode_prev,
                  s->id_head,  s->all_list,   s->cb_list,    s->gbits,     s->gcsum,     s->grec,
                  s->cl,       s->cn,         s->bk,         s->ev,        s->piece,     s->msg,
                  s->vcells,   s->vids,       s->cmd_ev,     s->rcells,    s->rids,       s->glog,       s->part,      s->mev};
  for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) net_free(al, ptrs[i]);
  net_free(al, s);
}

/* ---- world changes ---------------------------------------------------------------------- */

static int touch(synk_server *s, uint32_t id) {
  if (bit_get(s->tbits, id)) return 0;
  if (s->nt >= s->cfg.max_changes) return -1;
  trec *t = &s->tr[s->nt];
  if (load(s, id, &t->old)) {
    t->old_alive = 1;
    t->old_hash = s->eh[id];
    t->old_cell = s->ecell[id];
  } else {
    memset(&t->old, 0, sizeof t->old);
    t->old.id = id;
    t->old_alive = 0;
    t->old_hash = 0;
    t->old_cell = NET_NONE;
  }
  s->tidx[id] = s->nt++;
  bit_set(s->tbits, id);
  return 0;
}

synk_status synk_server_apply(synk_server *s, const synk_event *ev, size_t n, size_t *bad_index) {
  if (!s || (n && !ev)) return SYNK_E_ARG;
  int motions_only = 1;
  for (size_t i = 0; i < n; i++) {
    if (ev[i].type < SYNK_EV_SPAWN || ev[i].type > SYNK_EV_PROP) {
      if (bad_index) *bad_index = i;
      return SYNK_E_ARG;
    }
    if (ev[i].id >= s->cap) {
      if (bad_index) *bad_index = i;
      return SYNK_E_RANGE;
    }
    if (ev[i].type != SYNK_EV_MOTION) motions_only = 0;
  }
  uint32_t nt0 = s->nt;
  for (size_t i = 0; i < n; i++)
    if (touch(s, ev[i].id)) {
      /* undo the touches of this call */
      for (uint32_t t = nt0; t < s->nt; t++) bit_clr(s->tbits, s->tr[t].old.id);
      s->nt = nt0;
      return SYNK_E_SPACE;
    }
  synk_status st;
  if (motions_only && n <= s->mcap) {
    for (size_t i = 0; i < n; i++) {
      s->mscratch[i].id = ev[i].id;
      s->mscratch[i].dx = ev[i].a;
      s->mscratch[i].dy = ev[i].b;
      s->mscratch[i].dz = ev[i].c;
    }
    st = synk_apply_motions(s->w, s->mscratch, n, bad_index);
  } else {
    st = synk_events_apply(s->w, ev, n, bad_index);
  }
  if (st != SYNK_OK) {
    for (uint32_t t = nt0; t < s->nt; t++) bit_clr(s->tbits, s->tr[t].old.id);
    s->nt = nt0;
  }
  return st;
}

static int same_state(const synk_entity *a, const synk_entity *b, uint32_t np) {
  if (a->kind != b->kind || a->x != b->x || a->y != b->y || a->z != b->z) return 0;
  for (uint32_t p = 0; p < np; p++)
    if (a->props[p] != b->props[p]) return 0;
  return 1;
}

static void route_group(synk_server *s, group *g, uint32_t t, uint32_t id, const synk_entity *ne,
                        int alive, uint64_t nh, uint32_t ncell) {
  if (g->stamp == s->seq) return;
  g->stamp = s->seq;
  const trec *r = &s->tr[t];
  int before = bit_get(g->vis, id);
  int after = alive && pred(s, g, ne, ncell);
  uint32_t kind;
  uint32_t ch = id / SYNK_CHUNK_IDS;
  if (before && after) {
    g->sum += nh - r->old_hash;
    g->csum[ch] += nh - r->old_hash;
    kind = REC_STAY;
  } else if (after) {
    bit_set(g->vis, id);
    g->sum += nh;
    g->csum[ch] += nh;
    g->count++;
    kind = REC_ENTER;
  } else if (before) {
    bit_clr(g->vis, id);
    g->sum -= r->old_hash;
    g->csum[ch] -= r->old_hash;
    g->count--;
    kind = REC_LEAVE;
  } else {
    return;
  }
  if (g->n_rec < s->cfg.max_group_events)
    g->rec[g->n_rec++] = (t << 2) | kind;
  else
    g->overflow = 1;
}

static void route(synk_server *s) {
  synk_entity ne;
  for (uint32_t wd = 0; wd < s->nwords; wd++) {
    uint64_t b = s->tbits[wd];
    if (!b) continue;
    s->tbits[wd] = 0;
    while (b) {
      uint32_t id = wd * 64 + ctz64(b);
      b &= b - 1;
      uint32_t t = s->tidx[id];
      trec *r = &s->tr[t];
      int alive = load(s, id, &r->now);
      ne = r->now;
      if (!alive && !r->old_alive) continue;
      if (alive && r->old_alive && same_state(&r->old, &ne, s->np)) continue;
      uint64_t nh = 0;
      uint32_t ncell = NET_NONE;
      if (alive) {
        synk_entity_hash(s->w, id, &nh);
        ncell = net_cell_of(&s->cfg.grid, ne.x, ne.y);
      }
      if (r->old_cell != ncell) {
        if (r->old_alive) cell_unlink(s, id);
        if (alive) cell_link(s, id, ncell);
      }
      s->eh[id] = nh;
      s->seq++;
      if (r->old_alive)
        for (uint32_t node = s->cell_head[r->old_cell]; node != NET_NONE; node = s->cnode_next[node])
          route_group(s, &s->g[node / s->cfg.max_view_cells], t, id, &ne, alive, nh, ncell);
      if (alive && ncell != r->old_cell)
        for (uint32_t node = s->cell_head[ncell]; node != NET_NONE; node = s->cnode_next[node])
          route_group(s, &s->g[node / s->cfg.max_view_cells], t, id, &ne, alive, nh, ncell);
      for (uint32_t node = s->id_head[id]; node != NET_NONE; node = s->inode_next[node])
        route_group(s, &s->g[node / s->cfg.max_view_ids], t, id, &ne, alive, nh, ncell);
      for (uint32_t i = 0; i < s->n_all; i++) route_group(s, &s->g[s->all_list[i]], t, id, &ne, alive, nh, ncell);
      for (uint32_t i = 0; i < s->n_cb; i++) route_group(s, &s->g[s->cb_list[i]], t, id, &ne, alive, nh, ncell);
    }
  }
  s->nt = 0;
}

/* The events of group g's records: spawns, despawns and property changes
 * into s->ev (the count returned), then the motions of the entities that
 * stayed (*m of them, in id order) and a tick -- the list the before_encode
 * hook sees -- and the same motions into s->mev with the id replaced by the
 * entity's rank in g's visibility set (after the records: the set the
 * client holds once it applied the first part of the piece). */
static size_t group_events(synk_server *s, const group *g, size_t *m) {
  synk_event *ev = s->ev;
  size_t n = 0, k = 0;
  for (uint32_t i = 0; i < g->n_rec; i++) {
    uint32_t t = g->rec[i] >> 2, kind = g->rec[i] & 3u;
    const trec *r = &s->tr[t];
    const synk_entity *ne = &r->now;
    uint32_t id = r->old.id;
    if (kind == REC_LEAVE) {
      synk_event de = {SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
      ev[n++] = de;
      continue;
    }
    if (kind == REC_ENTER) {
      n += entity_events(s, ne, ev + n);
      continue;
    }
    if (ne->kind != r->old.kind) {
      synk_event de = {SYNK_EV_DESPAWN, id, 0, 0, 0, 0};
      ev[n++] = de;
      n += entity_events(s, ne, ev + n);
      continue;
    }
    for (uint32_t p = 0; p < s->np; p++)
      if (ne->props[p] != r->old.props[p]) {
        synk_event pe = {SYNK_EV_PROP, id, p, ne->props[p], 0, 0};
        ev[n++] = pe;
      }
  }
  /* motions by rank: the records are in id order, so one walk of the
     visibility words gives every rank */
  uint32_t wd = 0;
  uint64_t base = 0; /* visible ids in words before wd */
  for (uint32_t i = 0; i < g->n_rec; i++) {
    uint32_t t = g->rec[i] >> 2, kind = g->rec[i] & 3u;
    if (kind != REC_STAY) continue;
    const trec *r = &s->tr[t];
    const synk_entity *ne = &r->now;
    if (ne->kind != r->old.kind) continue;
    if (ne->x == r->old.x && ne->y == r->old.y && ne->z == r->old.z) continue;
    uint32_t id = r->old.id;
    for (; wd < id >> 6; wd++)
      if (g->vis[wd]) base += popcount64(g->vis[wd]);
    uint64_t below = g->vis[wd] & ((UINT64_C(1) << (id & 63)) - 1);
    synk_event me = {SYNK_EV_MOTION, id, 0,
                     (int32_t)((uint32_t)ne->x - (uint32_t)r->old.x),
                     (int32_t)((uint32_t)ne->y - (uint32_t)r->old.y),
                     (int32_t)((uint32_t)ne->z - (uint32_t)r->old.z)};
    ev[n + k] = me;
    me.id = (uint32_t)(base + popcount64(below));
    s->mev[k++] = me;
  }
  synk_event te = {SYNK_EV_TICK, 0, 1, 0, 0, 0};
  ev[n + k] = te;
  *m = k;
  return n;
}

synk_status synk_server_tick(synk_server *s, uint64_t now_ms) {
  if (!s) return SYNK_E_ARG;
  s->now = now_ms;
  /* record the old state of nothing new: the tick itself changes no entity */
  synk_tick(s->w);
  route(s);
  uint64_t frame = synk_frame(s->w);
  for (uint32_t i = 0; i < s->ng; i++) {
    group *g = &s->g[s->glist[i]];
    g->hash = synk_hash_compose(s->w, g->sum, frame, g->count);
    uint32_t live = 0;
    for (uint32_t ci = g->members; ci != NET_NONE; ci = s->cl[ci].next)
      if (s->cl[ci].state == C_JOINED && s->cl[ci].flow == F_LIVE) live++;
    if (g->members == NET_NONE) { /* nobody to replay to either */
      log_append(s, g, frame, NULL, 0);
      g->n_rec = 0;
      g->overflow = 0;
      continue;
    }
    size_t len = 0;
    int ok = !g->overflow;
    if (!ok) log_append(s, g, frame, NULL, 0);
    if (ok) {
      size_t m = 0, n = group_events(s, g, &m);
      if (s->cfg.hooks.before_encode) s->cfg.hooks.before_encode(s->cfg.hooks.ctx, s->glist[i], live, s->ev, n + m + 1);
      ok = make_piece(s, s->ev, n, s->mev, m, 1, &len) == 0;
      log_append(s, g, frame, ok ? s->piece : NULL, len);
      if (ok) {
        s->st.encodings++;
        if (s->cfg.hooks.after_encode) s->cfg.hooks.after_encode(s->cfg.hooks.ctx, s->glist[i], s->piece, len);
      }
    }
    for (uint32_t ci = g->members; ci != NET_NONE; ci = s->cl[ci].next) {
      sclient *c = &s->cl[ci];
      if (c->state != C_JOINED || c->flow != F_LIVE) continue;
      if (!ok || queue_piece(s, ci, s->piece, len, frame)) {
        to_catchup(s, ci, 1);
        continue;
      }
      hist_push(s, c, frame, g->hash);
    }
    g->n_rec = 0;
    g->overflow = 0;
  }
  for (uint32_t i = 0; i < s->cfg.max_clients; i++) s->cl[i].commands = s->cl[i].requests = 0;
  assign_waiting(s);
  s->st.ticks++;
  return SYNK_OK;
}

/* ---- views --------------------------------------------------------------------------------- */

/* The group of definition d, referenced once more (created if none). */
static uint32_t group_ref(synk_server *s, const vdef *d, uint64_t fp) {
  for (uint32_t i = 0; i < s->ng; i++) {
    uint32_t gi = s->glist[i];
    if (group_is(&s->g[gi], d, fp)) {
      s->g[gi].refs++;
      return gi;
    }
  }
  return group_new(s, d, fp);
}


static synk_status set_view(synk_server *s, uint32_t ci, const synk_net_view *v) {
  vdef d;
  if (view_normalize(s, ci, v, &d)) return SYNK_E_ARG;
  sclient *c = &s->cl[ci];
  uint32_t old = c->group;
  uint64_t fp = vdef_fp(&d);
  if (old != NET_NONE && group_is(&s->g[old], &d, fp)) return SYNK_OK;
  uint32_t gi = group_ref(s, &d, fp);
  if (gi == NET_NONE) return SYNK_E_SPACE;
  group *ng = &s->g[gi];
  if (old != NET_NONE) {
    if (c->state == C_JOINED && c->flow == F_LIVE) transition(s, ci, &s->g[old], ng);
    member_remove(s, ci);
    group_unref(s, old);
  }
  member_add(s, ci, gi);
  if (c->state == C_JOINED && c->flow == F_WANT_SNAP) want_snapshot(s, ci);
  return SYNK_OK;
}

synk_status synk_server_set_view(synk_server *s, uint32_t cid, const synk_net_view *v) {
  if (!s || cid >= s->cfg.max_clients || s->cl[cid].state == C_FREE) return SYNK_E_ARG;
  return set_view(s, cid, v);
}

/* ---- connections and clients ---------------------------------------------------------------- */

synk_status synk_server_connect(synk_server *s, uint64_t now_ms, uint32_t *out) {
  if (!s || !out) return SYNK_E_ARG;
  for (uint32_t i = 0; i < s->cfg.max_connections; i++) {
    sconn *k = &s->cn[i];
    if (k->state != K_FREE) continue;
    k->state = K_HELLO;
    k->client = NET_NONE;
    k->rx.have = k->rx.need = 0;
    net_fifo_clear(&k->ctl);
    net_fifo_clear(&k->ord);
    k->last_heard = k->last_sent = now_ms;
    k->last_tick = 0;
    k->close_reason = 0;
    k->welcome_due = 0;
    *out = i;
    s->st.connections++;
    return SYNK_OK;
  }
  return SYNK_E_SPACE;
}

static void release_bulk_of(synk_server *s, uint32_t kc) {
  for (uint32_t i = 0; i < s->cfg.max_bulk_jobs; i++)
    if (s->bk[i].conn == kc) s->bk[i].conn = NET_NONE;
}

static void free_client(synk_server *s, uint32_t ci, uint32_t reason) {
  sclient *c = &s->cl[ci];
  if (c->state == C_FREE) return;
  if (c->state == C_JOINED) s->st.clients--;
  if (c->state == C_GRACE) s->st.in_grace--;
  if (c->group != NET_NONE) {
    uint32_t gi = c->group;
    member_remove(s, ci);
    group_unref(s, gi);
  }
  c->state = C_FREE;
  c->flow = F_NONE;
  c->conn = NET_NONE;
  emit_simple(s, SYNK_NET_EV_DROPPED, ci, NET_NONE, reason, synk_frame(s->w));
}

/* The connection leaves its client (if any) in grace. */
static void detach(synk_server *s, uint32_t kc, uint32_t reason) {
  sconn *k = &s->cn[kc];
  release_bulk_of(s, kc);
  if (k->client != NET_NONE) {
    sclient *c = &s->cl[k->client];
    if (c->state == C_JOINED && c->conn == kc) {
      c->state = C_GRACE;
      c->flow = F_NONE;
      c->conn = NET_NONE;
      c->grace_until = s->now + s->cfg.grace_ms;
      s->st.clients--;
      s->st.in_grace++;
      emit_simple(s, SYNK_NET_EV_DISCONNECTED, k->client, kc, reason, synk_frame(s->w));
    }
    k->client = NET_NONE;
  }
}

/* Queue `type` (CLOSE, or REFUSE at the handshake) with the reason as all
 * kc has left to send, stop reading from it, and tell the application. */
static void close_with(synk_server *s, uint32_t kc, uint32_t type, uint32_t reason) {
  sconn *k = &s->cn[kc];
  if (k->state == K_CLOSING || k->state == K_FREE) return;
  detach(s, kc, reason);
  net_fifo_clear(&k->ord);
  uint8_t body[4];
  nw w;
  nw_init(&w, body, sizeof body);
  nw_u32(&w, reason);
  net_fifo_clear(&k->ctl);
  ctl_frame(s, k, type, body, w.n);
  k->state = K_CLOSING;
  k->close_reason = reason;
  emit_simple(s, SYNK_NET_EV_CLOSE, NET_NONE, kc, reason, synk_frame(s->w));
}

static void close_conn(synk_server *s, uint32_t kc, uint32_t reason) { close_with(s, kc, NM_CLOSE, reason); }

synk_status synk_server_disconnect(synk_server *s, uint32_t kc, uint64_t now_ms) {
  if (!s || kc >= s->cfg.max_connections || s->cn[kc].state == K_FREE) return SYNK_E_ARG;
  s->now = now_ms;
  detach(s, kc, SYNK_NET_R_SHUTDOWN);
  s->cn[kc].state = K_FREE;
  s->st.connections--;
  return SYNK_OK;
}

/* SipHash-2-4 of one 64-bit word under a 128-bit key: resume tokens that a
 * client cannot predict from its own (a keyed PRF, unlike mix64, which is
 * invertible). */
static uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
static void sip_round(uint64_t v[4]) {
  v[0] += v[1];
  v[1] = rotl64(v[1], 13) ^ v[0];
  v[0] = rotl64(v[0], 32);
  v[2] += v[3];
  v[3] = rotl64(v[3], 16) ^ v[2];
  v[0] += v[3];
  v[3] = rotl64(v[3], 21) ^ v[0];
  v[2] += v[1];
  v[1] = rotl64(v[1], 17) ^ v[2];
  v[2] = rotl64(v[2], 32);
}
static uint64_t siphash_u64(const uint64_t key[2], uint64_t m) {
  uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
                   key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
  uint64_t last = (uint64_t)8 << 56; /* message length 8, no tail bytes */
  v[3] ^= m;
  sip_round(v);
  sip_round(v);
  v[0] ^= m;
  v[3] ^= last;
  sip_round(v);
  sip_round(v);
  v[0] ^= last;
  v[2] ^= 0xff;
  for (int i = 0; i < 4; i++) sip_round(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static uint64_t new_token(synk_server *s) {
  uint64_t t = siphash_u64(s->cfg.resume_key, ++s->token_state);
  return t ? t : 1;
}

static void refuse(synk_server *s, uint32_t kc, uint32_t reason) { close_with(s, kc, NM_REFUSE, reason); }

/* WELCOME: a resumed client learns what became of the commands it sent
 * before its connection broke -- the last one the server handled and the
 * outcomes kept, oldest first. 0 queued, 1 closing (reply). */
static int welcome(synk_server *s, uint32_t kc, uint32_t ci, int resumed) {
  sclient *c = &s->cl[ci];
  uint32_t H = s->cfg.result_history, n = resumed ? c->on : 0;
  nw w;
  nw_init(&w, s->piece, s->piece_cap); /* scratch: no piece is being assembled */
  nw_u32(&w, ci);
  nw_u64(&w, c->token);
  nw_u64(&w, synk_frame(s->w));
  nw_u32(&w, s->cfg.ack_interval);
  nw_u8(&w, resumed ? 1u : 0u);
  nw_u32(&w, s->cfg.frag_size);
  nw_u32(&w, resumed ? c->last_seq : 0);
  nw_u32(&w, n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t j = (c->opos + H - n + i) % H;
    nw_u32(&w, c->outcome[2 * j]);
    nw_u32(&w, c->outcome[2 * j + 1]);
  }
  if (reply(s, kc, NM_WELCOME, s->piece, w.n)) return 1;
  s->cn[kc].welcome_due = 1; /* the connection's first ordered record */
  return 0;
}

static int on_hello(synk_server *s, uint32_t kc, nr *r) {
  sconn *k = &s->cn[kc];
  uint32_t version = nr_u32(r), room = nr_u32(r), me = nr_u32(r), np = nr_u32(r);
  uint64_t seed = nr_u64(r);
  uint32_t tlen = nr_u16(r);
  const uint8_t *token = nr_take(r, tlen);
  uint32_t flags = nr_u8(r);
  if (r->err || tlen > 256 || flags > 1) return -1;
  uint64_t rtoken = 0, frame = 0, rhash = 0;
  uint32_t nsums = 0;
  const uint8_t *sums = NULL;
  if (flags & 1) {
    rtoken = nr_u64(r);
    frame = nr_u64(r);
    rhash = nr_u64(r);
    nsums = nr_u32(r);
    if (r->err || (nsums != 0 && nsums != s->nchunks)) return -1;
    sums = nr_take(r, (size_t)nsums * 8);
  }
  if (!nr_done(r)) return -1;
  if (version != SYNK_NET_VERSION) return refuse(s, kc, SYNK_NET_R_VERSION), 1;
  if (room != s->cfg.room_id) return refuse(s, kc, SYNK_NET_R_ROOM), 1;
  if (me != s->cap || np != s->np || seed != s->wcfg.seed) return refuse(s, kc, SYNK_NET_R_CONFIG), 1;
  /* resume: a client in grace (or still joined on a stale connection) with
     this token -- never 0: no WELCOME carries it, and it is the prev_token
     of every client that holds no older token */
  uint32_t ci = NET_NONE;
  if ((flags & 1) && rtoken)
    for (uint32_t i = 0; i < s->cfg.max_clients; i++)
      if (s->cl[i].state != C_FREE && (s->cl[i].token == rtoken || s->cl[i].prev_token == rtoken)) {
        ci = i;
        break;
      }
  if (ci != NET_NONE) {
    sclient *c = &s->cl[ci];
    if (c->state == C_JOINED && c->conn != NET_NONE) close_conn(s, c->conn, SYNK_NET_R_SHUTDOWN);
    if (c->state == C_GRACE) {
      s->st.in_grace--;
    }
    c->state = C_JOINED;
    c->conn = kc;
    c->flow = F_NONE;
    /* a token resumes once: whoever else holds it is too late. The token it
       came with stays good until the client is heard on this connection (it
       then has the new one, from the WELCOME before anything it sends): a
       connection lost before the WELCOME arrived must not cost the slot. */
    c->prev_token = rtoken;
    c->token = new_token(s);
    s->st.clients++;
    k->client = ci;
    k->state = K_JOINED;
    if (welcome(s, kc, ci, 1)) return 1;
    emit_simple(s, SYNK_NET_EV_RESUMED, ci, kc, 0, synk_frame(s->w));
    catch_up(s, ci, sums, nsums, frame, rhash);
    return 0;
  }
  /* a new sclient: a free slot, or when all are taken the slot in grace
     closest to its expiry (a client that is here beats one that may come
     back; a client cut off before its WELCOME arrived comes back as a new
     one) -- evicted only once this client is admitted (accept, a view
     group): a HELLO that is refused takes nobody's slot */
  for (uint32_t i = 0; i < s->cfg.max_clients; i++)
    if (s->cl[i].state == C_FREE) {
      ci = i;
      break;
    }
  if (ci == NET_NONE) {
    uint64_t soonest = UINT64_MAX;
    for (uint32_t i = 0; i < s->cfg.max_clients; i++)
      if (s->cl[i].state == C_GRACE && s->cl[i].grace_until < soonest) {
        soonest = s->cl[i].grace_until;
        ci = i;
      }
    if (ci == NET_NONE) return refuse(s, kc, SYNK_NET_R_FULL), 1;
  }
  if (s->cfg.accept) {
    uint32_t why = s->cfg.accept(s->cfg.ctx, ci, token, tlen);
    if (why) return refuse(s, kc, why), 1;
  }
  sclient *c = &s->cl[ci];
  /* a new client sees nothing until the server sets its view */
  synk_net_view none;
  memset(&none, 0, sizeof none);
  vdef d;
  view_normalize(s, ci, &none, &d);
  uint32_t gi = group_ref(s, &d, vdef_fp(&d));
  if (gi == NET_NONE) return refuse(s, kc, SYNK_NET_R_FULL), 1;
  if (c->state == C_GRACE) free_client(s, ci, SYNK_NET_R_EXPIRED); /* (accept may have kicked it) */
  c->state = C_JOINED;
  c->flow = F_NONE;
  c->conn = kc;
  c->token = new_token(s);
  c->prev_token = 0;
  c->hn = c->hpos = 0;
  c->bytes = c->ticks = 0;
  c->commands = c->requests = 0;
  c->last_seq = c->opos = c->on = 0;
  c->desync_reported = 0;
  member_add(s, ci, gi);
  s->st.clients++;
  k->client = ci;
  k->state = K_JOINED;
  if (welcome(s, kc, ci, 0)) return 1;
  emit_simple(s, SYNK_NET_EV_JOINED, ci, kc, 0, synk_frame(s->w));
  if (c->state == C_JOINED && c->conn == kc) want_snapshot(s, ci);
  return 0;
}

static int on_command(synk_server *s, uint32_t kc, sclient *c, uint32_t ci, nr *r) {
  uint32_t seq = nr_u32(r);
  size_t len = r->n - r->off;
  const uint8_t *cmd = nr_take(r, len);
  if (r->err || len > s->cfg.max_command) return -1;
  uint32_t reason = SYNK_NET_R_REJECTED;
  size_t n = 0;
  if (c->commands >= s->cfg.max_commands) {
    reason = SYNK_NET_R_OVERFLOW;
  } else if (s->cfg.validate) {
    reason = s->cfg.validate(s->cfg.ctx, ci, cmd, len, s->cmd_ev, s->cfg.max_command_events, &n);
    if (!reason) {
      if (n > s->cfg.max_command_events || synk_server_apply(s, s->cmd_ev, n, NULL) != SYNK_OK)
        reason = SYNK_NET_R_INVALID;
    }
  }
  if (reason) {
    s->st.commands_rejected++;
  } else {
    s->st.commands_accepted++;
    c->commands++;
  }
  outcome_push(s, c, seq, reason);
  uint8_t body[24];
  nw w;
  nw_init(&w, body, sizeof body);
  nw_u32(&w, seq);
  nw_u32(&w, reason);
  nw_u64(&w, synk_frame(s->w) + 1);
  return reply(s, kc, NM_RESULT, body, w.n);
}

typedef struct rx_ctx {
  synk_server *s;
  uint32_t kc;
} rx_ctx;

static int on_message(void *ctx, uint32_t type, const uint8_t *body, size_t len) {
  synk_server *s = ((rx_ctx *)ctx)->s;
  uint32_t kc = ((rx_ctx *)ctx)->kc;
  sconn *k = &s->cn[kc];
  nr r;
  nr_init(&r, body, len);
  if (k->state == K_CLOSING) return 1; /* closed by an earlier message of this receive */
  if (type == NM_PING) {
    if (len) return -1;
    return ctl_frame(s, k, NM_PONG, NULL, 0) ? overflow(s, kc) : 0; /* PINGs, PONGs not read */
  }
  if (type == NM_PONG) return len ? -1 : 0;
  if (k->state == K_HELLO) {
    if (type != NM_HELLO) return -1;
    return on_hello(s, kc, &r);
  }
  if (k->state != K_JOINED || k->client == NET_NONE) return -1;
  uint32_t ci = k->client;
  sclient *c = &s->cl[ci];
  c->prev_token = 0; /* a message after WELCOME: the client holds its new token */
  switch (type) {
  case NM_ACK: {
    uint64_t frame = nr_u64(&r), hash = nr_u64(&r), expect = 0;
    if (!nr_done(&r)) return -1;
    if (c->flow != F_LIVE) return 0;
    if (!hist_find(s, c, frame, &expect)) return 0; /* too old to judge */
    synk_net_event ev;
    memset(&ev, 0, sizeof ev);
    ev.client = ci;
    ev.conn = kc;
    ev.frame = frame;
    ev.hash = hash;
    ev.expected = expect;
    if (hash == expect) {
      s->st.verified++;
      ev.type = SYNK_NET_EV_VERIFIED;
      emit(s, &ev);
      return 0;
    }
    s->st.mismatches++;
    ev.type = SYNK_NET_EV_DESYNC;
    emit(s, &ev);
    to_catchup(s, ci, 0);
    return 0;
  }
  case NM_SYNC: {
    uint64_t frame = nr_u64(&r), hash = nr_u64(&r);
    uint32_t nsums = nr_u32(&r);
    if (r.err || (nsums != 0 && nsums != s->nchunks)) return -1;
    const uint8_t *sums = nr_take(&r, (size_t)nsums * 8);
    if (!nr_done(&r)) return -1;
    if (c->flow == F_WANT_SNAP) return 0; /* a snapshot is on its way */
    for (uint32_t i = 0; i < s->cfg.max_bulk_jobs; i++)
      if (s->bk[i].conn == kc) return 0;  /* one payload in flight per connection: the
                                             client verifies it and asks again if needed */
    if (++c->requests > s->cfg.max_requests) {
      /* past the bound: its answer is a snapshot, built after the next tick
         (assign_waiting); the sums are not kept */
      want_snapshot_later(s, ci);
      return 0;
    }
    catch_up(s, ci, nsums ? sums : NULL, nsums, frame, hash);
    return 0;
  }
  case NM_VIEW: {
    synk_net_view v;
    if (net_view_read(&r, &v, s->rcells, s->cfg.max_view_cells, s->rids, s->cfg.max_view_ids) ||
        !nr_done(&r))
      return -1;
    v.use_callback = 0; /* the callback view is the server's to give */
    uint32_t reason = SYNK_NET_R_OVERFLOW; /* past max_requests: the application is not asked */
    if (++c->requests <= s->cfg.max_requests)
      reason = s->cfg.view_request ? s->cfg.view_request(s->cfg.ctx, ci, &v) : SYNK_NET_R_DENIED;
    if (!reason) {
      synk_status st = set_view(s, ci, &v);
      reason = st == SYNK_OK ? 0 : st == SYNK_E_SPACE ? SYNK_NET_R_FULL : SYNK_NET_R_PROTOCOL;
    }
    uint8_t b[4];
    nw w;
    nw_init(&w, b, sizeof b);
    nw_u32(&w, reason);
    return reply(s, kc, NM_VIEWRES, b, w.n);
  }
  case NM_COMMAND:
    return on_command(s, kc, c, ci, &r);
  case NM_APP: {
    if (len > s->cfg.max_command) return -1;
    synk_net_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SYNK_NET_EV_APP;
    ev.client = ci;
    ev.conn = kc;
    ev.data = body;
    ev.len = len;
    emit(s, &ev);
    return 0;
  }
  case NM_BYE:
    if (len) return -1;
    free_client(s, ci, SYNK_NET_OK);
    k->client = NET_NONE;
    close_conn(s, kc, SYNK_NET_OK);
    return 1;
  default:
    return -1;
  }
}

synk_status synk_server_receive(synk_server *s, uint32_t kc, const void *buf, size_t len, uint64_t now_ms) {
  if (!s || kc >= s->cfg.max_connections || (len && !buf)) return SYNK_E_ARG;
  sconn *k = &s->cn[kc];
  if (k->state == K_FREE) return SYNK_E_ARG;
  s->now = now_ms;
  if (k->state == K_CLOSING) return SYNK_OK; /* ignored while closing */
  k->last_heard = now_ms;
  s->st.bytes_received += len;
  rx_ctx ctx = {s, kc};
  int r = net_rx_feed(&k->rx, buf, len, on_message, &ctx);
  if (r < 0) {
    s->st.protocol_errors++;
    close_conn(s, kc, SYNK_NET_R_PROTOCOL);
    return SYNK_E_FORMAT;
  }
  return SYNK_OK;
}

/* ---- output -------------------------------------------------------------------------------------- */

size_t synk_server_frame_bound(const synk_server *s) {
  if (!s) return 0;
  size_t b = (size_t)s->cfg.frag_size + NET_FRAME_OVERHEAD;
  size_t m = (size_t)s->cfg.max_command + 64 + NET_FRAME_OVERHEAD;
  return b > m ? b : m;
}

/* pop one control frame (a complete frame) from a fifo holding frames */
static size_t pop_frame(net_fifo *f, uint8_t *out, size_t cap) {
  const uint8_t *p = f->buf + f->head;
  size_t sz = net_frame_size(p, NULL);
  if (sz > cap) return 0;
  memcpy(out, p, sz);
  f->head += sz;
  if (f->head == f->tail) f->head = f->tail = 0;
  return sz;
}

static void sent(synk_server *s, uint32_t kc, uint32_t type, size_t n) {
  sconn *k = &s->cn[kc];
  k->last_sent = s->now;
  s->st.bytes_sent += n;
  if (k->client != NET_NONE) s->cl[k->client].bytes += n;
  if (s->cfg.hooks.after_send)
    s->cfg.hooks.after_send(s->cfg.hooks.ctx, kc, k->client, type, n);
}

synk_status synk_server_poll(synk_server *s, uint32_t kc, void *buf, size_t cap, size_t *len,
                             uint64_t now_ms) {
  if (!s || !len || kc >= s->cfg.max_connections || (cap && !buf)) return SYNK_E_ARG;
  *len = 0;
  sconn *k = &s->cn[kc];
  if (k->state == K_FREE) return SYNK_E_ARG;
  if (cap < synk_server_frame_bound(s)) return SYNK_E_SPACE;
  s->now = now_ms;
  uint8_t *out = buf;
  if (net_fifo_used(&k->ctl) && (!k->welcome_due || k->state == K_CLOSING || !net_fifo_used(&k->ord))) {
    uint32_t type = k->ctl.buf[k->ctl.head];
    *len = pop_frame(&k->ctl, out, cap);
    sent(s, kc, type, *len);
    return SYNK_OK;
  }
  if (k->state == K_CLOSING || !net_fifo_used(&k->ord)) return SYNK_OK;
  uint8_t *rec = k->ord.buf + k->ord.head;
  uint32_t rl = rec_len(rec);
  if (rec[0] == R_FRAME) {
    memcpy(out, rec + REC_HDR, rl);
    if (out[0] == NM_WELCOME) k->welcome_due = 0;
    *len = rl;
    k->ord.head += REC_HDR + rl;
    sent(s, kc, out[0], rl);
    return SYNK_OK;
  }
  if (rec[0] == R_BULK) {
    uint32_t bi;
    memcpy(&bi, rec + REC_HDR, sizeof bi);
    bulk *b = &s->bk[bi];
    nw w;
    nw_init(&w, out, cap);
    if (!b->started) {
      uint8_t body[40];
      nw bw;
      nw_init(&bw, body, sizeof body);
      nw_u8(&bw, b->kind);
      nw_u32(&bw, (uint32_t)b->len);
      nw_u64(&bw, b->frame);
      nw_u64(&bw, b->hash);
      nw_u32(&bw, synk_crc32c(0, b->buf, b->len));
      net_frame(&w, NM_BULK, body, bw.n);
      b->started = 1;
      b->moved = now_ms;
      *len = w.n;
      sent(s, kc, NM_BULK, w.n);
      return SYNK_OK;
    }
    size_t piece = b->len - b->sent;
    if (piece > s->cfg.frag_size) piece = s->cfg.frag_size;
    net_frame(&w, NM_FRAG, b->buf + b->sent, piece);
    b->sent += piece;
    b->moved = now_ms;
    *len = w.n;
    sent(s, kc, NM_FRAG, w.n);
    if (b->sent == b->len) {
      b->conn = NET_NONE;
      k->ord.head += REC_HDR + rl;
      assign_waiting(s);
    }
    return SYNK_OK;
  }
  /* pieces: as many as fit one TICK message, after the debounce interval */
  if (s->cfg.debounce_ms && k->last_tick && now_ms - k->last_tick < s->cfg.debounce_ms) return SYNK_OK;
  nw w;
  nw_init(&w, out, cap);
  size_t mark = net_frame_begin(&w, NM_TICK);
  size_t h = k->ord.head, end_frame_pos;
  uint64_t frame_end = 0;
  uint32_t npieces = 0;
  /* count first to write the header: frame_end varint, count varint */
  size_t total = 0;
  while (h < k->ord.tail) {
    const uint8_t *q = k->ord.buf + h;
    if (q[0] != R_PIECE) break;
    uint32_t ql = rec_len(q);
    size_t add = ql + 5;
    if (npieces && total + add + 24 > s->cfg.frag_size) break;
    total += add;
    frame_end = rec_frame(q);
    npieces++;
    h += REC_HDR + ql;
  }
  /* body: u8 low byte of the frame after the last piece, varint count,
     the pieces (each but the last after its varint length) */
  nw_u8(&w, (uint32_t)(frame_end & 0xFF));
  nw_var(&w, npieces);
  end_frame_pos = h;
  for (size_t p = k->ord.head; p < end_frame_pos;) {
    const uint8_t *q = k->ord.buf + p;
    uint32_t ql = rec_len(q);
    p += REC_HDR + ql;
    if (p < end_frame_pos) nw_var(&w, ql);
    nw_bytes(&w, q + REC_HDR, ql);
  }
  net_frame_end(&w, mark);
  if (w.err) return SYNK_E_SPACE;
  k->ord.head = end_frame_pos;
  if (k->ord.head == k->ord.tail) k->ord.head = k->ord.tail = 0;
  k->last_tick = now_ms ? now_ms : 1;
  *len = w.n;
  if (k->client != NET_NONE) s->cl[k->client].ticks++;
  s->st.tick_messages++;
  sent(s, kc, NM_TICK, w.n);
  return SYNK_OK;
}

void synk_server_service(synk_server *s, uint64_t now_ms) {
  if (!s) return;
  s->now = now_ms;
  for (uint32_t i = 0; i < s->cfg.max_connections; i++) {
    sconn *k = &s->cn[i];
    if (k->state == K_FREE || k->state == K_CLOSING) continue;
    if (now_ms - k->last_heard >= s->cfg.timeout_ms) {
      close_conn(s, i, SYNK_NET_R_TIMEOUT);
      continue;
    }
    if (now_ms - k->last_sent >= s->cfg.heartbeat_ms && !net_fifo_used(&k->ctl) && !net_fifo_used(&k->ord))
      ctl_frame(s, k, NM_PING, NULL, 0);
  }
  /* a connection that stopped taking its payload (heard or not) frees the job for others */
  for (uint32_t i = 0; i < s->cfg.max_bulk_jobs; i++) {
    bulk *b = &s->bk[i];
    if (b->conn != NET_NONE && now_ms - b->moved >= s->cfg.timeout_ms) close_conn(s, b->conn, SYNK_NET_R_TIMEOUT);
  }
  for (uint32_t i = 0; i < s->cfg.max_clients; i++) {
    sclient *c = &s->cl[i];
    if (c->state == C_GRACE && now_ms >= c->grace_until) free_client(s, i, SYNK_NET_R_EXPIRED);
  }
  assign_waiting(s);
}

/* ---- application messages, kicks, queries -------------------------------------------------------- */

static int send_app(synk_server *s, uint32_t ci, const void *msg, size_t len) {
  sclient *c = &s->cl[ci];
  if (c->state != C_JOINED || c->conn == NET_NONE) return 0; /* not connected: skipped */
  return ctl_frame(s, &s->cn[c->conn], NM_SAPP, msg, len);
}

synk_status synk_server_send(synk_server *s, synk_net_target to, const uint32_t *ids, size_t n_ids,
                             const void *msg, size_t len, size_t *sentc) {
  if (sentc) *sentc = 0;
  if (!s || (len && !msg) || len > s->cfg.max_command) return SYNK_E_ARG;
  if ((to == SYNK_NET_TO_ONE || to == SYNK_NET_TO_ALL_BUT) && (!ids || n_ids < 1)) return SYNK_E_ARG;
  if (to == SYNK_NET_TO_LIST && n_ids && !ids) return SYNK_E_ARG;
  if (to > SYNK_NET_TO_LIST) return SYNK_E_ARG;
  size_t count = 0;
  if (to == SYNK_NET_TO_ONE || to == SYNK_NET_TO_LIST) {
    size_t n = to == SYNK_NET_TO_ONE ? 1 : n_ids;
    for (size_t i = 0; i < n; i++)
      if (ids[i] >= s->cfg.max_clients || s->cl[ids[i]].state == C_FREE) return SYNK_E_ARG;
    for (size_t i = 0; i < n; i++) {
      if (send_app(s, ids[i], msg, len)) {
        if (sentc) *sentc = count;
        return SYNK_E_SPACE;
      }
      count++;
    }
  } else {
    uint32_t skip = to == SYNK_NET_TO_ALL_BUT ? ids[0] : NET_NONE;
    for (uint32_t i = 0; i < s->cfg.max_clients; i++) {
      if (i == skip || s->cl[i].state != C_JOINED) continue;
      if (send_app(s, i, msg, len)) {
        if (sentc) *sentc = count;
        return SYNK_E_SPACE;
      }
      count++;
    }
  }
  if (sentc) *sentc = count;
  return SYNK_OK;
}

synk_status synk_server_kick(synk_server *s, uint32_t ci, uint32_t reason) {
  if (!s || ci >= s->cfg.max_clients || s->cl[ci].state == C_FREE) return SYNK_E_ARG;
  uint32_t kc = s->cl[ci].conn;
  free_client(s, ci, reason);
  if (kc != NET_NONE) {
    s->cn[kc].client = NET_NONE;
    close_conn(s, kc, reason);
  }
  return SYNK_OK;
}

synk_status synk_server_view_hash(const synk_server *s, uint32_t ci, uint64_t *hash) {
  if (!s || !hash || ci >= s->cfg.max_clients || s->cl[ci].state == C_FREE || s->cl[ci].group == NET_NONE)
    return SYNK_E_ARG;
  const group *g = &s->g[s->cl[ci].group];
  *hash = synk_hash_compose(s->w, g->sum, synk_frame(s->w), g->count);
  return SYNK_OK;
}

synk_status synk_server_view_rehash(const synk_server *s, uint32_t ci, uint64_t *hash) {
  if (!s || !hash || ci >= s->cfg.max_clients || s->cl[ci].state == C_FREE || s->cl[ci].group == NET_NONE)
    return SYNK_E_ARG;
  const group *g = &s->g[s->cl[ci].group];
  synk_view v = synk_get_view(s->w);
  synk_entity e;
  uint64_t sum = 0, count = 0;
  for (uint32_t wd = 0; wd < s->nwords; wd++) {
    uint64_t b = v.alive[wd];
    while (b) {
      uint32_t id = wd * 64 + ctz64(b);
      b &= b - 1;
      load(s, id, &e);
      if (!pred((synk_server *)s, g, &e, net_cell_of(&s->cfg.grid, e.x, e.y))) continue;
      uint64_t h;
      synk_entity_hash(s->w, id, &h);
      sum += h;
      count++;
    }
  }
  *hash = synk_hash_compose(s->w, sum, synk_frame(s->w), count);
  return SYNK_OK;
}

void synk_server_get_stats(const synk_server *s, synk_server_stats *out) {
  if (!s || !out) return;
  *out = s->st;
}

synk_status synk_server_client_bytes(const synk_server *s, uint32_t ci, uint64_t *bytes, uint64_t *ticks) {
  if (!s || ci >= s->cfg.max_clients || s->cl[ci].state == C_FREE) return SYNK_E_ARG;
  if (bytes) *bytes = s->cl[ci].bytes;
  if (ticks) *ticks = s->cl[ci].ticks;
  return SYNK_OK;
}
