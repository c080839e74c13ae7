/* SPDX-License-Identifier: MIT */
/*
 * net/ wire helpers: frames ([u8 type][varint length][body][u32 CRC-32C]),
 * the bounded frame reassembler, byte FIFOs, views on the wire.
 * docs/protocol.md, "Frames".
 */
#include <stdlib.h>

#include "net_internal.h"

static void put_crc(nw *w, size_t start) {
  if (w->err) return;
  uint32_t crc = synk_crc32c(0, w->p + start, w->n - start);
  nw_u32(w, crc);
}

void net_frame(nw *w, uint32_t type, const void *body, size_t len) {
  size_t start = w->n;
  nw_u8(w, type);
  nw_var(w, len);
  nw_bytes(w, body, len);
  put_crc(w, start);
}

size_t net_frame_begin(nw *w, uint32_t type) {
  size_t start = w->n;
  nw_u8(w, type);
  (void)nw_room(w, 5); /* the length's room; net_frame_end closes the gap */
  return start;
}

void net_frame_end(nw *w, size_t mark) {
  if (w->err) return;
  size_t body = mark + 6, len = w->n - body;
  uint8_t v[10];
  nw t;
  nw_init(&t, v, sizeof v);
  nw_var(&t, len);
  memmove(w->p + mark + 1 + t.n, w->p + body, len);
  memcpy(w->p + mark + 1, v, t.n);
  w->n = mark + 1 + t.n + len;
  put_crc(w, mark);
}

/* Parse the header in rx->buf[0..have): 0 incomplete, 1 known (rx->need
 * set), -1 invalid. */
static int rx_header(net_rx *rx) {
  uint64_t len = 0;
  for (size_t i = 1; i < rx->have && i <= 5; i++) {
    uint32_t b = rx->buf[i];
    len |= (uint64_t)(b & 0x7F) << (7 * (i - 1));
    if (!(b & 0x80)) {
      if (i > 1 && b == 0) return -1; /* not canonical */
      if (len > rx->max_body) return -1;
      rx->need = 1 + i + (size_t)len + 4;
      return 1;
    }
  }
  if (rx->have > 5) return -1;
  return 0;
}

int net_rx_feed(net_rx *rx, const uint8_t *p, size_t n,
                int (*fn)(void *ctx, uint32_t type, const uint8_t *body, size_t len), void *ctx) {
  while (n) {
    if (!rx->need) {
      /* header bytes one at a time (at most 6) */
      rx->buf[rx->have++] = *p++;
      n--;
      int h = rx_header(rx);
      if (h < 0) return -1;
      if (!h) continue;
    }
    size_t k = rx->need - rx->have;
    if (k > n) k = n;
    memcpy(rx->buf + rx->have, p, k);
    rx->have += k;
    p += k;
    n -= k;
    if (rx->have < rx->need) break;
    /* complete frame */
    size_t hdr;
    net_frame_size(rx->buf, &hdr);
    size_t len = rx->need - hdr - 4;
    if (synk_crc32c(0, rx->buf, rx->need - 4) != net_le32(rx->buf + rx->need - 4)) return -1;
    rx->have = rx->need = 0;
    int r = fn(ctx, rx->buf[0], rx->buf + hdr, len);
    if (r) return r;
  }
  return 0;
}

uint8_t *net_fifo_reserve(net_fifo *f, size_t k) {
  if (f->cap - f->tail < k) {
    size_t used = f->tail - f->head;
    if (f->cap - used < k) return NULL;
    memmove(f->buf, f->buf + f->head, used);
    f->head = 0;
    f->tail = used;
  }
  uint8_t *q = f->buf + f->tail;
  f->tail += k;
  return q;
}

int net_fifo_frame(net_fifo *f, uint32_t type, const void *body, size_t len) {
  uint8_t *q = net_fifo_reserve(f, len + NET_FRAME_OVERHEAD);
  if (!q) return -1;
  nw w;
  nw_init(&w, q, len + NET_FRAME_OVERHEAD);
  net_frame(&w, type, body, len);
  f->tail -= (len + NET_FRAME_OVERHEAD) - w.n;
  return 0;
}

