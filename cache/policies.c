/*
 * policies.h: the name -> ARN lists of managed policies, the AWS managed one's
 * file in the account folder, and resolving a name in both scopes.
 */
#include "cache/policies.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cache/cachedir.h"
#include "cache/ident.h"
#include "cache/model.h"

/* ---- the list (pure) ---- */

int policies_list_add(struct policies_list *l, const char *name, const char *arn)
{
	struct policies_entry e;

	if (!name || !arn || !name[0] || !arn[0] || strlen(arn) >= POLICIES_ARN_MAX ||
	    strchr(name, '\t') || strchr(name, '\n') || strchr(arn, '\t') || strchr(arn, '\n'))
		return -EINVAL;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct policies_entry *v = realloc(l->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = ncap;
	}
	e.name = strdup(name);
	e.arn = strdup(arn);
	if (!e.name || !e.arn) {
		free(e.name);
		free(e.arn);
		return -ENOMEM;
	}
	l->v[l->n++] = e;
	return 0;
}

static int policies_cmp(const void *a, const void *b)
{
	const struct policies_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->arn, y->arn);
}

void policies_list_sort(struct policies_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), policies_cmp);
}

const char *policies_list_find(const struct policies_list *l, const char *name)
{
	size_t lo = 0, hi = l ? l->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return l && lo < l->n && !strcmp(l->v[lo].name, name) ? l->v[lo].arn : NULL;
}

void policies_list_cleanup(struct policies_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].arn);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- the file (pure) ---- */

int policies_format(const struct policies_list *l, long long fetched, struct buf *out)
{
	int rc = buf_printf(out, "%s\n%lld\n", POLICIES_MAGIC, fetched);
	size_t i;

	for (i = 0; !rc && i < l->n; i++)
		rc = buf_printf(out, "%s\t%s\n", l->v[i].name, l->v[i].arn);
	return rc;
}

/* One line of [p, end) into a NUL-terminated copy in line (cap bytes): the next
 * line's start, or NULL when there is no whole line or it does not fit. */
static const char *policies_line(const char *p, const char *end, char *line, size_t cap)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (!nl || (size_t)(nl - p) >= cap || memchr(p, '\0', (size_t)(nl - p)))
		return NULL;
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = '\0';
	return nl + 1;
}

static int policies_time(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int policies_parse(const char *bytes, size_t len, struct policies_list *out, long long *fetched)
{
	const char *p = bytes, *end = bytes + len;
	struct policies_list l = {0};
	char line[POLICIES_ARN_MAX + IDENT_POLICY_MAX + 2], *tab;
	long long t;
	int rc = -EINVAL;

	if (!(p = policies_line(p, end, line, sizeof(line))) || strcmp(line, POLICIES_MAGIC))
		return -EINVAL;
	if (!(p = policies_line(p, end, line, sizeof(line))) || policies_time(line, &t))
		return -EINVAL;
	while (p < end) {
		if (!(p = policies_line(p, end, line, sizeof(line))) || !(tab = strchr(line, '\t')))
			goto fail;
		*tab = '\0';
		if (!ident_policy_name_ok(line) || policies_arn_check(tab + 1, line, NULL, 0))
			goto fail;
		if ((rc = policies_list_add(&l, line, tab + 1)))
			goto fail;
		rc = -EINVAL;
	}
	policies_list_sort(&l);
	*out = l;
	*fetched = t;
	return 0;
fail:
	policies_list_cleanup(&l);
	return rc;
}

bool policies_fresh(long long fetched, long long now)
{
	return fetched <= now && now - fetched < POLICIES_MAX_AGE;
}

/* ---- ARNs (pure) ---- */

/* The sentence of a refused ARN: "ARN" and what is wrong with it. */
static int policies_why(char *why, size_t cap, const char *arn, const char *what)
{
	if (why && cap)
		snprintf(why, cap, "\"%.300s\" %s", arn, what);
	return -EINVAL;
}

int policies_arn_check(const char *arn, const char *name, char *why, size_t cap)
{
	const char *p, *res;
	size_t n;

	if (!arn || strncmp(arn, "arn:", 4) || strlen(arn) >= POLICIES_ARN_MAX)
		return policies_why(why, cap, arn ? arn : "", "is not an ARN");
	p = strchr(arn + 4, ':'); /* after the partition: ":iam::ACCOUNT:" */
	res = p && !strncmp(p, ":iam::", 6) ? strchr(p + 6, ':') : NULL;
	if (!p || p == arn + 4 || !res)
		return policies_why(why, cap, arn, "is not an IAM ARN");
	n = (size_t)(res - (p + 6));
	if (!(n == 3 && !strncmp(p + 6, "aws", 3)) &&
	    !(n == 12 && strspn(p + 6, "0123456789") >= n))
		return policies_why(why, cap, arn, "names no account (12 digits or \"aws\")");
	if (strncmp(res, ":policy/", 8) || !ident_policy_name_ok(model_arn_name(arn)))
		return policies_why(why, cap, arn, "is not a managed policy's ARN");
	if (name && strcmp(model_arn_name(arn), name)) {
		if (why && cap)
			snprintf(why, cap,
				 "the ARN's policy name is \"%.300s\" but the file is named "
				 "\"%.300s.json\"",
				 model_arn_name(arn), name);
		return -EINVAL;
	}
	return 0;
}

int policies_arn_for(const char *role_json, size_t len, const char *name, char *out, size_t cap)
{
	cJSON *j = cJSON_ParseWithLength(role_json, len);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "Arn");
	const char *s = cJSON_IsString(a) ? a->valuestring : NULL;
	const char *role = s && !strncmp(s, "arn:", 4) ? strstr(s, ":role/") : NULL;
	int rc = -EINVAL, w;

	if (role) {
		w = snprintf(out, cap, "%.*s:policy/%s", (int)(role - s), s, name);
		rc = w < 0 || (size_t)w >= cap ? -ENAMETOOLONG : 0;
	}
	cJSON_Delete(j);
	return rc;
}

