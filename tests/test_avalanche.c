/* SPDX-License-Identifier: MIT */
/* Statistical quality of the per-entity hash h(e) (docs/hash.md), measured on
 * the scalar reference synk_hash_words_ref, which every backend must match:
 *
 *  1. avalanche: for random entities (num_props 0, 1 and 16) flip each input
 *     bit of id, kind, x, y, z and every property; every (input bit, output
 *     bit) pair must flip with probability 0.5 +- 0.06 over N = 4000 samples
 *     (sigma ~ 0.008), each input bit must flip half the output bits on
 *     average, and the mean over everything must be 0.5 +- 0.005;
 *  2. differential structure: pairs of related entities (x+512 vs y+1, x+1
 *     vs z+1, swapped fields, a value moved to another slot, ...) never
 *     collide, and the xor of their hashes looks random bit by bit;
 *  3. no collision among 2^20 distinct entities, in four families chosen to
 *     expose linear structure (grids, id only, lines of slope 512);
 *  4. slot aliasing: one value in different words gives different hashes,
 *     and h(e) is injective in each single word even where a product term
 *     vanishes (aimed at with the keys);
 *  5. the public per-entity hash (synk_entity_hash) is this function of
 *     (id, kind, x, y, z, props..., zero pad) under the world's keys.
 *
 * Usage: test_avalanche [--seed=N]
 */
#include <stdint.h>

#include "kernel/internal.h"
#include "synk.h"
#include "test_util.h"

static const char *word_name(uint32_t j) {
  static const char *fixed[5] = {"id", "kind", "x", "y", "z"};
  static const char *props[SYNK_MAX_PROPS] = {"prop0", "prop1", "prop2",  "prop3",  "prop4",  "prop5",
                                              "prop6", "prop7", "prop8",  "prop9",  "prop10", "prop11",
                                              "prop12", "prop13", "prop14", "prop15"};
  return j < 5 ? fixed[j] : j - 5 < SYNK_MAX_PROPS ? props[j - 5] : "pad";
}

/* Input words of a random entity: fully random, or low-entropy (zeros, small
 * values, single bits), which is where weak mixing shows. */
static void rand_words(t_rng *r, uint32_t *w, uint32_t nin, uint32_t nw) {
  int low = (int)t_below(r, 2);
  for (uint32_t j = 0; j < nin; j++) {
    if (!low) {
      w[j] = (uint32_t)t_next(r);
      continue;
    }
    switch (t_below(r, 4)) {
      case 0: w[j] = 0; break;
      case 1: w[j] = t_below(r, 256); break;
      case 2: w[j] = 1u << t_below(r, 32); break;
      default: w[j] = (uint32_t)t_next(r); break;
    }
  }
  for (uint32_t j = nin; j < nw; j++) w[j] = 0; /* the pad word is always 0 */
}

/* ---- 1. avalanche -------------------------------------------------------- */

static void avalanche(t_rng *r, uint32_t np, uint32_t samples) {
  const uint32_t nin = 5 + np, nw = nin + (nin & 1), nbits = 32 * nin;
  uint32_t *count = (uint32_t *)calloc((size_t)nbits * 64, sizeof *count);
  uint32_t w[SYNK_HASH_WORDS];
  synk_keys k;
  for (uint32_t s = 0; s < samples; s++) {
    if (s % 64 == 0) synk_keys_init(&k, t_next(r)); /* many keys, not one */
    rand_words(r, w, nin, nw);
    uint64_t h0 = synk_hash_words_ref(&k, w, nw);
    for (uint32_t i = 0; i < nbits; i++) {
      w[i / 32] ^= 1u << (i % 32);
      uint64_t d = synk_hash_words_ref(&k, w, nw) ^ h0;
      w[i / 32] ^= 1u << (i % 32);
      uint32_t *c = count + (size_t)i * 64;
      while (d) {
        c[synk_ctz64(d)]++;
        d &= d - 1;
      }
    }
  }
  double worst = 0, worst_p = 0.5, sum = 0, worst_in = 0, worst_in_p = 0.5;
  uint32_t wi = 0, wo = 0, wbi = 0;
  size_t out_of_band = 0;
  for (uint32_t i = 0; i < nbits; i++) {
    double in_sum = 0;
    for (uint32_t o = 0; o < 64; o++) {
      double p = (double)count[(size_t)i * 64 + o] / samples;
      double bias = p > 0.5 ? p - 0.5 : 0.5 - p;
      sum += p;
      in_sum += p;
      if (bias > 0.06) out_of_band++;
      if (bias > worst) {
        worst = bias;
        worst_p = p;
        wi = i;
        wo = o;
      }
    }
    double in_p = in_sum / 64, in_bias = in_p > 0.5 ? in_p - 0.5 : 0.5 - in_p;
    if (in_bias > worst_in) {
      worst_in = in_bias;
      worst_in_p = in_p;
      wbi = i;
    }
  }
  double mean = sum / ((double)nbits * 64);
  printf("avalanche num_props=%-2u %u samples x %u input bits x 64: mean %.5f, worst pair %s bit %u -> out "
         "bit %u p=%.4f (bias %.4f), worst input %s bit %u flips %.4f of the output, %zu pairs outside 0.5+-0.06\n",
         np, samples, nbits, mean, word_name(wi / 32), wi % 32, wo, worst_p, worst, word_name(wbi / 32), wbi % 32,
         worst_in_p, out_of_band);
  CHECK(worst <= 0.06);
  CHECK(worst_in <= 0.02);
  CHECK(mean >= 0.495 && mean <= 0.505);
  free(count);
}

