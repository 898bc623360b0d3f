/*
 * toml_int: what the files of module toml share; not for other modules.
 *
 * toml.c parses, building the tree of toml_tree.c with the calls below;
 * toml_tree.c also answers toml.h's accessors. A value owns everything
 * below it: toml_free() frees a whole tree.
 *
 * Invariants: a table's keys are unique (the parser checks before
 * toml_tree_add()); a table of INDEX_FROM keys or more has a hash index
 * of them, at most half full.
 */
#ifndef DIGEST_TOML_INT_H
#define DIGEST_TOML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "toml.h"

/* How a table or an array came to be: the rules on redefinition. */
enum toml_origin {
	ORIGIN_IMPLICIT = 1 << 0, /* a table named on the way to a [header] */
	ORIGIN_HEADER = 1 << 1,	  /* a table defined by its own [header] */
	ORIGIN_DOTTED = 1 << 2,	  /* a table made by a dotted key */
	ORIGIN_INLINE = 1 << 3,	  /* inline: complete once written */
	ORIGIN_AOT = 1 << 4	  /* an array made by [[header]] */
};

struct toml_kv {
	char *key;
	size_t key_len;
	struct toml_value *val;
};

struct toml_value {
	enum toml_type type;
	unsigned origin;
	int line;
	int column;
	union {
		struct {
			char *s;
			size_t len;
		} str; /* strings and date-times */
		int64_t i;
		double f;
		bool b;
		struct {
			struct toml_value **items;
			size_t n;
			size_t alloc;
		} arr;
		struct {
			struct toml_kv *kv;
			size_t n;
			size_t alloc;
			size_t *index; /* slot -> position + 1; 0 is free */
			size_t index_size;
		} tab;
	} u;
};

/* A new value of type at line, col (1-based). NULL when out of memory. */
struct toml_value *toml_tree_new(enum toml_type type, int line, int col);

/* The value of key in table t, or NULL. */
struct toml_value *toml_tree_find(const struct toml_value *t, const char *key,
				  size_t len);

/*
 * Add key (copied) -> v (taken: freed on failure) to table t. The key is
 * new. 0 or DG_ENOMEM.
 */
int toml_tree_add(struct toml_value *t, const char *key, size_t len,
		  struct toml_value *v);

/* Append v (taken: freed on failure) to array a. 0 or DG_ENOMEM. */
int toml_tree_push(struct toml_value *a, struct toml_value *v);

/* Mark an inline table, and the tables its dotted keys made, complete. */
void toml_tree_freeze(struct toml_value *t);

#endif
