/*
 * mustache_json: JSON (json-c) made into the data mustache_render() reads:
 * the digest's model, and the JSON the test tools and fuzz targets read.
 *
 * Containers take ownership of what is added even when adding fails
 * (mustache.h), so a failed conversion below frees only its container.
 */
#include "mustache.h"

#include <json-c/json.h>

static struct mustache_value *from_array(struct json_object *j)
{
	struct mustache_value *list = mustache_list_new();
	size_t n = json_object_array_length(j);

	for (size_t i = 0; list && i < n; i++) {
		if (mustache_list_push(list, mustache_from_json(
						     json_object_array_get_idx(
							     j, i)))) {
			mustache_value_free(list);
			return NULL;
		}
	}
	return list;
}

static struct mustache_value *from_object(struct json_object *j)
{
	struct mustache_value *map = mustache_map_new();

	if (!map)
		return NULL;
	json_object_object_foreach(j, key, val)
	{
		if (mustache_map_set(map, key, mustache_from_json(val))) {
			mustache_value_free(map);
			return NULL;
		}
	}
	return map;
}

struct mustache_value *mustache_from_json(struct json_object *j)
{
	switch (json_object_get_type(j)) {
	case json_type_boolean:
		return mustache_bool(json_object_get_boolean(j));
	case json_type_int:
		return mustache_int(json_object_get_int64(j));
	case json_type_double:
		return mustache_float(json_object_get_double(j));
	case json_type_string:
		return mustache_stringn(json_object_get_string(j),
					(size_t)json_object_get_string_len(j));
	case json_type_array:
		return from_array(j);
	case json_type_object:
		return from_object(j);
	case json_type_null:
	default:
		return mustache_null();
	}
}