/* ---- the state ---- */

struct policies {
	struct hooks hooks;
	char *folder;		  /* "" when nothing is kept on disk */
	pthread_mutex_t mu;	  /* the lists below */
	pthread_mutex_t fetch_mu; /* one fetch at a time (held across its chain) */
	struct policies_list aws, local;
	long long aws_fetched; /* unix seconds; the list is empty when 0 */
	bool local_known;      /* a load (or ListPolicies) listed the customer managed ones */
};

static void policies_read_disk(struct policies *p)
{
	struct buf b;
	struct policies_list l = {0};
	long long t;
	int dfd, fd, rc;

	if (!p->folder[0] || cachedir_open(p->folder, false, &dfd, NULL, 0))
		return;
	rc = cachedir_open_file(dfd, POLICIES_FILE, O_RDONLY, &fd);
	close(dfd);
	if (rc)
		return;
	buf_init(&b, POLICIES_FILE_MAX);
	rc = buf_read_fd(&b, fd);
	close(fd);
	if (!rc && policies_parse(b.data ? b.data : "", b.len, &l, &t) == 0) {
		p->aws = l;
		p->aws_fetched = t;
	} else {
		hooks_log(&p->hooks, LOG_WARNING,
			  "%s/%s cannot be read as a list of AWS managed policies; it will be "
			  "fetched again",
			  p->folder, POLICIES_FILE);
	}
	buf_cleanup(&b);
}

int policies_open(const char *folder, const struct hooks *h, struct policies **out)
{
	struct policies *p = calloc(1, sizeof(*p));

	if (!p || !(p->folder = strdup(folder ? folder : ""))) {
		free(p);
		return -ENOMEM;
	}
	p->hooks = *h;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->fetch_mu, NULL);
	policies_read_disk(p);
	*out = p;
	return 0;
}

void policies_close(struct policies *p)
{
	if (!p)
		return;
	policies_list_cleanup(&p->aws);
	policies_list_cleanup(&p->local);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->fetch_mu);
	free(p->folder);
	free(p);
}

/* Replaces the customer managed list with l (taken). */
static void policies_put_local(struct policies *p, struct policies_list *l)
{
	struct policies_list old;

	policies_list_sort(l);
	pthread_mutex_lock(&p->mu);
	old = p->local;
	p->local = *l;
	p->local_known = true;
	pthread_mutex_unlock(&p->mu);
	policies_list_cleanup(&old);
	memset(l, 0, sizeof(*l));
}

int policies_set_local(struct policies *p, const char *const *arns, size_t n)
{
	struct policies_list l = {0};
	size_t i;
	int rc;

	if (!p)
		return 0;
	for (i = 0; i < n; i++) {
		rc = policies_list_add(&l, model_arn_name(arns[i]), arns[i]);
		if (rc == -ENOMEM) {
			policies_list_cleanup(&l);
			return rc;
		}
	}
	policies_put_local(p, &l);
	return 0;
}

void policies_add_local(struct policies *p, const char *arn)
{
	if (!p || !arn)
		return;
	pthread_mutex_lock(&p->mu);
	if (!policies_list_add(&p->local, model_arn_name(arn), arn))
		policies_list_sort(&p->local);
	pthread_mutex_unlock(&p->mu);
}

/* Writes the AWS managed list to the folder (a failure is logged: it is fetched
 * again at the next mount). */
