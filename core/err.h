/*
 * err: the project's error convention.
 *
 * Every fallible core function returns an int: 0 on success or one of the
 * negative DG_E* codes below, and fills a caller-owned struct dg_err with
 * one sentence a user can act on ("digest.toml:12: key 'port' must be an
 * integer"). Core code never prints and never exits; cmd/ decides what to
 * print and maps codes to exit statuses.
 *
 * Invariant: a message is one line. Messages quote untrusted text (a
 * roster cell, a Graph value), so every control character that reaches
 * one is replaced by '?' when it is written: no value can forge a log
 * line of its own.
 */
#ifndef DIGEST_ERR_H
#define DIGEST_ERR_H

#include <stdarg.h>

enum dg_code {
	DG_OK = 0,
	DG_EINVAL = -1,    /* bad input: config, roster row, argument */
	DG_ENOMEM = -2,    /* out of memory */
	DG_ETOOBIG = -3,   /* a buffer limit was reached */
	DG_EIO = -4,       /* file or socket I/O failed */
	DG_ENOTFOUND = -5, /* a named thing does not exist */
	DG_EEXISTS = -6,   /* already there (duplicate key, row, lock) */
	DG_EPARSE = -7,    /* malformed data from a file or a server */
	DG_ENET = -8,      /* network or remote server failure */
	DG_ETEMP = -9,     /* temporary failure: try again later */
	DG_EPERM = -10,    /* refused: credentials, permission */
	DG_ELOCKED = -11,  /* another run holds the lock */
	DG_EINTERNAL = -12, /* a library misbehaved; a bug of ours */
	DG_ESTOPPED = -13  /* SIGTERM or SIGINT asked to stop (interrupt.h) */
};

#define DG_ERR_MAX 512

struct dg_err {
	int code;
	char msg[DG_ERR_MAX];
};

#define DG_ERR_INIT { .code = 0, .msg = "" }

/* Fill err (may be NULL) with a formatted sentence; returns code. */
int dg_errf(struct dg_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dg_verrf(struct dg_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * Put "prefix: " in front of the message already in err, so a caller can
 * add context ("roster.csv:7") to an error from deeper down. Returns
 * err->code.
 */
int dg_err_prefix(struct dg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Replace each control character of s (C0 and DEL) by '?', in place. */
void dg_oneline(char *s);

/* A short name for a code ("invalid input", ...), for logs. */
const char *dg_strerror(int code);

#endif