/* ---- 2. differential structure ------------------------------------------ */

/* Word indices */
enum { W_ID, W_KIND, W_X, W_Y, W_Z, W_P0 };

typedef struct relation {
  const char *name;
  /* derive b from a (both nw words); return 0 when the pair is not distinct */
  int (*derive)(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw);
} relation;

static int differs(const uint32_t *a, const uint32_t *b, uint32_t nw) {
  return memcmp(a, b, nw * sizeof *a) != 0;
}

/* each rule: a = base with one change, b = base with another */
static int rel_x512_y1(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  /* a is (x+512, y); b is (x, y+1) */
  memcpy(b, a, nw * sizeof *a);
  b[W_X] -= 512;
  b[W_Y] += 1;
  return 1;
}
static int rel_x1_y1(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_X] -= 1;
  b[W_Y] += 1;
  return 1;
}
static int rel_x1_z1(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_X] -= 1;
  b[W_Z] += 1;
  return 1;
}
static int rel_xd_yd(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  uint32_t d = 1u << t_below(r, 32);
  memcpy(b, a, nw * sizeof *a);
  b[W_X] += d;
  b[W_Y] += d;
  return 1;
}
static int rel_x_plus_y_minus(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  uint32_t d = 1 + t_below(r, 1024);
  memcpy(b, a, nw * sizeof *a);
  b[W_X] += d;
  b[W_Y] -= d;
  return 1;
}
static int rel_swap_xy(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_X] = a[W_Y];
  b[W_Y] = a[W_X];
  return differs(a, b, nw);
}
static int rel_swap_yz(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_Y] = a[W_Z];
  b[W_Z] = a[W_Y];
  return differs(a, b, nw);
}
static int rel_swap_id_kind(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_ID] = a[W_KIND];
  b[W_KIND] = a[W_ID];
  return differs(a, b, nw);
}
static int rel_id1_kind1(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_ID] -= 1;
  b[W_KIND] += 1;
  return 1;
}
static int rel_negate(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_X] = 0u - a[W_X];
  b[W_Y] = 0u - a[W_Y];
  b[W_Z] = 0u - a[W_Z];
  return differs(a, b, nw);
}
static int rel_swap_slots(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  /* two random words of the 21 (any field or slot) exchange values */
  uint32_t i = t_below(r, 5 + SYNK_MAX_PROPS), j = t_below(r, 5 + SYNK_MAX_PROPS);
  (void)nw;
  memcpy(b, a, SYNK_HASH_WORDS * sizeof *a);
  b[i] = a[j];
  b[j] = a[i];
  return differs(a, b, SYNK_HASH_WORDS);
}
static int rel_move_value(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  /* the value of one slot moves to another slot, the first becomes 0 */
  uint32_t i = t_below(r, SYNK_MAX_PROPS), j = t_below(r, SYNK_MAX_PROPS);
  (void)nw;
  memcpy(b, a, SYNK_HASH_WORDS * sizeof *a);
  b[W_P0 + j] = a[W_P0 + i];
  b[W_P0 + i] = i == j ? a[W_P0 + i] : 0;
  return differs(a, b, SYNK_HASH_WORDS);
}
static int rel_pair_carry(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  /* neighbours in one pair term: (z, prop0) vs (z+1, prop0-1) */
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_Z] += 1;
  b[W_P0] -= 1;
  return 1;
}
static int rel_high_bits(t_rng *r, const uint32_t *a, uint32_t *b, uint32_t nw) {
  /* top bits of two words of one pair term */
  (void)r;
  memcpy(b, a, nw * sizeof *a);
  b[W_X] ^= 0x80000000u;
  b[W_Y] ^= 0x80000000u;
  return 1;
}

