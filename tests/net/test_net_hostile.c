/* SPDX-License-Identifier: MIT */
/*
 * Every hostile-message class against the server's receive path, on
 * connections of the test's own, while three honest clients follow the world
 * over the simulated transport:
 *   truncated bodies (every cut of every message that has a fixed layout),
 *   trailing bytes, oversized and non-canonical lengths, oversized counts
 *   (token, chunk sums, view cells, commands, app messages), bad CRCs (every
 *   bit of a HELLO flipped), wrong version and room, unknown message types,
 *   messages out of state order (anything but HELLO first, server-to-client
 *   types, a second HELLO), and random garbage.
 * Each protocol violation must be refused: synk_server_receive returns
 * SYNK_E_FORMAT, the server emits SYNK_NET_EV_CLOSE for that connection with
 * SYNK_NET_R_PROTOCOL, polls exactly one CLOSE frame for it and ignores what
 * follows; wrong version / room get a REFUSE with the reason. After every
 * attack the world is unchanged (hash == the hash before, == rehash), and
 * after every class the honest clients still verify and equal their views.
 */
#include "net_util.h"

#define TICK 16u

typedef struct hz {
  tn h;
  t_rng r;
  uint64_t attacks, refused_format, refused_handshake, waiting;
} hz;

static hz Z;

/* frames from the server on conn, parsed (tn_drain) */
static void drain(tn *h, uint32_t conn, tn_got *o) { tn_drain(h->s, conn, h->now, o); }

static void hello_valid(tn_buf *out, uint32_t version, uint32_t room) {
  static tn_buf body;
  body.n = 0;
  tn_hello hb = {version, room, 2048, 2, 5, "tok", 3, 0, 0, 0, 0, 0, NULL};
  tn_hello_body(&body, &hb);
  tn_frame(out, TN_HELLO, body.b, body.n);
}

enum { EXPECT_FORMAT = 0, EXPECT_VERSION = 1, EXPECT_ROOM = 2, EXPECT_ANY = 3 };

/* Open a connection (joined first with a valid HELLO when `joined`), send
 * bad[0..n) (in two pieces when split), check the refusal, close it. */
static void attack(const char *what, int joined, const uint8_t *bad, size_t n, int expect, int split) {
  tn *h = &Z.h;
  Z.attacks++;
  uint32_t conn = 0;
  CHECK_ST(synk_server_connect(h->s, h->now, &conn), SYNK_OK);
  if (joined) {
    static tn_buf hb;
    hb.n = 0;
    hello_valid(&hb, SYNK_NET_VERSION, 42);
    CHECK_ST(synk_server_receive(h->s, conn, hb.b, hb.n, h->now), SYNK_OK);
    drain(h, conn, NULL);
  }
  uint64_t hash0 = synk_hash(h->w);
  synk_server_stats s0, s1;
  synk_server_get_stats(h->s, &s0);
  uint32_t closes0 = h->n_sev[SYNK_NET_EV_CLOSE];
  synk_status st;
  size_t cut = split && n > 1 ? 1 + t_below(&Z.r, (uint32_t)n - 1) : n;
  st = synk_server_receive(h->s, conn, bad, cut, h->now);
  if (st == SYNK_OK && cut < n) st = synk_server_receive(h->s, conn, bad + cut, n - cut, h->now);
  synk_server_get_stats(h->s, &s1);
  tn_got o;
  drain(h, conn, &o);
  int closed = h->n_sev[SYNK_NET_EV_CLOSE] == closes0 + 1 && h->last_sev[SYNK_NET_EV_CLOSE].conn == conn;
  int ok = 1;
  if (expect == EXPECT_FORMAT || (expect == EXPECT_ANY && st == SYNK_E_FORMAT)) {
    ok = st == SYNK_E_FORMAT && closed && h->last_sev[SYNK_NET_EV_CLOSE].reason == SYNK_NET_R_PROTOCOL &&
         s1.protocol_errors == s0.protocol_errors + 1 && o.n == 1 && o.type[0] == TN_CLOSE &&
         o.reason[0] == SYNK_NET_R_PROTOCOL;
    Z.refused_format++;
  } else if (expect == EXPECT_VERSION || expect == EXPECT_ROOM) {
    uint32_t why = expect == EXPECT_VERSION ? SYNK_NET_R_VERSION : SYNK_NET_R_ROOM;
    ok = (st == SYNK_OK || st == SYNK_E_FORMAT) && closed && h->last_sev[SYNK_NET_EV_CLOSE].reason == why &&
         o.n == 1 && o.type[0] == TN_REFUSE && o.reason[0] == why;
    Z.refused_handshake++;
  } else { /* EXPECT_ANY, not refused: an incomplete frame still waiting, nothing said */
    ok = st == SYNK_OK && h->n_sev[SYNK_NET_EV_CLOSE] == closes0 && s1.protocol_errors == s0.protocol_errors;
    if (!joined) ok = ok && o.n == 0;
    Z.waiting++;
  }
  if (!ok) {
    fprintf(stderr, "%s (%zu bytes%s): receive %s, close event %d (reason %s), %u frames out (first type %u)\n", what,
            n, joined ? ", joined" : "", synk_status_str(st), closed,
            synk_net_reason_str(h->last_sev[SYNK_NET_EV_CLOSE].reason), o.n, o.n ? o.type[0] : 0);
    CHECK(ok);
  }
  if (closed) { /* whatever follows is ignored */
    static const uint8_t more[8] = {TN_ACK, 16, 1, 2, 3, 4, 5, 6};
    uint32_t c1 = h->n_sev[SYNK_NET_EV_CLOSE];
    CHECK_ST(synk_server_receive(h->s, conn, more, sizeof more, h->now), SYNK_OK);
    CHECK(h->n_sev[SYNK_NET_EV_CLOSE] == c1);
    drain(h, conn, &o);
    CHECK(o.n == 0);
  }
  CHECK_ST(synk_server_disconnect(h->s, conn, h->now), SYNK_OK);
  CHECK_EQ_U64(synk_hash(h->w), hash0);
  CHECK_EQ_U64(synk_rehash(h->w), hash0);
  tn_step(h, 1, 0); /* a millisecond on: the honest links keep going, a hostile slot's grace ends */
}

