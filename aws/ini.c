/*
 * INI parsing for the AWS shared files. Entries are kept in file order; a key
 * repeated in one section replaces the earlier value in place, so lookups are a
 * linear scan over a small array. Values are wiped on cleanup: they may hold keys.
 */
#include "aws/ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/buf.h"
#include "aws/secret.h"

void ini_init(struct ini_file *f)
{
	memset(f, 0, sizeof(*f));
}

void ini_cleanup(struct ini_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].key);
		buf_str_wipe_free(f->v[i].value);
	}
	for (i = 0; i < f->nsections; i++)
		free(f->sections[i]);
	free(f->v);
	free(f->sections);
	memset(f, 0, sizeof(*f));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims blanks at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static int add_section(struct ini_file *f, const char *s, size_t n, const char **out)
{
	size_t i;
	char *copy;

	for (i = 0; i < f->nsections; i++) {
		if (strlen(f->sections[i]) == n && !memcmp(f->sections[i], s, n)) {
			*out = f->sections[i];
			return 0;
		}
	}
	if (f->nsections == f->sections_cap) {
		size_t cap = f->sections_cap ? f->sections_cap * 2 : 8;
		char **v = realloc(f->sections, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->sections = v;
		f->sections_cap = cap;
	}
	copy = strndup(s, n);
	if (!copy)
		return -ENOMEM;
	f->sections[f->nsections++] = copy;
	*out = copy;
	return 0;
}

static struct ini_entry *find(const struct ini_file *f, const char *section, const char *key,
			      size_t klen)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct ini_entry *e = &f->v[i];

		if (strcmp(e->section, section) || strlen(e->key) != klen ||
		    strncasecmp(e->key, key, klen))
			continue;
		return e;
	}
	return NULL;
}

/* Sets section.key = value (copies), replacing an earlier value. Returns the entry. */
static int set_value(struct ini_file *f, const char *section, const char *k, size_t kn,
		     const char *v, size_t vn, struct ini_entry **out)
{
	struct ini_entry *e = find(f, section, k, kn);
	char *val = secret_strndup(v, vn);
	size_t i;

	if (!val)
		return -ENOMEM;
	if (e) {
		buf_str_wipe_free(e->value);
		e->value = val;
		*out = e;
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct ini_entry *nv = realloc(f->v, cap * sizeof(*nv));

		if (!nv) {
			buf_str_wipe_free(val);
			return -ENOMEM;
		}
		f->v = nv;
		f->cap = cap;
	}
	e = &f->v[f->n];
	e->key = strndup(k, kn);
	if (!e->key) {
		buf_str_wipe_free(val);
		return -ENOMEM;
	}
	for (i = 0; i < kn; i++)
		e->key[i] = (char)tolower((unsigned char)e->key[i]);
	e->section = (char *)section; /* points into f->sections */
	e->value = val;
	f->n++;
	*out = e;
	return 0;
}

static int append_continuation(struct ini_entry *e, const char *s, size_t n)
{
	size_t old = strlen(e->value);
	char *v;
	struct buf b;
	int rc;

	buf_init(&b, old + n + 2);
	rc = buf_printf(&b, "%s\n%.*s", e->value, (int)n, s);
	v = rc ? NULL : secret_strndup(b.data, b.len);
	buf_wipe(&b);
	if (!v)
		return rc ? rc : -ENOMEM;
	buf_str_wipe_free(e->value);
	e->value = v;
	return 0;
}

struct parse_state {
	const char *section;
	struct ini_entry *last;
};

static int parse_line(struct ini_file *f, struct parse_state *st, const char *s, const char *e)
{
	const char *ts = s, *te = e, *d;
	bool indented = s < e && is_blank(*s);

	trim(&ts, &te);
	if (ts == te || *ts == '#' || *ts == ';')
		return 0;
	/* Sections, keys and values are C strings: a NUL would cut them short. */
	if (memchr(ts, '\0', (size_t)(te - ts)))
		return -EINVAL;
	if (indented && st->last)
		return append_continuation(st->last, ts, (size_t)(te - ts));
	if (*ts == '[') {
		const char *close = memchr(ts, ']', (size_t)(te - ts));
		const char *ns = ts + 1, *ne;

		if (!close)
			return -EINVAL;
		ne = close;
		trim(&ns, &ne);
		st->last = NULL;
		return add_section(f, ns, (size_t)(ne - ns), &st->section);
	}
	for (d = ts; d < te && *d != '=' && *d != ':'; d++)
		;
	if (d == te || !st->section)
		return -EINVAL;
	{
		const char *ks = ts, *ke = d, *vs = d + 1, *ve = te;

		trim(&ks, &ke);
		trim(&vs, &ve);
		if (ks == ke)
			return -EINVAL;
		return set_value(f, st->section, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs),
				 &st->last);
	}
}

int ini_parse(struct ini_file *f, const char *text, size_t len, int *bad_line)
{
	struct parse_state st = {0};
	const char *p = text, *end = text + len;
	int line = 0, rc;

	if (len > INI_MAX_BYTES)
		return -EFBIG;
	/* A UTF-8 byte order mark is ignored, as Python's utf-8-sig would. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		line++;
		rc = parse_line(f, &st, p, le);
		if (rc) {
			if (rc == -EINVAL && bad_line)
				*bad_line = line;
			return rc;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

const char *ini_get(const struct ini_file *f, const char *section, const char *key)
{
	const struct ini_entry *e;

	if (!section || !key)
		return NULL;
	e = find(f, section, key, strlen(key));
	return e ? e->value : NULL;
}

bool ini_has_section(const struct ini_file *f, const char *section)
{
	size_t i;

	for (i = 0; i < f->nsections; i++)
		if (!strcmp(f->sections[i], section))
			return true;
	return false;
}

/* What follows "profile" + one or more blanks in s (possibly ""), or NULL when s
 * does not start that way. */
static const char *profile_suffix(const char *s)
{
	if (strncmp(s, "profile", 7) || !is_blank(s[7]))
		return NULL;
	s += 7;
	while (is_blank(*s))
		s++;
	return s;
}

/* True when s is "profile" + one or more blanks + name. */
static bool is_profile_section(const char *s, const char *name)
{
	const char *p = profile_suffix(s);

	return p && !strcmp(p, name);
}

const char *ini_config_profile_name(const char *section)
{
	const char *p;

	if (!strcmp(section, "default"))
		return section;
	p = profile_suffix(section);
	return p && *p ? p : NULL;
}

const char *ini_config_section(const struct ini_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nsections; i++)
		if (is_profile_section(f->sections[i], name))
			return f->sections[i];
	if (!strcmp(name, "default"))
		for (i = 0; i < f->nsections; i++)
			if (!strcmp(f->sections[i], "default"))
				return f->sections[i];
	return NULL;
}
