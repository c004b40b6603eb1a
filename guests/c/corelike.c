// corelike: a CoreMark-like integer benchmark (our own program, not EEMBC's code).
//
// Each iteration runs four kernels on data derived from the iteration's seed, and folds their
// results into one CRC-16:
//   list    linked-list work on a pool of nodes: search, reverse, merge sort by key, re-sort by
//           index (pointer chasing, data-dependent branches)
//   matrix  16-bit matrices: multiply into 32-bit, scalar multiply, add, bit-field extraction
//           (multiply-accumulate, loop nests)
//   state   a state machine classifying the tokens of a comma-separated string (integers,
//           decimals, exponents, hex, junk), then twice more with bytes corrupted
//           (byte loads, switch dispatch)
//   crc     CRC-16/CCITT bit by bit over every result (shifts, xors, short loops)
// Deterministic: the same output on every run and machine. Prints the final checksums and PASS
// if the self-checks held (the list is sorted and then back in index order, the state machine
// classifies each fresh token as its generator meant); the exit status is the number of failed
// checks.
#include <stdint.h>
#include <stdio.h>

#ifndef ITERATIONS
#define ITERATIONS 300
#endif
#define NODES 200
#define DIM 18
#define TEXT 1000

// ---- CRC-16/CCITT (poly 0x1021, MSB first) ----
static uint16_t crc16_byte(uint16_t crc, uint8_t b) {
  crc ^= (uint16_t)(b << 8);
  for (int k = 0; k < 8; k++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  return crc;
}
static uint16_t crc16_u16(uint16_t crc, uint16_t v) { return crc16_byte(crc16_byte(crc, (uint8_t)v), (uint8_t)(v >> 8)); }
static uint16_t crc16_u32(uint16_t crc, uint32_t v) { return crc16_u16(crc16_u16(crc, (uint16_t)v), (uint16_t)(v >> 16)); }

// xorshift32: the data generator.
static uint32_t rng;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int failures;

// ---- list ----
struct node {
  struct node *next;
  int16_t key;
  int16_t val;
  uint16_t idx;
};
static struct node pool[NODES];

static struct node *list_build(void) {
  struct node *head = 0;
  for (int i = NODES - 1; i >= 0; i--) {
    pool[i].key = (int16_t)(next_rand() & 0x3ff) - 512;
    pool[i].val = (int16_t)next_rand();
    pool[i].idx = (uint16_t)i;
    pool[i].next = head;
    head = &pool[i];
  }
  return head;
}

static struct node *list_find(struct node *p, int16_t key) {
  while (p && p->key != key) p = p->next;
  return p;
}

static struct node *list_reverse(struct node *p) {
  struct node *prev = 0;
  while (p) {
    struct node *n = p->next;
    p->next = prev;
    prev = p;
    p = n;
  }
  return prev;
}

// Order by key then val (by_key), or by idx.
static int before(const struct node *a, const struct node *b, int by_key) {
  if (!by_key) return a->idx < b->idx;
  return a->key != b->key ? a->key < b->key : a->val <= b->val;
}

// Bottom-up merge sort: runs of width 1, 2, 4... merged pairwise until one run remains.
static struct node *list_sort(struct node *head, int by_key) {
  for (int width = 1;; width *= 2) {
    struct node *p = head, *tail = 0;
    int merges = 0;
    head = 0;
    while (p) {
      merges++;
      struct node *q = p;
      int psize = 0;
      for (int i = 0; i < width && q; i++) {
        psize++;
        q = q->next;
      }
      int qsize = width;
      while (psize > 0 || (qsize > 0 && q)) {
        struct node *e;
        if (psize == 0) {
          e = q; q = q->next; qsize--;
        } else if (qsize == 0 || !q || before(p, q, by_key)) {
          e = p; p = p->next; psize--;
        } else {
          e = q; q = q->next; qsize--;
        }
        if (tail) tail->next = e; else head = e;
        tail = e;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return head;
  }
}

static uint16_t list_kernel(uint16_t crc) {
  struct node *head = list_build();
  int found = 0;
  for (int k = 0; k < 24; k++) {
    struct node *f = list_find(head, (int16_t)((next_rand() & 0x3ff) - 512));
    if (f) {
      found++;
      crc = crc16_u16(crc, f->idx);
    }
  }
  head = list_reverse(head);
  crc = crc16_u16(crc, head->idx);
  head = list_sort(head, 1);
  int n = 0;
  for (struct node *p = head; p; p = p->next, n++) {
    if (p->next && !before(p, p->next, 1)) failures++;
    if ((n & 7) == 0) crc = crc16_u16(crc, (uint16_t)(p->key ^ p->val));
  }
  if (n != NODES) failures++;
  head = list_sort(head, 0);
  n = 0;
  for (struct node *p = head; p; p = p->next, n++)
    if (p->idx != n) failures++;
  return crc16_u16(crc, (uint16_t)found);
}

// ---- matrix ----
static int16_t ma[DIM][DIM], mb[DIM][DIM];
static int32_t mc[DIM][DIM];

// Each row folded to one word (rotate and add), then the rows into the CRC: the matrix work,
// not the CRC, is what this kernel weighs.
static uint16_t matrix_crc(uint16_t crc) {
  for (int i = 0; i < DIM; i++) {
    uint32_t h = 0;
    for (int j = 0; j < DIM; j++) h = ((h << 5) | (h >> 27)) + (uint32_t)mc[i][j];
    crc = crc16_u32(crc, h);
  }
  return crc;
}

static uint16_t matrix_kernel(uint16_t crc) {
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      ma[i][j] = (int16_t)(next_rand() % 2001) - 1000;
      mb[i][j] = (int16_t)(next_rand() % 255) - 127;
    }
  // C = A * B
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      int32_t s = 0;
      for (int k = 0; k < DIM; k++) s += (int32_t)ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  crc = matrix_crc(crc);
  // C = A * scalar, then A += scalar
  int16_t scalar = (int16_t)(next_rand() & 0xff) + 1;
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) mc[i][j] = (int32_t)ma[i][j] * scalar;
  crc = matrix_crc(crc);
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) ma[i][j] = (int16_t)(ma[i][j] + scalar);
  // C = A * B again, keeping a 4-bit field of each product sum
  uint32_t fields = 0;
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      int32_t s = 0;
      for (int k = 0; k < DIM; k++) s += (int32_t)ma[i][k] * mb[k][j];
      mc[i][j] = (s >> 3) & 0xf0f;
      fields += (uint32_t)(s >> 5) & 0xf;
    }
  crc = matrix_crc(crc);
  return crc16_u32(crc, fields);
}

