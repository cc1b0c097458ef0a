/*
 * Where IAM, STS and Organizations calls go and how they are signed: URL, Host header,
 * signing region and service, per partition (aws, aws-cn, aws-us-gov), or an
 * explicit endpoint URL (an emulator). Pure: the caller passes overrides read
 * from options or the environment.
 */
#ifndef IAMFS_AWS_ENDPOINT_H
#define IAMFS_AWS_ENDPOINT_H

#include <stdbool.h>

struct aws_endpoint {
	char url[512];	    /* "https://iam.amazonaws.com/" (always ends with the path) */
	char host[300];	    /* Host header: hostname, plus ":port" when not the scheme's default */
	char path[256];	    /* "/" or the URL's path */
	char region[64];    /* signing region */
	char service[16];   /* "iam", "sts" or "organizations" */
	char partition[16]; /* "aws", "aws-cn", "aws-us-gov" */
	bool is_explicit;   /* url came from --endpoint-url or the environment */
	bool is_http;	    /* plain http (allowed only when is_explicit) */
};

/* The partition of a region name: "aws-cn" for cn-*, "aws-us-gov" for us-gov-*, else "aws". */
const char *endpoint_partition_of(const char *region);
/* IAM: url_override (may be NULL) wins; else the global endpoint of region's partition
 * (aws: iam.amazonaws.com signed us-east-1; aws-cn: iam.cn-north-1.amazonaws.com.cn signed
 * cn-north-1; aws-us-gov: iam.us-gov.amazonaws.com signed us-gov-west-1). For an
 * override the signing region is the partition's IAM region. -EINVAL on a bad URL. */
int endpoint_iam(const char *url_override, const char *region, struct aws_endpoint *out);
/* Organizations: url_override wins; else the global endpoint of region's partition (aws:
 * organizations.us-east-1.amazonaws.com signed us-east-1; aws-cn:
 * organizations.cn-northwest-1.amazonaws.com.cn signed cn-northwest-1; aws-us-gov:
 * organizations.us-gov-west-1.amazonaws.com signed us-gov-west-1). An override is signed
 * with the partition's region. -EINVAL on a bad URL or region. */
int endpoint_organizations(const char *url_override, const char *region, struct aws_endpoint *out);
/* STS: url_override wins; else the regional endpoint sts.REGION.amazonaws.com(.cn),
 * signed with region (us-east-1 when region is NULL or empty). */
int endpoint_sts(const char *url_override, const char *region, struct aws_endpoint *out);
/* Parses an http(s) URL into url/host/path/is_http; region and service untouched.
 * The host is lower-cased; userinfo, a query, a fragment, a bad port or text too long
 * for the fields is -EINVAL. (endpoint_iam/_sts also refuse regions outside [a-z0-9-].) */
int endpoint_parse_url(const char *url, struct aws_endpoint *out);

#endif
