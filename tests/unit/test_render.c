/* Unit tests for cache/render.c: JSON text and role.json rendered to the exact
 * bytes of Python's json.dumps(indent=4, ensure_ascii=False) + "\n" (expected
 * values were produced once by python3 and pasted here). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache/render.h"
#include "check.h"

static const struct {
	const char *in;
	const char *want;
} json_cases[] = {
	{"{}", "{}\n"},
	{"[]", "[]\n"},
	{"{\"a\":{}}", "{\n    \"a\": {}\n}\n"},
	{"{\"a\":[]}", "{\n    \"a\": []\n}\n"},
	{"1", "1\n"},
	{"\"x\"", "\"x\"\n"},
	{"null", "null\n"},
	{"true", "true\n"},
	{"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
	 "\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
	 "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n            "
	 "\"Effect\": \"Allow\",\n            \"Principal\": {\n                \"Service\": "
	 "\"lambda.amazonaws.com\"\n            },\n            \"Action\": \"sts:AssumeRole\"\n   "
	 "     }\n    ]\n}\n"},
	{"{\"b\":1,\"a\":2}", "{\n    \"b\": 1,\n    \"a\": 2\n}\n"},
	{"{\"s\":\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f/x\\u007f\"}",
	 "{\n    \"s\": \"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f/x\177\"\n}\n"},
	{"{\"u\":\"caf\\u00e9 \\u2028 \303\251 \342\202\254\"}",
	 "{\n    \"u\": \"caf\303\251 \342\200\250 \303\251 \342\202\254\"\n}\n"},
	{"[1,-0,0,12345678901234567890123,-5,1.0,1.5,1e2,1E-5,0.0001,1e16,1e15,123456789012345678."
	 "0,-0.0,2.5e-7,3.14159,1e400,100.0,0.1,1e22,1.7976931348623157e308,5e-324]",
	 "[\n    1,\n    0,\n    0,\n    12345678901234567890123,\n    -5,\n    1.0,\n    1.5,\n   "
	 " 100.0,\n    1e-05,\n    0.0001,\n    1e+16,\n    1000000000000000.0,\n    "
	 "1.2345678901234568e+17,\n    -0.0,\n    2.5e-07,\n    3.14159,\n    Infinity,\n    "
	 "100.0,\n    0.1,\n    1e+22,\n    1.7976931348623157e+308,\n    5e-324\n]\n"},
	{"{\"a\":1,\"a\":2,\"b\":[true,false,null]}",
	 "{\n    \"a\": 2,\n    \"b\": [\n        true,\n        false,\n        null\n    ]\n}\n"},
	{"{\"Condition\":{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":3600}}}",
	 "{\n    \"Condition\": {\n        \"NumericLessThan\": {\n            "
	 "\"aws:MultiFactorAuthAge\": 3600\n        }\n    }\n}\n"},
	{"  {\"x\" : [ [ ], { } , [1, [2]] ] }  \n",
	 "{\n    \"x\": [\n        [],\n        {},\n        [\n            1,\n            [\n    "
	 "            2\n            ]\n        ]\n    ]\n}\n"},
};

static void test_render_json_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		struct buf b;

		buf_init(&b, 0);
		CHECK_INT(render_json(json_cases[i].in, strlen(json_cases[i].in), &b), 0);
		CHECK_STR(b.data, json_cases[i].want);
		buf_cleanup(&b);
	}
}

static void test_render_json_bad(void)
{
	static const char *bad[] = {"", "{", "{\"a\":1} x", "[1,]", "nul", "{\"a\" 1}"};
	size_t i;
	struct buf b;

	buf_init(&b, 0);
	CHECK_INT(buf_puts(&b, "keep"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(render_json(bad[i], strlen(bad[i]), &b), -EINVAL);
		CHECK_STR(b.data, "keep");
	}
	/* Not NUL-terminated: only len bytes count. */
	CHECK_INT(render_json("[1]]]", 3, &b), 0);
	CHECK_STR(b.data, "keep[\n    1\n]\n");
	buf_cleanup(&b);
	/* The cap is honoured. */
	buf_init(&b, 8);
	CHECK_INT(render_json("{\"abc\":\"def\"}", 13, &b), -EFBIG);
	buf_cleanup(&b);
}

static void test_render_double_table(void)
{
	static const struct {
		double d;
		const char *want;
	} cases[] = {
		{0.0, "0.0"},		{-0.0, "-0.0"},
		{1.0, "1.0"},		{0.5, "0.5"},
		{1e-4, "0.0001"},	{1e-5, "1e-05"},
		{1e16, "1e+16"},	{1e15, "1000000000000000.0"},
		{123.456, "123.456"},	{-2.5e-7, "-2.5e-07"},
		{1e100, "1e+100"},	{0.1 + 0.2, "0.30000000000000004"},
		{INFINITY, "Infinity"}, {-INFINITY, "-Infinity"},
		{NAN, "NaN"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b, 0);
		CHECK_INT(render_double(&b, cases[i].d), 0);
		CHECK_STR(b.data, cases[i].want);
		buf_cleanup(&b);
	}
}

static void test_render_value_numbers(void)
{
	cJSON *a = cJSON_CreateArray();
	struct buf b;

	cJSON_AddItemToArray(a, cJSON_CreateNumber(3600));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-9007199254740992.0));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(1e300));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(0.25));
	buf_init(&b, 0);
	CHECK_INT(render_value(a, 0, &b), 0);
	CHECK_STR(b.data, "[\n    3600,\n    -9007199254740992,\n    1e+300,\n    0.25\n]");
	buf_cleanup(&b);
	cJSON_Delete(a);
}