// ---- state machine ----
enum state { S_START, S_SIGN, S_INT, S_DOT, S_FRAC, S_E, S_ESIGN, S_EXP, S_ZERO, S_X, S_HEX, S_BAD, S_COUNT };
static char text[TEXT + 1];
/** How many tokens of the fresh text must end in each state (what text_build wrote). */
static uint32_t made[S_COUNT];

// Fill text with comma-separated tokens of each kind, chosen by the generator.
static void text_build(void) {
  static const char digits[] = "0123456789abcdef";
  int n = 0;
  for (int s = 0; s < S_COUNT; s++) made[s] = 0;
  while (n < TEXT - 16) {
    uint32_t r = next_rand();
    int kind = r & 7;
    if (kind < 3 && (r & 0x100)) text[n++] = (r & 0x200) ? '-' : '+';
    if (kind == 5 || kind == 6) {
      text[n++] = '0';
      text[n++] = 'x';
      for (int k = 0; k <= (int)((r >> 10) & 3); k++) text[n++] = digits[(r >> (12 + 4 * k)) & 15];
      made[S_HEX]++;
    } else if (kind == 7) {
      text[n++] = 'q';
      text[n++] = digits[(r >> 10) & 15];
      made[S_BAD]++;
    } else {
      // integer part 1..4 digits, never a leading 0
      for (int k = 0; k <= (int)((r >> 10) & 3); k++) text[n++] = digits[((r >> (12 + 3 * k)) & 7) + 1];
      enum state end = S_INT;
      if (kind >= 1) {
        text[n++] = '.';
        text[n++] = digits[(r >> 24) & 7];
        end = S_FRAC;
      }
      if (kind >= 2 && (r & 0x400000)) {
        text[n++] = 'e';
        if (r & 0x800000) text[n++] = '-';
        text[n++] = digits[(r >> 28) & 7];
        end = S_EXP;
      }
      made[end]++;
    }
    text[n++] = ',';
  }
  text[n] = 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static enum state step(enum state s, char c) {
  switch (s) {
  case S_START:
    if (c == '+' || c == '-') return S_SIGN;
    if (c == '0') return S_ZERO;
    if (is_digit(c)) return S_INT;
    if (c == '.') return S_DOT;
    return S_BAD;
  case S_SIGN:
    if (is_digit(c)) return S_INT;
    if (c == '.') return S_DOT;
    return S_BAD;
  case S_ZERO:
    if (c == 'x') return S_X;
    if (is_digit(c)) return S_INT;
    if (c == '.') return S_DOT;
    return S_BAD;
  case S_INT:
    if (is_digit(c)) return S_INT;
    if (c == '.') return S_DOT;
    if (c == 'e') return S_E;
    return S_BAD;
  case S_DOT:
    return is_digit(c) ? S_FRAC : S_BAD;
  case S_FRAC:
    if (is_digit(c)) return S_FRAC;
    if (c == 'e') return S_E;
    return S_BAD;
  case S_E:
    if (c == '+' || c == '-') return S_ESIGN;
    return is_digit(c) ? S_EXP : S_BAD;
  case S_ESIGN:
  case S_EXP:
    return is_digit(c) ? S_EXP : S_BAD;
  case S_X:
  case S_HEX:
    return is_hex(c) ? S_HEX : S_BAD;
  default:
    return S_BAD;
  }
}

// Classify every token; counts[s] is how many tokens ended in state s.
static int scan(const char *p, uint32_t counts[S_COUNT], uint32_t *transitions) {
  int tokens = 0;
  while (*p) {
    enum state s = S_START;
    for (; *p && *p != ','; p++) {
      enum state t = step(s, *p);
      if (t != s) (*transitions)++;
      s = t;
    }
    counts[s]++;
    tokens++;
    if (*p == ',') p++;
  }
  return tokens;
}

static uint16_t state_kernel(uint16_t crc) {
  text_build();
  for (int pass = 0; pass < 3; pass++) {
    uint32_t counts[S_COUNT] = {0}, transitions = 0;
    int tokens = scan(text, counts, &transitions);
    for (int s = 0; s < S_COUNT; s++) {
      // The fresh text: each token ends where its generator meant it to.
      if (pass == 0 && counts[s] != made[s]) failures++;
      crc = crc16_u32(crc, counts[s]);
    }
    crc = crc16_u32(crc, (uint32_t)tokens);
    crc = crc16_u32(crc, transitions);
    // Corrupt one byte in 16 (never the terminator) and scan again.
    for (int k = (int)(next_rand() & 15); k < TEXT && text[k]; k += 16) text[k] = (char)(text[k] ^ (1 << (next_rand() & 3)));
  }
  return crc;
}

int main(void) {
  uint16_t crc_list = 0, crc_matrix = 0, crc_state = 0, crc = 0xffff;
  for (int it = 0; it < ITERATIONS; it++) {
    rng = 0x9e3779b9u ^ (uint32_t)it * 0x85ebca6bu;
    if (rng == 0) rng = 1;
    crc_list = list_kernel(crc_list);
    crc_matrix = matrix_kernel(crc_matrix);
    crc_state = state_kernel(crc_state);
    crc = crc16_u16(crc16_u16(crc16_u16(crc, crc_list), crc_matrix), crc_state);
  }
  printf("corelike: %d iterations, %d nodes, %dx%d matrices, %d-byte text\n", ITERATIONS, NODES, DIM, DIM, TEXT);
  printf("  crc list=%04x matrix=%04x state=%04x\n", crc_list, crc_matrix, crc_state);
  printf("  checksum=%04x failures=%d\n", crc, failures);
  printf("%s\n", failures ? "FAIL" : "PASS");
  return failures;
}