/* the honest clients: a few ticks, then each equals its view and acks verify */
static void honest_ok(const char *after) {
  tn *h = &Z.h;
  synk_server_stats a, b;
  synk_server_get_stats(h->s, &a);
  for (int t = 0; t < 12; t++) {
    synk_event ev[64];
    synk_view v = synk_get_view(h->w);
    size_t k = 0;
    for (int i = 0; i < 64; i++) {
      uint32_t id = t_below(&Z.r, 1500);
      if (!((v.alive[id / 64] >> (id % 64)) & 1u)) continue;
      int32_t dx = (int32_t)t_below(&Z.r, 7) - 3, dy = (int32_t)t_below(&Z.r, 7) - 3; /* in this order */
      synk_event e = {SYNK_EV_MOTION, id, 0, dx, dy, 0};
      ev[k++] = e;
    }
    CHECK_ST(synk_server_apply(h->s, ev, k, NULL), SYNK_OK);
    tn_step(h, TICK, 1);
  }
  int settled = tn_settle(h, TICK, 50);
  synk_server_get_stats(h->s, &b);
  int ok = settled && b.verified > a.verified && b.mismatches == 0;
  for (uint32_t i = 0; i < h->ncl; i++) ok = ok && tn_client_ok(h, i);
  if (!ok) fprintf(stderr, "honest clients after %s: settled %d, verified %" PRIu64 " -> %" PRIu64 "\n", after,
                   settled, a.verified, b.verified);
  CHECK(ok);
}

