/*
 * Unit tests for the SigV4 stages. The expected canonical requests, strings to
 * sign, signing keys and Authorization headers were computed once with
 * botocore's SigV4Auth (X-Amz-Date pinned) and pasted here; the first case is
 * AWS's published IAM ListUsers GET example.
 */
#include <errno.h>
#include <string.h>

#include "aws/sigv4.h"
#include "check.h"

#define CT	       SIGV4_CONTENT_TYPE
#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA256   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct {
	struct sigv4_request r;
	const char *secret;
	const char *canonical;
	const char *sts;
	const char *key_hex;
	const char *auth;
} cases[] = {
	{
		{"GET", "iam.amazonaws.com", "/", "Action=ListUsers&Version=2010-05-08", CT, "", 0,
		 "20150830T123600Z", "us-east-1", "iam", NULL, NULL},
		EXAMPLE_SECRET,
		"GET\n/\nAction=ListUsers&Version=2010-05-08\n"
		"content-type:application/x-www-form-urlencoded; charset=utf-8\n"
		"host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
		"content-type;host;x-amz-date\n" EMPTY_SHA256,
		"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
		"f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
		"c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date, "
		"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
	},
	{
		/* A session token with runs of whitespace: trimmed and collapsed. */
		{"POST", "sts.cn-north-1.amazonaws.com.cn", "/", "", CT,
		 "Action=GetCallerIdentity&Version=2011-06-15", 43, "20261123T112051Z",
		 "cn-north-1", "sts", "  my  session\ttoken ", NULL},
		EXAMPLE_SECRET,
		"POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"
		"host:sts.cn-north-1.amazonaws.com.cn\nx-amz-date:20261123T112051Z\n"
		"x-amz-security-token:my session token\n\n"
		"content-type;host;x-amz-date;x-amz-security-token\n"
		"ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843",
		"AWS4-HMAC-SHA256\n20261123T112051Z\n20261123/cn-north-1/sts/aws4_request\n"
		"3f9beaaf3e91420172177b369443490f6e29dfa0ddb07cf8edaa985ffdab9904",
		"79d1bda4ce1b5b209ed7a4733f57965f31c1902673ce5947f8c743d2ab7f06e5",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/cn-north-1/sts/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
		"Signature=51d8dbae1eba4da593ec34b98f244e4027db41d99a38da1a000acec0549ec2e8",
	},
	{
		/* A secret longer than HMAC's block (the key is hashed first); port in Host. */
		{"POST", "127.0.0.1:5000", "/", "", CT, NULL, 0, "20261123T112051Z",
		 "us-gov-west-1", "iam", "", NULL},
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxx",
		"POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"
		"host:127.0.0.1:5000\nx-amz-date:20261123T112051Z\n\n"
		"content-type;host;x-amz-date\n" EMPTY_SHA256,
		"AWS4-HMAC-SHA256\n20261123T112051Z\n20261123/us-gov-west-1/iam/aws4_request\n"
		"9eaf8bbe3837686784ab1df0fc69848e75131c9d17920ec6881233f53788ee43",
		"a0f10d2abf208eb9fac521ef2d296ebdc89d9e44e4abe144b982faf174e4a34e",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-gov-west-1/iam/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date, "
		"Signature=fa86d037be1cc3beab12be596b509b9f3eeb2419512b7c00eb5f407b6425afda",
	},
	{
		/* The JSON 1.1 protocol (Organizations): X-Amz-Target is signed too. */
		{"POST", "organizations.us-east-1.amazonaws.com", "/", "",
		 "application/x-amz-json-1.1", "{\"NextToken\":\"abc\"}", 19, "20261203T114944Z",
		 "us-east-1", "organizations", "tok", "AWSOrganizationsV20161128.ListAccounts"},
		EXAMPLE_SECRET,
		"POST\n/\n\ncontent-type:application/x-amz-json-1.1\n"
		"host:organizations.us-east-1.amazonaws.com\nx-amz-date:20261203T114944Z\n"
		"x-amz-security-token:tok\nx-amz-target:AWSOrganizationsV20161128.ListAccounts\n\n"
		"content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
		"4da061805d3c47f1e87feefddda46d8fd43d7a8efbb9a2bbdf08316e3ab0ca8a",
		"AWS4-HMAC-SHA256\n20261203T114944Z\n20261203/us-east-1/organizations/"
		"aws4_request\n"
		"9bbb40a685d56ffa6526961b0fe30f3354d37add924d7b7235f157a20aff2a50",
		"e93d36b33398071efc047bc36d72747ba201714a733419be25390cd736746be2",
		"AWS4-HMAC-SHA256 "
		"Credential=AKIDEXAMPLE/20261203/us-east-1/organizations/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
		"Signature=49f155cd6f137b50e4a0f9711c0657ddea502e3858b833ed6ad2e12b099bd4a0",
	},
};

