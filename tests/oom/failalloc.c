/*
 * failalloc: the allocator of the out-of-memory tests (see failalloc.h).
 *
 * Each function forwards to the next definition of its name in the
 * process (dlsym(RTLD_NEXT)): the C library's, AddressSanitizer's or
 * valgrind's. dlsym() may itself allocate before the names are resolved;
 * those few early blocks come from a static arena and are never freed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failalloc.h"

/* The program's own prototypes of what glibc declares only sometimes. */
void *reallocarray(void *p, size_t n, size_t size);
void *memalign(size_t align, size_t size);

typedef void *malloc_fn(size_t);
typedef void *calloc_fn(size_t, size_t);
typedef void *realloc_fn(void *, size_t);
typedef void free_fn(void *);
typedef int posix_memalign_fn(void **, size_t, size_t);
typedef void *aligned_alloc_fn(size_t, size_t);

static malloc_fn *real_malloc;
static calloc_fn *real_calloc;
static realloc_fn *real_realloc;
static free_fn *real_free;
static posix_memalign_fn *real_posix_memalign;
static aligned_alloc_fn *real_aligned_alloc;
static aligned_alloc_fn *real_memalign;

/* dlsym()'s own allocations, before the names above are known. */
static _Alignas(max_align_t) unsigned char arena[16384];
static size_t arena_used;
static atomic_int resolving;

static atomic_size_t armed_at; /* 0: disarmed */
static atomic_bool persist;
static atomic_size_t counted, failed;
static atomic_long live;
static __thread int held; /* failalloc_hold() depth */
static size_t trace_at; /* $FAILALLOC_TRACE: show where the Nth fails */
/* frames kept per block: a few (unwinding is what costs), or all of
 * TRACK_FRAMES with $FAILALLOC_STACKS set */
static int stack_depth = 6;

/*
 * The blocks allocated while armed and not freed yet, each with where it
 * was allocated, so that a leak can be shown (failalloc_leaks()).
 * Open addressing; a freed slot becomes a tombstone until the next arming,
 * which empties the table by counting gen up (not by clearing megabytes).
 */
#define TRACK_SLOTS 65536
#define TRACK_FRAMES 32
#define TOMBSTONE ((void *)1)
struct tracked {
	void *p;	/* NULL (or a slot of another arming): free */
	unsigned gen;	/* the arming that filled the slot */
	int nframes;
	void *frames[TRACK_FRAMES];
};
static struct tracked track[TRACK_SLOTS];
static unsigned gen; /* an arming empties the table by counting up */

/* slot i as this arming sees it */
static void *slot(size_t i)
{
	return track[i].gen == gen ? track[i].p : NULL;
}
static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static int tracking;
static __thread int in_backtrace;

static size_t slot_of(const void *p)
{
	return ((uintptr_t)p >> 4) * 2654435761u % TRACK_SLOTS;
}

static void track_add(void *p)
{
	size_t i = slot_of(p);

	if (!p || !tracking || in_backtrace || held)
		return;
	pthread_mutex_lock(&track_lock);
	for (size_t k = 0; k < TRACK_SLOTS; k++, i = (i + 1) % TRACK_SLOTS)
		if (!slot(i) || slot(i) == TOMBSTONE) {
			track[i].p = p;
			track[i].gen = gen;
			in_backtrace = 1;
			track[i].nframes = backtrace(track[i].frames,
						     stack_depth);
			in_backtrace = 0;
			break;
		}
	pthread_mutex_unlock(&track_lock);
}

static void track_remove(void *p)
{
	size_t i = slot_of(p);

	if (!tracking)
		return;
	pthread_mutex_lock(&track_lock);
	for (size_t k = 0; k < TRACK_SLOTS && slot(i);
	     k++, i = (i + 1) % TRACK_SLOTS)
		if (slot(i) == p) {
			track[i].p = TOMBSTONE;
			break;
		}
	pthread_mutex_unlock(&track_lock);
}

/* Whether a frame of t is in a function whose name holds one of names. */
static int made_by(const struct tracked *t, const char *const *names)
{
	for (int f = 0; names && f < t->nframes; f++) {
		Dl_info info;

		if (!dladdr(t->frames[f], &info) || !info.dli_sname)
			continue;
		for (const char *const *n = names; *n; n++)
			if (strstr(info.dli_sname, *n))
				return 1;
	}
	return 0;
}

size_t failalloc_leaks(const char *const *caches, bool show)
{
	size_t n = 0;

	pthread_mutex_lock(&track_lock);
	for (size_t i = 0; i < TRACK_SLOTS; i++) {
		static const char head[] = "failalloc: block not freed, "
					   "allocated at\n";

		if (!slot(i) || slot(i) == TOMBSTONE ||
		    made_by(&track[i], caches))
			continue;
		n++;
		if (!show)
			continue;
		(void)!write(2, head, sizeof(head) - 1);
		backtrace_symbols_fd(track[i].frames, track[i].nframes, 2);
	}
	pthread_mutex_unlock(&track_lock);
	return n;
}

static void *arena_alloc(size_t n)
{
	size_t at = (arena_used + 15) & ~(size_t)15;

	if (at + n > sizeof(arena))
		return NULL;
	arena_used = at + n;
	return arena + at;
}