static void differential(t_rng *r, uint32_t samples) {
  static const relation rel[] = {
      {"(x+512,y) vs (x,y+1)", rel_x512_y1},   {"(x+1,y) vs (x,y+1)", rel_x1_y1},
      {"(x+1,z) vs (x,z+1)", rel_x1_z1},       {"(x+2^k,y+2^k)", rel_xd_yd},
      {"(x+d,y-d)", rel_x_plus_y_minus},       {"swap x,y", rel_swap_xy},
      {"swap y,z", rel_swap_yz},               {"swap id,kind", rel_swap_id_kind},
      {"(id+1,kind) vs (id,kind+1)", rel_id1_kind1}, {"negate x,y,z", rel_negate},
      {"swap two words", rel_swap_slots},      {"value moved to another slot", rel_move_value},
      {"(z+1,prop0-1)", rel_pair_carry},       {"flip top bits of x and y", rel_high_bits},
  };
  const uint32_t nrel = sizeof rel / sizeof rel[0];
  const uint32_t nw = SYNK_HASH_WORDS; /* 16 properties: every word in use */
  synk_keys k;
  for (uint32_t q = 0; q < nrel; q++) {
    uint32_t bitc[64] = {0};
    uint64_t pop = 0, collisions = 0, used = 0;
    uint32_t a[SYNK_HASH_WORDS], b[SYNK_HASH_WORDS];
    for (uint32_t s = 0; s < samples; s++) {
      if (s % 256 == 0) synk_keys_init(&k, t_next(r));
      rand_words(r, a, 5 + SYNK_MAX_PROPS, nw);
      if (!rel[q].derive(r, a, b, nw)) continue;
      used++;
      uint64_t d = synk_hash_words_ref(&k, a, nw) ^ synk_hash_words_ref(&k, b, nw);
      if (!d) collisions++;
      pop += (uint64_t)synk_popcount64(d);
      while (d) {
        bitc[synk_ctz64(d)]++;
        d &= d - 1;
      }
    }
    double worst = 0;
    for (int o = 0; o < 64; o++) {
      double p = (double)bitc[o] / (double)used;
      double bias = p > 0.5 ? p - 0.5 : 0.5 - p;
      if (bias > worst) worst = bias;
    }
    double mean_pop = (double)pop / (double)used;
    printf("differential %-30s %6" PRIu64 " pairs: %" PRIu64 " collisions, mean popcount(xor) %.3f, worst bit bias %.4f\n",
           rel[q].name, used, collisions, mean_pop, worst);
    CHECK(used > samples / 2);
    CHECK(collisions == 0);
    CHECK(mean_pop > 31.5 && mean_pop < 32.5);
    CHECK(worst < 0.03);
  }
}

/* ---- 3. no collision among 2^20 distinct entities ------------------------ */

static int cmp_u64(const void *pa, const void *pb) {
  uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
  return (a > b) - (a < b);
}

static void no_collisions(t_rng *r) {
  const uint32_t n = 1u << 20;
  uint64_t *h = (uint64_t *)malloc((size_t)n * sizeof *h);
  static const char *family[4] = {"grid x<128,y<128,z<64", "id only (0..2^20-1), 16 zero props",
                                  "lines x=512a, y=b", "random, 1 prop"};
  for (int f = 0; f < 4; f++) {
    synk_keys k;
    synk_keys_init(&k, t_next(r));
    uint32_t base[SYNK_HASH_WORDS];
    rand_words(r, base, 5 + SYNK_MAX_PROPS, SYNK_HASH_WORDS);
    for (uint32_t i = 0; i < n; i++) {
      uint32_t w[SYNK_HASH_WORDS];
      uint32_t nw = SYNK_HASH_WORDS;
      memcpy(w, base, sizeof w);
      switch (f) {
        case 0:
          nw = 6; /* no properties */
          w[W_X] = i & 127;
          w[W_Y] = (i >> 7) & 127;
          w[W_Z] = i >> 14;
          w[5] = 0;
          break;
        case 1:
          memset(w, 0, sizeof w);
          w[W_ID] = i;
          break;
        case 2:
          nw = 6;
          w[W_X] = 512u * (i & 1023);
          w[W_Y] = i >> 10;
          w[5] = 0;
          break;
        default:
          nw = 6;
          w[W_ID] = i; /* distinct by id, everything else random */
          w[W_KIND] = (uint32_t)t_next(r);
          w[W_X] = (uint32_t)t_next(r);
          w[W_Y] = (uint32_t)t_next(r);
          w[W_Z] = (uint32_t)t_next(r);
          w[5] = (uint32_t)t_next(r);
          break;
      }
      h[i] = synk_hash_words_ref(&k, w, nw);
    }
    qsort(h, n, sizeof *h, cmp_u64);
    size_t dup = 0;
    for (uint32_t i = 1; i < n; i++) dup += h[i] == h[i - 1];
    printf("collisions among 2^20 entities, %-36s %zu\n", family[f], dup);
    CHECK(dup == 0);
  }
  free(h);
}