static void test_render_role(void)
{
	struct iam_tag tags[] = {{"team", "data"}, {"env", "prod \"x\""}};
	struct iam_attached_policy att[] = {
		{"ZPolicy", "arn:aws:iam::123456789012:policy/ZPolicy"},
		{"AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
	};
	struct iam_role r = {
		.name = "states-lambda-role",
		.id = "AROAEXAMPLE",
		.arn = "arn:aws:iam::123456789012:role/service/states-lambda-role",
		.path = "/service/",
		.create_date = "2024-01-02T03:04:05Z",
		.description = "Step Functions",
		.max_session_duration = 3600,
		.trust_policy = "{}",
		.boundary_arn = "arn:aws:iam::123456789012:policy/Boundary",
		.boundary_type = "Policy",
		.last_used_date = "2025-01-01T00:00:00Z",
		.tags = tags,
		.ntags = 2,
		.attached = att,
		.nattached = 2,
	};
	struct iam_role bare = {
		.name = "r",
		.id = "AROA1",
		.arn = "arn:aws:iam::1:role/r",
		.path = "/",
		.create_date = "2024-01-02T03:04:05Z",
	};
	struct buf b;

	buf_init(&b, 0);
	CHECK_INT(render_role(&r, &b), 0);
	CHECK_STR(
		b.data,
		"{\n    \"RoleName\": \"states-lambda-role\",\n"
		"    \"Arn\": \"arn:aws:iam::123456789012:role/service/states-lambda-role\",\n"
		"    \"RoleId\": \"AROAEXAMPLE\",\n    \"Path\": \"/service/\",\n"
		"    \"CreateDate\": \"2024-01-02T03:04:05Z\",\n"
		"    \"Description\": \"Step Functions\",\n    \"MaxSessionDuration\": 3600,\n"
		"    \"PermissionsBoundary\": {\n        \"PermissionsBoundaryType\": \"Policy\",\n"
		"        \"PermissionsBoundaryArn\": "
		"\"arn:aws:iam::123456789012:policy/Boundary\"\n"
		"    },\n    \"Tags\": [\n        {\n            \"Key\": \"team\",\n"
		"            \"Value\": \"data\"\n        },\n        {\n"
		"            \"Key\": \"env\",\n            \"Value\": \"prod \\\"x\\\"\"\n"
		"        }\n    ],\n    \"AttachedPolicies\": [\n"
		"        \"arn:aws:iam::123456789012:policy/ZPolicy\",\n"
		"        \"arn:aws:iam::aws:policy/service-role/AWSLambdaRole\"\n    ]\n}\n");
	buf_reset(&b);
	CHECK_INT(render_role(&bare, &b), 0);
	CHECK_STR(b.data, "{\n    \"RoleName\": \"r\",\n    \"Arn\": \"arn:aws:iam::1:role/r\",\n"
			  "    \"RoleId\": \"AROA1\",\n    \"Path\": \"/\",\n"
			  "    \"CreateDate\": \"2024-01-02T03:04:05Z\",\n"
			  "    \"AttachedPolicies\": []\n}\n");
	buf_cleanup(&b);
}

/* Attaching and detaching re-render role.json exactly as render_role would. */
static void test_render_role_attached(void)
{
	struct iam_attached_policy one[] = {{"A", "arn:aws:iam::1:policy/A"}};
	struct iam_attached_policy two[] = {{"A", "arn:aws:iam::1:policy/A"},
					    {"B", "arn:aws:iam::aws:policy/B"}};
	struct iam_role r = {.name = "r",
			     .id = "AROA1",
			     .arn = "arn:aws:iam::1:role/r",
			     .path = "/",
			     .create_date = "2024-01-02T03:04:05Z",
			     .max_session_duration = 3600,
			     .attached = one,
			     .nattached = 1};
	struct buf base, want, got;

	buf_init(&base, 0);
	buf_init(&want, 0);
	buf_init(&got, 0);
	CHECK_INT(render_role(&r, &base), 0);
	r.attached = two;
	r.nattached = 2;
	CHECK_INT(render_role(&r, &want), 0);
	CHECK_INT(
		render_role_attached(base.data, base.len, "arn:aws:iam::aws:policy/B", true, &got),
		0);
	CHECK_STR(got.data, want.data);
	/* Attaching twice keeps one entry; detaching gives the first bytes back. */
	buf_reset(&base);
	CHECK_INT(render_role_attached(got.data, got.len, "arn:aws:iam::aws:policy/B", true, &base),
		  0);
	CHECK_STR(base.data, want.data);
	buf_reset(&base);
	CHECK_INT(
		render_role_attached(got.data, got.len, "arn:aws:iam::aws:policy/B", false, &base),
		0);
	r.attached = one;
	r.nattached = 1;
	buf_reset(&want);
	CHECK_INT(render_role(&r, &want), 0);
	CHECK_STR(base.data, want.data);
	/* Not a role.json: nothing appended. */
	buf_reset(&got);
	CHECK_INT(render_role_attached("[1]", 3, "arn:x", true, &got), -EINVAL);
	CHECK_INT(render_role_attached("{\"A\": 1}", 8, "arn:x", true, &got), -EINVAL);
	CHECK_INT(render_role_attached("{", 1, "arn:x", true, &got), -EINVAL);
	CHECK_INT((int)got.len, 0);
	buf_cleanup(&base);
	buf_cleanup(&want);
	buf_cleanup(&got);
}

int main(void)
{
	test_render_json_table();
	test_render_json_bad();
	test_render_double_table();
	test_render_value_numbers();
	test_render_role();
	test_render_role_attached();
	return check_done("render");
}
