/*
 * Endpoint resolution: the partition of a region, the global IAM and
 * Organizations endpoints and regional STS endpoint of each partition, and a strict parser for
 * explicit endpoint URLs. Every field of struct aws_endpoint is filled from validated text that
 * fits its array; anything else is -EINVAL, with *out untouched.
 */
#include "aws/endpoint.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ENDPOINT_MAX_URL 2048

struct endpoint_partition {
	const char *name;
	const char *iam_host;
	const char *iam_region;
	const char *dns_suffix;
	const char *org_host; /* Organizations is global too: one endpoint per partition */
	const char *org_region;
};

static const struct endpoint_partition endpoint_partitions[] = {
	{"aws", "iam.amazonaws.com", "us-east-1", "amazonaws.com",
	 "organizations.us-east-1.amazonaws.com", "us-east-1"},
	{"aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "amazonaws.com.cn",
	 "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
	{"aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1", "amazonaws.com",
	 "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
};

static const struct endpoint_partition *endpoint_partition_get(const char *region)
{
	if (region && !strncmp(region, "cn-", 3))
		return &endpoint_partitions[1];
	if (region && !strncmp(region, "us-gov-", 7))
		return &endpoint_partitions[2];
	return &endpoint_partitions[0];
}

const char *endpoint_partition_of(const char *region)
{
	return endpoint_partition_get(region)->name;
}

/* Region names are lower-case letters, digits and dashes; they end up in a host name. */
static int endpoint_region_ok(const char *region)
{
	size_t i, n = strlen(region);

	if (n == 0 || n >= sizeof(((struct aws_endpoint *)0)->region) || region[0] == '-' ||
	    region[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = region[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int endpoint_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int endpoint_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

/* Checks a host name or a bracketed IPv6 literal; writes it lower-cased into e->host. */
static int endpoint_parse_host(const char *s, size_t n, struct aws_endpoint *e)
{
	size_t i;
	int v6 = n > 2 && s[0] == '[' && s[n - 1] == ']';

	if (n == 0 || endpoint_copy(e->host, sizeof(e->host), s, n))
		return -EINVAL;
	for (i = v6; i < n - v6; i++) {
		char c = s[i];

		if (v6 ? !(c == ':' || c == '.' || (c >= '0' && c <= '9') ||
			   (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
		       : !endpoint_host_char(c))
			return -EINVAL;
		if (c >= 'A' && c <= 'Z')
			e->host[i] = (char)(c - 'A' + 'a');
	}
	return 0;
}

/* Parses ":digits" into 1..65535. */
static int endpoint_parse_port(const char *s, size_t n, long *port)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

/* A path: starts with '/', printable ASCII, no query, fragment or backslash. */
static int endpoint_path_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '\\')
			return 0;
	}
	return n == 0 || s[0] == '/';
}

/* Splits authority into host and port; userinfo ('@') is refused. */
static int endpoint_parse_authority(const char *a, size_t n, struct aws_endpoint *e, long *port)
{
	const char *colon = NULL;
	size_t i;

	if (memchr(a, '@', n))
		return -EINVAL;
	for (i = n; i > 0; i--) {
		if (a[i - 1] == ']')
			break;
		if (a[i - 1] == ':') {
			colon = a + i - 1;
			break;
		}
	}
	if (colon && endpoint_parse_port(colon + 1, (size_t)(a + n - colon - 1), port))
		return -EINVAL;
	return endpoint_parse_host(a, colon ? (size_t)(colon - a) : n, e);
}

/* Writes url, host, path and is_http of a parsed URL into e; nothing on failure. */
int endpoint_parse_url(const char *url, struct aws_endpoint *out)
{
	struct aws_endpoint e;
	char host[sizeof(e.host)];
	const char *auth, *path;
	size_t n;
	long port = 0, defport;
	int w;

	memset(&e, 0, sizeof(e));
	if (!url || (n = strnlen(url, ENDPOINT_MAX_URL + 1)) > ENDPOINT_MAX_URL)
		return -EINVAL;
	e.is_http = !strncasecmp(url, "http://", 7);
	if (!e.is_http && strncasecmp(url, "https://", 8))
		return -EINVAL;
	auth = url + (e.is_http ? 7 : 8);
	defport = e.is_http ? 80 : 443;
	path = strchr(auth, '/');
	if (!path)
		path = url + n;
	if (!endpoint_path_ok(path, strlen(path)) ||
	    endpoint_parse_authority(auth, (size_t)(path - auth), &e, &port))
		return -EINVAL;
	if (port && port != defport) {
		memcpy(host, e.host, sizeof(host));
		w = snprintf(e.host, sizeof(e.host), "%s:%ld", host, port);
		if (w < 0 || (size_t)w >= sizeof(e.host))
			return -EINVAL;
	}
	if (!*path)
		path = "/";
	if (endpoint_copy(e.path, sizeof(e.path), path, strlen(path)))
		return -EINVAL;
	w = snprintf(e.url, sizeof(e.url), "%s://%s%s", e.is_http ? "http" : "https", e.host,
		     e.path);
	if (w < 0 || (size_t)w >= sizeof(e.url))
		return -EINVAL;
	memcpy(out->url, e.url, sizeof(e.url));
	memcpy(out->host, e.host, sizeof(e.host));
	memcpy(out->path, e.path, sizeof(e.path));
	out->is_http = e.is_http;
	return 0;
}

/* The endpoint at url_override, or at default_url when none was given, signing
 * for region, service and partition. */
static int endpoint_make(const char *url_override, const char *default_url, const char *region,
			 const char *service, const char *partition, struct aws_endpoint *out)
{
	struct aws_endpoint e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.is_explicit = url_override && *url_override;
	rc = endpoint_parse_url(e.is_explicit ? url_override : default_url, &e);
	if (!rc && (endpoint_copy(e.region, sizeof(e.region), region, strlen(region)) ||
		    endpoint_copy(e.service, sizeof(e.service), service, strlen(service)) ||
		    endpoint_copy(e.partition, sizeof(e.partition), partition, strlen(partition))))
		rc = -EINVAL;
	if (!rc)
		*out = e;
	return rc;
}

int endpoint_iam(const char *url_override, const char *region, struct aws_endpoint *out)
{
	const struct endpoint_partition *p;
	char url[sizeof(out->url)];

	if (region && *region && !endpoint_region_ok(region))
		return -EINVAL;
	p = endpoint_partition_get(region);
	snprintf(url, sizeof(url), "https://%s/", p->iam_host);
	return endpoint_make(url_override, url, p->iam_region, "iam", p->name, out);
}

int endpoint_organizations(const char *url_override, const char *region, struct aws_endpoint *out)
{
	const struct endpoint_partition *p;
	char url[sizeof(out->url)];

	if (region && *region && !endpoint_region_ok(region))
		return -EINVAL;
	p = endpoint_partition_get(region);
	snprintf(url, sizeof(url), "https://%s/", p->org_host);
	return endpoint_make(url_override, url, p->org_region, "organizations", p->name, out);
}

int endpoint_sts(const char *url_override, const char *region, struct aws_endpoint *out)
{
	const struct endpoint_partition *p;
	char url[sizeof(out->url)];

	if (!region || !*region)
		region = "us-east-1";
	if (!endpoint_region_ok(region))
		return -EINVAL;
	p = endpoint_partition_get(region);
	snprintf(url, sizeof(url), "https://sts.%s.%s/", region, p->dns_suffix);
	return endpoint_make(url_override, url, region, "sts", p->name, out);
}