/* ---- 4. slot aliasing ---------------------------------------------------- */

static void slot_aliasing(t_rng *r, uint32_t trials) {
  const uint32_t nin = 5 + SYNK_MAX_PROPS, nw = SYNK_HASH_WORDS;
  size_t equal = 0;
  synk_keys k;
  for (uint32_t t = 0; t < trials; t++) {
    if (t % 64 == 0) synk_keys_init(&k, t_next(r));
    uint32_t v = t % 3 == 0 ? 1u + t_below(r, 16) : (uint32_t)t_next(r) | 1u;
    uint32_t base[SYNK_HASH_WORDS];
    int zero_base = t % 2 == 0;
    if (zero_base) memset(base, 0, sizeof base);
    else rand_words(r, base, nin, nw);
    /* the same value written into each of the 21 words in turn */
    uint64_t h[5 + SYNK_MAX_PROPS];
    for (uint32_t j = 0; j < nin; j++) {
      uint32_t w[SYNK_HASH_WORDS];
      memcpy(w, base, sizeof w);
      w[j] = v;
      h[j] = synk_hash_words_ref(&k, w, nw);
    }
    for (uint32_t i = 0; i < nin; i++)
      for (uint32_t j = i + 1; j < nin; j++) {
        if (base[i] == v && base[j] == v) continue; /* the same entity twice */
        if (h[i] == h[j]) {
          if (!equal) fprintf(stderr, "slot aliasing: %s and %s with value %u\n", word_name(i), word_name(j), v);
          equal++;
        }
      }
  }
  printf("slot aliasing: %u trials x 210 word pairs, %zu equal hashes\n", trials, equal);
  CHECK(equal == 0);

  /* with fewer slots, too: a value in prop p vs prop q of a num_props world */
  for (uint32_t np = 1; np <= SYNK_MAX_PROPS; np++) {
    uint32_t nwp = 5 + np + ((5 + np) & 1);
    for (uint32_t t = 0; t < 200; t++) {
      synk_keys_init(&k, t_next(r));
      uint32_t v = (uint32_t)t_next(r) | 1u;
      for (uint32_t p = 0; p < np; p++)
        for (uint32_t q = p + 1; q < np; q++) {
          uint32_t wp[SYNK_HASH_WORDS] = {0}, wq[SYNK_HASH_WORDS] = {0};
          wp[W_P0 + p] = v;
          wq[W_P0 + q] = v;
          CHECK(synk_hash_words_ref(&k, wp, nwp) != synk_hash_words_ref(&k, wq, nwp));
        }
    }
  }
}

/* ---- 4b. single-word injectivity at the keys' weak points -------------- */

/* Changing one word of an entity must always change h(e). Random sampling
 * cannot reach the few key-dependent inputs where a product term vanishes
 * (a word equal to minus its key, making its factor 0), so this test aims at
 * them: with the partner word of each pair term at such a value, it varies
 * the other word over 2^12 values (including its own zeroing value) and
 * requires 2^12 distinct hashes. */
typedef struct hv { uint64_t h; uint32_t v; } hv;
static int cmp_hv(const void *pa, const void *pb) {
  const hv *a = (const hv *)pa, *b = (const hv *)pb;
  if (a->h != b->h) return (a->h > b->h) - (a->h < b->h);
  return (a->v > b->v) - (a->v < b->v);
}

