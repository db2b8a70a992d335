/*
 * Linked into the sign_with_callback example with -Wl,--wrap=malloc,...: any allocation by the
 * library (or the example) aborts the program, proving the caller-storage + callback path never
 * touches the heap. (libc's own internal allocations, e.g. by stdio, are not wrapped.)
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

static void no_heap(const char *fn) {
  fprintf(stderr, "heap allocation (%s) on the heap-free path\n", fn);
  abort();
}

void *__wrap_malloc(size_t size) { (void)size; no_heap("malloc"); return NULL; }
void *__wrap_calloc(size_t n, size_t size) { (void)n; (void)size; no_heap("calloc"); return NULL; }
void *__wrap_realloc(void *p, size_t size) { (void)p; (void)size; no_heap("realloc"); return NULL; }
int __wrap_posix_memalign(void **p, size_t align, size_t size) {
  (void)p; (void)align; (void)size;
  no_heap("posix_memalign");
  return 1;
}
void *__wrap_aligned_alloc(size_t align, size_t size) {
  (void)align; (void)size;
  no_heap("aligned_alloc");
  return NULL;
}
