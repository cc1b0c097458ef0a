/*
 * Unit tests for endpoint resolution: every partition's IAM, STS and
 * Organizations endpoints,
 * explicit URLs (Host header with and without ports, default paths, case),
 * and the URLs that must be refused.
 */
#include <errno.h>
#include <string.h>

#include "aws/endpoint.h"
#include "check.h"

static void test_partition_of(void)
{
	static const struct {
		const char *region, *want;
	} cases[] = {
		{"us-east-1", "aws"},
		{"eu-west-3", "aws"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-gov-east-1", "aws-us-gov"},
		{"", "aws"},
		{NULL, "aws"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(endpoint_partition_of(cases[i].region), cases[i].want);
}

static const struct {
	int sts;
	const char *override, *region;
	const char *url, *host, *path, *sign_region, *partition;
	int is_explicit, is_http;
} resolve_cases[] = {
	{0, NULL, "us-east-1", "https://iam.amazonaws.com/", "iam.amazonaws.com", "/", "us-east-1",
	 "aws", 0, 0},
	{0, NULL, "eu-central-1", "https://iam.amazonaws.com/", "iam.amazonaws.com", "/",
	 "us-east-1", "aws", 0, 0},
	{0, NULL, NULL, "https://iam.amazonaws.com/", "iam.amazonaws.com", "/", "us-east-1", "aws",
	 0, 0},
	{0, "", "", "https://iam.amazonaws.com/", "iam.amazonaws.com", "/", "us-east-1", "aws", 0,
	 0},
	{0, NULL, "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn/",
	 "iam.cn-north-1.amazonaws.com.cn", "/", "cn-north-1", "aws-cn", 0, 0},
	{0, NULL, "us-gov-east-1", "https://iam.us-gov.amazonaws.com/", "iam.us-gov.amazonaws.com",
	 "/", "us-gov-west-1", "aws-us-gov", 0, 0},
	{0, "http://127.0.0.1:5000", "us-west-2", "http://127.0.0.1:5000/", "127.0.0.1:5000", "/",
	 "us-east-1", "aws", 1, 1},
	{0, "http://127.0.0.1:5000/", "cn-north-1", "http://127.0.0.1:5000/", "127.0.0.1:5000", "/",
	 "cn-north-1", "aws-cn", 1, 1},
	{1, NULL, "us-west-2", "https://sts.us-west-2.amazonaws.com/",
	 "sts.us-west-2.amazonaws.com", "/", "us-west-2", "aws", 0, 0},
	{1, NULL, NULL, "https://sts.us-east-1.amazonaws.com/", "sts.us-east-1.amazonaws.com", "/",
	 "us-east-1", "aws", 0, 0},
	{1, NULL, "", "https://sts.us-east-1.amazonaws.com/", "sts.us-east-1.amazonaws.com", "/",
	 "us-east-1", "aws", 0, 0},
	{1, NULL, "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/",
	 "sts.cn-north-1.amazonaws.com.cn", "/", "cn-north-1", "aws-cn", 0, 0},
	{1, NULL, "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/",
	 "sts.us-gov-west-1.amazonaws.com", "/", "us-gov-west-1", "aws-us-gov", 0, 0},
	{1, "https://sts.example.test:8443/sts/", "eu-west-1", "https://sts.example.test:8443/sts/",
	 "sts.example.test:8443", "/sts/", "eu-west-1", "aws", 1, 0},
};

static void test_resolve(void)
{
	struct aws_endpoint e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		memset(&e, 0x55, sizeof(e));
		if (resolve_cases[i].sts)
			rc = endpoint_sts(resolve_cases[i].override, resolve_cases[i].region, &e);
		else
			rc = endpoint_iam(resolve_cases[i].override, resolve_cases[i].region, &e);
		CHECK_INT(rc, 0);
		if (rc)
			continue;
		CHECK_STR(e.url, resolve_cases[i].url);
		CHECK_STR(e.host, resolve_cases[i].host);
		CHECK_STR(e.path, resolve_cases[i].path);
		CHECK_STR(e.region, resolve_cases[i].sign_region);
		CHECK_STR(e.service, resolve_cases[i].sts ? "sts" : "iam");
		CHECK_STR(e.partition, resolve_cases[i].partition);
		CHECK_INT(e.is_explicit, resolve_cases[i].is_explicit);
		CHECK_INT(e.is_http, resolve_cases[i].is_http);
	}
}

/* Organizations: one global endpoint per partition, or the override signed for it. */
static void test_organizations(void)
{
	static const struct {
		const char *override, *region, *url, *host, *sign_region, *partition;
		int is_explicit;
	} cases[] = {
		{NULL, NULL, "https://organizations.us-east-1.amazonaws.com/",
		 "organizations.us-east-1.amazonaws.com", "us-east-1", "aws", 0},
		{"", "eu-west-1", "https://organizations.us-east-1.amazonaws.com/",
		 "organizations.us-east-1.amazonaws.com", "us-east-1", "aws", 0},
		{NULL, "cn-north-1", "https://organizations.cn-northwest-1.amazonaws.com.cn/",
		 "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "aws-cn", 0},
		{NULL, "us-gov-east-1", "https://organizations.us-gov-west-1.amazonaws.com/",
		 "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws-us-gov", 0},
		{"http://127.0.0.1:5000", "eu-west-1", "http://127.0.0.1:5000/", "127.0.0.1:5000",
		 "us-east-1", "aws", 1},
		{"https://org.example.test/", "cn-north-1", "https://org.example.test/",
		 "org.example.test", "cn-northwest-1", "aws-cn", 1},
	};
	struct aws_endpoint e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&e, 0x55, sizeof(e));
		CHECK_INT(endpoint_organizations(cases[i].override, cases[i].region, &e), 0);
		CHECK_STR(e.url, cases[i].url);
		CHECK_STR(e.host, cases[i].host);
		CHECK_STR(e.path, "/");
		CHECK_STR(e.region, cases[i].sign_region);
		CHECK_STR(e.service, "organizations");
		CHECK_STR(e.partition, cases[i].partition);
		CHECK_INT(e.is_explicit, cases[i].is_explicit);
	}
	CHECK_INT(endpoint_organizations("ftp://x/", NULL, &e), -EINVAL);
	CHECK_INT(endpoint_organizations(NULL, "Bad Region", &e), -EINVAL);
}

static void test_parse_url(void)
{
	static const struct {
		const char *in, *url, *host, *path;
		int is_http;
	} cases[] = {
		{"https://iam.amazonaws.com", "https://iam.amazonaws.com/", "iam.amazonaws.com",
		 "/", 0},
		{"HTTPS://IAM.AmazonAWS.com:443/", "https://iam.amazonaws.com/",
		 "iam.amazonaws.com", "/", 0},
		{"http://localhost:80/x/y", "http://localhost/x/y", "localhost", "/x/y", 1},
		{"http://localhost:443/", "http://localhost:443/", "localhost:443", "/", 1},
		{"https://localhost:80/", "https://localhost:80/", "localhost:80", "/", 0},
		{"http://127.0.0.1:65535/", "http://127.0.0.1:65535/", "127.0.0.1:65535", "/", 1},
		{"http://[::1]:5000/", "http://[::1]:5000/", "[::1]:5000", "/", 1},
		{"http://[::1]/", "http://[::1]/", "[::1]", "/", 1},
		{"http://moto_server:5000", "http://moto_server:5000/", "moto_server:5000", "/", 1},
	};
	struct aws_endpoint e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		memcpy(e.region, "keep", 5);
		memcpy(e.service, "sts", 4);
		CHECK_INT(endpoint_parse_url(cases[i].in, &e), 0);
		CHECK_STR(e.url, cases[i].url);
		CHECK_STR(e.host, cases[i].host);
		CHECK_STR(e.path, cases[i].path);
		CHECK_INT(e.is_http, cases[i].is_http);
		CHECK_STR(e.region, "keep");
		CHECK_STR(e.service, "sts");
	}
}