static void single_word_injective(t_rng *r) {
  const uint32_t nw = SYNK_HASH_WORDS, nin = 5 + SYNK_MAX_PROPS, n = 4096;
  hv *h = (hv *)malloc(n * sizeof *h);
  size_t bad = 0, sets = 0;
  for (int rep = 0; rep < 4; rep++) {
    synk_keys k;
    synk_keys_init(&k, t_next(r));
    for (uint32_t j = 0; j < nin; j++) {
      uint32_t partner = j ^ 1u; /* pair terms are words (0,1), (2,3), ... */
      static const uint32_t factor[4] = {0u, 1u, 0x80000000u, 0xFFFFFFFFu};
      for (int f = 0; f < 4; f++) {
        uint32_t w[SYNK_HASH_WORDS];
        rand_words(r, w, nin, nw);
        if (partner < nin) w[partner] = factor[f] - k.k[partner]; /* partner's factor */
        uint32_t start = (uint32_t)t_next(r);
        for (uint32_t v = 0; v < n; v++) {
          /* a run around the word's own zeroing value, and scattered values
           * (which may repeat a value of the run: equal inputs are skipped) */
          w[j] = v < n / 2 ? (0u - k.k[j]) + v - n / 4 : start + v * 0x9E3779B9u;
          h[v].h = synk_hash_words_ref(&k, w, nw);
          h[v].v = w[j];
        }
        qsort(h, n, sizeof *h, cmp_hv);
        for (uint32_t v = 1; v < n; v++)
          if (h[v].h == h[v - 1].h && h[v].v != h[v - 1].v) {
            if (!bad)
              fprintf(stderr, "h(e) not injective in %s: 0x%08x and 0x%08x (partner factor 0x%08x)\n",
                      word_name(j), h[v - 1].v, h[v].v, factor[f]);
            bad++;
          }
        sets++;
      }
    }
  }
  printf("single-word injectivity: %zu sets of %u values, %zu collisions\n", sets, n, bad);
  CHECK(bad == 0);
  free(h);
}

/* ---- 5. the public per-entity hash is this function ---------------------- */

static void public_matches_words(t_rng *r) {
  const uint32_t nps[4] = {0, 1, 2, 16};
  for (int c = 0; c < 4; c++) {
    uint32_t np = nps[c];
    uint64_t seed = t_next(r);
    synk_config cfg = {1000, np, seed, NULL, NULL};
    synk_world *w = NULL;
    CHECK_ST(synk_world_create(&cfg, &w), SYNK_OK);
    if (!w) return;
    synk_keys k;
    synk_keys_init(&k, seed);
    for (int i = 0; i < 300; i++) {
      uint32_t words[SYNK_HASH_WORDS] = {0};
      uint32_t nin = 5 + np, nw = nin + (nin & 1);
      rand_words(r, words, nin, nw);
      words[W_ID] = (uint32_t)i * 3;
      int32_t v[5 + SYNK_MAX_PROPS];
      for (uint32_t j = 0; j < nin; j++) memcpy(&v[j], &words[j], 4);
      CHECK_ST(synk_spawn(w, words[W_ID], words[W_KIND], v[W_X], v[W_Y], v[W_Z]), SYNK_OK);
      for (uint32_t p = 0; p < np; p++) CHECK_ST(synk_set_prop(w, words[W_ID], p, v[W_P0 + p]), SYNK_OK);
      uint64_t h = 0;
      CHECK_ST(synk_entity_hash(w, words[W_ID], &h), SYNK_OK);
      CHECK_EQ_U64(h, synk_hash_words_ref(&k, words, nw));
      /* a move changes exactly what the words say it changes */
      uint32_t dx = (uint32_t)t_next(r);
      int32_t dxi;
      memcpy(&dxi, &dx, 4);
      CHECK_ST(synk_move(w, words[W_ID], dxi, 0, 0), SYNK_OK);
      words[W_X] += dx;
      CHECK_ST(synk_entity_hash(w, words[W_ID], &h), SYNK_OK);
      CHECK_EQ_U64(h, synk_hash_words_ref(&k, words, nw));
    }
    CHECK_EQ_U64(synk_hash(w), synk_rehash(w));
    synk_world_destroy(w);
  }
}

int main(int argc, char **argv) {
  uint64_t seed = t_seed_arg(argc, argv, 0xA7A1A7C4u);
  t_rng r;
  t_seed(&r, seed);
  avalanche(&r, 0, 4000);
  avalanche(&r, 1, 4000);
  avalanche(&r, 16, 4000);
  differential(&r, 40000);
  no_collisions(&r);
  slot_aliasing(&r, 20000);
  single_word_injective(&r);
  public_matches_words(&r);
  return t_done("test_avalanche");
}