static void hook(tn *h, const synk_net_event *ev) {
  if (ev->type == SYNK_NET_EV_JOINED && msgnet_link_of_conn(h->net, ev->conn) != MSGNET_NONE) {
    uint32_t link = msgnet_link_of_conn(h->net, ev->conn);
    synk_net_view v;
    uint32_t cells[4] = {0, 1, 16, 17};
    memset(&v, 0, sizeof v);
    v.all = link == 0;
    v.cells = cells;
    v.n_cells = link == 1 ? 4 : 2;
    CHECK_ST(synk_server_set_view(h->s, ev->client, &v), SYNK_OK);
  }
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 21);
  t_seed(&Z.r, seed);
  tn *h = &Z.h;
  tn_init(h, tn_crowd(2048, 2, 5, 1500, 1024, &Z.r, NULL));
  h->sc.max_clients = 64;
  h->sc.max_connections = 32;
  h->sc.grace_ms = 1; /* a hostile joined slot is freed at once */
  h->server_hook = hook;
  if (!tn_start(h, 3)) {
    CHECK(!"tn_start");
    return t_done("net_hostile");
  }
  for (uint32_t i = 0; i < 3; i++) CHECK_ST(msgnet_connect(h->net, h->cl[i].link, h->now), SYNK_OK);
  honest_ok("the start");

  static tn_buf b, body;
  /* the valid HELLO, byte by byte: any split is fine */
  {
    b.n = 0;
    hello_valid(&b, SYNK_NET_VERSION, 42);
    uint32_t conn = 0;
    uint32_t joined = h->n_sev[SYNK_NET_EV_JOINED];
    CHECK_ST(synk_server_connect(h->s, h->now, &conn), SYNK_OK);
    for (size_t i = 0; i < b.n; i++) CHECK_ST(synk_server_receive(h->s, conn, b.b + i, 1, h->now), SYNK_OK);
    CHECK(h->n_sev[SYNK_NET_EV_JOINED] == joined + 1);
    tn_got o;
    drain(h, conn, &o);
    CHECK(o.n >= 1 && o.type[0] == TN_WELCOME);
    CHECK_ST(synk_server_disconnect(h->s, conn, h->now), SYNK_OK);
  }

  /* 1. truncated bodies, correctly framed */
  {
    b.n = 0;
    body.n = 0;
    tn_hello hb = {SYNK_NET_VERSION, 42, 2048, 2, 5, "tok", 3, 0, 0, 0, 0, 0, NULL};
    tn_hello_body(&body, &hb);
    for (size_t k = 0; k < body.n; k++) {
      b.n = 0;
      tn_frame(&b, TN_HELLO, body.b, k);
      attack("truncated HELLO", 0, b.b, b.n, EXPECT_FORMAT, (int)(k & 1));
    }
    /* a resuming HELLO cut inside its chunk sums */
    static uint64_t sums[8];
    tn_hello hr = {SYNK_NET_VERSION, 42, 2048, 2, 5, NULL, 0, 1, 12345, 3, 0, 8, sums};
    body.n = 0;
    tn_hello_body(&body, &hr);
    for (size_t k = 20; k < body.n; k += 7) {
      b.n = 0;
      tn_frame(&b, TN_HELLO, body.b, k);
      attack("truncated resuming HELLO", 0, b.b, b.n, EXPECT_FORMAT, 0);
    }
    /* after joining: ACK (16 bytes), SYNC (20 + 8 x chunks), COMMAND (>= 4), VIEW */
    static uint8_t zeros[256];
    for (size_t k = 0; k < 16; k++) {
      b.n = 0;
      tn_frame(&b, TN_ACK, zeros, k);
      attack("truncated ACK", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    body.n = 0;
    tn_u64(&body, 0);
    tn_u64(&body, 0);
    tn_u32(&body, 8);
    for (int i = 0; i < 8; i++) tn_u64(&body, 0);
    for (size_t k = 0; k < body.n; k += 3) {
      b.n = 0;
      tn_frame(&b, TN_SYNC, body.b, k);
      attack("truncated SYNC", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    for (size_t k = 0; k < 4; k++) {
      b.n = 0;
      tn_frame(&b, TN_COMMAND, zeros, k);
      attack("truncated COMMAND", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    body.n = 0;
    tn_u8(&body, 0);
    tn_u64(&body, 0);
    tn_u32(&body, 2);
    tn_u32(&body, 3);
    tn_u32(&body, 4);
    tn_u32(&body, 1);
    tn_u32(&body, 9);
    for (size_t k = 0; k < body.n; k++) {
      b.n = 0;
      tn_frame(&b, TN_VIEW, body.b, k);
      attack("truncated VIEW", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    /* trailing bytes */
    body.n = 0;
    tn_hello_body(&body, &hb);
    tn_u8(&body, 0);
    b.n = 0;
    tn_frame(&b, TN_HELLO, body.b, body.n);
    attack("HELLO with a trailing byte", 0, b.b, b.n, EXPECT_FORMAT, 0);
    b.n = 0;
    tn_frame(&b, TN_ACK, zeros, 17);
    attack("ACK with a trailing byte", 1, b.b, b.n, EXPECT_FORMAT, 0);
    b.n = 0;
    tn_frame(&b, TN_PING, zeros, 1);
    attack("PING with a body", 1, b.b, b.n, EXPECT_FORMAT, 0);
    b.n = 0;
    tn_frame(&b, TN_BYE, zeros, 2);
    attack("BYE with a body", 1, b.b, b.n, EXPECT_FORMAT, 0);
    /* a frame cut short, then the connection ends: nothing happens */
    b.n = 0;
    hello_valid(&b, SYNK_NET_VERSION, 42);
    for (size_t k = 1; k < b.n; k += 5) attack("a HELLO frame cut short", 0, b.b, k, EXPECT_ANY, 0);
  }
  honest_ok("truncated messages");

  /* 2. oversized lengths and counts */
  {
    static const uint8_t huge_len[] = {TN_HELLO, 0x80, 0x80, 0x80, 0x80, 0x04};       /* 2^30 */
    static const uint8_t len6[] = {TN_HELLO, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};     /* 6-byte varint */
    static const uint8_t noncanon[] = {TN_HELLO, 0x81, 0x00, 0, 0, 0, 0, 0};          /* 1 as 2 bytes */
    static const uint8_t mb[] = {TN_ACK, 0x80, 0x80, 0x40};                           /* 1 MiB */
    attack("length 2^30", 0, huge_len, sizeof huge_len, EXPECT_FORMAT, 0);
    attack("6-byte length", 0, len6, sizeof len6, EXPECT_FORMAT, 0);
    attack("non-canonical length", 0, noncanon, sizeof noncanon, EXPECT_FORMAT, 0);
    attack("length 1 MiB", 1, mb, sizeof mb, EXPECT_FORMAT, 0);
    /* a token of 300 bytes (limit 256) */
    static uint8_t tok[300];
    tn_hello ht = {SYNK_NET_VERSION, 42, 2048, 2, 5, tok, 300, 0, 0, 0, 0, 0, NULL};
    body.n = 0;
    tn_hello_body(&body, &ht);
    b.n = 0;
    tn_frame(&b, TN_HELLO, body.b, body.n);
    attack("token of 300 bytes", 0, b.b, b.n, EXPECT_FORMAT, 0);
    /* chunk sums: a count other than the world's (8), and a huge count */
    static uint64_t sums[16];
    uint32_t counts[3] = {3, 9, 0x40000000u};
    for (int i = 0; i < 3; i++) {
      tn_hello hr = {SYNK_NET_VERSION, 42, 2048, 2, 5, NULL, 0, 1, 1, 1, 0, counts[i] > 16 ? 16 : counts[i], sums};
      body.n = 0;
      tn_hello_body(&body, &hr);
      /* patch the count field (the last u32 before the sums) */
      size_t at = body.n - 8u * hr.nchunks - 4;
      for (int j = 0; j < 4; j++) body.b[at + (size_t)j] = (uint8_t)(counts[i] >> (8 * j));
      b.n = 0;
      tn_frame(&b, TN_HELLO, body.b, body.n);
      attack("HELLO with a wrong chunk count", 0, b.b, b.n, EXPECT_FORMAT, 0);
    }
    body.n = 0;
    tn_u64(&body, 0);
    tn_u64(&body, 0);
    tn_u32(&body, 0x7FFFFFFFu);
    b.n = 0;
    tn_frame(&b, TN_SYNC, body.b, body.n);
    attack("SYNC with 2^31 chunks", 1, b.b, b.n, EXPECT_FORMAT, 0);
    /* a view of 10^6 cells (limit 64), of 65 cells, of 10^6 ids */
    uint32_t nc[3] = {1000000, 65, 0};
    for (int i = 0; i < 3; i++) {
      body.n = 0;
      tn_u8(&body, 0);
      tn_u64(&body, 0);
      tn_u32(&body, nc[i]);
      for (uint32_t j = 0; j < (nc[i] < 65 ? nc[i] : 65); j++) tn_u32(&body, j);
      if (i == 2) tn_u32(&body, 1000000);
      else tn_u32(&body, 0);
      b.n = 0;
      tn_frame(&b, TN_VIEW, body.b, body.n);
      attack("VIEW over its bounds", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    /* a view flag byte out of range */
    body.n = 0;
    tn_u8(&body, 0x80);
    tn_u64(&body, 0);
    tn_u32(&body, 0);
    tn_u32(&body, 0);
    b.n = 0;
    tn_frame(&b, TN_VIEW, body.b, body.n);
    attack("VIEW with unknown flags", 1, b.b, b.n, EXPECT_FORMAT, 0);
    /* a command and an app message over max_command (1024) */
    static uint8_t big[1100];
    b.n = 0;
    tn_frame(&b, TN_COMMAND, big, 4 + 1025);
    attack("COMMAND over max_command", 1, b.b, b.n, EXPECT_FORMAT, 1);
    b.n = 0;
    tn_frame(&b, TN_APP, big, 1025);
    attack("APP over max_command", 1, b.b, b.n, EXPECT_FORMAT, 1);
  }
  honest_ok("oversized lengths");

  /* 3. bad CRCs: every bit of a valid HELLO flipped */
  {
    b.n = 0;
    hello_valid(&b, SYNK_NET_VERSION, 42);
    static uint8_t m[512];
    size_t n = b.n;
    for (size_t i = 0; i < n; i++)
      for (int bit = 0; bit < 8; bit++) {
        memcpy(m, b.b, n);
        m[i] ^= (uint8_t)(1u << bit);
        /* a flip in the length byte may only make the frame longer: then the
           server waits for the rest (nothing is applied); anything else is refused */
        attack("HELLO with a flipped bit", 0, m, n, i == 1 ? EXPECT_ANY : EXPECT_FORMAT, bit & 1);
      }
    b.n = 0;
    tn_frame(&b, TN_ACK, (const uint8_t[16]){0}, 16);
    b.b[b.n - 1] ^= 0x40;
    attack("ACK with a bad CRC", 1, b.b, b.n, EXPECT_FORMAT, 0);
  }
  honest_ok("bad CRCs");

  /* 4. wrong version, wrong room */
  {
    uint32_t versions[3] = {0, 2, 0xFFFFFFFFu};
    for (int i = 0; i < 3; i++) {
      b.n = 0;
      hello_valid(&b, versions[i], 42);
      attack("wrong version", 0, b.b, b.n, EXPECT_VERSION, 0);
    }
    b.n = 0;
    hello_valid(&b, SYNK_NET_VERSION, 41);
    attack("wrong room", 0, b.b, b.n, EXPECT_ROOM, 0);
  }
  honest_ok("wrong version and room");

  /* 5. unknown message types, before and after joining */
  {
    static const uint8_t zero16[16];
    for (uint32_t type = 0; type < 256; type++) {
      int known = (type >= 1 && type <= 9) || (type >= 16 && type <= 22) || (type >= 25 && type <= 27);
      if (known) continue;
      b.n = 0;
      tn_frame(&b, type, zero16, type % 17);
      attack("unknown type", (int)(type & 1), b.b, b.n, EXPECT_FORMAT, 0);
    }
  }
  honest_ok("unknown types");

  /* 6. out of state order */
  {
    static const uint8_t zero32[32];
    const struct {
      uint32_t type;
      size_t len;
    } before[] = {{TN_ACK, 16}, {TN_SYNC, 20}, {TN_COMMAND, 6}, {TN_APP, 3}, {TN_BYE, 0},
                  {TN_VIEW, 17}};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
      b.n = 0;
      tn_frame(&b, before[i].type, zero32, before[i].len);
      attack("a message before HELLO", 0, b.b, b.n, EXPECT_FORMAT, 0);
    }
    /* server-to-client types sent by a client, before and after joining */
    const uint32_t down[] = {TN_WELCOME, TN_REFUSE, TN_BULK, TN_FRAG, TN_TICK, TN_RESULT, TN_SAPP, TN_CLOSE,
                             TN_CHECK, TN_VIEWRES};
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++) {
      b.n = 0;
      tn_frame(&b, down[i], zero32, 4);
      attack("a server message from a client", 0, b.b, b.n, EXPECT_FORMAT, 0);
      attack("a server message from a joined client", 1, b.b, b.n, EXPECT_FORMAT, 0);
    }
    /* a second HELLO */
    b.n = 0;
    hello_valid(&b, SYNK_NET_VERSION, 42);
    attack("a second HELLO", 1, b.b, b.n, EXPECT_FORMAT, 0);
    /* a valid HELLO and an unknown message in the same receive: the join's
       output is replaced by the CLOSE */
    tn_frame(&b, 200, zero32, 1);
    attack("HELLO then an unknown type", 0, b.b, b.n, EXPECT_FORMAT, 0);
  }
  honest_ok("out-of-order messages");

  /* 7. garbage */
  {
    static uint8_t g[600];
    for (int k = 0; k < 400; k++) {
      size_t n = 1 + t_below(&Z.r, sizeof g);
      for (size_t i = 0; i < n; i++) g[i] = (uint8_t)t_next(&Z.r);
      if (k & 1) g[0] = (uint8_t)(1 + t_below(&Z.r, 9)); /* a plausible type */
      attack("garbage", k % 3 == 0, g, n, EXPECT_ANY, k & 1);
    }
  }
  honest_ok("garbage");

  synk_server_stats st;
  synk_server_get_stats(h->s, &st);
  printf("attacks %" PRIu64 ": %" PRIu64 " refused as malformed, %" PRIu64 " refused at the handshake, %" PRIu64
         " left waiting; protocol errors %" PRIu64 ", server connections %u\n",
         Z.attacks, Z.refused_format, Z.refused_handshake, Z.waiting, st.protocol_errors, st.connections);
  CHECK_EQ_U64(st.mismatches, 0);
  CHECK_EQ_U64(st.connections, 3); /* only the honest ones are left */
  CHECK_EQ_U64(st.clients, 3);
  tn_free(h);
  return t_done("net_hostile");
}