static void test_bad_urls(void)
{
	static const char *const bad[] = {
		"",
		"iam.amazonaws.com",
		"ftp://iam.amazonaws.com/",
		"file:///etc/passwd",
		"https://",
		"https:///",
		"https://user:pw@iam.amazonaws.com/",
		"https://user@iam.amazonaws.com/",
		"https://iam.amazonaws.com:/",
		"https://iam.amazonaws.com:0/",
		"https://iam.amazonaws.com:65536/",
		"https://iam.amazonaws.com:12a/",
		"https://iam.amazonaws.com:-1/",
		"https://iam.amazonaws.com/?Action=ListRoles",
		"https://iam.amazonaws.com/#frag",
		"https://iam.amazonaws.com/a b",
		"https://iam.amazon aws.com/",
		"https://iam.amazonaws.com\r\nX-Injected: 1/",
		"https://[::1/",
		"https://[zz::1]/",
		" https://iam.amazonaws.com/",
	};
	struct aws_endpoint e;
	char longurl[3000];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		memcpy(e.url, "untouched", 10);
		CHECK_INT(endpoint_parse_url(bad[i], &e), -EINVAL);
		CHECK_STR(e.url, "untouched");
		CHECK_INT(endpoint_iam(bad[i][0] ? bad[i] : "x", "us-east-1", &e), -EINVAL);
	}
	CHECK_INT(endpoint_parse_url(NULL, &e), -EINVAL);
	/* Too long: the whole URL, the host, the path. */
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "https://h/", 10);
	CHECK_INT(endpoint_parse_url(longurl, &e), -EINVAL);
	memcpy(longurl, "https://", 8);
	longurl[400] = '\0';
	CHECK_INT(endpoint_parse_url(longurl, &e), -EINVAL);
	memcpy(longurl, "https://h/", 10);
	CHECK_INT(endpoint_parse_url(longurl, &e), -EINVAL);
	/* Region names go into host names: only [a-z0-9-]. */
	CHECK_INT(endpoint_sts(NULL, "us-east-1.evil.com/", &e), -EINVAL);
	CHECK_INT(endpoint_sts(NULL, "US-EAST-1", &e), -EINVAL);
	CHECK_INT(endpoint_sts(NULL, "-us", &e), -EINVAL);
	CHECK_INT(endpoint_iam(NULL, "us east", &e), -EINVAL);
}

int main(void)
{
	test_partition_of();
	test_resolve();
	test_organizations();
	test_parse_url();
	test_bad_urls();
	return check_done("test_endpoint");
}