static void *std_alloc(void *ctx, size_t size, size_t align) {
  (void)ctx;
  if (align < sizeof(void *)) align = sizeof(void *);
  size = (size + align - 1) / align * align;
  return aligned_alloc(align, size ? size : align);
}
static void std_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}
static const synk_allocator std_allocator = {std_alloc, std_free, NULL};

void *net_alloc(const synk_allocator *a, size_t n) {
  if (!a) a = &std_allocator;
  void *p = a->alloc(a->ctx, n ? n : 1, 64);
  if (p) memset(p, 0, n);
  return p;
}

void net_free(const synk_allocator *a, void *p) {
  if (!p) return;
  if (!a) a = &std_allocator;
  a->free(a->ctx, p);
}

uint32_t net_cell_of(const synk_net_grid *g, int32_t x, int32_t y) {
  if (g->cell_size == 0) return 0;
  int64_t cx = ((int64_t)x - g->x0), cy = ((int64_t)y - g->y0);
  /* floor division on int64 */
  int64_t s = g->cell_size;
  cx = cx >= 0 ? cx / s : -((-cx + s - 1) / s);
  cy = cy >= 0 ? cy / s : -((-cy + s - 1) / s);
  cx = net_clamp64(cx, 0, (int64_t)g->cols - 1);
  cy = net_clamp64(cy, 0, (int64_t)g->rows - 1);
  return (uint32_t)cy * g->cols + (uint32_t)cx;
}

/* view body: u8 flags (bit0 all, bit1 callback), u64 kind_mask, u32 n_cells,
 * cells, u32 n_ids, ids */
void net_view_write(nw *w, const synk_net_view *v) {
  nw_u8(w, (v->all ? 1u : 0u) | (v->use_callback ? 2u : 0u));
  nw_u64(w, v->kind_mask);
  nw_u32(w, v->n_cells);
  for (uint32_t i = 0; i < v->n_cells; i++) nw_u32(w, v->cells[i]);
  nw_u32(w, v->n_ids);
  for (uint32_t i = 0; i < v->n_ids; i++) nw_u32(w, v->ids[i]);
}

int net_view_read(nr *r, synk_net_view *v, uint32_t *cells, uint32_t max_cells, uint32_t *ids,
                  uint32_t max_ids) {
  memset(v, 0, sizeof *v);
  uint32_t flags = nr_u8(r);
  if (flags > 3) return -1;
  v->all = (int)(flags & 1u);
  v->use_callback = (int)((flags >> 1) & 1u);
  v->kind_mask = nr_u64(r);
  v->n_cells = nr_u32(r);
  if (r->err || v->n_cells > max_cells) return -1;
  for (uint32_t i = 0; i < v->n_cells; i++) cells[i] = nr_u32(r);
  v->n_ids = nr_u32(r);
  if (r->err || v->n_ids > max_ids) return -1;
  for (uint32_t i = 0; i < v->n_ids; i++) ids[i] = nr_u32(r);
  v->cells = cells;
  v->ids = ids;
  return r->err ? -1 : 0;
}

void net_put_entity(nw *w, const synk_entity *e, uint32_t num_props) {
  nw_u32(w, e->id);
  nw_u32(w, e->kind);
  net_put_i32(w, e->x);
  net_put_i32(w, e->y);
  net_put_i32(w, e->z);
  for (uint32_t p = 0; p < num_props; p++) net_put_i32(w, e->props[p]);
}

const char *synk_net_reason_str(uint32_t reason) {
  static const char *const names[] = {
      "SYNK_NET_OK",         "SYNK_NET_R_VERSION", "SYNK_NET_R_ROOM",     "SYNK_NET_R_CONFIG",
      "SYNK_NET_R_FULL",     "SYNK_NET_R_DENIED",  "SYNK_NET_R_PROTOCOL", "SYNK_NET_R_TIMEOUT",
      "SYNK_NET_R_OVERFLOW", "SYNK_NET_R_KICKED",  "SYNK_NET_R_EXPIRED",  "SYNK_NET_R_SHUTDOWN",
      "SYNK_NET_R_REJECTED", "SYNK_NET_R_INVALID", "SYNK_NET_R_DESYNC",  "SYNK_NET_R_FORGOTTEN"};
  if (reason < sizeof names / sizeof names[0]) return names[reason];
  if (reason >= SYNK_NET_R_APP) return "SYNK_NET_R_APP";
  return "SYNK_NET_R_UNKNOWN";
}