static void hex32(const unsigned char k[32], char out[65])
{
	static const char d[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = d[k[i] >> 4];
		out[2 * i + 1] = d[k[i] & 15];
	}
	out[64] = '\0';
}

static void test_vectors(void)
{
	unsigned char key[32];
	char hex[65], sig[65], date8[9];
	struct buf c, s, a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sigv4_request *r = &cases[i].r;

		buf_init(&c, 0);
		buf_init(&s, 0);
		buf_init(&a, 0);
		CHECK_INT(sigv4_canonical_request(r, &c), 0);
		CHECK_STR(c.data, cases[i].canonical);
		CHECK_INT(sigv4_string_to_sign(r, c.data, c.len, &s), 0);
		CHECK_STR(s.data, cases[i].sts);
		memcpy(date8, r->amz_date, 8);
		date8[8] = '\0';
		sigv4_signing_key(cases[i].secret, date8, r->region, r->service, key);
		hex32(key, hex);
		CHECK_STR(hex, cases[i].key_hex);
		sigv4_signature(key, s.data, s.len, sig);
		CHECK(strstr(cases[i].auth, sig) != NULL);
		CHECK_INT(sigv4_authorization(r, "AKIDEXAMPLE", cases[i].secret, &a), 0);
		CHECK_STR(a.data, cases[i].auth);
		buf_cleanup(&c);
		buf_cleanup(&s);
		buf_cleanup(&a);
	}
}

static void test_signed_headers(void)
{
	struct sigv4_request r = {0};

	r.content_type = CT;
	CHECK_STR(sigv4_signed_headers(&r), "content-type;host;x-amz-date");
	r.session_token = "";
	CHECK_STR(sigv4_signed_headers(&r), "content-type;host;x-amz-date");
	r.session_token = "tok";
	CHECK_STR(sigv4_signed_headers(&r), "content-type;host;x-amz-date;x-amz-security-token");
	r.content_type = NULL;
	CHECK_STR(sigv4_signed_headers(&r), "host;x-amz-date;x-amz-security-token");
	r.session_token = NULL;
	CHECK_STR(sigv4_signed_headers(&r), "host;x-amz-date");
	r.target = "";
	CHECK_STR(sigv4_signed_headers(&r), "host;x-amz-date");
	r.content_type = CT;
	r.target = "T.X";
	CHECK_STR(sigv4_signed_headers(&r), "content-type;host;x-amz-date;x-amz-target");
	r.session_token = "tok";
	CHECK_STR(sigv4_signed_headers(&r),
		  "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
}

/* Bad dates and missing fields are -EINVAL, and nothing is appended. */
static void test_invalid(void)
{
	static const char *const dates[] = {
		"", "20261123T112051", "20261123 112051Z", "2026112xT112051Z", "20261123T112051ZZ",
	};
	struct sigv4_request r = cases[0].r;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		r.amz_date = dates[i];
		CHECK_INT(sigv4_canonical_request(&r, &b), -EINVAL);
		CHECK_INT(sigv4_authorization(&r, "AKID", "secret", &b), -EINVAL);
	}
	r = cases[0].r;
	r.host = NULL;
	CHECK_INT(sigv4_canonical_request(&r, &b), -EINVAL);
	r = cases[0].r;
	r.body = NULL;
	r.body_len = 5;
	CHECK_INT(sigv4_canonical_request(&r, &b), -EINVAL);
	r = cases[0].r;
	CHECK_INT(sigv4_authorization(&r, NULL, "secret", &b), -EINVAL);
	CHECK_INT(b.len, 0);
	/* A canonical request that does not fit the cap leaves the buffer empty. */
	buf_cleanup(&b);
	buf_init(&b, 100);
	CHECK_INT(sigv4_canonical_request(&cases[0].r, &b), -EFBIG);
	CHECK_INT(b.len, 0);
	buf_cleanup(&b);
}

static void test_amz_date(void)
{
	static const struct {
		long long t;
		const char *want;
	} dates[] = {
		{0, "19700101T000000Z"},
		{1440938160, "20150830T123600Z"},
		{1795432851, "20261123T112051Z"},
		{951782400, "20000229T000000Z"},
		{4102444799LL, "20991231T235959Z"},
	};
	char out[17];
	size_t i;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		sigv4_amz_date(dates[i].t, out);
		CHECK_STR(out, dates[i].want);
	}
}

int main(void)
{
	test_vectors();
	test_signed_headers();
	test_invalid();
	test_amz_date();
	return check_done("test_sigv4");
}