static void policies_write_disk(struct policies *p, const struct policies_list *l, long long t)
{
	char prefix[NAME_MAX + 1], tmp[NAME_MAX + 1];
	struct buf b;
	int dfd = -1, fd = -1, rc;

	if (!p->folder[0])
		return;
	buf_init(&b, POLICIES_FILE_MAX);
	snprintf(prefix, sizeof(prefix), ".%s.tmp.%ld.", POLICIES_FILE, (long)getpid());
	rc = policies_format(l, t, &b);
	if (!rc)
		rc = cachedir_open(p->folder, false, &dfd, NULL, 0);
	if (!rc)
		rc = cachedir_create(dfd, prefix, tmp, sizeof(tmp), &fd);
	if (!rc && write(fd, b.data, b.len) != (ssize_t)b.len)
		rc = -EIO;
	if (!rc && fsync(fd))
		rc = -errno;
	if (fd >= 0 && close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, POLICIES_FILE))
		rc = -errno;
	if (fd >= 0 && rc)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0) {
		if (!rc)
			fsync(dfd);
		close(dfd);
	}
	buf_cleanup(&b);
	if (rc)
		hooks_log(&p->hooks, LOG_WARNING,
			  "cannot keep the list of AWS managed policies in %s: %s", p->folder,
			  strerror(-rc));
}

/* One ListPolicies chain of scope into a sorted list. */
static int policies_fetch(struct iam_conn *conn, enum iam_policy_scope scope,
			  struct policies_list *out, unsigned *calls, struct aws_error *err)
{
	struct iam_policy_list pl = {0};
	size_t i;
	int rc = iam_list_policies(conn, scope, NULL, &pl, err);

	(*calls)++;
	for (i = 0; !rc && i < pl.n; i++) {
		const char *arn = pl.v[i].arn;

		/* A name the tree cannot show is never asked for: left out. */
		if (arn && ident_policy_name_ok(model_arn_name(arn)) &&
		    (rc = policies_list_add(out, model_arn_name(arn), arn)) == -EINVAL)
			rc = 0;
	}
	iam_policy_list_cleanup(&pl);
	if (rc)
		policies_list_cleanup(out);
	else
		policies_list_sort(out);
	return rc;
}

/* The AWS managed list, fetched when none is fresh (under fetch_mu). */
static int policies_need_aws(struct policies *p, struct iam_conn *conn, unsigned *calls,
			     struct aws_error *err)
{
	struct policies_list l = {0}, old;
	long long now = hooks_now(&p->hooks);
	bool fresh;
	int rc;

	pthread_mutex_lock(&p->mu);
	fresh = p->aws_fetched && policies_fresh(p->aws_fetched, now);
	pthread_mutex_unlock(&p->mu);
	if (fresh)
		return 0;
	if ((rc = policies_fetch(conn, IAM_SCOPE_AWS, &l, calls, err)))
		return rc;
	policies_write_disk(p, &l, now);
	pthread_mutex_lock(&p->mu);
	old = p->aws;
	p->aws = l;
	p->aws_fetched = now;
	pthread_mutex_unlock(&p->mu);
	policies_list_cleanup(&old);
	return 0;
}

static int policies_need_local(struct policies *p, struct iam_conn *conn, unsigned *calls,
			       struct aws_error *err)
{
	struct policies_list l = {0};
	int rc = policies_fetch(conn, IAM_SCOPE_LOCAL, &l, calls, err);

	if (!rc)
		policies_put_local(p, &l);
	return rc;
}

/* Fills m from the lists as they are. */
static void policies_find(struct policies *p, const char *name, struct policies_match *m)
{
	const char *a;

	pthread_mutex_lock(&p->mu);
	a = policies_list_find(&p->local, name);
	snprintf(m->local, sizeof(m->local), "%s", a ? a : "");
	a = policies_list_find(&p->aws, name);
	snprintf(m->aws, sizeof(m->aws), "%s", a ? a : "");
	pthread_mutex_unlock(&p->mu);
}

int policies_resolve(struct policies *p, struct iam_conn *conn, const char *name,
		     struct policies_match *m, unsigned *calls, struct aws_error *err)
{
	bool known, listed = false;
	int rc;

	memset(m, 0, sizeof(*m));
	pthread_mutex_lock(&p->fetch_mu);
	rc = policies_need_aws(p, conn, calls, err);
	pthread_mutex_lock(&p->mu);
	known = p->local_known;
	pthread_mutex_unlock(&p->mu);
	if (!rc && !known) {
		rc = policies_need_local(p, conn, calls, err);
		listed = true;
	}
	if (!rc)
		policies_find(p, name, m);
	/* Found nowhere: a customer managed policy created since the last load? */
	if (!rc && !m->local[0] && !m->aws[0] && !listed &&
	    !(rc = policies_need_local(p, conn, calls, err)))
		policies_find(p, name, m);
	pthread_mutex_unlock(&p->fetch_mu);
	return rc;
}
