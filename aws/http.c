/*
 * http.h on libcurl: one easy handle per struct http_conn, reused across
 * requests for keep-alive, and one share handle (DNS, TLS sessions, the
 * connection pool) guarded by one mutex per lock kind. TLS peer and host
 * verification are never turned off; only http and https are spoken.
 */
#include "aws/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define HTTP_DEFAULT_CONNECT_MS	  3000L
#define HTTP_DEFAULT_TIMEOUT_MS	  15000L
#define HTTP_DEFAULT_MAX_RESPONSE (256u << 20)
#define HTTP_MAX_HEADERS	  32

struct http_share {
	CURLSH *sh;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

struct http_conn {
	CURL *easy;
	struct http_share *share;
	struct http_options opt;
	char *ca_bundle; /* owned copy of opt.ca_bundle */
	int fresh;	 /* the next request uses a new connection */
};

/* The state of one transfer's write callback. */
struct http_sink {
	struct buf *resp;
	size_t max;
	int too_large;
	int nomem;
};

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -ENOMEM;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

static void http_share_lock(CURL *h, curl_lock_data data, curl_lock_access acc, void *userp)
{
	struct http_share *s = userp;

	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&s->locks[data]);
}

static void http_share_unlock(CURL *h, curl_lock_data data, void *userp)
{
	struct http_share *s = userp;

	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&s->locks[data]);
}

int http_share_new(struct http_share **out)
{
	struct http_share *s;
	int i;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	s->sh = curl_share_init();
	if (!s->sh)
		goto fail;
	if (curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, http_share_lock) != CURLSHE_OK ||
	    curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, http_share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s) != CURLSHE_OK ||
	    curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)
		goto fail;
	*out = s;
	return 0;
fail:
	http_share_free(s);
	return -ENOMEM;
}

void http_share_free(struct http_share *s)
{
	int i;

	if (!s)
		return;
	if (s->sh)
		curl_share_cleanup(s->sh);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
	free(s);
}

static size_t http_write(char *p, size_t size, size_t n, void *userp)
{
	struct http_sink *k = userp;
	size_t len = size * n;

	if (k->resp->len + len > k->max) {
		k->too_large = 1;
		return 0;
	}
	if (buf_append(k->resp, p, len) < 0) {
		if (k->resp->len + len > k->resp->max)
			k->too_large = 1;
		else
			k->nomem = 1;
		return 0;
	}
	return len;
}

/* Options that stay the same for every request of a handle. */
static int http_conn_setup(struct http_conn *c)
{
	CURL *e = c->easy;
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->opt.connect_timeout_ms);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->opt.timeout_ms);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write);
	if (c->ca_bundle)
		rc |= curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_bundle);
	if (c->share)
		rc |= curl_easy_setopt(e, CURLOPT_SHARE, c->share->sh);
	return rc == CURLE_OK ? 0 : -EINVAL;
}

int http_conn_new(struct http_share *s, const struct http_options *o, struct http_conn **out)
{
	struct http_conn *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (o)
		c->opt = *o;
	if (c->opt.connect_timeout_ms <= 0)
		c->opt.connect_timeout_ms = HTTP_DEFAULT_CONNECT_MS;
	if (c->opt.timeout_ms <= 0)
		c->opt.timeout_ms = HTTP_DEFAULT_TIMEOUT_MS;
	if (!c->opt.max_response)
		c->opt.max_response = HTTP_DEFAULT_MAX_RESPONSE;
	c->opt.ca_bundle = NULL;
	if (o && o->ca_bundle && *o->ca_bundle) {
		c->ca_bundle = strdup(o->ca_bundle);
		if (!c->ca_bundle) {
			free(c);
			return -ENOMEM;
		}
	}
	c->share = s;
	c->easy = curl_easy_init();
	rc = c->easy ? http_conn_setup(c) : -ENOMEM;
	if (rc < 0) {
		http_conn_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void http_conn_free(struct http_conn *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	free(c->ca_bundle);
	free(c);
}

/* Sets the method and body; curl keeps the previous request's choices otherwise. */
static CURLcode http_set_method(CURL *e, const char *method, const char *body, size_t body_len)
{
	CURLcode rc = CURLE_OK;

	if (!strcmp(method, "GET")) {
		rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
		rc |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return rc;
	}
	rc |= curl_easy_setopt(e, CURLOPT_POST, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
	rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") ? method : NULL);
	return rc;
}

static int http_build_headers(const char *const *headers, struct curl_slist **out)
{
	struct curl_slist *l = NULL, *t;
	size_t i;

	/* An empty "Expect:" stops curl from waiting for 100-continue on big bodies. */
	l = curl_slist_append(l, "Expect:");
	if (!l)
		return -ENOMEM;
	for (i = 0; headers && headers[i] && i < HTTP_MAX_HEADERS; i++) {
		t = curl_slist_append(l, headers[i]);
		if (!t) {
			curl_slist_free_all(l);
			return -ENOMEM;
		}
		l = t;
	}
	*out = l;
	return 0;
}

static int http_fail(CURLcode cc, const struct http_sink *k, const char *errbuf,
		     struct aws_error *err)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);

	err->http_status = 0;
	/* Only these prove that no byte of the request left this process. */
	err->maybe_applied = cc != CURLE_COULDNT_CONNECT && cc != CURLE_COULDNT_RESOLVE_HOST &&
			     cc != CURLE_COULDNT_RESOLVE_PROXY;
	if (k->too_large) {
		aws_error_set(err, "ResponseTooLarge", "response larger than %zu bytes", k->max);
		return -EFBIG;
	}
	if (k->nomem) {
		aws_error_set(err, "ConnectionError", "out of memory reading the response");
		return -ENOMEM;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		aws_error_set(err, "Timeout", "%s", why);
		return -ETIMEDOUT;
	}
	aws_error_set(err, "ConnectionError", "%s", why);
	return -EIO;
}

void http_conn_fresh_next(struct http_conn *c)
{
	c->fresh = 1;
}

int http_request(struct http_conn *c, const char *method, const char *url,
		 const char *const *headers, const char *body, size_t body_len, long *status,
		 struct buf *resp, struct aws_error *err)
{
	struct curl_slist *hdrs = NULL;
	struct http_sink sink = {.resp = resp};
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc;
	long code = 0;
	int rc;

	errbuf[0] = '\0';
	buf_reset(resp);
	sink.max = c->opt.max_response < resp->max ? c->opt.max_response : resp->max;
	rc = http_build_headers(headers, &hdrs);
	if (rc < 0)
		return rc;
	cc = http_set_method(c->easy, method, body, body_len);
	cc |= curl_easy_setopt(c->easy, CURLOPT_URL, url);
	cc |= curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, hdrs);
	cc |= curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &sink);
	cc |= curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, errbuf);
	cc |= curl_easy_setopt(c->easy, CURLOPT_FRESH_CONNECT, c->fresh ? 1L : 0L);
	c->fresh = 0;
	if (cc != CURLE_OK) {
		aws_error_set(err, "ConnectionError", "cannot set up the request to %s", url);
		rc = -EINVAL;
		goto out;
	}
	cc = curl_easy_perform(c->easy);
	if (cc != CURLE_OK) {
		rc = http_fail(cc, &sink, errbuf, err);
		buf_reset(resp);
		goto out;
	}
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
	*status = code;
	rc = 0;
out:
	/* The header list may hold a token: do not leave curl pointing at freed memory. */
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}