static int in_arena(const void *p)
{
	return (const unsigned char *)p >= arena &&
	       (const unsigned char *)p < arena + sizeof(arena);
}

static void resolve(void)
{
	if (real_free)
		return;
	atomic_store(&resolving, 1);
	/* Function pointers from void * (POSIX allows it, ISO C does not
	 * say): through memcpy, which every compiler takes quietly. */
#define NEXT(var, name)                                                    \
	do {                                                               \
		void *sym = dlsym(RTLD_NEXT, name);                        \
		memcpy(&var, &sym, sizeof(var));                           \
	} while (0)
	NEXT(real_malloc, "malloc");
	NEXT(real_calloc, "calloc");
	NEXT(real_realloc, "realloc");
	NEXT(real_posix_memalign, "posix_memalign");
	NEXT(real_aligned_alloc, "aligned_alloc");
	NEXT(real_memalign, "memalign");
	NEXT(real_free, "free");
#undef NEXT
	atomic_store(&resolving, 0);
	if (!real_malloc || !real_calloc || !real_realloc || !real_free)
		abort();
}

void failalloc_deep_stacks(bool on)
{
	stack_depth = on || getenv("FAILALLOC_STACKS") ? TRACK_FRAMES : 6;
}

__attribute__((constructor)) static void failalloc_init(void)
{
	void *frame;

	resolve();
	if (getenv("FAILALLOC_STACKS"))
		stack_depth = TRACK_FRAMES;
	if (getenv("FAILALLOC_TRACE"))
		trace_at = strtoul(getenv("FAILALLOC_TRACE"), NULL, 10);
	/* backtrace() loads its unwinder on first use: not while armed */
	in_backtrace = 1;
	backtrace(&frame, 1);
	in_backtrace = 0;
}

/* Whether this allocation is to fail. */
static int fail_now(void)
{
	size_t n = atomic_load_explicit(&armed_at, memory_order_relaxed);
	size_t c;

	if (!n || held)
		return 0;
	c = atomic_fetch_add(&counted, 1) + 1;
	if (c == n || (c > n && atomic_load(&persist))) {
		atomic_fetch_add(&failed, 1);
		if (c == trace_at && !in_backtrace) {
			static const char head[] = "failalloc: failing\n";
			void *frames[TRACK_FRAMES];
			int k;

			in_backtrace = 1;
			k = backtrace(frames, TRACK_FRAMES);
			in_backtrace = 0;
			(void)!write(2, head, sizeof(head) - 1);
			backtrace_symbols_fd(frames, k, 2);
		}
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

static void *born(void *p)
{
	if (p) {
		atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
		track_add(p);
	}
	return p;
}

static void died(void *p)
{
	atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
	track_remove(p);
}

void failalloc_arm(size_t n, bool p)
{
	pthread_mutex_lock(&track_lock);
	gen++;
	tracking = 1;
	pthread_mutex_unlock(&track_lock);
	atomic_store(&counted, 0);
	atomic_store(&failed, 0);
	atomic_store(&persist, p);
	atomic_store(&armed_at, n ? n : 1);
}

size_t failalloc_disarm(void)
{
	atomic_store(&armed_at, 0);
	return atomic_load(&failed);
}

size_t failalloc_count(void)
{
	return atomic_load(&counted);
}

long failalloc_live(void)
{
	return atomic_load(&live);
}

void *malloc(size_t n)
{
	if (!real_malloc) {
		if (atomic_load(&resolving))
			return arena_alloc(n);
		resolve();
	}
	if (fail_now())
		return NULL;
	return born(real_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	if (!real_calloc) {
		if (atomic_load(&resolving)) {
			/* the arena is zeroed static memory, never reused */
			if (size && n > SIZE_MAX / size)
				return NULL;
			return arena_alloc(n * size);
		}
		resolve();
	}
	if (fail_now())
		return NULL;
	return born(real_calloc(n, size));
}

void free(void *p)
{
	if (!p || in_arena(p))
		return;
	if (!real_free)
		resolve();
	died(p);
	real_free(p);
}

void *realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return malloc(n);
	if (in_arena(p)) {
		/* an early block moves out of the arena (its size unknown:
		 * copy what is left of the arena at most) */
		size_t have = (size_t)(arena + sizeof(arena) -
				       (unsigned char *)p);

		q = malloc(n);
		if (q)
			memcpy(q, p, n < have ? n : have);
		return q;
	}
	if (!real_realloc)
		resolve();
	if (n && fail_now())
		return NULL;
	q = real_realloc(p, n);
	if (!n && !q) {
		died(p);
	} else if (q && q != p) {
		track_remove(p);
		track_add(q);
	}
	return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void failalloc_hold(void)
{
	held++;
}

void failalloc_unhold(void)
{
	held--;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	int rc;

	resolve();
	if (!real_posix_memalign)
		return ENOMEM;
	if (fail_now())
		return ENOMEM;
	rc = real_posix_memalign(out, align, size);
	if (!rc)
		born(*out);
	return rc;
}

void *aligned_alloc(size_t align, size_t size)
{
	resolve();
	if (!real_aligned_alloc || fail_now())
		return NULL;
	return born(real_aligned_alloc(align, size));
}

void *memalign(size_t align, size_t size)
{
	resolve();
	if (!real_memalign || fail_now())
		return NULL;
	return born(real_memalign(align, size));
}
