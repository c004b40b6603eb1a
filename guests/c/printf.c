// printf: exercise libc formatting of integers, strings and characters.
// The output is compared byte for byte with QEMU's; exit status 0.
// No snprintf/sprintf: picolibc's prebuilt snprintf clears its string FILE with a
// 16-byte STP to an address that is only 8-byte aligned, an Alignment fault on
// Device memory (every data access with the MMU off). See guests/README.md.
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
  printf("printf test\n");
  printf("int: %d %d %d %d\n", 0, 42, -42, INT_MAX);
  printf("int min: %d\n", INT_MIN);
  printf("unsigned: %u %u\n", 0u, UINT_MAX);
  printf("long: %ld %ld\n", LONG_MAX, LONG_MIN);
  printf("unsigned long: %lu\n", ULONG_MAX);
  printf("long long: %lld %llu\n", -1234567890123456789LL, 18446744073709551615ULL);
  printf("short/char: %hd %hu %hhd %hhu\n", (short)-32768, (unsigned short)65535,
         (signed char)-128, (unsigned char)255);
  printf("hex: %x %X %#x %#X %lx\n", 0xdeadbeefu, 0xdeadbeefu, 255u, 255u, 0x123456789abcdefUL);
  printf("octal: %o %#o\n", 8u, 8u);
  printf("width: [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42);
  printf("neg width: [%6d] [%-6d] [%06d]\n", -42, -42, -42);
  printf("precision: [%.3d] [%8.3d] [%.0d]\n", 7, 7, 0);
  printf("hex width: [%08x] [%-8x|] [%#010x]\n", 0xbeefu, 0xbeefu, 0xbeefu);
  printf("string: [%s] [%10s] [%-10s] [%.3s]\n", "abc", "abc", "abc", "abcdef");
  printf("star: [%*d] [%-*d] [%.*s]\n", 6, 1, 6, 2, 2, "xyz");
  printf("char: %c%c%c [%3c]\n", 'a', 'b', 'c', 'z');
  printf("percent: 100%%\n");
  printf("pointer-sized: %zu %td\n", sizeof(long), (ptrdiff_t)-5);
  printf("intmax: %jd\n", (intmax_t)INT64_MIN);
  // printf returns the number of characters written.
  int n = printf("%d-%s-%x|", 12, "ab", 0x1f);
  printf(" returned %d\n", n);
  n = printf("%s", "");
  printf("empty returned %d\n", n);
  puts("puts adds a newline");
  putchar('!');
  putchar('\n');
  printf("done\n");
  return 0;
}
