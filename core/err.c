#include "err.h"

#include <stdio.h>
#include <string.h>

int dg_verrf(struct dg_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	dg_oneline(err->msg);
	return code;
}

void dg_oneline(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int dg_errf(struct dg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dg_verrf(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int dg_err_prefix(struct dg_err *err, const char *fmt, ...)
{
	char old[DG_ERR_MAX];
	size_t used;
	va_list ap;
	int n;

	if (!err)
		return DG_EINVAL;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return err->code;
	/* Truncation is fine: the message stays a readable prefix. */
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %.*s",
		 (int)(sizeof(err->msg) - 1), old);
	dg_oneline(err->msg);
	return err->code;
}

const char *dg_strerror(int code)
{
	switch (code) {
	case DG_OK: return "success";
	case DG_EINVAL: return "invalid input";
	case DG_ENOMEM: return "out of memory";
	case DG_ETOOBIG: return "too large";
	case DG_EIO: return "input/output error";
	case DG_ENOTFOUND: return "not found";
	case DG_EEXISTS: return "already exists";
	case DG_EPARSE: return "malformed data";
	case DG_ENET: return "network error";
	case DG_ETEMP: return "temporary failure";
	case DG_EPERM: return "permission denied";
	case DG_ELOCKED: return "locked by another run";
	case DG_EINTERNAL: return "internal error";
	case DG_ESTOPPED: return "stopped";
	}
	return "unknown error";
}
