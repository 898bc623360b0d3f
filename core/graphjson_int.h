/*
 * graphjson_int: the parsing helpers graphjson.c shares with the other
 * files of the graphjson module (graphjson_auth.c). Nothing outside the
 * module includes this header: json-c stays inside graphjson.
 *
 * Each helper keeps the contract of graphjson.c's static of the same
 * purpose: fields are named "pre.key" in messages, absent and null are
 * the same, a wrong type is DG_EPARSE.
 */
#ifndef DIGEST_GRAPHJSON_INT_H
#define DIGEST_GRAPHJSON_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "err.h"
#include "strbuf.h"

/* Parse text that must be one JSON object. *root is yours: put it. */
int graphjson_root(const char *json, size_t len, json_object **root,
		   struct dg_err *err);

/* key of obj: *out NULL when absent or null; wrong type is DG_EPARSE. */
int graphjson_field(json_object *obj, const char *pre, const char *key,
		    enum json_type want, bool required, json_object **out,
		    struct dg_err *err);

/* A string field copied into *out (yours); optional "" gives NULL. */
int graphjson_str(json_object *obj, const char *pre, const char *key,
		  bool required, char **out, struct dg_err *err);

/* "a number", "an object", ...: the type of o, for messages. */
const char *graphjson_type_name(json_object *o);

/* A collection page: its "value" array and its @odata.nextLink. */
int graphjson_page(const char *json, size_t len, json_object **root,
		   json_object **value, char **next_link, struct dg_err *err);

/* Item i of value, which must be an object ("kind 3 must be ..."). */
int graphjson_item(json_object *value, size_t i, const char *kind,
		   json_object **out, struct dg_err *err);

/* Prefix err with "kind N" or "kind N ("label")"; returns the code. */
int graphjson_item_error(struct dg_err *err, const char *kind, size_t i,
			 json_object *item, const char *label_key);

/* The fields of a user object (id required) into u. */
int graphjson_user_fields(json_object *o, struct cal_user *u,
			  struct dg_err *err);

/* The fields of a group object (id required) into g; no members. */
int graphjson_group_fields(json_object *o, struct cal_group *g,
			   struct dg_err *err);

#endif
